"""Invoices reach the patient by their channel; the patient page answers through a signed link."""

import datetime
import json

import pytest
from django.core import mail
from django.test import Client

from kvitt.receivables import services
from kvitt.receivables.models import ContactKind, ContactLog, Dispute
from tests import factories as f
from tests.receivables import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.KVITT_SMS = {"backend": "file", "folder": tmp_path / "sms"}
    settings.VAR_DIR = tmp_path
    org, _ = h.norwegian_creditor()
    clerk = h.clerk(org)
    patient = f.patient(org, "Emma Olsen")
    patient.email, patient.phone = "emma@example.no", "+4791234567"
    patient.save()
    return clerk, h.invoice(clerk, patient, 35000, datetime.date(2026, 3, 5))


def test_email_delivery_with_pdf_and_link(invoice):
    clerk, inv = invoice
    assert services.deliver_invoice(clerk, inv) == "email"
    message = mail.outbox[-1]
    assert message.to == ["emma@example.no"] and inv.reference in message.body
    assert "/receivables/p/" in message.body
    assert message.attachments[0][0] == f"invoice-{inv.number}.pdf" and message.attachments[0][1].startswith(b"%PDF")
    assert "Frikort" in message.body  # the note that prevents the usual misunderstanding


def test_sms_and_letter_delivery(invoice, tmp_path):
    clerk, inv = invoice
    inv.channel = "sms"
    inv.save()
    assert services.deliver_invoice(clerk, inv) == "sms"
    sent = json.loads(next((tmp_path / "sms").iterdir()).read_text())
    assert sent["to"] == "+4791234567" and "/receivables/p/" in sent["text"]
    inv.channel = "letter"
    inv.save()
    assert services.deliver_invoice(clerk, inv) == "letter"
    assert (tmp_path / "letters" / str(inv.organisation_id) / f"invoice-{inv.number}.pdf").read_bytes().startswith(b"%PDF")


def test_patient_page_requests_are_routed(invoice):
    clerk, inv = invoice
    url = f"/receivables/p/{services.patient_link_token(inv)}/"
    client = Client()
    page = client.get(url)
    assert page.status_code == 200 and inv.reference in page.content.decode()
    client.post(url, {"kind": "basis", "text": "Hva var behandlingen?"})
    client.post(url, {"kind": "request", "text": "Kan jeg betale i tre avdrag?"})
    client.post(url, {"kind": "preference", "channel": "sms"})
    client.post(url, {"kind": "dispute", "text": "Jeg møtte ikke opp"})
    routed = dict(ContactLog.objects.filter(invoice=inv, kind__in=[ContactKind.BASIS_QUESTION, ContactKind.REQUEST]).values_list("kind", "routed_to"))
    assert routed == {"basis": "clinic", "request": "clinic"}
    inv.refresh_from_db()
    assert inv.patient.preferred_channel == "sms" and inv.disputed
    assert Dispute.objects.get(invoice=inv).reason == "Jeg møtte ikke opp"
    assert client.get(url[:-5] + "xxxx/").status_code == 404  # a tampered link


def test_clinic_pages_and_cross_organisation_refusal(invoice):
    clerk, inv = invoice
    client = Client()
    client.force_login(clerk.user)
    assert client.get("/receivables/").status_code == 200
    assert client.get(f"/receivables/invoices/{inv.pk}/").status_code == 200
    assert client.get("/api/v1/receivables/invoices").json()[0]["reference"] == inv.reference
    other = h.clerk(f.company("Annen Klinikk AS").organisation)
    client.force_login(other.user)
    assert client.get(f"/receivables/invoices/{inv.pk}/").status_code == 403
    assert client.get(f"/api/v1/receivables/invoices/{inv.pk}").status_code == 403
    assert client.get("/api/v1/receivables/invoices").json() == []
