"""National ids encrypted at rest, found by their keyed hash, and key rotation end to end."""

import datetime
import hashlib
import hmac
import io
import secrets
import stat
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import FieldError, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from kvitt.core import fieldcrypto
from kvitt.core.models import Role
from kvitt.interregion.models import ClaimLine, ClaimSpecification
from kvitt.ledger import services as ledger
from kvitt.ledger.models import Patient
from tests import factories as f

FNR = "15108695088"
OTHER_FNR = "01010150074"


def keys(count):
    return [fieldcrypto.generate_key() for _ in range(count)]


def raw_column(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.fixture
def actor(db):
    company = f.company()
    return f.actor(company.organisation, Role.PRACTITIONER)


@pytest.fixture
def k1_keys(settings):
    k1, search = keys(2)
    settings.KVITT_FIELD_KEYS = [k1]
    settings.KVITT_SEARCH_KEY = search
    return {"k1": k1, "search": search}


def claim_line(organisation, national_id: str) -> ClaimLine:
    spec = ClaimSpecification.objects.create(
        organisation=organisation, direction="received", basis_id="B-1", supplier_org_number="2321000131",
        customer_org_number="2321000156", issue_date=datetime.date(2026, 10, 1), payable_amount=100, status="received",
        request_xml="<x/>",
    )
    return ClaimLine.objects.create(
        specification=spec, line_id=1, patient_id_root="1.2.752.129.2.1.3.1", patient_national_id=national_id,
        type_of_care="01", visit_date=datetime.date(2026, 9, 8), gross=100, net=100,
    )


def test_the_column_holds_a_token_and_the_hash_finds_the_patient(actor, k1_keys):
    patient = ledger.register_patient(actor, national_id="151086 95088", name="Sigrid Test")
    stored = raw_column("ledger_patient", "national_id", patient.pk)
    assert FNR not in stored
    assert Fernet(k1_keys["k1"]).decrypt(stored.encode()).decode() == FNR
    expected = hmac.new(fieldcrypto.keyring().search_key, FNR.encode(), hashlib.sha256).hexdigest()
    assert raw_column("ledger_patient", "national_id_hash", patient.pk) == expected
    assert Patient.objects.get(pk=patient.pk).national_id == FNR
    assert list(Patient.objects.with_national_id("151086 95088")) == [patient]
    assert not Patient.objects.with_national_id(OTHER_FNR).exists()


def test_the_encrypted_column_refuses_queries_on_itself(actor, k1_keys):
    f.patient(actor.organisation)
    with pytest.raises(FieldError, match="national_id is encrypted.*national_id_hash"):
        list(Patient.objects.filter(national_id=FNR))
    with pytest.raises(FieldError):
        list(Patient.objects.filter(national_id__startswith="15"))


def test_one_patient_per_national_id_and_organisation(actor, k1_keys):
    first = ledger.register_patient(actor, national_id=FNR, name="Sigrid Test")
    assert ledger.register_patient(actor, national_id=FNR, name="Sigrid Test").pk == first.pk
    duplicate = Patient(organisation=actor.organisation, national_id=FNR, id_type="fnr", name="Twin")
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    other_org = f.company().organisation
    Patient.objects.create(organisation=other_org, national_id=FNR, id_type="fnr", name="Elsewhere")
    assert Patient.objects.with_national_id(FNR).count() == 2


def test_rotation_from_k1_to_k2_leaves_everything_readable_without_k1(actor, k1_keys, settings):
    patients = [ledger.register_patient(actor, national_id=n, name="P") for n in (FNR, OTHER_FNR)]
    line = claim_line(actor.organisation, "191212121212")
    k2 = fieldcrypto.generate_key()
    settings.KVITT_FIELD_KEYS = [k2, k1_keys["k1"]]
    out = io.StringIO()
    call_command("keys", "rotate", "--batch-size", "1", stdout=out)
    assert "ledger.Patient: 2 row(s), 2 re-encrypted, 0 re-hashed" in out.getvalue()
    assert "interregion.ClaimLine: 1 row(s), 1 re-encrypted" in out.getvalue()
    again = io.StringIO()
    call_command("keys", "rotate", stdout=again)
    assert "ledger.Patient: 2 row(s), 0 re-encrypted, 0 re-hashed" in again.getvalue()

    settings.KVITT_FIELD_KEYS = [k2]
    for patient, number in zip(patients, (FNR, OTHER_FNR)):
        stored = raw_column("ledger_patient", "national_id", patient.pk)
        assert number not in stored
        with pytest.raises(InvalidToken):
            Fernet(k1_keys["k1"]).decrypt(stored.encode())
        assert Patient.objects.get(pk=patient.pk).national_id == number
        assert Patient.objects.with_national_id(number).get().pk == patient.pk
    assert ClaimLine.objects.get(pk=line.pk).patient_national_id == "191212121212"
    assert "191212121212" not in raw_column("interregion_claimline", "patient_national_id", line.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.create(organisation=actor.organisation, national_id=FNR, id_type="fnr", name="Twin")


def test_dropping_a_key_before_rotating_fails_loudly_naming_the_field(actor, k1_keys, settings):
    patient = ledger.register_patient(actor, national_id=FNR, name="P")
    settings.KVITT_FIELD_KEYS = keys(1)
    with pytest.raises(fieldcrypto.DecryptionError, match="ledger.Patient.national_id"):
        Patient.objects.get(pk=patient.pk)
    with pytest.raises(Exception, match=f"ledger.Patient.national_id of row {patient.pk}"):
        call_command("keys", "rotate", stdout=io.StringIO())


def test_a_new_search_key_takes_effect_after_rotation(actor, k1_keys, settings):
    patient = ledger.register_patient(actor, national_id=FNR, name="P")
    settings.KVITT_SEARCH_KEY = fieldcrypto.generate_key()
    assert not Patient.objects.with_national_id(FNR).exists()
    out = io.StringIO()
    call_command("keys", "rotate", stdout=out)
    assert "ledger.Patient: 1 row(s), 0 re-encrypted, 1 re-hashed" in out.getvalue()
    assert Patient.objects.with_national_id(FNR).get().pk == patient.pk


@pytest.mark.parametrize(
    "field_keys, search_key, message",
    [
        (["not-a-key"], "SEARCH", "key 1 is not a Fernet key"),
        (["K1"], "short", "at least 32"),
        (["K1"], "K1", "must differ"),
        (["K1"], "", "set both"),
    ],
)
def test_malformed_keys_are_refused_by_name(settings, field_keys, search_key, message):
    k1, search = keys(2)
    settings.KVITT_FIELD_KEYS = [k.replace("K1", k1) for k in field_keys]
    settings.KVITT_SEARCH_KEY = search_key.replace("SEARCH", search).replace("K1", k1)
    with pytest.raises(fieldcrypto.KeyConfigurationError, match=message):
        fieldcrypto.encrypt(FNR)


def test_malformed_keys_are_a_system_check_error_and_unpadded_search_keys_are_fine(settings):
    settings.KVITT_FIELD_KEYS = ["not-a-key"]
    settings.KVITT_SEARCH_KEY = secrets.token_urlsafe(32)
    assert [e.id for e in fieldcrypto.check_configured_keys()] == ["kvitt.E001"]
    settings.KVITT_FIELD_KEYS = keys(1)
    assert fieldcrypto.check_configured_keys() == []
    assert len(fieldcrypto.search_hash(FNR)) == 64


def test_development_keys_are_made_once_into_the_var_dir_with_mode_600(tmp_path):
    first = fieldcrypto.development_keyring(tmp_path)
    second = fieldcrypto.development_keyring(tmp_path)
    assert first == second
    for name in (fieldcrypto.FIELD_KEYS_FILE, fieldcrypto.SEARCH_KEY_FILE):
        assert stat.S_IMODE((tmp_path / "secrets" / name).stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "secrets").stat().st_mode) == 0o700
    Fernet(first.field_keys[0])


def test_generate_prints_a_fernet_key():
    out = io.StringIO()
    call_command("keys", "generate", stdout=out)
    Fernet(out.getvalue().strip())


def _settings_import(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import kvitt.settings"], env=env, capture_output=True, text=True)


def test_production_refuses_to_start_without_the_keys(tmp_path):
    from tests.core.test_deploy_settings import production_env  # the environment OPERATIONS.md asks for

    env = production_env(tmp_path)
    without_keys = {k: v for k, v in env.items() if k not in ("KVITT_FIELD_KEYS", "KVITT_SEARCH_KEY")}
    refused = _settings_import(without_keys)
    assert refused.returncode != 0 and "KVITT_FIELD_KEYS and KVITT_SEARCH_KEY must be set" in refused.stderr
    started = _settings_import(env)
    assert started.returncode == 0, started.stderr
    assert not (tmp_path / "var" / "secrets").exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_rows_and_reverses(k1_keys):
    org = f.company().organisation
    executor = MigrationExecutor(connection)
    executor.migrate([("ledger", "0001_initial")])
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_patient (organisation_id, national_id, id_type, name, county_code, email, phone, street,"
            " postcode, city, country, preferred_channel) VALUES (%s, %s, 'fnr', 'Old', '', '', '', '', '', '', 'NO', 'email')",
            [org.pk, FNR],
        )
        cursor.execute("SELECT id FROM ledger_patient WHERE name = 'Old'")
        pk = cursor.fetchone()[0]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert FNR not in raw_column("ledger_patient", "national_id", pk)
    assert Patient.objects.with_national_id(FNR).get().pk == pk

    executor = MigrationExecutor(connection)
    executor.migrate([("ledger", "0001_initial")])
    assert raw_column("ledger_patient", "national_id", pk) == FNR
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Patient.objects.get(pk=pk).national_id == FNR
