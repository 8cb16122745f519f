import datetime
import json
import threading
import zoneinfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from kvitt.core.models import AuditEntry, Role
from kvitt.core.permissions import Actor, PermissionDenied
from kvitt.einvoice import services, transports
from kvitt.einvoice.models import DeliveryOutbox, InvoiceCounter, InvoiceStatus, OutboxStatus, OutgoingInvoice
from kvitt.einvoice.parser import parse_document
from kvitt.einvoice.sbdh import unwrap
from kvitt.einvoice.transports import DirectoryTransport, HttpAccessPointTransport
from kvitt.ledger import services as ledger_services
from tests.cases import factories as f
from tests.einvoice.ap_server import AccessPointServer, free_port

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


class Clinic:
    """A clinic company with a billing clerk, a practitioner and an insurer's assignment."""

    def __init__(self, *, vat_category="E", kid_algorithm="MOD10", kid_length=10, foretaksregisteret=True, name="Fysio Sentrum"):
        self.company = f.company(
            name=name, vat_category=vat_category, kid_algorithm=kid_algorithm, kid_length=kid_length,
            foretaksregisteret=foretaksregisteret, bank_account="86011117947", street="Gate 1", postcode="0150", city="Oslo",
        )
        self.location = f.location(self.company)
        self.practitioner = f.practitioner(self.company, [self.location], name="Per Fysio")
        self.clerk = f.member(self.company.organisation, Role.BILLING_CLERK)
        self.payer = getattr(self, "payer", None) or f.payer()
        self.handler = f.case_handler(self.payer)
        self.patient = f.patient(self.company.organisation)
        self.insured = f.patient(self.payer.organisation, national_id=f"{f.FNR}") if not hasattr(self.payer, "_insured") else self.payer._insured
        self.payer._insured = self.insured

    def assignment(self, **overrides):
        return f.assignment(self.handler, self.insured, location=self.location, **overrides)

    def event(self, sakid, day=2, amount=85000, codes=("B1010",), routes=("insurer",)):
        return ledger_services.record_care_event(
            self.clerk, patient=self.patient, start=datetime.datetime(2026, 3, day, 9, 0, tzinfo=OSLO),
            duration_minutes=45, service_codes=list(codes), routes=list(routes),
            amounts={r: amount for r in routes}, case_ref=sakid, practitioner=self.practitioner, location=self.location,
            diagnoses=[{"system": "ICPC-2", "code": "L92", "text": "Skulder lidelse uspesifisert"}],
        )


@pytest.fixture
def clinic(db):
    return Clinic()


@pytest.mark.django_db
def test_build_invoices_the_cases_uninvoiced_events(clinic):
    case = clinic.assignment()
    clinic.event(case.sakid, day=2)
    clinic.event(case.sakid, day=9, amount=65000)
    clinic.event(case.sakid, day=10, routes=("patient",))  # not the insurer's
    other_case = clinic.assignment()
    clinic.event(other_case.sakid, day=11)

    invoice = services.build_case_invoice(clinic.clerk, case.sakid, issue_date=datetime.date(2026, 3, 20))
    assert invoice.number == 1 and invoice.status == InvoiceStatus.VALIDATED, invoice.validation_findings
    assert invoice.total_amount == 150000 and invoice.lines.count() == 2
    assert invoice.due_date == datetime.date(2026, 4, 3)
    doc = parse_document(invoice.document_xml.encode())
    assert doc.sak_id == case.sakid and doc.kid == invoice.kid and len(invoice.kid) == 10
    assert doc.customer.org_number == clinic.payer.org_number
    first = doc.lines[0].item
    assert first.property("TreatmentId") == "B1010" and first.property("TreatmentDateTime") == "2026-03-02 09:00:00"
    assert first.property("TreatmentDuration") == "00:45:00"
    assert first.property("TherapistHpr") == f.HPR and first.property("TherapistName") == "Per Fysio"
    assert first.property("Diagnose") == "L92 Skulder lidelse uspesifisert" and first.property("PatientId") == f.FNR
    assert first.property("Profession")
    entry = AuditEntry.objects.filter(action="create", object_type="einvoice.OutgoingInvoice", object_id=str(invoice.pk)).get()
    assert set(entry.privacy) == {"identity", "clinical", "financial"} and entry.patient_id == clinic.patient.pk

    with pytest.raises(services.InvoiceRefused):
        services.build_case_invoice(clinic.clerk, case.sakid)
    clinic.event(case.sakid, day=16)
    second = services.build_case_invoice(clinic.clerk, case.sakid)
    assert second.number == 2 and second.lines.count() == 1


