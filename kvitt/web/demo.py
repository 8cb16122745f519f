"""Demo data: a small Nordic network to click through. Loading twice changes nothing.

Every app may add its own demo data in ``kvitt/<app>/demo.py`` with ``load(ctx: DemoContext)``;
it runs after the foundation data, in the order of settings.KVITT_APPS.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from stdnum import luhn
from stdnum.no import fodselsnummer, kontonr, orgnr

from kvitt.core.models import Membership, Organisation, OrganisationKind, Role
from kvitt.core.permissions import Actor
from kvitt.ledger.models import CareEvent, Patient
from kvitt.network.models import CareUnit, Company, Location, PartnerApproval, Payer, PayerKind, Practitioner

DEMO_PASSWORD = "kvitt-demo-2026"

# username, organisation key, role: one user per role (README lists them).
DEMO_USERS = [
    ("clinicadmin", "fysio", Role.CLINIC_ADMIN),
    ("practitioner", "fysio", Role.PRACTITIONER),
    ("billing", "fysio", Role.BILLING_CLERK),
    ("psyadmin", "psyk", Role.CLINIC_ADMIN),
    ("casehandler", "insurer1", Role.INSURER_CASE_HANDLER),
    ("regionofficer", "region_sthlm", Role.REGION_BILLING_OFFICER),
    ("regionofficer2", "region_skane", Role.REGION_BILLING_OFFICER),
    ("collector", "collection", Role.COLLECTION_AGENT),
    ("auditor", "fysio", Role.AUDITOR),
    ("operator", "operator", Role.NETWORK_OPERATOR),
]


@dataclass
class DemoContext:
    organisations: dict[str, Organisation] = field(default_factory=dict)
    companies: dict[str, Company] = field(default_factory=dict)
    payers: dict[str, Payer] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    today: datetime.date = field(default_factory=timezone.localdate)

    def actor(self, username: str) -> Actor:
        user = self.users[username]
        return Actor.for_membership(user.memberships.select_related("organisation").first())


def valid_orgnr(body: str) -> str:
    """A MOD11-valid organisation number from an 8-digit body (the body is nudged when needed)."""
    base = int(body)
    while True:
        candidate = str(base).zfill(8)
        for check in "0123456789":
            if orgnr.is_valid(candidate + check):
                return candidate + check
        base += 1


def valid_account(body: str) -> str:
    base = int(body)
    while True:
        candidate = str(base).zfill(10)
        for check in "0123456789":
            if kontonr.is_valid(candidate + check):
                return candidate + check
        base += 1


def valid_fnr(birth: datetime.date, serial: int) -> str:
    """A fødselsnummer for ``birth``; ``serial`` picks the individual number."""
    # The individual number encodes the century: 000-499 for 1900-1999, 500-999 from 2000.
    low = 0 if birth.year < 2000 else 500
    for individual in [low + (serial + k) % 500 for k in range(500)]:
        first9 = birth.strftime("%d%m%y") + f"{individual:03d}"
        try:
            k1 = fodselsnummer.calc_check_digit1(first9)
            k2 = fodselsnummer.calc_check_digit2(first9 + k1)
        except Exception:  # a check digit of 10 makes the serial unusable
            continue
        number = first9 + k1 + k2
        if fodselsnummer.is_valid(number):
            return number
    raise ValueError("no valid fødselsnummer found")


def valid_personnummer(birth: datetime.date, serial: int) -> str:
    body = birth.strftime("%y%m%d") + f"{serial % 1000:03d}"
    return birth.strftime("%Y%m%d") + f"{serial % 1000:03d}" + luhn.calc_check_digit(body)


def _organisation(ctx: DemoContext, key: str, name: str, kind: str, country: str, number: str, email: str = "") -> Organisation:
    org, _ = Organisation.objects.get_or_create(
        kind=kind, country=country, org_number=number, defaults={"name": name, "email": email}
    )
    ctx.organisations[key] = org
    return org


def _company(ctx: DemoContext, key: str, name: str, number: str, **fields) -> Company:
    org = _organisation(ctx, key, name, OrganisationKind.CLINIC_COMPANY, "NO", number, fields.get("email", ""))
    company, _ = Company.objects.get_or_create(organisation=org, defaults={"name": name, "org_number": number, **fields})
    ctx.companies[key] = company
    return company


def _payer(ctx: DemoContext, key: str, name: str, kind: str, number: str, country: str = "NO", **fields) -> Payer:
    org_kind = {PayerKind.INSURER: OrganisationKind.INSURER, PayerKind.PUBLIC_PAYER: OrganisationKind.PUBLIC_PAYER, PayerKind.REGION: OrganisationKind.REGION}[kind]
    org = _organisation(ctx, key, name, org_kind, country, number, fields.get("email", ""))
    payer, _ = Payer.objects.get_or_create(
        organisation=org, defaults={"name": name, "kind": kind, "org_number": number, "peppol_id": f"0192:{number}" if country == "NO" else f"0007:{number}", **fields}
    )
    ctx.payers[key] = payer
    return payer


def _location(company: Company, name: str, street: str, postcode: str, city: str, lat: str, lon: str) -> Location:
    location, _ = Location.objects.get_or_create(
        company=company, name=name,
        defaults={"street": street, "postcode": postcode, "city": city, "latitude": lat, "longitude": lon},
    )
    return location


def _practitioner(company: Company, name: str, hpr: str, professions: list[str], locations, competences=()) -> Practitioner:
    practitioner, created = Practitioner.objects.get_or_create(
        company=company, name=name,
        defaults={"hpr_number": hpr, "professions": professions, "competences": list(competences), "email": f"{name.split()[0].lower()}@example.no"},
    )
    if created:
        practitioner.locations.set(locations)
    return practitioner


def load_network(ctx: DemoContext) -> None:
    fysio = _company(
        ctx, "fysio", "Fjordbyen Fysioterapi AS", valid_orgnr("91234567"), email="post@fjordbyen-fysio.example.no",
        invoice_email="faktura@fjordbyen-fysio.example.no", bank_account=valid_account("1503123456"),
        kid_algorithm="MOD10", kid_length=10, vat_category="E", street="Storgata 10", postcode="0155", city="Oslo",
    )
    psyk = _company(
        ctx, "psyk", "Bergen Psykologsenter AS", valid_orgnr("92345678"), email="post@bergenpsyk.example.no",
        bank_account=valid_account("3000112233"), kid_algorithm="MOD11", kid_length=12, vat_category="O",
        street="Strandkaien 2", postcode="5013", city="Bergen",
    )
    oslo = _location(fysio, "Fjordbyen Fysioterapi Sentrum", "Storgata 10", "0155", "Oslo", "59.913900", "10.752200")
    majorstuen = _location(fysio, "Fjordbyen Fysioterapi Majorstuen", "Bogstadveien 50", "0366", "Oslo", "59.929000", "10.715000")
    bergen = _location(psyk, "Bergen Psykologsenter", "Strandkaien 2", "5013", "Bergen", "60.395000", "5.322000")
    _practitioner(fysio, "Kari Nordmann", "9144889", ["physiotherapist"], [oslo], ["manual_therapy"])
    _practitioner(fysio, "Ola Hansen", "9144890", ["physiotherapist", "manual_therapist"], [oslo, majorstuen])
    _practitioner(fysio, "Anne Berg", "", ["naprapath"], [majorstuen])
    _practitioner(psyk, "Ingrid Lie", "8123456", ["psychologist"], [bergen], ["cbt"])
    _practitioner(psyk, "Per Dahl", "8123457", ["psychologist"], [bergen])

    _payer(ctx, "insurer1", "Nordlys Forsikring ASA", PayerKind.INSURER, valid_orgnr("93456789"), email="skade@nordlys.example.no")
    _payer(ctx, "insurer2", "Vidde Helseforsikring AS", PayerKind.INSURER, valid_orgnr("94567890"), email="helse@vidde.example.no")
    _payer(ctx, "insurer3", "Kyst Livsforsikring AS", PayerKind.INSURER, valid_orgnr("95678901"), email="liv@kyst.example.no")
    _payer(ctx, "helfo", "Helfo", PayerKind.PUBLIC_PAYER, "986965610", email="post@helfo.example.no")
    _payer(ctx, "region_sthlm", "Region Stockholm", PayerKind.REGION, "2321000016", country="SE")
    _payer(ctx, "region_skane", "Region Skåne", PayerKind.REGION, "2321000255", country="SE")
    _organisation(ctx, "collection", "Trygg Inkasso AS", OrganisationKind.COLLECTION_AGENCY, "NO", valid_orgnr("96789012"))
    _organisation(ctx, "operator", "Kvitt Nettverk AS", OrganisationKind.NETWORK_OPERATOR, "NO", valid_orgnr("97890123"))

    CareUnit.objects.get_or_create(
        hsa_id="SE2321000016-15CQ", defaults={"organisation": ctx.organisations["region_sthlm"], "name": "Södersjukhuset ortopedmottagning", "county_code": "01"}
    )
    CareUnit.objects.get_or_create(
        hsa_id="SE2321000255-1AB2", defaults={"organisation": ctx.organisations["region_skane"], "name": "Skånes universitetssjukhus akutmottagning", "county_code": "12"}
    )

    start = ctx.today - datetime.timedelta(days=365)
    approvals = [
        ("insurer1", "fysio", None, ["physiotherapist", "manual_therapist"], None),
        ("insurer1", "psyk", None, ["psychologist"], None),
        ("insurer2", "fysio", majorstuen, [], None),
        ("insurer3", "psyk", None, ["psychologist"], ctx.today - datetime.timedelta(days=30)),
    ]
    for payer_key, company_key, location, professions, valid_to in approvals:
        PartnerApproval.objects.get_or_create(
            payer=ctx.payers[payer_key], company=ctx.companies[company_key], location=location,
            defaults={"professions": professions, "valid_from": start, "valid_to": valid_to},
        )


def load_users(ctx: DemoContext) -> None:
    User = get_user_model()
    # One slow hash shared by every demo user: they all have the same password anyway.
    password_hash = make_password(DEMO_PASSWORD)
    for username, org_key, role in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.no", "password": password_hash}
        )
        Membership.objects.get_or_create(user=user, organisation=ctx.organisations[org_key], role=role)
        ctx.users[username] = user
    admin, _ = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True, "password": password_hash}
    )
    _demo_two_factor_devices([*ctx.users.values(), admin])
    practitioner = Practitioner.objects.get(company=ctx.companies["fysio"], name="Kari Nordmann")
    if practitioner.user_id is None:
        practitioner.user = ctx.users["practitioner"]
        practitioner.save(update_fields=["user"])


def _demo_two_factor_devices(users) -> None:
    """A confirmed TOTP device per demo user, so that the roles with patient data can pass the
    second factor: `kvitt otp-code USERNAME` prints the current code (development only)."""
    from kvitt.core.models import TOTPDevice

    for user in users:
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="demo", confirmed=True)


FYSIO_CODES = [("A1a", 30900), ("A2a", 15400), ("A2b", 20500)]
PSYK_CODES = [("201b", 37500), ("202", 47500)]
ICPC2 = [("L92", "Skulder lidelse uspesifisert"), ("L03", "Korsryggsymptomer/plager"), ("L86", "Ryggsyndrom med utstråling")]
ICD10 = [("F32.1", "Moderat depressiv episode"), ("F41.1", "Generalisert angstlidelse"), ("F43.2", "Tilpasningsforstyrrelse")]
FIRST_NAMES = ["Nora", "Emma", "Jakob", "Lukas", "Sofie", "Filip", "Ella", "Oskar", "Ingrid", "Henrik", "Maja", "Aksel"]
LAST_NAMES = ["Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen", "Karlsen"]
SE_FIRST = ["Alva", "Elsa", "William", "Hugo", "Astrid", "Liam", "Saga", "Nils"]
SE_LAST = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson"]


def _demo_patients(ctx: DemoContext, org: Organisation, count: int, country: str) -> list[Patient]:
    patients = []
    for i in range(count):
        birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=ctx.rng.randrange(0, 365 * 60))
        if country == "NO":
            national_id, id_type = valid_fnr(birth, i * 7 + 100), "fnr"
            name = f"{ctx.rng.choice(FIRST_NAMES)} {ctx.rng.choice(LAST_NAMES)}"
            county = ""
        else:
            national_id, id_type = valid_personnummer(birth, i * 13 + 200), "personnummer"
            name = f"{ctx.rng.choice(SE_FIRST)} {ctx.rng.choice(SE_LAST)}"
            county = ctx.rng.choice(["12", "14", "03", "01"])
        patient, _ = Patient.objects.with_national_id(national_id).get_or_create(
            organisation=org,
            defaults={"national_id": national_id, "id_type": id_type, "name": name, "birth_date": birth, "county_code": county, "country": country,
                      "email": f"pasient{i}@example.no", "street": f"Testveien {i + 1}", "postcode": "0150", "city": "Oslo" if country == "NO" else "Stockholm"},
        )
        patients.append(patient)
    return patients


def _at(ctx: DemoContext, days_back: int) -> datetime.datetime:
    day = ctx.today - datetime.timedelta(days=days_back)
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    hour = ctx.rng.choice([8, 9, 10, 11, 13, 14, 15])
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, ctx.rng.choice([0, 30]))))


def load_care_events(ctx: DemoContext) -> None:
    fysio, psyk = ctx.companies["fysio"], ctx.companies["psyk"]
    if CareEvent.objects.filter(external_id__startswith="demo-").exists():
        return
    rows = []
    for company, codes, diagnoses, system, count in ((fysio, FYSIO_CODES, ICPC2, "ICPC-2", 180), (psyk, PSYK_CODES, ICD10, "ICD-10", 120)):
        patients = _demo_patients(ctx, company.organisation, 40, "NO")
        practitioners = list(company.practitioners.filter(hpr_number__gt=""))
        for n in range(count):
            practitioner = ctx.rng.choice(practitioners)
            code, honorar = ctx.rng.choice(codes)
            diagnosis = ctx.rng.choice(diagnoses)
            route = ctx.rng.choice(["insurer", "insurer", "helfo", "patient"])
            amounts = {route: honorar} if route != "helfo" else {"helfo": honorar // 2, "patient": honorar - honorar // 2}
            rows.append(CareEvent(
                organisation=company.organisation, company=company, location=practitioner.locations.first(),
                practitioner=practitioner, patient=ctx.rng.choice(patients), start=_at(ctx, ctx.rng.randrange(1, 92)),
                duration_minutes=30 if company is fysio else 45, service_codes=[code],
                diagnoses=[{"system": system, "code": diagnosis[0], "text": diagnosis[1]}],
                routes=sorted(amounts), amounts=amounts, external_id=f"demo-{company.pk}-{n}", created_by_label="demo",
            ))
    for key in ("region_sthlm", "region_skane"):
        org = ctx.organisations[key]
        unit = CareUnit.objects.get(organisation=org)
        patients = _demo_patients(ctx, org, 15, "SE")
        for n in range(30):
            patient = ctx.rng.choice(patients)
            rows.append(CareEvent(
                organisation=org, care_unit=unit, patient=patient, start=_at(ctx, ctx.rng.randrange(1, 92)),
                duration_minutes=60, service_codes=["NHP09"],
                diagnoses=[{"system": "ICD-10-SE", "code": "S52.5", "text": "Fraktur på nedre delen av radius"}],
                routes=["home_region"], amounts={"home_region": 250000 + 500 * ctx.rng.randrange(0, 40)},
                external_id=f"demo-{org.pk}-{n}", created_by_label="demo",
            ))
    CareEvent.objects.bulk_create(rows)


@transaction.atomic
def load_demo() -> DemoContext:
    ctx = DemoContext()
    load_network(ctx)
    load_users(ctx)
    load_care_events(ctx)
    for app in settings.KVITT_APPS:
        module_name = f"kvitt.{app}.demo"
        if app != "web" and find_spec(module_name) is not None:
            import_module(module_name).load(ctx)
    return ctx
