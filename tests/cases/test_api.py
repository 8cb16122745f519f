import pytest
from django.test import Client

from kvitt.core.models import ApiToken, AuditEntry, Role
from tests.cases import factories as f

pytestmark = pytest.mark.django_db


def bearer(org, role):
    _token, raw = ApiToken.issue(org, "test", role)
    return Client(headers={"Authorization": f"Bearer {raw}", "Accept-Language": "en"})


BODY = {
    "patient": {"national_id": "15108695088", "name": "Kari Nordmann", "email": "kari@example.no"},
    "professions": ["physiotherapist"], "service_codes": ["B1010"], "max_treatments": 6, "max_amount_ore": 600000,
    "valid_from": "2026-01-01", "valid_to": "2026-12-31", "notes_for_clinic": "Skulder",
}


def test_insurer_opens_and_reads_its_assignment_over_the_api():
    payer = f.payer()
    client = bearer(payer.organisation, Role.INSURER_CASE_HANDLER)
    r = client.post("/api/v1/cases/assignments", BODY, content_type="application/json")
    assert r.status_code == 201, r.content
    data = r.json()
    sakid = data["sakid"]
    assert data["state"] == "open" and data["coverage"]["remaining_treatments"] == 6
    assert "/cases/c/" in data["confirmation_url"]
    r = client.get(f"/api/v1/cases/assignments/{sakid.lower()}")
    assert r.status_code == 200 and r.json()["patient"]["name"] == "Kari Nordmann"
    assert AuditEntry.objects.filter(action="read", reason__contains=sakid).count() >= 2
    assert [a["sakid"] for a in client.get("/api/v1/cases/assignments").json()] == [sakid]
    r = client.post(f"/api/v1/cases/assignments/{sakid}/usage",
                    {"count": 1, "amount_ore": 50000, "source_ref": "INV-1#1", "on_date": "2026-03-01"}, content_type="application/json")
    assert r.status_code == 201
    assert client.get(f"/api/v1/cases/assignments/{sakid}/coverage").json()["remaining_amount_ore"] == 550000
    r = client.post(f"/api/v1/cases/assignments/{sakid}/state", {"to_state": "open"}, content_type="application/json")
    assert r.status_code == 422  # in treatment -> open is not in the table


def test_other_insurers_and_clinics_see_nothing():
    payer = f.payer()
    client = bearer(payer.organisation, Role.INSURER_CASE_HANDLER)
    sakid = client.post("/api/v1/cases/assignments", BODY, content_type="application/json").json()["sakid"]
    other = bearer(f.payer(name="Annen").organisation, Role.INSURER_CASE_HANDLER)
    assert other.get(f"/api/v1/cases/assignments/{sakid}").status_code == 403
    assert other.get("/api/v1/cases/assignments").json() == []
    clinic = bearer(f.company().organisation, Role.CLINIC_ADMIN)
    assert clinic.get(f"/api/v1/cases/assignments/{sakid}").status_code == 403
    assert clinic.post("/api/v1/cases/assignments", BODY, content_type="application/json").status_code == 403
    assert Client().get("/api/v1/cases/assignments").status_code == 401


def test_bad_input_is_a_clear_422():
    payer = f.payer()
    client = bearer(payer.organisation, Role.INSURER_CASE_HANDLER)
    body = {**BODY, "patient": {**BODY["patient"], "national_id": "15108695077"}}
    r = client.post("/api/v1/cases/assignments", body, content_type="application/json")
    assert r.status_code == 422 and "national_id" in r.json()["errors"]
    body = {**BODY, "valid_to": "2025-01-01"}
    r = client.post("/api/v1/cases/assignments", body, content_type="application/json")
    assert r.status_code == 422 and "valid_to" in r.json()["errors"]


def test_assignment_given_straight_to_an_approved_location():
    payer = f.payer()
    client = bearer(payer.organisation, Role.INSURER_CASE_HANDLER)
    company = f.company()
    location = f.location(company)
    r = client.post("/api/v1/cases/assignments", {**BODY, "location_id": location.pk}, content_type="application/json")
    assert r.status_code == 403  # not in this insurer's network
    f.approval(payer, company)
    r = client.post("/api/v1/cases/assignments", {**BODY, "location_id": location.pk}, content_type="application/json")
    assert r.status_code == 201 and r.json()["company_id"] == company.pk
    clinic = bearer(company.organisation, Role.CLINIC_ADMIN)
    assert [a["sakid"] for a in clinic.get("/api/v1/cases/assignments").json()] == [r.json()["sakid"]]
