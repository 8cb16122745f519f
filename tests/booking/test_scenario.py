"""The story of issue 3, the way people and systems meet it: an insurer opens an assignment,
searches, books; the clinic's journal system (a real local HTTP server) gets the signed webhook
through the worker and accepts; the clinic sees the booking; a second booking of the time fails."""

import datetime
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kvitt.booking.models import Booking, BookingState, OutboxMessage, OutboxStatus, Slot
from kvitt.cases.models import Assignment, AssignmentState
from tests.booking import helpers as h
from tests.cases import factories as f


def logged_in(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def open_assignment(client, national_id: str, name: str) -> Assignment:
    today = timezone.localdate()
    response = client.post(reverse("cases:new"), {
        "national_id": national_id, "name": name, "email": "pasient@example.no", "professions": ["physiotherapist"],
        "service_codes": "B1010, B1020", "max_treatments": "6", "max_amount": "4500.00",
        "valid_from": today.isoformat(), "valid_to": (today + datetime.timedelta(days=180)).isoformat(),
        "notes_for_clinic": "Skulder etter fall",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    sakid = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return Assignment.objects.get(sakid=sakid)


def run_worker():
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay", "--no-reload", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_assignment_search_book_deliver_accept_and_clinic_sees_it(journal):
    payer = f.payer()
    clinic = h.clinic(payer, place="oslo", name="Oslo Fysio AS")
    h.point_at(clinic, journal)
    h.clinic(payer, place="bergen", name="Bergen Fysio AS")
    handler = f.case_handler(payer)
    insurer_web = logged_in(handler)

    assignment = open_assignment(insurer_web, f.FNR, "Kari Nordmann")
    assert assignment.max_amount == 450_000 and assignment.service_codes == ["B1010", "B1020"]

    page = insurer_web.get(reverse("cases:detail", args=[assignment.sakid])).content.decode()
    assert "Kari Nordmann" in page and 'hx-get="/booking/search/"' in page
    results = insurer_web.get(reverse("booking:search"), {"sakid": assignment.sakid, "postcode": "0150", "radius_km": "30"})
    html = results.content.decode()
    assert "Oslo Fysio AS" in html and "Bergen Fysio AS" not in html
    slot_id = int(re.search(r'name="slot_id" value="(\d+)"', html).group(1))

    response = insurer_web.post(reverse("booking:book"), {"sakid": assignment.sakid, "slot_id": slot_id})
    assert response["Location"] == reverse("cases:confirmation", args=[assignment.sakid])
    confirmation = insurer_web.get(response["Location"]).content.decode()
    assert assignment.sakid in confirmation and "Per Fysio" in confirmation

    run_worker()  # the real worker runs the delivery task and sends the notices
    subjects = [m.subject for m in mail.outbox]
    assert any(assignment.sakid in s and "Per Fysio" not in s for s in subjects)
    assert sum(assignment.sakid in m.body for m in mail.outbox) >= 3  # assignment, booking to clinic and patient
    [received] = journal.state.bookings.values()
    assert received["payload"]["sakid"] == assignment.sakid
    assert received["payload"]["patient"]["name"] == "Kari Nordmann"
    assert received["payload"]["coverage"]["notes_for_clinic"] == "Skulder etter fall"
    booking = Booking.objects.get(slot_id=slot_id)
    assert booking.state == BookingState.ACCEPTED
    assert OutboxMessage.objects.get(booking=booking).status == OutboxStatus.DELIVERED

    clinic_web = logged_in(clinic.admin)
    bookings_page = clinic_web.get(reverse("booking:list")).content.decode()
    assert bookings_page.count('data-testid="booking-row"') == 1 and assignment.sakid in bookings_page
    assert assignment.sakid in clinic_web.get(reverse("cases:list")).content.decode()
    assert clinic_web.get(reverse("cases:detail", args=[assignment.sakid])).status_code == 200

    # A second assignment tries the same time: it fails cleanly, and nothing else changes.
    second = open_assignment(insurer_web, "01018010018", "Ola Nordmann")
    response = insurer_web.post(reverse("booking:book"), {"sakid": second.sakid, "slot_id": slot_id}, follow=True)
    assert response.status_code == 200
    assert Booking.objects.filter(slot_id=slot_id).count() == 1
    second.refresh_from_db()
    assert second.state == AssignmentState.OPEN
    assert len(journal.state.bookings) == 1
    assert Slot.objects.get(pk=slot_id).status == "booked"


@pytest.mark.django_db
def test_confirmation_pdf_and_patient_link():
    payer = f.payer()
    handler = f.case_handler(payer)
    assignment = f.assignment(handler)
    insurer_web = logged_in(handler)
    pdf = insurer_web.get(reverse("cases:confirmation_pdf", args=[assignment.sakid]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    page = insurer_web.get(reverse("cases:confirmation", args=[assignment.sakid])).content.decode()
    link = re.search(r'value="(http[^"]+/cases/c/[^"]+/)"', page).group(1)
    path = link.split("127.0.0.1:8000", 1)[1]
    anonymous = Client()
    public = anonymous.get(path)
    assert public.status_code == 200 and assignment.sakid in public.content.decode()
    assert "Skulder" not in public.content.decode()  # the clinic's notes are not for the patient page
    assert anonymous.get(path + "pdf/").content.startswith(b"%PDF-")
    assert anonymous.get(path.replace("/c/", "/c/x")).status_code == 403
    other = logged_in(f.case_handler(f.payer(name="Annen")))
    assert other.get(reverse("cases:detail", args=[assignment.sakid])).status_code == 403


@pytest.mark.django_db
def test_clinic_sets_up_its_journal_system_in_the_web(journal):
    company = f.company()
    location = f.location(company)
    admin = f.clinic_admin(company)
    web = logged_in(admin)
    url = reverse("booking:integration_edit", args=[location.pk])
    page = web.post(url, {"system": "kvitt-http-v1", "base_url": journal.base_url, "client_id": "c1", "api_key": "vendor-key-123"})
    html = page.content.decode()
    assert 'data-testid="webhook-key"' in html and "vendor-key-123" not in html
    integration = location.journal_integration
    html = web.get(url).content.decode()
    assert "whk_" not in html and "vendor-key-123" not in html  # never shown back
    web.post(reverse("booking:integration_test", args=[integration.pk]))
    integration.refresh_from_db()
    assert integration.status == "active"
    text = web.get(reverse("booking:integration_request", args=[integration.pk]), {"language": "en"}).content.decode()
    assert company.org_number in text and "kvitt-journal/1" in text
    token_page = web.post(reverse("booking:integration_secret", args=[integration.pk]), {"kind": "push_token"}).content.decode()
    assert re.search(r"<code>kv_[\w-]+</code>", token_page)
    assert logged_in(f.case_handler(f.payer())).get(url).status_code == 403


@pytest.mark.django_db
def test_case_handler_moves_a_booking_in_the_web():
    payer = f.payer()
    clinic = h.clinic(payer)
    handler = f.case_handler(payer)
    assignment = f.assignment(handler)
    first, second = Slot.objects.filter(location=clinic.location, status="free").order_by("start")[:2]
    from kvitt.booking import services

    booking = services.book_slot(handler, assignment, first.pk)
    web = logged_in(handler)
    detail = web.get(reverse("cases:detail", args=[assignment.sakid])).content.decode()
    assert 'data-testid="move-booking"' in detail
    html = web.get(reverse("booking:search"), {"sakid": assignment.sakid, "postcode": "0150", "rebook": booking.pk}).content.decode()
    assert f'name="rebook" value="{booking.pk}"' in html
    web.post(reverse("booking:book"), {"sakid": assignment.sakid, "slot_id": second.pk, "rebook": booking.pk})
    booking.refresh_from_db()
    assert booking.state == BookingState.CANCELLED
    moved = Booking.objects.get(replaces=booking)
    assert moved.slot_id == second.pk and Slot.objects.get(pk=first.pk).status == "free"
