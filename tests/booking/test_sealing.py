"""Journal-system keys sealed under the field-encryption keyring: rotated with it, independent
of SECRET_KEY, and moved there from the former SECRET_KEY-derived key by migration 0004."""

from __future__ import annotations

import importlib
import io
import logging

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kvitt.booking import sealing
from kvitt.booking.models import JournalIntegration
from kvitt.core import fieldcrypto
from tests.cases import factories as f

API_KEY, WEBHOOK_KEY = "vendor-key-123", "whk_test-webhook-key"
migration = importlib.import_module("kvitt.booking.migrations.0004_seal_keys_with_field_keys")


@pytest.fixture
def k1(settings):
    settings.KVITT_FIELD_KEYS = [fieldcrypto.generate_key()]
    settings.KVITT_SEARCH_KEY = fieldcrypto.generate_key()
    return settings.KVITT_FIELD_KEYS[0]


def integration() -> JournalIntegration:
    return JournalIntegration.objects.create(
        location=f.location(), system="kvitt-http-v1", base_url="http://127.0.0.1:9/kvitt/v1",
        api_key_sealed=sealing.seal(API_KEY), webhook_key_sealed=sealing.seal(WEBHOOK_KEY),
    )


def raw_columns(pk: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_key_sealed, webhook_key_sealed FROM booking_journalintegration WHERE id = %s", [pk])
        return cursor.fetchone()


@pytest.mark.django_db
def test_the_columns_hold_keyring_tokens_and_the_model_never_holds_the_plain_key(k1):
    stored = integration()
    loaded = JournalIntegration.objects.get(pk=stored.pk)
    api, webhook = raw_columns(stored.pk)
    assert (loaded.api_key_sealed, loaded.webhook_key_sealed) == (api, webhook)
    assert API_KEY not in api and WEBHOOK_KEY not in webhook
    assert fieldcrypto.decrypt(api) == API_KEY and fieldcrypto.decrypt(webhook) == WEBHOOK_KEY
    assert sealing.unseal(loaded.api_key_sealed) == API_KEY


@pytest.mark.django_db
def test_changing_secret_key_loses_nothing(k1, settings):
    stored = integration()
    settings.SECRET_KEY = "another-session-secret-" + "x" * 40
    assert sealing.unseal(JournalIntegration.objects.get(pk=stored.pk).webhook_key_sealed) == WEBHOOK_KEY


@pytest.mark.django_db
def test_keys_rotate_reseals_them_under_the_newest_key(k1, settings):
    stored = integration()
    k2 = fieldcrypto.generate_key()
    settings.KVITT_FIELD_KEYS = [k2, k1]
    call_command("keys", "rotate", stdout=io.StringIO())
    settings.KVITT_FIELD_KEYS = [k2]  # k1 dropped after the rotation
    loaded = JournalIntegration.objects.get(pk=stored.pk)
    assert sealing.unseal(loaded.api_key_sealed) == API_KEY
    assert sealing.unseal(loaded.webhook_key_sealed) == WEBHOOK_KEY


@pytest.mark.django_db
def test_a_key_no_configured_key_opens_is_a_clear_error(k1, settings):
    stored = integration()
    settings.KVITT_FIELD_KEYS = [fieldcrypto.generate_key()]  # k1 dropped without rotating
    expected = r"journal-system key cannot be decrypted with any key in KVITT_FIELD_KEYS.*enter the key again"
    with pytest.raises(sealing.SealError, match=expected):
        sealing.unseal(JournalIntegration.objects.get(pk=stored.pk).api_key_sealed)


@pytest.mark.django_db
def test_the_sealed_columns_cannot_be_queried(k1):
    with pytest.raises(FieldError, match="encrypted"):
        JournalIntegration.objects.filter(api_key_sealed="x").exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_secret_key_sealed_values_to_the_keyring_and_back(k1, caplog):
    stored = integration()
    executor = MigrationExecutor(connection)
    executor.migrate([("booking", "0003_encrypt_outbox_payload")])
    # Backwards: sealed under the key derived from SECRET_KEY, as before the change.
    derived = migration._secret_key_fernet()
    api, webhook = raw_columns(stored.pk)
    assert derived.decrypt(api.encode()).decode() == API_KEY
    assert derived.decrypt(webhook.encode()).decode() == WEBHOOK_KEY
    # A value sealed under a SECRET_KEY that was changed since cannot be moved: it stays, logged.
    lost = f.location(name="Lost")
    unopenable = Fernet(Fernet.generate_key()).encrypt(b"old").decode()
    orphan = JournalIntegration.objects.create(
        location=lost, system="kvitt-http-v1", base_url="http://127.0.0.1:9/", webhook_key_sealed=unopenable
    )

    with caplog.at_level(logging.WARNING, logger="kvitt.booking"):
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    loaded = JournalIntegration.objects.get(pk=stored.pk)
    assert sealing.unseal(loaded.api_key_sealed) == API_KEY
    assert sealing.unseal(loaded.webhook_key_sealed) == WEBHOOK_KEY
    assert raw_columns(orphan.pk) == ("", unopenable)
    assert f"journal integration {orphan.pk}: webhook_key_sealed cannot be opened" in caplog.text
    with pytest.raises(sealing.SealError):
        sealing.unseal(JournalIntegration.objects.get(pk=orphan.pk).webhook_key_sealed)
