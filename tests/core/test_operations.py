"""Health endpoints, JSON logs without patient identity, and backups that restore."""

import json
import logging
import sqlite3

import psycopg
import pytest
from django.db import connection
from django.test import Client

from kvitt.core import backup
from kvitt.core.logging import JsonFormatter, PatientIdentityFilter, mask_national_ids
from kvitt.core.models import Role
from tests import factories as f


def test_healthz_answers_without_a_database():
    r = Client().get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_database_and_task_backend():
    r = Client().get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ready", "database": "ok", "tasks": "ok"}


def test_national_ids_are_masked_in_logs():
    assert mask_national_ids("patient 15108695088 paid KID 0000123456789") == "patient [national-id] paid KID 0000123456789"
    assert mask_national_ids("pnr 19121212-1212 and 121212-1212") == "pnr [national-id] and [national-id]"
    record = logging.LogRecord("kvitt.test", logging.INFO, __file__, 1, "looked up %s", ("151086 95088",), None)
    PatientIdentityFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "looked up [national-id]"
    assert set(line) >= {"time", "level", "logger", "message", "request_id", "organisation"}


@pytest.mark.django_db
def test_request_id_and_organisation_are_on_every_log_line(caplog):
    company = f.company()
    token = f.token(company.organisation, Role.BILLING_CLERK)
    captured = []

    class Capture(logging.Handler):
        def emit(self, record):
            captured.append(JsonFormatter().format(record))

    handler = Capture()
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        Client().get("/api/v1/ledger/care-events/999999", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_X_REQUEST_ID="req-42")
    finally:
        logger.removeHandler(handler)
    assert captured, "a refused request is logged"
    line = json.loads(captured[-1])
    assert line["request_id"] == "req-42" and line["organisation"] == str(company.organisation_id)


def _table_counts_sqlite(path) -> dict:
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _table_counts_pg(dsn: str) -> dict:
    with psycopg.connect(dsn) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_an_empty_database_with_every_record(tmp_path):
    from kvitt.web.demo import load_demo

    load_demo()
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        dump = backup.backup_sqlite(connection.connection, tmp_path / "kvitt.sqlite3")
        target = tmp_path / "restored.sqlite3"
        sqlite3.connect(target).close()  # an empty database
        backup.restore_sqlite(dump, target)
        restored = _table_counts_sqlite(target)
        original = _table_counts_sqlite(dump)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM ledger_careevent")
            live_events = cursor.fetchone()[0]
    else:
        dump = backup.backup_postgres(db, tmp_path / "kvitt.dump")
        empty = f"{db['NAME']}_restore"
        base = f"postgresql://{db.get('USER') or 'postgres'}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{empty}"')
            admin.execute(f'CREATE DATABASE "{empty}"')
        try:
            backup.restore_postgres({**db, "NAME": empty}, dump)
            restored = _table_counts_pg(f"{base}/{empty}")
            original = _table_counts_pg(f"{base}/{db['NAME']}")
        finally:
            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{empty}" WITH (FORCE)')
        live_events = original["ledger_careevent"]
    assert restored == original
    assert restored["ledger_careevent"] == live_events >= 300
    assert restored["core_auditentry"] == original["core_auditentry"]


def test_a_damaged_backup_is_refused(tmp_path):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with pytest.raises(backup.BackupError):
        backup.verify_sqlite(bad)
    with pytest.raises(backup.BackupError):
        backup.verify_postgres_dump(bad)


@pytest.mark.django_db
def test_pages_carry_security_headers():
    r = Client().get("/login/")
    csp = r["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert "onchange=" not in r.content.decode()  # inline handlers would be blocked by the policy