@pytest.mark.django_db
def test_vat_o_company_with_mod11_kid():
    clinic = Clinic(vat_category="O", kid_algorithm="MOD11", kid_length=7, foretaksregisteret=False)
    case = clinic.assignment()
    clinic.event(case.sakid)
    invoice = services.build_case_invoice(clinic.clerk, case.sakid)
    assert invoice.status == InvoiceStatus.VALIDATED
    assert {f["id"] for f in invoice.validation_findings} <= {"NO-R-002"}
    from kvitt.core.identifiers.no import kid

    assert kid.is_valid(invoice.kid, "MOD11", 7)
    doc = parse_document(invoice.document_xml.encode())
    assert doc.tax_total.subtotals[0].category.id == "O"


@pytest.mark.django_db
def test_credit_note_takes_lines_back_and_they_can_be_invoiced_again(clinic):
    case = clinic.assignment()
    first, second = clinic.event(case.sakid, day=2), clinic.event(case.sakid, day=9, amount=65000)
    invoice = services.build_case_invoice(clinic.clerk, case.sakid)
    with pytest.raises(services.InvoiceRefused):
        services.credit_invoice(clinic.clerk, invoice, reason=" ")
    credit = services.credit_invoice(clinic.clerk, invoice, reason="Timen 9. mars ble avlyst", event_ids=[second.event_id])
    assert credit.number == 2 and credit.is_credit_note and credit.credited_invoice == invoice
    assert credit.status == InvoiceStatus.VALIDATED, credit.validation_findings
    assert credit.total_amount == 65000
    doc = parse_document(credit.document_xml.encode())
    assert doc.kind == "CreditNote" and doc.billing_references[0].id == "1"
    assert [e.event_id for e in services.uninvoiced_events(clinic.company, case.sakid)] == [second.event_id]
    with pytest.raises(services.InvoiceRefused):
        services.credit_invoice(clinic.clerk, credit, reason="x")
    rest = services.credit_invoice(clinic.clerk, invoice, reason="Alt krediteres")
    assert [line.event_id for line in rest.lines.all()] == [first.event_id]
    with pytest.raises(services.InvoiceRefused):
        services.credit_invoice(clinic.clerk, invoice, reason="en gang til")


@pytest.mark.django_db
def test_a_failed_build_uses_no_number(clinic):
    case = clinic.assignment()
    clinic.event(case.sakid)
    clinic.company.kid_length = 2  # the number still fits ...
    clinic.company.save()
    InvoiceCounter.objects.create(company=clinic.company, last_number=41)  # ... but 42 does not fit in a 2-digit KID
    with pytest.raises(Exception):
        services.build_case_invoice(clinic.clerk, case.sakid)
    assert InvoiceCounter.objects.get(company=clinic.company).last_number == 41
    assert not OutgoingInvoice.objects.exists()
    clinic.company.kid_length = 10
    clinic.company.save()
    assert services.build_case_invoice(clinic.clerk, case.sakid).number == 42


@pytest.mark.django_db
def test_permissions(clinic):
    case = clinic.assignment()
    clinic.event(case.sakid)
    practitioner = f.member(clinic.company.organisation, Role.PRACTITIONER)
    with pytest.raises(PermissionDenied):
        services.build_case_invoice(practitioner, case.sakid)
    with pytest.raises(PermissionDenied):
        services.build_case_invoice(clinic.handler, case.sakid)
    invoice = services.build_case_invoice(clinic.clerk, case.sakid)
    stranger = Clinic(name="Annen Klinikk")
    with pytest.raises(PermissionDenied):
        services.credit_invoice(stranger.clerk, invoice, reason="x")
    with pytest.raises(PermissionDenied):
        services.queue_for_delivery(stranger.clerk, invoice)
    with pytest.raises(services.InvoiceRefused):
        services.build_case_invoice(clinic.clerk, "NO-SUCH-SAK")


