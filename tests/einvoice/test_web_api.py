import json

import pytest

from kvitt.core.models import ApiToken, AuditEntry, Role
from kvitt.einvoice.api import signature_for
from kvitt.einvoice.models import DeliveryOutbox, InvoiceStatus, OutgoingInvoice
from kvitt.einvoice.parser import parse_document
from tests.cases import factories as f
from tests.einvoice.test_services import Clinic


@pytest.fixture
def setup(db):
    clinic = Clinic()
    case = clinic.assignment()
    first = clinic.event(case.sakid, day=2)
    second = clinic.event(case.sakid, day=9, amount=65000)
    return clinic, case, first, second


def _token(org, role):
    _, raw = ApiToken.issue(org, "test", role)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.django_db
def test_api_build_send_credit_flow(client, setup, settings, tmp_path):
    settings.KVITT_ACCESS_POINT = {"transport": "directory", "directory": str(tmp_path), "webhook_secret": "s3cret"}
    clinic, case, first, second = setup
    auth = _token(clinic.company.organisation, Role.BILLING_CLERK)

    cases = client.get("/api/v1/einvoice/cases", **auth).json()
    assert cases == [{"sak_id": case.sakid, "count": 2, "amount": 150000, "first": cases[0]["first"], "last": cases[0]["last"]}]
    events = client.get(f"/api/v1/einvoice/cases/{case.sakid}/uninvoiced", **auth).json()
    assert [e["amount"] for e in events] == [85000, 65000]

    response = client.post(f"/api/v1/einvoice/cases/{case.sakid}/invoice", json.dumps({"event_ids": [str(first.event_id)]}), content_type="application/json", **auth)
    assert response.status_code == 201, response.content
    invoice = response.json()
    assert invoice["status"] == "validated" and invoice["total_amount"] == 85000 and invoice["validation_findings"] == []
    again = client.post(f"/api/v1/einvoice/cases/{case.sakid}/invoice", "{}", content_type="application/json", **auth).json()
    assert again["number"] == invoice["number"] + 1 and again["total_amount"] == 65000
    nothing = client.post(f"/api/v1/einvoice/cases/{case.sakid}/invoice", "{}", content_type="application/json", **auth)
    assert nothing.status_code == 409

    xml = client.get(f"/api/v1/einvoice/invoices/{invoice['id']}/xml", **auth)
    assert parse_document(xml.content).sak_id == case.sakid
    assert AuditEntry.objects.filter(action="read", object_id=str(invoice["id"]), reason="api download").exists()

    sent = client.post(f"/api/v1/einvoice/invoices/{invoice['id']}/send", **auth)
    assert sent.status_code == 202 and sent.json()["status"] == "queued"
    message_id = sent.json()["message_id"]

    body = json.dumps({"message_id": message_id, "status": "delivered"}).encode()
    bad = client.post("/api/v1/einvoice/access-point/status", body, content_type="application/json", HTTP_X_KVITT_SIGNATURE="sha256=00")
    assert bad.status_code == 403
    ok = client.post("/api/v1/einvoice/access-point/status", body, content_type="application/json", HTTP_X_KVITT_SIGNATURE=signature_for(body, "s3cret"))
    assert ok.status_code == 200 and ok.json()["invoice_status"] == "delivered"

    insurer = _token(clinic.payer.organisation, Role.INSURER_CASE_HANDLER)
    seen = client.get("/api/v1/einvoice/invoices", **insurer).json()
    assert {i["id"] for i in seen} == {invoice["id"], again["id"]}
    response = client.post(f"/api/v1/einvoice/invoices/{invoice['id']}/response", json.dumps({"code": "PD", "note": "betalt"}), content_type="application/json", **insurer)
    assert response.status_code == 200 and response.json()["receiver_response"] == "PD"

    from tests.einvoice.test_services import _invoice_response

    response_doc = _invoice_response(OutgoingInvoice.objects.get(pk=again["id"]), code="RE")
    inbound = client.post("/api/v1/einvoice/access-point/inbound", response_doc, content_type="application/xml", HTTP_X_KVITT_SIGNATURE=signature_for(response_doc, "s3cret"))
    assert inbound.status_code == 200 and inbound.json() == {"invoice_id": again["id"], "receiver_response": "RE"}
    unsigned = client.post("/api/v1/einvoice/access-point/inbound", response_doc, content_type="application/xml")
    assert unsigned.status_code == 403

    credit = client.post(f"/api/v1/einvoice/invoices/{again['id']}/credit", json.dumps({"reason": "feil takst"}), content_type="application/json", **auth)
    assert credit.status_code == 201 and credit.json()["kind"] == "credit_note" and credit.json()["credited_invoice_id"] == again["id"]

    stranger = _token(Clinic(name="Annen").company.organisation, Role.BILLING_CLERK)
    assert client.get(f"/api/v1/einvoice/invoices/{invoice['id']}", **stranger).status_code == 403


