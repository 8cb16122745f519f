"""Shared fixtures of this folder (the file-based SQLite test database is in tests/conftest.py)."""

import pytest


@pytest.fixture
def journal():
    from tests.booking.journal_server import JournalServer, JournalState

    server = JournalServer(JournalState(api_key="vendor-key-123", webhook_key="")).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def english():
    """Assertions read English messages; the pages themselves are tested in nb/sv/en elsewhere."""
    from django.utils import translation

    with translation.override("en"):
        yield
