"""Receiving, validating, overriding and answering inbound invoices, in the database."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from kvitt.cases.models import UsageEntry, UsageKind
from kvitt.cases.selectors import remaining_coverage
from kvitt.claims import invoice_response as ir
from kvitt.claims import services
from kvitt.claims.models import InboundInvoice, InboundStatus, NoticeOutbox, OutboxKind, Source
from kvitt.core.models import AuditEntry

from tests.claims import invoices as f
from tests.claims.world import at, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def _receive_and_validate(world, data, source=Source.WEBHOOK):
    invoice, created = services.receive(world.handler, data, source)
    assert created
    return services.validate_invoice(world.handler, invoice)


def _consumed(assignment) -> tuple[int, int]:
    left = remaining_coverage(assignment)
    return left.consumed_treatments, left.consumed_amount


def test_receive_keeps_the_original_bytes_and_reads_the_document(world):
    data = world.envelope(f.line(at(2)))
    invoice, created = services.receive(world.handler, data)
    assert created and bytes(invoice.original) == data
    assert invoice.message_id and invoice.kind == "Invoice" and invoice.number == "1001"
    assert invoice.company == world.company and invoice.assignment == world.assignment
    assert invoice.payable_amount == 85_000 and invoice.status == InboundStatus.RECEIVED
    assert invoice.due_at > invoice.received_at
    again, created_again = services.receive(world.handler, data)
    assert again.pk == invoice.pk and not created_again
    assert AuditEntry.objects.filter(action="receive", object_id=str(invoice.pk)).exists()


def test_bare_ubl_is_accepted_and_garbage_is_kept_as_unreadable(world):
    bare, _ = services.receive(world.handler, world.invoice_bytes(number="7"))
    assert bare.message_id == "" and bare.number == "7"
    junk, _ = services.receive(world.handler, b"<Invoice>not UBL</Invoice>")
    assert junk.status == InboundStatus.UNREADABLE and "Invoice" in junk.parse_error
    with pytest.raises(services.ClaimRefused):
        services.validate_invoice(world.handler, junk)


def test_only_the_insurer_receives(world):
    from tests.cases import factories as cf

    clinic = cf.clinic_admin(world.company)
    with pytest.raises(PermissionDenied):
        services.receive(clinic, world.invoice_bytes())


def test_approved_invoice_consumes_coverage_and_answers_ap_without_email(world):
    invoice = _receive_and_validate(world, world.invoice_bytes(f.line(at(2)), f.line(at(3), price="650.00")))
    assert invoice.status == InboundStatus.APPROVED and invoice.approved_amount == 150_000
    assert _consumed(world.assignment) == (2, 150_000)
    notices = list(NoticeOutbox.objects.filter(invoice=invoice))
    assert [n.kind for n in notices] == [OutboxKind.INVOICE_RESPONSE]
    header, payload = ir.unwrap_response(bytes(notices[0].payload))
    assert header.receiver == f"0192:{world.company.org_number}" and header.document_type == "ApplicationResponse"
    response = ir.parse_invoice_response(payload)
    assert response.response_code == "AP" and response.document_id == "1001"


def test_deviation_mails_the_company_in_its_language(world):
    world.company.language = "sv"
    world.company.save()
    world.assignment.max_treatments = 1
    world.assignment.save()
    invoice = _receive_and_validate(world, world.invoice_bytes(f.line(at(2)), f.line(at(3))))
    assert invoice.status == InboundStatus.DEVIATION and invoice.approved_amount == 85_000
    mail = NoticeOutbox.objects.get(invoice=invoice, kind=OutboxKind.EMAIL)
    assert mail.recipient == "faktura@fysio.example"
    assert "godkänd med avvikelser" in mail.subject
    assert "[CLM-209] Rad 2:" in mail.body
    response = ir.parse_invoice_response(ir.unwrap_response(bytes(NoticeOutbox.objects.get(invoice=invoice, kind=OutboxKind.INVOICE_RESPONSE).payload))[1])
    assert response.response_code == "CA"


def test_same_treatment_time_on_a_later_invoice_is_a_duplicate(world):
    first = _receive_and_validate(world, world.invoice_bytes(f.line(at(2)), number="1"))
    second = _receive_and_validate(world, world.invoice_bytes(f.line(at(2)), f.line(at(3)), number="2"))
    assert first.status == InboundStatus.APPROVED
    assert second.status == InboundStatus.DEVIATION
    finding = second.findings.get(code="CLM-212")
    assert finding.line_id == "1" and "1 #1" in finding.message("en")
    assert _consumed(world.assignment) == (2, 170_000)


def test_same_invoice_number_again_is_rejected(world):
    _receive_and_validate(world, world.invoice_bytes(f.line(at(2)), number="55"))
    again = _receive_and_validate(world, world.invoice_bytes(f.line(at(4)), number="55"))
    assert again.status == InboundStatus.REJECTED
    assert list(again.findings.values_list("code", flat=True)) == ["CLM-108"]


def test_coverage_runs_out_across_invoices(world):
    world.assignment.max_treatments = 3
    world.assignment.save()
    a = _receive_and_validate(world, world.invoice_bytes(f.line(at(2)), f.line(at(3)), number="1"))
    b = _receive_and_validate(world, world.invoice_bytes(f.line(at(4)), f.line(at(5)), number="2"))
    c = _receive_and_validate(world, world.invoice_bytes(f.line(at(6)), number="3"))
    assert (a.status, b.status, c.status) == (InboundStatus.APPROVED, InboundStatus.DEVIATION, InboundStatus.REJECTED)
    assert _consumed(world.assignment) == (3, 255_000)
    assert list(c.findings.values_list("code", flat=True)) == ["CLM-209"]


def test_revalidation_does_not_consume_twice(world):
    invoice = _receive_and_validate(world, world.invoice_bytes(f.line(at(2))))
    again = services.validate_invoice(world.handler, invoice)
    assert again.validation_runs == 2 and again.status == InboundStatus.APPROVED
    assert _consumed(world.assignment) == (1, 85_000)
    kinds = list(UsageEntry.objects.filter(assignment=world.assignment).values_list("kind", flat=True))
    assert kinds == [UsageKind.CONSUME, UsageKind.REVERSE, UsageKind.CONSUME]


def test_override_with_reason_approves_and_is_audited(world):
    invoice = _receive_and_validate(world, world.invoice_bytes(f.line(at(2), code="B7777")))
    assert invoice.status == InboundStatus.REJECTED
    with pytest.raises(services.ClaimRefused, match="reason"):
        services.override_finding(world.handler, invoice, "CLM-203", "1", "ok")
    invoice = services.override_finding(world.handler, invoice, "CLM-203", "1", "Avtalt pr telefon med klinikken")
    assert invoice.status == InboundStatus.APPROVED and invoice.validation_runs == 2
    assert invoice.findings.get(run=2, code="CLM-203").waived
    assert AuditEntry.objects.filter(action="override", object_id=str(invoice.pk), reason__contains="Avtalt").exists()
    assert _consumed(world.assignment) == (1, 85_000)


def test_coverage_findings_cannot_be_overridden(world):
    world.assignment.max_treatments = 1
    world.assignment.save()
    invoice = _receive_and_validate(world, world.invoice_bytes(f.line(at(2)), f.line(at(3))))
    with pytest.raises(services.ClaimRefused, match="cannot be overridden"):
        services.override_finding(world.handler, invoice, "CLM-209", "2", "Pasienten trenger det")


def test_credit_note_gives_the_coverage_back(world):
    _receive_and_validate(world, world.invoice_bytes(f.line(at(2)), f.line(at(3)), number="10"))
    assert _consumed(world.assignment) == (2, 170_000)
    credit = _receive_and_validate(world, world.credit_note_bytes("10", "11", f.line(at(3))))
    assert credit.status == InboundStatus.APPROVED
    assert _consumed(world.assignment) == (1, 85_000)
    # The credited treatment time may now be billed again.
    rebill = _receive_and_validate(world, world.invoice_bytes(f.line(at(3)), number="12"))
    assert rebill.status == InboundStatus.APPROVED, list(rebill.findings.values_list("code", "params"))


def test_credit_note_for_an_unknown_invoice_is_rejected(world):
    credit = _receive_and_validate(world, world.credit_note_bytes("999", "11", f.line(at(3))))
    assert credit.status == InboundStatus.REJECTED
    assert list(credit.findings.values_list("code", flat=True)) == ["CLM-110"]


def test_receive_from_a_directory(world, tmp_path):
    (tmp_path / "a.xml").write_bytes(world.envelope(f.line(at(2)), number="21"))
    (tmp_path / "b.xml").write_bytes(world.invoice_bytes(f.line(at(3)), number="22"))
    results = services.receive_directory(world.handler, tmp_path)
    assert [(name, created) for name, _, created in results] == [("a.xml", True), ("b.xml", True)]
    assert sorted(p.name for p in (tmp_path / "received").iterdir()) == ["a.xml", "b.xml"]
    assert {inv.source for _, inv, _ in results} == {Source.DIRECTORY}


def test_batch_validates_waiting_invoices_oldest_first(world):
    from kvitt.claims.models import ClaimsSettings, ValidationFrequency

    ClaimsSettings.objects.create(payer=world.payer, frequency=ValidationFrequency.HOURLY)
    for n in ("1", "2"):
        services.receive(world.handler, world.invoice_bytes(f.line(at(int(n) + 1)), number=n))
    assert services.run_due_batches() == {world.payer.pk: {InboundStatus.APPROVED: 2}}
    assert services.run_due_batches() == {}  # the next hourly run is not due yet


def test_raise_exception_on_an_approved_invoice_mails_the_clinic(world):
    invoice = _receive_and_validate(world, world.invoice_bytes(f.line(at(2))))
    row = services.raise_exception(world.handler, invoice, "Journalnotat mangler for behandlingen 2. mars")
    assert row.recipient == "faktura@fysio.example" and "Avvik funnet i etterkant" in row.subject


def test_sakid_of_another_insurer_is_not_linked_and_is_rejected(world):
    other = make_world()
    data = world.invoice_bytes(f.line(at(2)), sak_id=other.assignment.sakid, number="61")
    invoice, _ = services.receive(world.handler, data)
    assert invoice.assignment is None and invoice.sak_id == other.assignment.sakid
    receive_audit = AuditEntry.objects.get(action="receive", object_id=str(invoice.pk))
    assert receive_audit.patient is None
    invoice = services.validate_invoice(world.handler, invoice)
    assert list(invoice.findings.values_list("code", flat=True)) == ["CLM-104"]
    assert _consumed(other.assignment) == (0, 0)


def test_a_batch_carries_coverage_and_billed_times_from_one_invoice_to_the_next(world):
    """Invoices of one assignment in one chunk: each sees what the ones before it consumed and billed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = make_world(max_treatments=2)
    ids = [
        services.receive(small.handler, small.invoice_bytes(f.line(at(2)), number="71"))[0].pk,
        services.receive(small.handler, small.invoice_bytes(f.line(at(2)), number="72"))[0].pk,  # the same time again
        services.receive(small.handler, small.invoice_bytes(f.line(at(3)), number="73"))[0].pk,
        services.receive(small.handler, small.invoice_bytes(f.line(at(4)), number="74"))[0].pk,  # coverage used up
        services.receive(small.handler, b"<not-xml", Source.UPLOAD)[0].pk,  # unreadable: reported, the rest go on
    ]
    with CaptureQueriesContext(connection) as queries:
        results = list(services.validate_many(services.worker_actor(small.payer), ids))
    assert [status for _pk, status, _s in results] == ["approved", "rejected", "approved", "rejected", "error"]
    codes = {pk: list(InboundInvoice.objects.get(pk=pk).findings.values_list("code", flat=True)) for pk in ids[:4]}
    assert codes[ids[1]] == ["CLM-212"] and codes[ids[3]] == ["CLM-209"]
    assert _consumed(small.assignment) == (2, 170_000)
    # A handful of statements per chunk, not some twenty per invoice (the reads are set-wise).
    assert len(queries.captured_queries) < 45, [q["sql"][:80] for q in queries.captured_queries]


def test_a_credit_note_in_the_same_batch_as_its_invoice_gives_the_coverage_back(world):
    invoice = services.receive(world.handler, world.invoice_bytes(f.line(at(2)), f.line(at(3)), number="81"))[0]
    note = services.receive(world.handler, world.credit_note_bytes("81", "C81", f.line(at(3))))[0]
    results = list(services.validate_many(services.worker_actor(world.payer), [invoice.pk, note.pk]))
    assert [status for _pk, status, _s in results] == ["approved", "approved"]
    assert _consumed(world.assignment) == (1, 85_000)
    assert list(invoice.lines.order_by("line_id").values_list("outcome", flat=True)) == ["approved", "credited"]