@pytest.mark.django_db
def test_an_invalid_invoice_is_never_queued(clinic):
    clinic.payer.peppol_id = "9999:not-a-scheme"  # EAS code list: BR-CL-25 is fatal
    clinic.payer.save()
    case = clinic.assignment()
    clinic.event(case.sakid)
    invoice = services.build_case_invoice(clinic.clerk, case.sakid)
    assert invoice.status == InvoiceStatus.CREATED and invoice.fatal_findings
    with pytest.raises(services.InvoiceRefused):
        services.queue_for_delivery(clinic.clerk, invoice)
    assert not DeliveryOutbox.objects.exists()


def _queued(clinic, django_capture_on_commit_callbacks):
    case = clinic.assignment()
    clinic.event(case.sakid)
    invoice = services.build_case_invoice(clinic.clerk, case.sakid)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outbox = services.queue_for_delivery(clinic.clerk, invoice)
    assert len(callbacks) == 1  # the delivery task was enqueued after commit
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.QUEUED
    assert services.queue_for_delivery(clinic.clerk, invoice) == outbox  # queueing twice is harmless
    return invoice, outbox


def _now():
    return timezone.now() + datetime.timedelta(seconds=1)


@pytest.mark.django_db
def test_directory_delivery_and_status_file(clinic, tmp_path, django_capture_on_commit_callbacks):
    invoice, outbox = _queued(clinic, django_capture_on_commit_callbacks)
    T0 = _now()
    header, document = unwrap(bytes(outbox.envelope))
    assert header.message_id == invoice.message_id and header.sender == f"0192:{clinic.company.org_number}"
    assert document.decode().strip() == invoice.document_xml.strip()
    transport = DirectoryTransport(tmp_path)
    assert services.deliver_one(outbox.pk, now=T0, transport=transport) == OutboxStatus.ACCEPTED
    assert (tmp_path / f"{invoice.message_id}.xml").read_bytes() == bytes(outbox.envelope)
    assert services.poll_one(outbox.pk, now=T0 + datetime.timedelta(minutes=2), transport=transport) == OutboxStatus.ACCEPTED
    (tmp_path / "status").mkdir()
    (tmp_path / "status" / f"{invoice.message_id}.json").write_text(json.dumps({"status": "delivered"}))
    assert services.process_due(now=T0 + datetime.timedelta(hours=1), transport=transport) == {"delivered": 1}
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.DELIVERED and invoice.delivered_at


@pytest.mark.django_db
def test_http_access_point_down_then_up_delivers_exactly_once(clinic, django_capture_on_commit_callbacks):
    invoice, outbox = _queued(clinic, django_capture_on_commit_callbacks)
    T0 = _now()
    server = AccessPointServer(free_port())
    transport = HttpAccessPointTransport(server.base_url, token=server.token, timeout=5)

    assert services.deliver_one(outbox.pk, now=T0, transport=transport) == OutboxStatus.PENDING  # refused: down
    outbox.refresh_from_db()
    assert outbox.attempts == 1 and "unreachable" in outbox.last_error
    retry_at = outbox.next_attempt_at
    assert datetime.timedelta(minutes=5) < retry_at - T0 < datetime.timedelta(minutes=10)
    assert services.deliver_one(outbox.pk, now=T0 + datetime.timedelta(minutes=1), transport=transport) == OutboxStatus.PENDING
    assert DeliveryOutbox.objects.get(pk=outbox.pk).attempts == 1  # not due yet: not tried

    server.start()
    try:
        assert services.deliver_one(outbox.pk, now=retry_at, transport=transport) == OutboxStatus.ACCEPTED
        # A worker that sent and died before recording: the row is in flight with a lapsed lease.
        DeliveryOutbox.objects.filter(pk=outbox.pk).update(status=OutboxStatus.IN_FLIGHT, lease_until=retry_at, claimed_by="dead")
        later = retry_at + datetime.timedelta(minutes=5)
        assert services.deliver_one(outbox.pk, now=later, transport=transport) == OutboxStatus.ACCEPTED
        assert services.poll_one(outbox.pk, now=later + datetime.timedelta(minutes=2), transport=transport) == OutboxStatus.ACCEPTED
        assert services.poll_one(outbox.pk, now=later + datetime.timedelta(hours=1), transport=transport) == OutboxStatus.DELIVERED
    finally:
        server.stop()
    assert list(server.documents) == [invoice.message_id] and server.posts == 2
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.DELIVERED


