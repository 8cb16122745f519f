import datetime
import uuid

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone
from joserfc.jwk import RSAKey

from kvitt.core.models import Membership, Role
from kvitt.core.permissions import Actor
from kvitt.helfo import services
from kvitt.helfo.devcerts import make_p12
from kvitt.helfo.models import Practice
from kvitt.helfo.tariffs import load_demo_table
from kvitt.helfo.testserver import KuhrTestServer
from tests import factories as f

PRACTICE_ID = "1004326178"


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; the site's default language is nb."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def p12_bytes():
    return make_p12("Lege Lise Fastlege", "pw-for-test")


def fast_actor(organisation, role: str) -> Actor:
    """Like factories.actor, without hashing a password (the pages log in with force_login)."""
    user = get_user_model().objects.create(username=f"helfo-{uuid.uuid4().hex[:10]}")
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return Actor(user=user, organisation=organisation, role=role)


@pytest.fixture
def clinic(db):
    company = f.company("Kurbadet Helsesenter AS")
    location = f.location(company)
    gp = f.practitioner(company, location, hpr="9144900", professions=("gp",))
    admin = fast_actor(company.organisation, Role.CLINIC_ADMIN)
    clerk = fast_actor(company.organisation, Role.BILLING_CLERK)
    services.import_tariffs(list(load_demo_table()), source="demo")
    practice = services.create_practice(
        admin, company=company, practice_id=PRACTICE_ID, name="Kurbadet Helsesenter", area="LE",
        practice_type="FALE", account="12345678903",
    )
    return {"company": company, "location": location, "gp": gp, "admin": admin, "clerk": clerk, "practice": practice}


@pytest.fixture(scope="session")
def kuhr_key():
    return KuhrTestServer.new_key()


@pytest.fixture(scope="session")
def client_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def kuhr(kuhr_key):
    with KuhrTestServer(key=kuhr_key) as server:
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


@pytest.fixture
def kuhr_settings(kuhr, tmp_path, client_key):
    key = client_key
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    (tmp_path / "client.pem").write_bytes(pem)
    kuhr.register_client("kvitt-test", RSAKey.import_key(key.public_key()).as_dict(), "maskinporten", [PRACTICE_ID])
    config = {
        "KUHR_BASE_URL": kuhr.url, "TOKEN_ENDPOINT": kuhr.token_endpoint, "CLIENT_ID": "kvitt-test",
        "CLIENT_KEY_FILE": str(tmp_path / "client.pem"), "AUDIENCE": kuhr.issuer,
    }
    with override_settings(KVITT_HELFO=config):
        yield kuhr
