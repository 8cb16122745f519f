"""/readyz says 503 and names the database while the database is unreachable, 200 once it is back.

The shared PostgreSQL is not ours to stop, so the connection is pointed at a port where nothing
listens (what a stopped server looks like to a client: connection refused), then pointed back."""

from __future__ import annotations

import socket
from contextlib import contextmanager

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def database_gone():
    """Point the default connection where no database answers; put it back afterwards."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(unused_port()))
    else:  # SQLite: a file in a directory that does not exist cannot be opened
        connection.settings_dict["NAME"] = "/nonexistent-kvitt-dir/kvitt.sqlite3"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def test_readyz_fails_while_the_database_is_unreachable_and_recovers_when_it_is_back(client):
    first = client.get("/readyz")
    assert first.status_code == 200 and first.json()["database"] == "ok"

    with database_gone():
        down = client.get("/readyz")
        assert down.status_code == 503
        assert down.json()["status"] == "not ready"
        assert down.json()["database"] == "OperationalError"
        assert client.get("/healthz").status_code == 200  # the process itself is fine

    back = client.get("/readyz")
    assert back.status_code == 200
    assert back.json() == {"status": "ready", "database": "ok", "tasks": "ok"}