@pytest.mark.django_db
def test_webhook_is_off_without_a_secret(client, settings):
    settings.KVITT_ACCESS_POINT = {"transport": "directory", "directory": "/nonexistent"}
    assert client.post("/api/v1/einvoice/access-point/status", b"{}", content_type="application/json").status_code == 404


@pytest.mark.django_db
def test_web_pages_walk_the_billing_clerks_story(client, setup, settings, tmp_path):
    settings.KVITT_ACCESS_POINT = {"transport": "directory", "directory": str(tmp_path)}
    clinic, case, first, second = setup
    client.force_login(clinic.clerk.user)

    page = client.get("/einvoice/cases/")
    assert page.status_code == 200 and case.sakid in page.content.decode()
    page = client.get(f"/einvoice/cases/{case.sakid}/")
    assert page.status_code == 200 and "B1010" in page.content.decode()

    response = client.post(f"/einvoice/cases/{case.sakid}/build/", {"event": [str(first.event_id), str(second.event_id)]})
    invoice = OutgoingInvoice.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/einvoice/invoices/{invoice.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "No findings" in detail or "Ingen" in detail or invoice.status == InvoiceStatus.VALIDATED

    preview = client.get(f"/einvoice/invoices/{invoice.pk}/preview/")
    assert preview.status_code == 200 and case.sakid in preview.content.decode()
    pdf = client.get(f"/einvoice/invoices/{invoice.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")

    client.post(f"/einvoice/invoices/{invoice.pk}/send/")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.QUEUED and DeliveryOutbox.objects.filter(invoice=invoice).exists()

    response = client.post(f"/einvoice/invoices/{invoice.pk}/credit/", {"reason": "Avlyst time", "event": [str(second.event_id)]})
    note = OutgoingInvoice.objects.get(kind="credit_note")
    assert response["Location"] == f"/einvoice/invoices/{note.pk}/" and note.total_amount == 65000

    listing = client.get("/einvoice/").content.decode()
    assert str(invoice.number) in listing and str(note.number) in listing


@pytest.mark.django_db
def test_web_refuses_other_companies_invoice(client, setup):
    clinic, case, first, second = setup
    from kvitt.einvoice import services

    invoice = services.build_case_invoice(clinic.clerk, case.sakid)
    other = Clinic(name="Annen")
    client.force_login(other.clerk.user)
    assert client.get(f"/einvoice/invoices/{invoice.pk}/").status_code == 403
    assert client.get(f"/einvoice/invoices/{invoice.pk}/xml/").status_code == 403
    practitioner = f.member(clinic.company.organisation, Role.PRACTITIONER)
    client.force_login(practitioner.user)
    assert client.post(f"/einvoice/cases/{case.sakid}/build/").status_code == 403


@pytest.mark.django_db
def test_invalid_invoice_shows_its_findings_and_no_send_button(client, setup):
    clinic, case, first, second = setup
    clinic.payer.peppol_id = "9999:not-a-scheme"
    clinic.payer.save()
    client.force_login(clinic.clerk.user)
    response = client.post(f"/einvoice/cases/{case.sakid}/build/")
    invoice = OutgoingInvoice.objects.get()
    assert invoice.status == InvoiceStatus.CREATED
    page = client.get(response["Location"]).content.decode()
    assert "BR-CL-25" in page and "flag-fatal" in page
    assert f'action="/einvoice/invoices/{invoice.pk}/send/"' not in page
    client.post(f"/einvoice/invoices/{invoice.pk}/send/")
    assert not DeliveryOutbox.objects.exists()
