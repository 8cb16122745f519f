"""SQLite's in-memory test database uses shared-cache table locks, which fail at once
("database table is locked") instead of waiting like a real file with the IMMEDIATE transaction
mode and busy timeout from settings. The concurrency tests need the real behaviour, so the test
database is a file here. (Asked of the lead: make this the default in settings for all tests.)
"""

import pytest


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3" and not db.get("TEST", {}).get("NAME"):
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("sqlite") / "kvitt-test.sqlite3")


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
