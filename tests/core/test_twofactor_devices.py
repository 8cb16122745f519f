"""The TOTP seed is encrypted at rest (kvitt.core.models.TOTPDevice): a database dump does not
hold it, `kvitt keys rotate` re-encrypts it, and migration core 0004 moved django-otp's clear
devices over. The pages themselves are proven in test_twofactor.py."""

from __future__ import annotations

import datetime
import io

import django_otp
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kvitt.core import fieldcrypto
from kvitt.core.models import Role, TOTPDevice
from tests.core.test_twofactor import VERIFY, code_from_key, logged_in, staff, with_device

pytestmark = [pytest.mark.django_db, pytest.mark.two_factor]

SEED = "3132333435363738393031323334353637383930"  # RFC 6238's test seed, as hex


@pytest.fixture
def k1(settings):
    settings.KVITT_FIELD_KEYS = [fieldcrypto.generate_key()]
    settings.KVITT_SEARCH_KEY = fieldcrypto.generate_key()
    return settings.KVITT_FIELD_KEYS[0]


def raw_key(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM core_totpdevice WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_the_key_column_holds_a_token_not_the_seed(k1):
    device = with_device(staff(Role.PRACTITIONER))
    stored = raw_key(device.pk)
    assert device.key not in stored and device.key.upper() not in stored
    assert fieldcrypto.decrypt(stored) == device.key
    assert TOTPDevice.objects.get(pk=device.pk).key == device.key


def test_django_otp_finds_only_kvitt_devices():
    # otp_totp (seed in clear) is not installed: no second device kind a user could be given.
    assert not apps.is_installed("django_otp.plugins.otp_totp")
    assert list(django_otp.device_classes()) == [TOTPDevice]
    user = staff(Role.PRACTITIONER)
    device = with_device(user)
    assert list(django_otp.devices_for_user(user)) == [device]


def test_rotation_reencrypts_the_seed_and_codes_still_work(k1, settings):
    user = staff(Role.CLINIC_ADMIN)
    device = with_device(user)
    k2 = fieldcrypto.generate_key()
    settings.KVITT_FIELD_KEYS = [k2, k1]
    out = io.StringIO()
    call_command("keys", "rotate", stdout=out)
    assert "core.TOTPDevice: 1 row(s), 1 re-encrypted" in out.getvalue()
    settings.KVITT_FIELD_KEYS = [k2]  # k1 dropped after the rotation
    assert fieldcrypto.decrypt(raw_key(device.pk)) == device.key
    assert logged_in(user).post(VERIFY, {"code": code_from_key(device.key)}).status_code == 302


def test_verification_keeps_drift_and_last_t_as_django_otp_does(k1):
    device = with_device(staff(Role.PRACTITIONER))
    assert device.verify_token(code_from_key(device.key, drift=-1))  # the app's clock one step behind
    device.refresh_from_db()
    assert device.drift == -1 and device.last_t > 0
    assert not device.verify_token(code_from_key(device.key, drift=-1))  # the same step again: refused
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


LEGACY_TABLE_SQL = """
CREATE TABLE otp_totp_totpdevice (
    id integer PRIMARY KEY, user_id integer NOT NULL, name varchar(64) NOT NULL, confirmed boolean NOT NULL,
    key varchar(80) NOT NULL, step smallint NOT NULL, t0 bigint NOT NULL, digits smallint NOT NULL,
    tolerance smallint NOT NULL, drift smallint NOT NULL, last_t bigint NOT NULL,
    throttling_failure_timestamp timestamp NULL, throttling_failure_count integer NOT NULL,
    created_at timestamp NULL, last_used_at timestamp NULL
)"""


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_clear_devices_and_deletes_them(k1):
    user = staff(Role.PRACTITIONER)
    executor = MigrationExecutor(connection)
    executor.migrate([("core", "0002_initial")])
    try:
        with connection.cursor() as cursor:
            cursor.execute(LEGACY_TABLE_SQL)  # django-otp's table as a database from before has it
            cursor.execute(
                "INSERT INTO otp_totp_totpdevice VALUES (7, %s, 'phone', %s, %s, 30, 0, 6, 1, -1, 12345, NULL, 2,"
                " '2026-01-02 03:04:05', NULL)",
                [user.pk, True, SEED],
            )
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

        device = TOTPDevice.objects.get(user=user)
        assert (device.name, device.confirmed, device.key, device.drift, device.last_t) == ("phone", True, SEED, -1, 12345)
        assert device.throttling_failure_count == 2
        assert device.created_at == datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
        assert SEED not in raw_key(device.pk)
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM otp_totp_totpdevice")
            assert cursor.fetchone()[0] == 0  # no clear seed left in a dump
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS otp_totp_totpdevice")
