"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL says so."""

import os
from pathlib import Path

import pytest
from django.conf import settings


@pytest.fixture(scope="session")
def shared_fixtures():
    path = settings.KVITT_SHARED_DIR / "fixtures"
    if not path.is_dir():
        pytest.skip("../shared/fixtures is not present")
    return path


def pytest_report_header(config):
    return f"kvitt database: {settings.DATABASES['default']['ENGINE']} ({os.environ.get('DATABASE_URL', 'sqlite default')})"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2 at production strength costs 0.3 s a user; tests make many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_configure(config):
    config.addinivalue_line("markers", "two_factor: run with KVITT_2FA_REQUIRED on (the rest of the suite has it off)")


@pytest.fixture(autouse=True)
def _two_factor_off_unless_marked(request, settings):
    # The suite logs staff in with force_login and the login page; the second factor is
    # proven by the tests marked two_factor (tests/core/test_twofactor.py).
    settings.KVITT_2FA_REQUIRED = request.node.get_closest_marker("two_factor") is not None


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, the test database is a file, not memory.

    The in-memory database uses shared-cache table locks that fail at once ("database table is
    locked") where a file with the IMMEDIATE transaction mode and busy timeout of the settings
    waits, as production does; the concurrency tests (slot booking, coverage, invoice numbers)
    need the real behaviour, whichever test happens to create the database first.
    """
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3" and not db.get("TEST", {}).get("NAME"):
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("sqlite") / "kvitt-test.sqlite3")


# --- browser tests: one Playwright and one Debian Chromium for the whole session -------------
# (a second sync_playwright() in the same thread fails, so every browser test uses these)



CHROMIUM = Path("/usr/bin/chromium")
# Playwright runs its own event loop in the test thread; Django's ORM guard would refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("/usr/bin/chromium is missing: CI must install Debian's chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-quic"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
