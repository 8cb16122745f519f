"""A billing clerk, in Chromium: open a case, build the invoice, see it validated, send it, credit a line."""

import os
from pathlib import Path

import pytest

from kvitt.einvoice.models import DeliveryOutbox, OutgoingInvoice

CHROMIUM = Path("/usr/bin/chromium")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's event loop runs in the test thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page():
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("/usr/bin/chromium is missing: CI must install Debian's chromium")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
        )
        context = browser.new_context(locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        browser.close()


def test_billing_clerk_builds_sends_and_credits(live_server, page, settings, tmp_path):
    from tests.einvoice.test_services import Clinic

    settings.KVITT_ACCESS_POINT = {"transport": "directory", "directory": str(tmp_path)}
    clinic = Clinic()
    case = clinic.assignment()
    clinic.event(case.sakid, day=2)
    second = clinic.event(case.sakid, day=9, amount=65000)

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", clinic.clerk.user.username)
    page.fill("#id_password", "correct horse battery")
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/einvoice/cases/")
    page.click(f"text={case.sakid}")
    page.wait_for_selector("#build-invoice")
    assert "B1010" in page.content()
    page.click("#build-invoice")
    page.wait_for_selector("#invoice-status")
    invoice = OutgoingInvoice.objects.get()
    assert "No findings" in page.content() and invoice.status == "validated"

    page.click("#send-invoice")
    page.wait_for_selector("#invoice-status")
    assert DeliveryOutbox.objects.filter(invoice=invoice).exists()
    assert "Queued" in page.locator("#invoice-status").inner_text()

    page.uncheck(f"input[name=event][value='{invoice.lines.get(position=1).event_id}']")
    page.fill("#credit-reason", "Avlyst time")
    page.click("#credit-invoice")
    page.wait_for_selector("#invoice-status")
    note = OutgoingInvoice.objects.get(kind="credit_note")
    assert [line.event_id for line in note.lines.all()] == [second.event_id]
    assert f"/einvoice/invoices/{note.pk}/" in page.url
