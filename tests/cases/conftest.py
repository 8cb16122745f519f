"""Shared fixtures of this folder (the file-based SQLite test database is in tests/conftest.py)."""

import pytest


@pytest.fixture(autouse=True)
def english():
    """Assertions read English messages; the pages themselves are tested in nb/sv/en elsewhere."""
    from django.utils import translation

    with translation.override("en"):
        yield
