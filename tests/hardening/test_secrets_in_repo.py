"""No private key in the repository, none in the database in clear, none read from either.

Keys for tests are made by the tests at run time (kvitt.helfo.devcerts, the cryptography
package); production keys come from configured files or the environment.
"""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models as django_models

from kvitt.core import fieldcrypto, secretfiles
from kvitt.core.models import Role
from kvitt.helfo import services as helfo
from kvitt.helfo.devcerts import make_identity, make_p12
from kvitt.helfo.models import SigningCredential
from tests import factories as f

KEY_STORE_SUFFIXES = (".p12", ".pfx", ".jks", ".keystore", ".p8", ".key")
PEM_PRIVATE_KEY = re.compile(r"-----BEGIN ([A-Z]+ )*PRIVATE KEY-----\s*[A-Za-z0-9+/=\s:,-]{64,}")
FIELD_KEY_VALUE = re.compile(r"KVITT_(FIELD_KEYS|SEARCH_KEY)\s*[=:]\s*[\"']?[A-Za-z0-9_-]{43}=")


def private_key_findings(path: Path, name: str) -> list[str]:
    """Why the file at ``path`` (``name`` in the repository) holds private key material, if it does."""
    if name.lower().endswith(KEY_STORE_SUFFIXES):
        return [f"{name}: a key store file ({Path(name).suffix})"]
    data = path.read_bytes()[:2_000_000]
    text = data.decode("utf-8", errors="replace")
    findings = []
    if PEM_PRIVATE_KEY.search(text):
        findings.append(f"{name}: a PEM private key")
    if FIELD_KEY_VALUE.search(text):
        findings.append(f"{name}: a field-encryption key value")
    if name.endswith((".json", ".jwk", ".jwks")) and '"kty"' in text:
        try:
            document = json.loads(text)
        except ValueError:
            document = {}
        jwks = document.get("keys", [document]) if isinstance(document, dict) else []
        if any(isinstance(k, dict) and "d" in k for k in jwks):
            findings.append(f"{name}: a private JWK (has 'd')")
    return findings


def tracked_files() -> list[str]:
    try:
        listing = subprocess.run(["git", "-C", str(settings.BASE_DIR), "ls-files", "-z"], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"git ls-files failed in CI: {exc}")
        pytest.skip(f"not a git checkout: {exc}")
    return [name for name in listing.stdout.decode().split("\0") if name]


def test_the_scanner_finds_every_kind_of_private_key(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    encrypted = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw")
    )
    samples = {
        "plain.pem": pem,
        "fixture.txt": b"some text\n" + pem,
        "encrypted.pem": encrypted,
        "cert.p12": make_p12("x", "pw"),
        "client.jwk": json.dumps({"kty": "RSA", "n": "AQAB", "e": "AQAB", "d": "secret"}).encode(),
        ".env.production": f"KVITT_FIELD_KEYS={fieldcrypto.generate_key()}\n".encode(),
    }
    for name, content in samples.items():
        (tmp_path / name).write_bytes(content)
        assert private_key_findings(tmp_path / name, name), name
    _key, cert = make_identity("public only")
    innocent = {
        "ca.pem": cert.public_bytes(serialization.Encoding.PEM),
        "public.jwk": json.dumps({"kty": "RSA", "n": "AQAB", "e": "AQAB"}).encode(),
        "secretfiles.py": b'PEM_MARK = "-----BEGIN"\n# never a "-----BEGIN PRIVATE KEY-----" in a row\n',
    }
    for name, content in innocent.items():
        (tmp_path / name).write_bytes(content)
        assert private_key_findings(tmp_path / name, name) == [], name


def test_no_private_key_is_committed():
    root = Path(settings.BASE_DIR)
    findings = []
    for name in tracked_files():
        path = root / name
        if path.is_file():
            findings += private_key_findings(path, name)
    assert findings == [], "private key material in the repository (tests make theirs at run time):\n" + "\n".join(findings)


def test_development_keys_live_in_the_ignored_var_dir():
    ignored = subprocess.run(
        ["git", "-C", str(settings.BASE_DIR), "check-ignore", "-q", f"var/secrets/{fieldcrypto.FIELD_KEYS_FILE}"]
    )
    assert ignored.returncode == 0, "var/ must stay in .gitignore: development keys are written there"


# --- model fields ---------------------------------------------------------------------------

SECRET_NAME = re.compile(r"key|secret|private|pem|p12|pfx|password|token|cert|credential|pin\b|jwk", re.IGNORECASE)
# Fields whose name sounds secret but that hold no key material in clear, and why.
HASHED = {"core.User.password": "Django's password hasher", "core.ApiToken.token_hash": "SHA-256 of the token"}
SEALED = {
    "booking.JournalIntegration.api_key_sealed": "Fernet under KVITT_FIELD_KEYS (kvitt.booking.sealing, rotated by kvitt keys rotate)",
    "booking.JournalIntegration.webhook_key_sealed": "Fernet under KVITT_FIELD_KEYS (kvitt.booking.sealing, rotated by kvitt keys rotate)",
}
PATHS = {"interregion.RegionLink.cert_file", "interregion.RegionLink.key_file"}
PASSWORD_PROTECTED = {"helfo.SigningCredential.p12": "PKCS#12 under a password Kvitt never stores"}
NOT_KEY_MATERIAL = {
    "sessions.Session.session_key": "Django's random session id; the session data hold no keys",
    "network.Invitation.token": "one-time invitation link token, spent when accepted",
    "claims.NoticeOutbox.key": "idempotency key (invoice, run, kind), not a secret",
}


