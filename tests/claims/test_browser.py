"""An insurer's case handler, in Chromium: the inbox, an invoice with a deviation, its findings
beside the coverage and usage, an override with a reason, validation again, the verdict changing."""

import re

import pytest

from kvitt.claims import services
from kvitt.claims.models import InboundStatus, Override

from tests.claims import invoices as f
from tests.claims.world import at, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_case_handler_overrides_a_finding_and_the_verdict_changes(live_server, page):
    world = make_world()
    # Line 2 bills a service code the assignment does not cover: rejected, so the invoice is a deviation.
    invoice, _ = services.receive(world.handler, world.invoice_bytes(f.line(at(2)), f.line(at(3), code="B9999"), number="5101"))
    services.validate_invoice(world.handler, invoice)
    assert invoice.status == InboundStatus.DEVIATION and invoice.approved_amount == 85_000

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", world.handler.user.username)
    page.fill("#id_password", "correct horse battery")
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/claims/?state=deviation")
    page.click("text=5101")
    page.wait_for_selector("#invoice-heading[data-status=deviation]")
    finding = page.locator("#finding-CLM-203-2")
    assert "B9999" in finding.inner_text()
    # Beside the findings: the assignment's coverage and its usage ledger (line 1 consumed one treatment).
    coverage = page.locator("#coverage")
    assert world.assignment.sakid in coverage.inner_text()
    assert page.locator("#coverage-treatments").get_attribute("data-used") == "1"
    assert page.locator("#usage tr").count() == 1 and "85000" in page.locator("#usage").inner_text()
    assert "85000" in page.locator("#approved-amount").inner_text()

    finding.locator("input[name=reason]").fill("Agreed with the clinic by phone")
    finding.locator("button[type=submit]").click()
    page.wait_for_selector("#invoice-heading[data-status=approved]")
    assert Override.objects.get(invoice=invoice, code="CLM-203", line_id="2").reason == "Agreed with the clinic by phone"
    assert "170000" in page.locator("#approved-amount").inner_text()
    assert page.locator("#coverage-treatments").get_attribute("data-used") == "2"
    assert page.locator("#finding-CLM-203-2.muted").count() == 1  # still shown, no longer counted
    assert page.locator("#finding-CLM-203-2 button").count() == 0

    page.click("#revalidate")
    page.wait_for_selector("#findings h2:has-text('3')")
    invoice.refresh_from_db()
    assert invoice.status == InboundStatus.APPROVED and invoice.validation_runs == 3 and invoice.approved_amount == 170_000
    assert page.locator("#invoice-heading").get_attribute("data-status") == "approved"
    # Each run gives back what the previous one consumed: still two treatments used, not four.
    assert page.locator("#coverage-treatments").get_attribute("data-used") == "2"
    assert re.search(r"\b2\b", page.locator("#coverage-treatments").inner_text())
