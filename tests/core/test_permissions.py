"""A user of one organisation cannot read or change another's objects, by API or web."""

import pytest
from django.test import Client

from kvitt.core.models import AuditEntry, Role
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_clinics():
    a, b = f.company("Alfa Fysio AS"), f.company("Beta Psykologi AS")
    la, lb = f.location(a), f.location(b)
    pa, pb = f.patient(a.organisation, "Anna Alfa"), f.patient(b.organisation, "Bjørn Beta")
    ea, eb = f.care_event(a, pa, location=la), f.care_event(b, pb, location=lb)
    return {"a": a, "b": b, "la": la, "lb": lb, "pa": pa, "pb": pb, "ea": ea, "eb": eb}


def _bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_api_refuses_other_organisations_care_event(two_clinics):
    client = Client()
    token = f.token(two_clinics["a"].organisation, Role.BILLING_CLERK)
    own = client.get(f"/api/v1/ledger/care-events/{two_clinics['ea'].pk}", **_bearer(token))
    assert own.status_code == 200
    assert own.json()["patient_id"] == two_clinics["pa"].pk
    foreign = client.get(f"/api/v1/ledger/care-events/{two_clinics['eb'].pk}", **_bearer(token))
    assert foreign.status_code == 403
    listed = client.get("/api/v1/ledger/care-events", **_bearer(token)).json()
    assert [e["id"] for e in listed] == [two_clinics["ea"].pk]


def test_api_refuses_changes_to_other_organisations_objects(two_clinics):
    client = Client()
    token = f.token(two_clinics["a"].organisation, Role.CLINIC_ADMIN)
    eb = two_clinics["eb"]
    r = client.post(f"/api/v1/ledger/care-events/{eb.pk}/void", {"reason": "hostile"}, content_type="application/json", **_bearer(token))
    assert r.status_code == 403
    eb.refresh_from_db()
    assert eb.is_current and not eb.voided
    r = client.patch(f"/api/v1/network/companies/{two_clinics['b'].pk}", {"name": "Taken over"}, content_type="application/json", **_bearer(token))
    assert r.status_code == 403
    two_clinics["b"].refresh_from_db()
    assert two_clinics["b"].name == "Beta Psykologi AS"
    r = client.get(f"/api/v1/ledger/patients/{two_clinics['pb'].pk}", **_bearer(token))
    assert r.status_code == 403
    r = client.post(
        "/api/v1/ledger/care-events",
        {"patient_id": two_clinics["pb"].pk, "start": "2026-01-05T10:00:00+01:00", "service_codes": ["A1a"], "routes": ["insurer"]},
        content_type="application/json", **_bearer(token),
    )
    assert r.status_code == 403


def test_api_without_credentials_is_refused(two_clinics):
    assert Client().get("/api/v1/ledger/care-events").status_code == 401
    assert Client().get("/api/v1/ledger/care-events", HTTP_AUTHORIZATION="Bearer kv_wrong").status_code == 401


def test_web_refuses_other_organisations_objects(two_clinics):
    user = f.user(two_clinics["a"].organisation, Role.CLINIC_ADMIN)
    client = Client()
    client.force_login(user)
    assert client.get(f"/ledger/events/{two_clinics['ea'].pk}/").status_code == 200
    assert client.get(f"/ledger/events/{two_clinics['eb'].pk}/").status_code == 403
    assert client.get(f"/network/companies/{two_clinics['b'].pk}/").status_code == 403
    assert client.get(f"/network/locations/{two_clinics['lb'].pk}/").status_code == 403
    r = client.post(f"/network/locations/{two_clinics['lb'].pk}/invite/", {"name": "X", "email": "x@example.no", "professions": ["masseur"]})
    assert r.status_code == 403
    page = client.get("/ledger/events/").content.decode()
    assert "Anna Alfa" in page and "Bjørn Beta" not in page


def test_collection_agent_and_auditor_cannot_read_care_events(two_clinics):
    for role in (Role.COLLECTION_AGENT, Role.AUDITOR, Role.NETWORK_OPERATOR):
        token = f.token(two_clinics["a"].organisation, role)
        r = Client().get(f"/api/v1/ledger/care-events/{two_clinics['ea'].pk}", **_bearer(token))
        assert r.status_code == 403, role


def test_insurer_sees_only_approved_locations(two_clinics):
    insurer = f.payer("Nordlys Forsikring ASA")
    f.approval(insurer, two_clinics["a"])
    token = f.token(insurer.organisation, Role.INSURER_CASE_HANDLER)
    ids = [loc["id"] for loc in Client().get("/api/v1/network/locations", **_bearer(token)).json()]
    assert ids == [two_clinics["la"].pk]
    assert Client().get(f"/api/v1/network/locations/{two_clinics['lb'].pk}", **_bearer(token)).status_code == 403


def test_every_patient_data_read_is_audit_logged(two_clinics):
    token = f.token(two_clinics["a"].organisation, Role.BILLING_CLERK)
    client = Client()
    before = AuditEntry.objects.count()
    client.get(f"/api/v1/ledger/care-events/{two_clinics['ea'].pk}", **_bearer(token))
    client.get(f"/api/v1/ledger/patients/{two_clinics['pa'].pk}", **_bearer(token))
    client.get("/api/v1/ledger/care-events", **_bearer(token))
    entries = list(AuditEntry.objects.order_by("id")[before:])
    assert [(e.action, e.object_type) for e in entries] == [
        ("read", "ledger.CareEvent"), ("read", "ledger.Patient"), ("read", "ledger.CareEvent"),
    ]
    assert all(e.patient_id == two_clinics["pa"].pk for e in entries)
    assert "clinical" in entries[0].privacy and entries[1].privacy == ["identity"]
    assert entries[0].organisation_id == two_clinics["a"].organisation_id
    assert entries[0].actor_label == "token:test integration"


def test_web_detail_read_is_audit_logged_and_shows_in_access_report(two_clinics):
    clinic = two_clinics["a"].organisation
    clerk = f.user(clinic, Role.BILLING_CLERK, "kari.clerk")
    auditor = f.user(clinic, Role.AUDITOR, "revisor")
    client = Client()
    client.force_login(clerk)
    client.get(f"/ledger/events/{two_clinics['ea'].pk}/")
    client.force_login(auditor)
    report = client.get("/core/audit/patient/", {"national_id": two_clinics["pa"].national_id})
    assert report.status_code == 200
    assert "kari.clerk" in report.content.decode()
    # The auditor's own look-up is itself logged.
    assert AuditEntry.objects.filter(action="access_report", patient=two_clinics["pa"]).count() == 1
    # Only auditors may see the audit log.
    client.force_login(clerk)
    assert client.get("/core/audit/").status_code == 403