@pytest.mark.django_db
def test_six_attempts_over_two_days_then_failed(clinic, django_capture_on_commit_callbacks):
    invoice, outbox = _queued(clinic, django_capture_on_commit_callbacks)
    T0 = _now()
    transport = HttpAccessPointTransport(f"http://127.0.0.1:{free_port()}/api", timeout=2)  # never up
    now = T0
    for attempt in range(1, 7):
        status = services.deliver_one(outbox.pk, now=now, transport=transport)
        row = DeliveryOutbox.objects.get(pk=outbox.pk)
        assert row.attempts == attempt
        if attempt < 6:
            assert status == OutboxStatus.PENDING
            now = row.next_attempt_at
    assert status == OutboxStatus.DEAD
    assert datetime.timedelta(days=2) - datetime.timedelta(seconds=1) <= now - T0 <= datetime.timedelta(days=2)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.FAILED and "unreachable" in invoice.last_error


@pytest.mark.django_db
def test_permanent_refusal_fails_at_once(clinic, django_capture_on_commit_callbacks):
    invoice, outbox = _queued(clinic, django_capture_on_commit_callbacks)
    T0 = _now()
    server = AccessPointServer(free_port()).start()
    server.script = [(422, {"error": "receiver not registered for this document type"}, {})]
    try:
        status = services.deliver_one(outbox.pk, now=T0, transport=HttpAccessPointTransport(server.base_url, token=server.token))
    finally:
        server.stop()
    assert status == OutboxStatus.DEAD
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.FAILED and "not registered" in invoice.last_error


@pytest.mark.django_db
def test_webhook_status_and_receiver_response(clinic, tmp_path, django_capture_on_commit_callbacks):
    invoice, outbox = _queued(clinic, django_capture_on_commit_callbacks)
    T0 = _now()
    services.deliver_one(outbox.pk, now=T0, transport=DirectoryTransport(tmp_path))
    services.record_access_point_status(invoice.message_id, {"status": "delivered", "id": "x"})
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.DELIVERED
    insurer = f.case_handler(clinic.payer)
    updated = services.record_receiver_response(insurer, invoice, "AP", "Godkjent")
    assert updated.receiver_response == "AP" and updated.receiver_response_note == "Godkjent"
    with pytest.raises(services.InvoiceRefused):
        services.record_receiver_response(insurer, invoice, "XX")
    with pytest.raises(PermissionDenied):
        services.record_receiver_response(Clinic(name="Tredje").clerk, invoice, "RE")


@pytest.mark.django_db
def test_cli_build(clinic, tmp_path, capsys):
    case = clinic.assignment()
    clinic.event(case.sakid)
    out = tmp_path / "invoice.xml"
    call_command("ehf", "build", "--case", case.sakid, "--out", str(out), "--issue-date", "2026-03-20")
    doc = parse_document(out.read_bytes())
    assert doc.sak_id == case.sakid and doc.issue_date == datetime.date(2026, 3, 20)
    assert "status validated" in capsys.readouterr().out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("ehf", "build", "--case", case.sakid)  # nothing left
    with pytest.raises(CommandError):
        call_command("ehf_build", "--case", "UNKNOWN")
    # The brief's calling convention: run_build(options, stdout).
    import io

    from kvitt.einvoice import cli_build

    clinic.event(case.sakid, day=20)
    buffer = io.StringIO()
    assert cli_build.run_build({"case": case.sakid, "due_days": 10}, buffer) == 0
    assert "<cac:OrderReference>" in buffer.getvalue() and case.sakid in buffer.getvalue() and "status validated" in buffer.getvalue()


