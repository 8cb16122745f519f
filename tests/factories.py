"""Small builders for foundation objects, with valid Norwegian numbers."""

from __future__ import annotations

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.utils import timezone

from kvitt.core.models import ApiToken, Membership, Organisation, OrganisationKind, Role
from kvitt.core.permissions import Actor
from kvitt.ledger.models import CareEvent, Patient
from kvitt.network.models import Company, Location, PartnerApproval, Payer, PayerKind, Practitioner
from kvitt.web.demo import valid_account, valid_fnr, valid_orgnr

_seq = itertools.count(1)
PASSWORD = "a-long-test-password-1"


def company(name: str | None = None, **fields) -> Company:
    n = next(_seq)
    name = name or f"Klinikk {n} AS"
    number = valid_orgnr(str(81000000 + n * 137))
    org = Organisation.objects.create(name=name, kind=OrganisationKind.CLINIC_COMPANY, org_number=number)
    defaults = {"bank_account": valid_account(str(1500000000 + n)), "email": f"post{n}@klinikk.example.no"}
    defaults.update(fields)
    return Company.objects.create(organisation=org, name=name, org_number=number, **defaults)


def location(company: Company, name: str = "Sentrum", lat: str = "59.9139", lon: str = "10.7522") -> Location:
    return Location.objects.create(company=company, name=name, city="Oslo", latitude=lat, longitude=lon)


def practitioner(company: Company, loc: Location | None = None, hpr: str = "9144889", professions=("physiotherapist",)) -> Practitioner:
    p = Practitioner.objects.create(company=company, name=f"Behandler {next(_seq)}", hpr_number=hpr, professions=list(professions))
    if loc:
        p.locations.add(loc)
    return p


def payer(name: str | None = None, kind: str = PayerKind.INSURER) -> Payer:
    n = next(_seq)
    name = name or f"Forsikring {n} ASA"
    number = valid_orgnr(str(82000000 + n * 211))
    org_kind = {PayerKind.INSURER: OrganisationKind.INSURER, PayerKind.PUBLIC_PAYER: OrganisationKind.PUBLIC_PAYER, PayerKind.REGION: OrganisationKind.REGION}[kind]
    org = Organisation.objects.create(name=name, kind=org_kind, org_number=number)
    return Payer.objects.create(organisation=org, name=name, kind=kind, org_number=number, peppol_id=f"0192:{number}")


def approval(payer: Payer, company: Company, *, location=None, days_back: int = 30, valid_to=None, professions=()) -> PartnerApproval:
    return PartnerApproval.objects.create(
        payer=payer, company=company, location=location, professions=list(professions),
        valid_from=timezone.localdate() - datetime.timedelta(days=days_back), valid_to=valid_to,
    )


def user(organisation: Organisation, role: str, username: str | None = None):
    username = username or f"user{next(_seq)}"
    u = get_user_model().objects.create_user(username=username, password=PASSWORD, email=f"{username}@example.no")
    Membership.objects.create(user=u, organisation=organisation, role=role)
    return u


def actor(organisation: Organisation, role: str) -> Actor:
    return Actor(user=user(organisation, role), organisation=organisation, role=role)


def token(organisation: Organisation, role: str) -> str:
    return ApiToken.issue(organisation, "test integration", role)[1]


def patient(organisation: Organisation, name: str = "Ola Pasient") -> Patient:
    n = next(_seq)
    fnr = valid_fnr(datetime.date(1980, 1, 1) + datetime.timedelta(days=n), n)
    return Patient.objects.create(organisation=organisation, national_id=fnr, id_type="fnr", name=name)


def care_event(company: Company, pat: Patient, **fields) -> CareEvent:
    defaults = {
        "start": timezone.now() - datetime.timedelta(days=2),
        "service_codes": ["A1a"],
        "diagnoses": [{"system": "ICPC-2", "code": "L92", "text": "Skulder lidelse uspesifisert"}],
        "routes": ["insurer"],
        "amounts": {"insurer": 90000},
    }
    defaults.update(fields)
    return CareEvent.objects.create(organisation=company.organisation, company=company, patient=pat, **defaults)
