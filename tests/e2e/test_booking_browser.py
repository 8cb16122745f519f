"""A case handler opens an assignment, finds a clinic, books a time and sees the confirmation,
in Debian's Chromium through Playwright. The clinic's journal system is a real local server."""

import os

import pytest

from kvitt.booking import outbox
from kvitt.booking.models import Booking, BookingState
from kvitt.cases.models import Assignment
from tests.booking import helpers as h
from tests.booking.journal_server import JournalServer, JournalState
from tests.cases import factories as f

# Playwright runs an event loop in this thread; Django's ORM would refuse without this.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def journal_server():
    server = JournalServer(JournalState(api_key="vendor-key-123", webhook_key="")).start()
    yield server
    server.stop()


def test_case_handler_opens_assignment_books_and_sees_confirmation(live_server, page, settings, journal_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    payer = f.payer(name="Nordlys Forsikring ASA")
    clinic = h.clinic(payer, place="oslo", name="Nettleser Fysio AS")
    h.point_at(clinic, journal_server)
    f.case_handler(payer, username="saksbehandler")

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "saksbehandler")
    page.fill("#id_password", "correct horse battery")
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/cases/new/")
    page.fill("#id_national_id", f.FNR)
    page.fill("#id_name", "Kari Nordmann")
    page.fill("#id_email", "kari@example.no")
    page.check("input[name=professions][value=physiotherapist]")
    page.fill("#id_service_codes", "B1010")
    page.fill("#id_max_treatments", "6")
    page.fill("#id_max_amount", "4500")
    page.fill("#id_valid_from", "2026-01-01")
    page.fill("#id_valid_to", "2027-12-31")
    page.click("#open-assignment button[type=submit]")
    page.wait_for_selector("[data-testid=sakid]")
    sakid = page.locator("h1 [data-testid=sakid]").inner_text().strip()
    assert Assignment.objects.filter(sakid=sakid, payer=payer).exists()

    page.fill("[data-testid=postcode]", "0150")
    page.click("[data-testid=search]")  # htmx swaps the results in without leaving the page
    page.wait_for_selector("[data-testid=search-hit]")
    assert "Nettleser Fysio AS" in page.locator("#search-results").inner_text()
    page.locator("[data-testid=book-slot]").first.click()

    page.wait_for_url(f"{live_server.url}/cases/{sakid}/confirmation/")
    confirmation = page.locator("#confirmation")
    assert sakid in confirmation.locator("[data-testid=sakid]").inner_text()
    assert "Per Fysio" in confirmation.locator("[data-testid=appointment]").inner_text()

    # The worker delivers the signed booking; the journal system accepts; the page shows it.
    assert outbox.process_due(worker_id="browser-test") == {"delivered": 1}
    assert Booking.objects.get(assignment__sakid=sakid).state == BookingState.ACCEPTED
    page.reload()
    assert "Confirmed by the clinic" in page.locator("[data-testid=appointment]").inner_text()
