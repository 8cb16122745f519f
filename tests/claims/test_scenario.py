"""Acceptance: a clinic invoices, the insurer validates, the clinic hears back by e-mail and Invoice Response.

Real local stand-ins for the outside: the access point is the REST server of tests/einvoice
(the contract HttpAccessPointTransport speaks), the mail server is aiosmtpd on a free port.
In the end-to-end test nothing is called in-process between the two sides: the clinic's
delivery goes through its AP transport to the stand-in, which delivers the document on to the
insurer's webhook on Django's live server (HTTP, the insurer's token), as an access point
would; the insurer's Invoice Response goes back through its AP transport to the stand-in.
"""

from __future__ import annotations

import email
import json
import socket
import threading
import time

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


def _eventually(check, what: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout:.0f} s")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("bare", [False, True], ids=["sbdh", "bare-ubl"])
def test_invoice_travels_through_the_access_point_and_the_answer_comes_back(bare, settings, smtp, access_point, schemas, live_server):
    controller, inbox = smtp
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", controller.port, False
    settings.DEFAULT_FROM_EMAIL = "validering@trygg.example"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ap_config = {"transport": "http", "base_url": access_point.base_url, "token": access_point.token}
    settings.KVITT_ACCESS_POINT = ap_config  # the clinic's access point
    settings.KVITT_CLAIMS_ACCESS_POINT = ap_config  # the insurer's (the same stand-in serves both)

    # The insurer covers one treatment; the clinic treats twice and invoices both.
    world = make_world(max_treatments=1, language="nb")
    clinic = cf.clinic_admin(world.company)
    practitioner = world.company.practitioners.get()
    clinic_patient = Patient.objects.create(
        organisation=world.company.organisation, national_id=cf.FNR, id_type=IdType.FNR, name="Kari Nordmann",
    )
    for day in (2, 3):
        _care_event(world, clinic_patient, practitioner, day)
    # The insurer's access point knows where to deliver its documents: Kvitt's webhook.
    access_point.route(f"0192:{world.payer.org_number}", f"{live_server.url}/api/v1/claims/inbound", world.token(), bare=bare)

    # 1. The clinic builds the EHF invoice and queues it; its worker sends it to the access point.
    outgoing = einvoice_services.build_case_invoice(clinic, world.assignment.sakid)
    assert outgoing.status == "validated", outgoing.validation_findings
    outbox = einvoice_services.queue_for_delivery(clinic, outgoing)
    _eventually(lambda: outbox.message_id in access_point.documents, "the clinic's delivery to the access point")

    # 2. The access point delivers it to the insurer's webhook, which accepts it (202).
    status, body = access_point.wait_forwarded(outbox.message_id)
    assert status == 202, body
    inbound_id = json.loads(body)["id"]

    # 3. Validation ran at once (the insurer validates immediately): one treatment covered.
    inbound = _eventually(
        lambda: InboundInvoice.objects.filter(pk=inbound_id).exclude(status=InboundStatus.RECEIVED).first(), "validation")
    assert inbound.source == "webhook" and inbound.number == str(outgoing.number)
    assert (inbound.message_id != "") is (not bare)  # the SBDH instance identifier, when there was an envelope
    assert inbound.status == InboundStatus.DEVIATION
    assert inbound.approved_amount == 85_000 and inbound.payable_amount == 170_000
    assert list(inbound.findings.values_list("code", flat=True)) == ["CLM-209"]

    # 4. The clinic gets the e-mail on the real SMTP server, in Norwegian, listing the finding.
    to_clinic = _eventually(lambda: [m for m in inbox.messages if m[1] == ["faktura@fysio.example"]], "the e-mail")
    assert len(to_clinic) == 1
    sender, _recipients, message = to_clinic[0]
    assert sender == "validering@trygg.example"
    assert "godkjent med avvik" in message["Subject"]
    text = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
    assert "1. [CLM-209] Linje 2:" in text and "850,00" in text

    # 5. ...and the Invoice Response, which went out through the insurer's AP transport to the
    # stand-in (addressed to the clinic, so not routed back to Kvitt); the clinic records it.
    responses = _eventually(
        lambda: [data for key, data in access_point.documents.items() if key != outbox.message_id], "the Invoice Response")
    assert len(responses) == 1
    header, payload = ir.unwrap_response(responses[0])
    assert header.receiver == f"0192:{world.company.org_number}"
    answer = ir.parse_invoice_response(payload)
    assert answer.response_code == "CA" and answer.document_id == str(outgoing.number)
    assert [s.reason_code for s in answer.statuses] == ["QTY", "CNA"]
    assert set(NoticeOutbox.objects.filter(invoice=inbound).values_list("state", flat=True)) == {OutboxState.SENT}
    recorded = einvoice_services.record_receiver_response(clinic, outgoing, answer.response_code, answer.statuses[0].reason or "")
    assert recorded.receiver_response == "CA"