def secret_sounding_fields() -> dict[str, object]:
    found = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not field.is_relation and SECRET_NAME.search(field.name):
                found[f"{model._meta.label}.{field.name}"] = field
    return found


def test_every_field_that_sounds_secret_is_encrypted_hashed_a_path_or_justified():
    fields = secret_sounding_fields()
    unexplained = []
    for label, field in fields.items():
        if isinstance(field, fieldcrypto.EncryptedCharField) or label in HASHED or label in SEALED:
            continue
        if label in PATHS:
            assert secretfiles.validate_key_path in field.validators, f"{label} must refuse PEM text"
            continue
        if label in PASSWORD_PROTECTED or label in NOT_KEY_MATERIAL:
            continue
        unexplained.append(label)
    assert unexplained == [], f"encrypt these fields or justify them here: {unexplained}"
    known = {*HASHED, *SEALED, *PATHS, *PASSWORD_PROTECTED, *NOT_KEY_MATERIAL}
    assert known <= set(fields), f"justified fields that no longer exist: {sorted(known - set(fields))}"


def test_every_national_id_column_is_encrypted():
    plain = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if "national_id" in field.name and not field.name.endswith("_hash")
        and not isinstance(field, fieldcrypto.EncryptedCharField)
    ]
    assert plain == []


def test_a_region_link_takes_a_path_not_the_key_itself():
    pem = "-----BEGIN PRIVATE KEY-----\nMIIE..."
    with pytest.raises(ValidationError):
        secretfiles.validate_key_path(pem)
    with pytest.raises(ValidationError):
        secretfiles.validate_key_path("keys/client.pem")
    secretfiles.validate_key_path("/etc/kvitt/client.pem")


def test_key_files_are_read_only_from_outside_the_source_tree(tmp_path):
    outside = tmp_path / "client.pem"
    outside.write_bytes(b"key")
    assert secretfiles.read_key_file(str(outside), what="client key") == b"key"
    inside = Path(settings.BASE_DIR) / "kvitt" / "settings.py"
    with pytest.raises(secretfiles.KeyFileError, match="inside Kvitt's source tree"):
        secretfiles.read_key_file(str(inside), what="client key")
    with pytest.raises(secretfiles.KeyFileError, match="not an absolute path"):
        secretfiles.read_key_file("kvitt/settings.py", what="client key")
    with pytest.raises(secretfiles.KeyFileError, match="no file configured"):
        secretfiles.read_key_file("", what="KVITT_HELFO_CLIENT_KEY_FILE")


@pytest.mark.django_db
def test_a_signing_credential_is_stored_only_under_its_password():
    admin = f.actor(f.company().organisation, Role.CLINIC_ADMIN)
    credential = helfo.add_signing_credential(admin, label="GP", p12=make_p12("GP", "pw-for-test"), password="pw-for-test")
    stored = bytes(SigningCredential.objects.get(pk=credential.pk).p12)
    for no_password in (None, b""):
        with pytest.raises(ValueError):
            pkcs12.load_key_and_certificates(stored, no_password)
    key, cert = make_identity("Clear GP")
    clear = pkcs12.serialize_key_and_certificates(b"GP", key, cert, None, serialization.NoEncryption())
    with pytest.raises(ValidationError):
        helfo.add_signing_credential(admin, label="clear", p12=clear, password="")
    assert SigningCredential.objects.count() == 1


# Stored messages (XML/JSON/envelopes) that carry patient identity inside them.
DOCUMENT_NAME = re.compile(r"xml|_json$|payload|envelope|document|original")
DOCUMENTS_WITH_IDENTITY = {
    "einvoice.OutgoingInvoice.document_xml",  # PatientId line property
    "einvoice.DeliveryOutbox.envelope",  # the same invoice in its SBDH
    "helfo.Settlement.bkm_json",  # the BKM: every patient's fødselsnummer
    "helfo.Settlement.signed_xml",
    "interregion.ClaimSpecification.request_xml",  # the basis: every patient's personnummer
    "booking.OutboxMessage.payload",  # webhook to the journal system: national id, name, contact
    "claims.InboundInvoice.original",  # the EHF as received (SBDH or bare UBL): PatientId line property
    "claims.InboundInvoice.document",  # the UBL inside it
}
DOCUMENTS_WITHOUT_IDENTITY = {
    "interregion.RegionInvoice.xml": "the invoice between regions carries only the basis id (interregion/invoice.py)",
    "claims.NoticeOutbox.payload": (
        "the Invoice Response carries parties, invoice number, SakID, line ids and the findings' texts; "
        "no finding echoes the PatientId (claims/invoice_response.py, claims/validators.py)"
    ),
}


def stored_document_fields() -> dict[str, object]:
    kinds = (django_models.TextField, django_models.BinaryField, django_models.JSONField)
    return {
        f"{model._meta.label}.{field.name}": field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, kinds) and DOCUMENT_NAME.search(field.name)
    }


def test_every_stored_document_with_patient_identity_is_encrypted():
    fields = stored_document_fields()
    assert DOCUMENTS_WITH_IDENTITY <= set(fields), f"gone or renamed: {sorted(DOCUMENTS_WITH_IDENTITY - set(fields))}"
    plain = sorted(label for label in DOCUMENTS_WITH_IDENTITY if not isinstance(fields[label], fieldcrypto.EncryptedField))
    assert plain == [], f"documents holding national ids stored in clear: {plain}"
    unexplained = sorted(
        label for label, field in fields.items()
        if not isinstance(field, fieldcrypto.EncryptedField)
        and label not in DOCUMENTS_WITHOUT_IDENTITY
    )
    assert unexplained == [], f"a new stored document: encrypt it (kvitt.core.fieldcrypto) or justify it here: {unexplained}"
