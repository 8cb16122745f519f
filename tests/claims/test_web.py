"""The case handler's inbox pages: list, upload, detail with coverage, override, re-validate."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kvitt.claims import services
from kvitt.claims.models import InboundInvoice, InboundStatus, Override
from kvitt.core.models import AuditEntry

from tests.claims import invoices as f
from tests.claims.world import at, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def handler_client(client, world):
    client.force_login(world.handler.user)
    return client


def test_inbox_lists_waiting_invoices_and_counts(handler_client, world):
    services.receive(world.handler, world.invoice_bytes(f.line(at(2)), number="31"))
    page = handler_client.get("/claims/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "31" in text and "(1)" in text


def test_upload_then_detail_with_findings_and_coverage(handler_client, world):
    upload = SimpleUploadedFile("inv.xml", world.invoice_bytes(f.line(at(2), code="B9999"), number="41"), "application/xml")
    response = handler_client.post("/claims/upload/", {"document": upload})
    assert response.status_code == 302
    invoice = InboundInvoice.objects.get(number="41")
    assert invoice.source == "upload"
    handler_client.post(f"/claims/{invoice.pk}/revalidate/")
    invoice.refresh_from_db()
    assert invoice.status == InboundStatus.REJECTED
    page = handler_client.get(f"/claims/{invoice.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and "CLM-203" in text and world.assignment.sakid in text
    assert AuditEntry.objects.filter(action="read", object_id=str(invoice.pk)).exists()


def test_override_from_the_page(handler_client, world):
    invoice, _ = services.receive(world.handler, world.invoice_bytes(f.line(at(2), code="B9999")))
    services.validate_invoice(world.handler, invoice)
    response = handler_client.post(f"/claims/{invoice.pk}/override/", {"code": "CLM-203", "line_id": "1", "reason": "Avtalt med klinikken"})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InboundStatus.APPROVED
    assert Override.objects.get(invoice=invoice).reason == "Avtalt med klinikken"


def test_another_insurer_cannot_open_the_invoice(client, world):
    invoice, _ = services.receive(world.handler, world.invoice_bytes())
    other = make_world()
    client.force_login(other.handler.user)
    assert client.get(f"/claims/{invoice.pk}/").status_code == 403


def test_case_handler_sets_the_validation_frequency(handler_client, world):
    from kvitt.claims.models import ClaimsSettings

    response = handler_client.post("/claims/frequency/", {"frequency": "daily", "daily_at": "07:30"})
    assert response.status_code == 302
    conf = ClaimsSettings.objects.get(payer=world.payer)
    assert conf.frequency == "daily" and conf.daily_at.strftime("%H:%M") == "07:30"
    assert AuditEntry.objects.filter(action="update", object_type="claims.ClaimsSettings").exists()
