"""A NUL character in request input is refused at the door with the field named, on SQLite and
PostgreSQL alike (PostgreSQL text cannot hold one: it was a 500 found by schemathesis)."""

import json

import pytest
from django.test import Client

from kvitt.core.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic_token():
    company = f.company("Nul Fysio AS")
    return f.token(company.organisation, Role.CLINIC_ADMIN)


def _bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_nul_in_a_query_parameter_is_a_422_naming_it(clinic_token):
    response = Client().get("/api/v1/ledger/care-events", {"route": "insurer\x00"}, **_bearer(clinic_token))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "route"]


def test_a_nul_in_a_json_string_is_a_422_naming_its_path(clinic_token):
    body = json.dumps({"name": "Klinikk\u0000AS", "lines": [{"text": "ok"}, {"text": "b\u0000d"}]})
    response = Client().post("/api/v1/network/companies", body, content_type="application/json", **_bearer(clinic_token))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]


def test_a_nul_deep_in_a_json_body_is_found():
    from kvitt.core.nulguard import _nul_paths

    assert list(_nul_paths({"a": [{"b": "x"}, {"c": "y\x00"}], "k\x00": 1}, ())) == [("a", 1, "c"), ("k\x00",)]


def test_a_nul_in_a_form_field_is_a_400():
    response = Client().post("/login/", {"username": "a\x00b", "password": "x"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_input_without_nul_passes_untouched(clinic_token):
    response = Client().get("/api/v1/ledger/care-events", {"route": "insurer"}, **_bearer(clinic_token))
    assert response.status_code == 200
