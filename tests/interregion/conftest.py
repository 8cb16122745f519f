"""Two Swedish region tenants in one Kvitt, each with its certificate, and B's producer on HTTPS."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from kvitt.core.models import Membership, Organisation, Role, User
from kvitt.core.permissions import Actor
from kvitt.interregion import services, transport
from kvitt.interregion.directory import load_region_directory
from kvitt.interregion.models import AuthorisedCaller, CarePricing, PatientRegistration, RegionLink
from kvitt.ledger import services as ledger
from kvitt.network.models import CareUnit

from .pki import TestPki

A_ORG, B_ORG = "2321000016", "2321000024"
A_HSA, STRANGER_HSA = "SE2321000016-F0001", "SE2321000099-F0666"
SEPT = dt.datetime(2026, 9, 1, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    directory = tmp_path_factory.mktemp("interregion-pki")
    authority = TestPki(directory)
    return {
        "ca": str(authority.ca),
        "server": authority.server(),
        "a": authority.client("region-a", A_HSA, "Region Stockholm"),
        "stranger": authority.client("stranger", STRANGER_HSA, "Region Okänd"),
    }


@dataclass
class Tenant:
    organisation: Organisation
    user: User

    @property
    def actor(self) -> Actor:
        return Actor(self.user, self.organisation, Role.REGION_BILLING_OFFICER)


def make_region(name: str, org_number: str, username: str) -> Tenant:
    organisation = Organisation.objects.create(name=name, kind="region", country="SE", org_number=org_number)
    user = User.objects.create_user(username=username)  # no password: tests log in with force_login
    Membership.objects.create(user=user, organisation=organisation, role=Role.REGION_BILLING_OFFICER)
    return Tenant(organisation, user)


@pytest.fixture
def regions(db):
    load_region_directory()  # transactional tests flush what the data migration loaded
    a = make_region("Region Stockholm", A_ORG, "officer-a")
    b = make_region("Region Uppsala", B_ORG, "officer-b")
    unit = CareUnit.objects.create(organisation=a.organisation, name="Karolinska Solna", hsa_id="SE2321000016-7K01", county_code="01")
    return {"a": a, "b": b, "unit": unit}


def add_patient(tenant: Tenant, national_id: str, name: str, county: str, municipality: str = "0380"):
    patient = ledger.register_patient(tenant.actor, national_id=national_id, name=name, county_code=county, country="SE",
                                      birth_date=dt.date(1970, 10, 3))
    PatientRegistration.objects.create(patient=patient, municipality_code=municipality, gender="1")
    return patient


def add_event(tenant: Tenant, unit, patient, day: int, *, pricing: dict, codes=("AF012",), diagnoses=("J06.9",), referral=None):
    event = ledger.record_care_event(
        tenant.actor, patient=patient, start=SEPT + dt.timedelta(days=day - 1, hours=8), care_unit=unit,
        service_codes=list(codes), diagnoses=[{"system": "ICD-10-SE", "code": c, "text": ""} for c in diagnoses],
        routes=["home_region"], amounts={"home_region": 100}, referral=referral, external_id=f"VK{day:03d}{patient.pk}",
    )
    CarePricing.objects.create(organisation=tenant.organisation, event_id=event.event_id, **pricing)
    return event


OUTPATIENT = dict(type_of_care="01", planned=True, type_of_visit="1", profession_code="LK", medical_field_code="101",
                  product_category="03", items=[{"code": "BES01", "name": "Läkarbesök", "quantity": 1, "unit_price": 185000}],
                  outpatient_fee_paid=30000)
INPATIENT = dict(type_of_care="02", planned=False, medical_field_code="301", product_category="02", drg_code="470C",
                 drg_price=4512300, discount=20000, discharge_date=dt.date(2026, 9, 14), days_in_care=4)


@pytest.fixture
def billed_month(regions):
    """Region A treated two Uppsala residents and one of its own in September 2026."""
    a, unit = regions["a"], regions["unit"]
    anna = add_patient(a, "191212121212", "Anna Andersson", "03")
    olle = add_patient(a, "197010632391", "Olle Östlund", "03", municipality="0381")
    local = add_patient(a, "194107086995", "Lokal Patient", "01", municipality="0180")
    events = {
        "anna": add_event(a, unit, anna, 8, pricing=OUTPATIENT, referral={"id": "REM-77", "agreement_type": "1"}),
        "olle": add_event(a, unit, olle, 10, pricing=INPATIENT, codes=("JEA01",), diagnoses=("K35.8", "E11.9")),
        "local": add_event(a, unit, local, 11, pricing=OUTPATIENT),
    }
    return {"patients": [anna, olle, local], "events": events}


@pytest.fixture
def producer_b(regions, pki):
    """Region B's producer over HTTPS with mutual TLS; A's certificate is authorised for B's address."""
    AuthorisedCaller.objects.create(organisation=regions["b"].organisation, hsa_id=A_HSA, logical_address=B_ORG, caller_org_number=A_ORG)
    context = transport.server_ssl_context(pki["ca"], str(pki["server"].cert), str(pki["server"].key))
    server = transport.MutualTlsServer(("127.0.0.1", 0), context, services.producer_endpoint())
    server.start()
    yield server
    server.stop()


def link_a_to_b(regions, pki, server, who: str = "a", url: str | None = None) -> RegionLink:
    RegionLink.objects.filter(organisation=regions["a"].organisation).delete()
    return RegionLink.objects.create(
        organisation=regions["a"].organisation, receiver_org_number=B_ORG, url=url or server.url, ca_file=pki["ca"],
        cert_file=str(pki[who].cert), key_file=str(pki[who].key), pause_ms=5000, max_attempts=3, timeout_s=5,
    )



@pytest.fixture(autouse=True)
def english():
    """Assertions read English messages; the site's default language is nb."""
    from django.utils import translation

    with translation.override("en"):
        yield
