import datetime

import pytest
from django.utils import timezone

from kvitt.core.models import Role
from kvitt.helfo import services
from kvitt.helfo.devcerts import make_p12
from kvitt.helfo.models import Practice
from kvitt.helfo.tariffs import load_demo_table
from kvitt.helfo.testserver import KuhrTestServer
from tests import factories as f

PRACTICE_ID = "1004326178"


@pytest.fixture(scope="session")
def p12_bytes():
    return make_p12("Lege Lise Fastlege", "pw-for-test")


@pytest.fixture
def clinic(db):
    company = f.company("Kurbadet Helsesenter AS")
    location = f.location(company)
    gp = f.practitioner(company, location, hpr="9144900", professions=("gp",))
    admin = f.actor(company.organisation, Role.CLINIC_ADMIN)
    clerk = f.actor(company.organisation, Role.BILLING_CLERK)
    services.import_tariffs(list(load_demo_table()), source="demo")
    practice = services.create_practice(
        admin, company=company, practice_id=PRACTICE_ID, name="Kurbadet Helsesenter", area="LE",
        practice_type="FALE", account="12345678903",
    )
    return {"company": company, "location": location, "gp": gp, "admin": admin, "clerk": clerk, "practice": practice}


@pytest.fixture
def kuhr():
    with KuhrTestServer() as server:
        yield server


def helfo_event(clinic, patient, *, start, codes, diagnoses=(("ICPC-2", "L73"),), **fields):
    return f.care_event(
        clinic["company"], patient, start=start, practitioner=clinic["gp"], location=clinic["location"],
        service_codes=list(codes), diagnoses=[{"system": s, "code": c, "text": ""} for s, c in diagnoses],
        routes=["helfo", "patient"], amounts={}, **fields,
    )


def local(days_ago: float, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@pytest.fixture
def practice_obj(clinic) -> Practice:
    return clinic["practice"]
