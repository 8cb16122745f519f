"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL says so."""

import os

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
