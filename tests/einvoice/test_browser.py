"""A billing clerk, in Chromium: open a case, build the invoice, see it validated, send it, credit a line."""


import pytest

from kvitt.einvoice.models import DeliveryOutbox, OutgoingInvoice


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
