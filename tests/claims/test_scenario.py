"""Acceptance: a clinic invoices, the insurer validates, the clinic hears back by e-mail and Invoice Response.

Real local stand-ins for the outside: the access point is the REST server of tests/einvoice
(the contract HttpAccessPointTransport speaks), the mail server is aiosmtpd on a free port.
"""

from __future__ import annotations

import email
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings

from kvitt.claims import invoice_response as ir
from kvitt.claims.models import InboundInvoice, InboundStatus, NoticeOutbox, OutboxState
from kvitt.core.models import ApiToken, Role
from kvitt.einvoice import services as einvoice_services
from kvitt.einvoice.transports import HttpAccessPointTransport
from kvitt.ledger.models import CareEvent, IdType, Patient

from tests.cases import factories as cf
from tests.claims.world import at, make_world
from tests.einvoice.ap_server import AccessPointServer

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


@pytest.fixture
def access_point():
    server = AccessPointServer(_free_port(), token="ap-token").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def schemas():
    if not (django_settings.KVITT_UBL_XSD_DIR / "maindoc" / "UBL-Invoice-2.1.xsd").is_file():
        pytest.skip("the UBL 2.1 schemas (../shared/fixtures/ubl-2.1-xsd) are not present")


def _care_event(world, clinic_patient, practitioner, day: int) -> CareEvent:
    return CareEvent.objects.create(
        organisation=world.company.organisation, company=world.company, location=world.location,
        practitioner=practitioner, patient=clinic_patient, start=at(day), duration_minutes=45,
        service_codes=["B1010"], diagnoses=[{"system": "ICPC-2", "code": "L92", "text": "Skulder"}],
        routes=["insurer"], amounts={"insurer": 85_000}, case_ref=world.assignment.sakid,
    )


def test_clinic_invoice_is_validated_and_the_clinic_hears_back(settings, smtp, access_point, schemas, django_capture_on_commit_callbacks):
    controller, inbox = smtp
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", controller.port, False
    settings.DEFAULT_FROM_EMAIL = "validering@trygg.example"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ap_config = {"transport": "http", "base_url": access_point.base_url, "token": access_point.token}
    settings.KVITT_ACCESS_POINT = ap_config
    settings.KVITT_CLAIMS_ACCESS_POINT = ap_config

    # The insurer covers one treatment; the clinic treats twice and invoices both.
    world = make_world(max_treatments=1, language="nb")
    clinic = cf.clinic_admin(world.company)
    practitioner = world.company.practitioners.get()
    clinic_patient = Patient.objects.create(
        organisation=world.company.organisation, national_id=cf.FNR, id_type=IdType.FNR, name="Kari Nordmann",
    )
    for day in (2, 3):
        _care_event(world, clinic_patient, practitioner, day)

    # 1. The clinic builds the EHF invoice and its worker hands it to the access point.
    with django_capture_on_commit_callbacks(execute=False):
        outgoing = einvoice_services.build_case_invoice(clinic, world.assignment.sakid)
        assert outgoing.status == "validated", outgoing.validation_findings
        outbox = einvoice_services.queue_for_delivery(clinic, outgoing)
    transport = HttpAccessPointTransport(access_point.base_url, token=access_point.token)
    einvoice_services.deliver_one(outbox.pk, transport=transport)
    envelope = access_point.documents[outbox.message_id]

    # 2. The insurer's access point delivers it to Kvitt's webhook; validation runs at once.
    token = ApiToken.issue(world.payer.organisation, "access point", Role.INSURER_CASE_HANDLER)[1]
    from django.test import Client

    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/api/v1/claims/inbound", data=envelope, content_type="application/xml",
                                 HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 202, response.content
    inbound = InboundInvoice.objects.get(pk=response.json()["id"])
    assert inbound.status == InboundStatus.DEVIATION
    assert inbound.approved_amount == 85_000 and inbound.payable_amount == 170_000
    assert list(inbound.findings.values_list("code", flat=True)) == ["CLM-209"]
    assert set(NoticeOutbox.objects.filter(invoice=inbound).values_list("state", flat=True)) == {OutboxState.SENT}

    # 3. The clinic got the e-mail on the real SMTP server, in Norwegian, listing the finding.
    # (Other apps may mail too, e.g. the patient's coverage confirmation; the clinic gets one.)
    to_clinic = [m for m in inbox.messages if m[1] == ["faktura@fysio.example"]]
    assert len(to_clinic) == 1
    sender, recipients, message = to_clinic[0]
    assert sender == "validering@trygg.example"
    assert "godkjent med avvik" in message["Subject"]
    body = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
    assert "1. [CLM-209] Linje 2:" in body and "850,00" in body

    # 4. ...and the Invoice Response through the access point, which the clinic records.
    responses = [data for key, data in access_point.documents.items() if key != outbox.message_id]
    assert len(responses) == 1
    header, payload = ir.unwrap_response(responses[0])
    assert header.receiver == f"0192:{world.company.org_number}"
    answer = ir.parse_invoice_response(payload)
    assert answer.response_code == "CA" and answer.document_id == str(outgoing.number)
    assert [s.reason_code for s in answer.statuses] == ["QTY", "CNA"]
    recorded = einvoice_services.record_receiver_response(clinic, outgoing, answer.response_code, answer.statuses[0].reason or "")
    assert recorded.receiver_response == "CA"