@pytest.mark.django_db(transaction=True)
def test_concurrent_builds_get_unique_gap_free_numbers():
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict.get("TEST", {}).get("NAME") or ":memory:"):
        pytest.skip("needs a file database for real locking")
    clinic = Clinic()
    cases = [clinic.assignment() for _ in range(6)]
    for case in cases:
        clinic.event(case.sakid)
    numbers, errors = [], []

    def build(sakid):
        try:
            numbers.append(services.build_case_invoice(clinic.clerk, sakid).number)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=build, args=(c.sakid,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == [1, 2, 3, 4, 5, 6]
    assert InvoiceCounter.objects.get(company=clinic.company).last_number == 6


def _invoice_response(invoice, code="CA", sender_org=None):
    from kvitt.claims import invoice_response as ir

    return ir.build_invoice_response(ir.InvoiceResponse(
        id=f"IR-{invoice.number}", issue_date=invoice.issue_date, response_code=code,
        sender=ir.ResponseParty(sender_org or invoice.payer.org_number, "0192", invoice.payer.name),
        receiver=ir.ResponseParty(invoice.company.org_number, "0192", invoice.company.name),
        document_id=str(invoice.number), document_type_code="380", document_issue_date=invoice.issue_date,
        statuses=(ir.Status("QTY", reason="Linje 1: ingen behandlinger igjen"), ir.Status("CNA", ir.STATUS_ACTION_LIST)),
    ))


@pytest.mark.django_db
def test_inbound_invoice_response_sets_the_receiver_response(clinic):
    import datetime as dt

    from lxml import etree

    from kvitt.einvoice import sbdh

    case = clinic.assignment()
    clinic.event(case.sakid)
    invoice = services.build_case_invoice(clinic.clerk, case.sakid)
    updated = services.apply_invoice_response(_invoice_response(invoice))
    assert updated.pk == invoice.pk and updated.receiver_response == "CA"
    assert "QTY: Linje 1: ingen behandlinger igjen" in updated.receiver_response_note and "CNA" in updated.receiver_response_note

    bare = _invoice_response(invoice, code="AP")
    header = sbdh.SbdhHeader(
        sender=f"0192:{invoice.payer.org_number}", receiver=f"0192:{invoice.company.org_number}",
        standard="urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2", type_version="2.1",
        instance_identifier="ir-1", document_type="ApplicationResponse",
        created=dt.datetime(2026, 4, 1, tzinfo=dt.timezone.utc),
        document_id="urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2::ApplicationResponse##urn:fdc:peppol.eu:poacc:trns:invoice_response:3::2.1",
        process_id="urn:fdc:peppol.eu:poacc:bis:invoice_response:3", country_c1="NO",
    )
    envelope = sbdh.wrap_with_header(etree.fromstring(bare), header)
    assert services.apply_invoice_response(envelope).receiver_response == "AP"

    with pytest.raises(PermissionDenied):
        services.apply_invoice_response(_invoice_response(invoice, sender_org="974760673"))
    with pytest.raises(services.InvoiceRefused):
        services.apply_invoice_response(b"<not-a-response/>")


@pytest.mark.django_db
def test_configured_vatex_code_for_category_e(clinic, settings):
    settings.KVITT_EHF_VAT_E_REASON_CODE = "VATEX-EU-132-1C"
    case = clinic.assignment()
    clinic.event(case.sakid)
    invoice = services.build_case_invoice(clinic.clerk, case.sakid)
    category = parse_document(invoice.document_xml.encode()).tax_total.subtotals[0].category
    assert category.exemption_reason_code == "VATEX-EU-132-1C" and "§ 3-2" in category.exemption_reason
    assert invoice.status == InvoiceStatus.VALIDATED, invoice.fatal_findings


@pytest.mark.django_db
def test_series_can_start_where_the_old_system_stopped(clinic):
    admin = f.clinic_admin(clinic.company)
    with pytest.raises(PermissionDenied):
        services.start_numbering_at(clinic.clerk, 5000)
    with pytest.raises(services.InvoiceRefused):
        services.start_numbering_at(admin, 0)
    services.start_numbering_at(admin, 5000)
    case = clinic.assignment()
    clinic.event(case.sakid)
    assert services.build_case_invoice(clinic.clerk, case.sakid).number == 5000
    with pytest.raises(services.InvoiceRefused):
        services.start_numbering_at(admin, 1)
