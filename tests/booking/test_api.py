import datetime

import pytest
from django.test import Client
from django.utils import timezone

from kvitt.booking.models import Slot, SlotStatus
from kvitt.core.models import ApiToken, Role
from tests.booking import helpers as h
from tests.cases import factories as f

pytestmark = pytest.mark.django_db


def bearer(org, role):
    _token, raw = ApiToken.issue(org, "test", role)
    return Client(headers={"Authorization": f"Bearer {raw}", "Accept-Language": "en"})


def test_journal_system_pushes_availability_with_its_token():
    payer = f.payer()
    c = h.clinic(payer, days=1, per_day=1)
    from kvitt.booking import services

    raw = services.issue_push_token(c.admin, c.integration)
    journal = Client(headers={"Authorization": f"Bearer {raw}"})
    url = f"/api/v1/booking/integrations/{c.integration.pk}/availability"
    data = h.snapshot(c.practitioner.hpr_number, first_day=timezone.localdate() + datetime.timedelta(days=1), days=2, per_day=2)
    r = journal.post(url, data, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json() == {"created": 3, "updated": 1, "removed": 0, "kept_booked": 0}
    r = journal.post(url, b"{not json", content_type="application/json")
    assert r.status_code == 400 and "not JSON" in r.json()["detail"]
    data["window"]["to"] = data["window"]["from"]
    r = journal.post(url, data, content_type="application/json")
    assert r.status_code == 400 and "window" in r.json()["detail"]
    other_company = bearer(f.company(name="Annen AS").organisation, Role.CLINIC_ADMIN)
    assert other_company.post(url, data, content_type="application/json").status_code == 403
    insurer = bearer(payer.organisation, Role.INSURER_CASE_HANDLER)
    assert insurer.post(url, data, content_type="application/json").status_code == 403


def test_patient_app_searches_and_books_through_the_api():
    payer = f.payer()
    c = h.clinic(payer)
    handler = f.case_handler(payer)
    a = f.assignment(handler)
    app = bearer(payer.organisation, Role.INSURER_CASE_HANDLER)
    r = app.get("/api/v1/booking/search", {"postcode": "0150", "profession": "physiotherapist", "slots": 2})
    assert r.status_code == 200, r.content
    [hit] = r.json()["results"]
    assert hit["location_id"] == c.location.pk and len(hit["slots"]) == 2
    slot_id = hit["slots"][0]["id"]
    r = app.post("/api/v1/booking/bookings", {"sakid": a.sakid, "slot_id": slot_id}, content_type="application/json")
    assert r.status_code == 201, r.content
    booking = r.json()
    assert booking["state"] == "requested" and booking["sakid"] == a.sakid
    second = f.assignment(handler, patient_=f.patient(payer.organisation, national_id="01018010018", name="Ola"))
    r = app.post("/api/v1/booking/bookings", {"sakid": second.sakid, "slot_id": slot_id}, content_type="application/json")
    assert r.status_code == 409 and "taken" in r.json()["detail"]
    # The clinic sees the booking; another insurer does not.
    clinic = bearer(c.company.organisation, Role.CLINIC_ADMIN)
    assert [b["id"] for b in clinic.get("/api/v1/booking/bookings").json()] == [booking["id"]]
    other = bearer(f.payer(name="Annen").organisation, Role.INSURER_CASE_HANDLER)
    assert other.get(f"/api/v1/booking/bookings/{booking['id']}").status_code == 403
    # The journal system answers later by callback.
    r = clinic.post(f"/api/v1/booking/bookings/{booking['id']}/answer", {"status": "accepted", "appointment_id": "X1"},
                    content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    new_slot = Slot.objects.filter(location=c.location, status=SlotStatus.FREE).order_by("start").first()
    r = app.post(f"/api/v1/booking/bookings/{booking['id']}/rebook", {"slot_id": new_slot.pk}, content_type="application/json")
    assert r.status_code == 201 and r.json()["replaces"] == booking["id"]
    r = app.post(f"/api/v1/booking/bookings/{r.json()['id']}/cancel", {"reason": "frisk"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "cancelled"
    assert app.get("/api/v1/booking/search", {"postcode": "abc"}).status_code == 422
