"""Small factories for cases and booking tests: real rows, valid identifiers."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model
from stdnum.no import orgnr

from kvitt.core.models import Membership, Organisation, OrganisationKind, Role
from kvitt.core.permissions import Actor
from kvitt.ledger.models import IdType, Patient
from kvitt.network.models import Company, Location, PartnerApproval, Payer, PayerKind, Practitioner

# Valid Norwegian organisation numbers (MOD11) and a fødselsnummer from python-stdnum's docs.
ORG_NUMBERS = ["923609016", "974760673", "981276957", "986105174", "996108384"]
INSURER_ORG_NUMBERS = ["982463718", "995568217", "888888888"]
FNR = "15108695088"
HPR = "181000001"

_seq = itertools.count(1)

# Real places (WGS84): the search tests measure real distances between them.
PLACES = {
    "oslo": (Decimal("59.913868"), Decimal("10.752245"), "0150", "Oslo"),
    "lysaker": (Decimal("59.912998"), Decimal("10.636101"), "1366", "Lysaker"),
    "bergen": (Decimal("60.391263"), Decimal("5.322054"), "5003", "Bergen"),
    "trondheim": (Decimal("63.430515"), Decimal("10.395053"), "7011", "Trondheim"),
}


def user(username: str | None = None, **fields):
    username = username or f"user{next(_seq)}"
    u = get_user_model().objects.create_user(username=username, password="correct horse battery", **fields)
    return u


def organisation(kind: str = OrganisationKind.CLINIC_COMPANY, name: str | None = None, org_number: str = "", **fields) -> Organisation:
    return Organisation.objects.create(kind=kind, name=name or f"Org {next(_seq)}", org_number=org_number, **fields)


def _free_org_number(pool: list[str], kind: str) -> str:
    """The first number of the pool not yet used for this kind, then generated valid ones."""
    for number in pool:
        if not Organisation.objects.filter(org_number=number, kind=kind).exists():
            return number
    while True:
        body = f"{9}{next(_seq) % 10_000_000:07d}"
        # MOD11: exactly one final digit (or none) makes the number valid; try each.
        for digit in "0123456789":
            candidate = body + digit
            if orgnr.is_valid(candidate) and not Organisation.objects.filter(org_number=candidate, kind=kind).exists():
                return candidate


def company(name: str = "Fysio Sentrum AS", org_number: str | None = None, **fields) -> Company:
    org_number = org_number or _free_org_number(ORG_NUMBERS, OrganisationKind.CLINIC_COMPANY)
    org = organisation(OrganisationKind.CLINIC_COMPANY, name=name, org_number=org_number)
    fields.setdefault("email", "post@fysio.example")
    return Company.objects.create(organisation=org, name=name, org_number=org_number, **fields)


def location(company_: Company | None = None, place: str = "oslo", name: str | None = None, **fields) -> Location:
    company_ = company_ or company()
    lat, lon, postcode, city = PLACES[place]
    fields.setdefault("latitude", lat)
    fields.setdefault("longitude", lon)
    return Location.objects.create(
        company=company_, name=name or f"{city} klinikk", postcode=postcode, city=city, street="Gate 1", **fields
    )


def payer(name: str = "Trygg Forsikring ASA", org_number: str | None = None, **fields) -> Payer:
    org_number = org_number or _free_org_number(INSURER_ORG_NUMBERS, OrganisationKind.INSURER)
    org = organisation(OrganisationKind.INSURER, name=name, org_number=f"{org_number}")
    fields.setdefault("email", "skade@trygg.example")
    return Payer.objects.create(organisation=org, name=name, kind=PayerKind.INSURER, org_number=org_number, **fields)


def approval(payer_: Payer, company_: Company, *, location_: Location | None = None, professions=(),
             valid_from: datetime.date | None = None, valid_to: datetime.date | None = None, **fields) -> PartnerApproval:
    return PartnerApproval.objects.create(
        payer=payer_, company=company_, location=location_, professions=list(professions),
        valid_from=valid_from or datetime.date(2020, 1, 1), valid_to=valid_to, **fields
    )


def patient(organisation_: Organisation, national_id: str = FNR, name: str = "Kari Nordmann", **fields) -> Patient:
    fields.setdefault("email", "kari@example.no")
    existing = Patient.objects.with_national_id(national_id).filter(organisation=organisation_).first()
    if existing is not None:
        return existing
    return Patient.objects.create(
        organisation=organisation_, national_id=national_id, id_type=IdType.FNR, name=name,
        birth_date=datetime.date(1986, 10, 15), **fields
    )


def practitioner(company_: Company, locations=(), professions=("physiotherapist",), name: str = "Per Fysio",
                 hpr_number: str = HPR, competences=(), **fields) -> Practitioner:
    p = Practitioner.objects.create(
        company=company_, name=name, professions=list(professions), hpr_number=hpr_number,
        competences=list(competences), **fields
    )
    if locations:
        p.locations.set(locations)
    return p


def member(org: Organisation, role: str, username: str | None = None):
    u = user(username)
    m = Membership.objects.create(user=u, organisation=org, role=role)
    return Actor.for_membership(m)


def case_handler(payer_: Payer, username: str | None = None) -> Actor:
    return member(payer_.organisation, Role.INSURER_CASE_HANDLER, username)


def clinic_admin(company_: Company, username: str | None = None) -> Actor:
    return member(company_.organisation, Role.CLINIC_ADMIN, username)


def assignment(actor: Actor, patient_: Patient | None = None, **overrides):
    from kvitt.cases import services

    fields = dict(
        professions=["physiotherapist"], max_treatments=6, max_amount=600_000,
        valid_from=datetime.date(2026, 1, 1), valid_to=datetime.date(2027, 12, 31),
        service_codes=["B1010"], notes_for_clinic="Skulder, etter fall",
    )
    fields.update(overrides)
    return services.open_assignment(actor, patient=patient_ or patient(actor.organisation), **fields)


def run_queued_tasks(name_suffix: str = "notice") -> int:
    """Run the queued tasks whose path ends with ``name_suffix`` (the worker's job), in order.

    Inside a test transaction the real worker cannot run (it recycles connections), so this takes
    the rows the database backend queued and calls their task, as the worker would."""
    from django.utils.module_loading import import_string
    from django_tasks_db.models import DBTaskResult

    ran = 0
    for row in DBTaskResult.objects.filter(status="READY", task_path__endswith=name_suffix).order_by("enqueued_at"):
        import_string(row.task_path).call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.delete()
        ran += 1
    return ran
