"""Journal-system keys re-sealed under the field-encryption keyring (KVITT_FIELD_KEYS).

Until now kvitt.booking.sealing encrypted them with a Fernet key derived from SECRET_KEY by
HKDF: outside `kvitt keys rotate`, and lost whenever SECRET_KEY changed. Each stored token
is opened with that derived key (it lives here only, for this move) and sealed again with
the keyring. A token already under the keyring is left alone; one the derived key cannot
open (SECRET_KEY was changed before) could not be used before either: it is left as it is,
logged, and the connector says the key must be entered again. Backwards seals them under
the derived key again (it needs the same SECRET_KEY and the keyring that sealed them).
"""

import base64
import logging

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import migrations

import kvitt.booking.sealing

log = logging.getLogger("kvitt.booking")

SEALED_FIELDS = ("api_key_sealed", "webhook_key_sealed")


def _secret_key_fernet() -> Fernet:
    """The former sealing key: HKDF-SHA256 of SECRET_KEY (kvitt.booking.sealing until 0004)."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"kvitt.booking", info=b"journal-integration-secrets").derive(
        settings.SECRET_KEY.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _opens(fernet, token: str) -> str | None:
    try:
        return fernet.decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def _reseal(apps, convert) -> None:
    """Replace each stored token by ``convert(token, where)``; None leaves it as it is."""
    JournalIntegration = apps.get_model("booking", "JournalIntegration")
    for integration in JournalIntegration.objects.order_by("pk").only("pk", *SEALED_FIELDS):
        changes = {}
        for name in SEALED_FIELDS:
            token = getattr(integration, name)
            if token:
                new = convert(token, f"journal integration {integration.pk}: {name}")
                if new is not None:
                    changes[name] = new
        if changes:
            JournalIntegration.objects.filter(pk=integration.pk).update(**changes)


def _unopened(where: str, under: str) -> None:
    log.warning("%s cannot be opened with %s, left as it is: the clinic must enter the key again", where, under)


def to_field_keys(apps, schema_editor):
    from kvitt.core import fieldcrypto

    derived, keys = _secret_key_fernet(), fieldcrypto.keyring().fernet

    def convert(token, where):
        if _opens(keys, token) is not None:
            return None  # already under the keyring
        plain = _opens(derived, token)
        if plain is None:
            _unopened(where, "the key derived from SECRET_KEY")
            return None
        return fieldcrypto.encrypt(plain)

    _reseal(apps, convert)


def to_secret_key(apps, schema_editor):
    from kvitt.core import fieldcrypto

    derived, keys = _secret_key_fernet(), fieldcrypto.keyring().fernet

    def convert(token, where):
        plain = _opens(keys, token)
        if plain is None:
            _unopened(where, "KVITT_FIELD_KEYS")
            return None
        return derived.encrypt(plain.encode()).decode()

    _reseal(apps, convert)


class Migration(migrations.Migration):

    dependencies = [("booking", "0003_encrypt_outbox_payload")]

    operations = [
        migrations.AlterField(
            model_name="journalintegration",
            name="api_key_sealed",
            field=kvitt.booking.sealing.SealedTextField(blank=True, help_text="The vendor's API key, encrypted"),
        ),
        migrations.AlterField(
            model_name="journalintegration",
            name="webhook_key_sealed",
            field=kvitt.booking.sealing.SealedTextField(help_text="HMAC-SHA256 key for X-Kvitt-Signature, encrypted"),
        ),
        migrations.RunPython(to_field_keys, to_secret_key, elidable=False),
    ]
