"""Acceptance: two region tenants over real HTTPS with mutual TLS on localhost.

A builds, checks and sends; B receives and stores; A invoices; B matches; B disputes a
line; A credits and re-debits; B's match balances.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from kvitt.core.models import AuditEntry
from kvitt.interregion import selectors, services
from kvitt.interregion.models import (
    CarePricing,
    ClaimSpecification,
    Delivery,
    DeliveryStatus,
    Direction,
    DisputeStatus,
    InvoiceMatch,
    RegionInvoice,
    SpecStatus,
)

from .conftest import A_HSA, B_ORG, link_a_to_b

pytestmark = pytest.mark.django_db(transaction=True)


def deliver(pauses=None):
    return services.deliver_pending(sleep=(pauses.append if pauses is not None else lambda s: None))


def received(regions, basis_id):
    return ClaimSpecification.objects.get(organisation=regions["b"].organisation, direction=Direction.RECEIVED, basis_id=basis_id)


def send_and_invoice(regions, row):
    a, b = regions["a"], regions["b"]
    services.queue_for_delivery(a.actor, row)
    assert deliver() == 1
    row.refresh_from_db()
    assert row.status == SpecStatus.SENT, row.result_comment
    invoice = services.issue_invoice(a.actor, row)
    # The invoice travels by Peppol (the einvoice app's access point); here it is handed over as bytes.
    return services.receive_invoice(b.organisation, invoice.xml.encode("utf-8"))


def test_two_regions_bill_dispute_credit_and_balance(regions, billed_month, producer_b, pki):
    a, b = regions["a"], regions["b"]
    link_a_to_b(regions, pki, producer_b)

    # A builds and checks September: one basis to Uppsala, the local patient is not billed.
    report = services.build_month(a.actor, 2026, 9)
    [basis] = report.specifications
    assert report.skipped == []
    assert basis.status == SpecStatus.READY and basis.findings == []
    assert basis.customer_org_number == B_ORG and len(basis.basis_id) == 23 and basis.basis_id.startswith("ZVF2321000016")
    assert basis.payable_amount == 155000 + 4492300  # (1850 − 300) + (45 123 − 200)
    assert sorted(basis.lines.values_list("patient_national_id", flat=True)) == ["191212121212", "197010632391"]
    assert services.build_month(a.actor, 2026, 9).specifications == []  # nothing is billed twice

    # A sends over mutual TLS; B stores it; A invoices; B matches.
    invoice = send_and_invoice(regions, basis)
    stored = received(regions, basis.basis_id)
    assert stored.caller_hsa_id == A_HSA and stored.payable_amount == basis.payable_amount
    assert invoice.match == InvoiceMatch.MATCHED and invoice.specification == stored
    assert selectors.match_overview(b.actor).balanced

    # B's officer reads the patients (audited) and disputes the inpatient line's price.
    lines = selectors.received_lines(b.actor, stored)
    assert {l.patient_national_id for l in lines} == {"191212121212", "197010632391"}
    assert AuditEntry.objects.filter(organisation=b.organisation, action="read", object_type="interregion.ClaimLine").count() == 2
    inpatient_line = next(l for l in lines if l.type_of_care == "02")
    dispute = services.dispute_line(b.actor, stored, inpatient_line.line_id, reason_code="2", reason="DRG-priset enligt 2026 års prislista är 44 000 kr")
    assert not selectors.match_overview(b.actor).balanced  # an open dispute
    assert list(selectors.disputes_for(a.actor)) == [dispute]  # the care region sees it too

    # A corrects the price, credits the line (381 with reason and references) and re-debits it.
    CarePricing.objects.filter(event_id=billed_month["events"]["olle"].event_id).update(drg_price=4400000)
    credit = services.credit_lines(a.actor, basis, [inpatient_line.line_id], reason_for_credit="2")
    assert credit.status == SpecStatus.READY, credit.findings
    assert credit.type_of_invoice == "381" and credit.reference_basis_id == basis.basis_id
    [credit_line] = credit.lines.all()
    assert credit_line.reference_to_line_id == inpatient_line.line_id and credit_line.reason_for_credit == "2"
    credit_invoice = send_and_invoice(regions, credit)
    assert credit_invoice.kind == "381" and credit_invoice.match == InvoiceMatch.MATCHED
    assert credit_invoice.credited_invoice == invoice.number

    outpatient_line = next(l for l in lines if l.type_of_care == "01")
    with pytest.raises(ValidationError, match="before billing them again"):
        services.rebill_lines(a.actor, basis, [outpatient_line.line_id])  # not credited: would bill twice
    rebill = services.rebill_lines(a.actor, basis, [inpatient_line.line_id])
    assert rebill.type_of_invoice == "380" and rebill.payable_amount == 4400000 - 20000
    rebill_invoice = send_and_invoice(regions, rebill)
    assert rebill_invoice.match == InvoiceMatch.MATCHED

    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.CREDITED
    assert (dispute.credit_basis_id, dispute.rebill_basis_id) == (credit.basis_id, rebill.basis_id)

    # B's match balances: 1550 + 44 923 − 44 923 + 43 800 on both sides.
    overview = selectors.match_overview(b.actor, a.organisation.org_number)
    assert overview.balanced
    assert overview.basis_total == overview.invoice_total == 155000 + 4400000 - 20000
    chain = [r.basis_id for r in selectors.chain(b.actor, basis.basis_id)]
    assert chain == [basis.basis_id, credit.basis_id, rebill.basis_id]
    assert [r.basis_id for r in selectors.chain(a.actor, basis.basis_id)] == chain


def test_invoice_differing_by_more_than_one_krona_is_flagged(regions, billed_month, producer_b, pki):
    a, b = regions["a"], regions["b"]
    link_a_to_b(regions, pki, producer_b)
    [basis] = services.build_month(a.actor, 2026, 9).specifications
    services.queue_for_delivery(a.actor, basis)
    deliver()
    xml = services.issue_invoice(a.actor, basis).xml
    kronor = basis.payable_amount // 100

    def variant(number: str, extra_kronor: int) -> bytes:
        text = xml.replace(f">{kronor}.00<", f">{kronor + extra_kronor}.00<")
        return text.replace("<cbc:ID>UTL", f"<cbc:ID>{number}UTL", 1).encode()

    one_krona_off = services.receive_invoice(b.organisation, variant("A", 1))
    assert (one_krona_off.match, one_krona_off.difference) == (InvoiceMatch.MATCHED, 100)
    assert selectors.match_overview(b.actor).balanced
    two_kronor_off = services.receive_invoice(b.organisation, variant("B", 2))
    assert (two_kronor_off.match, two_kronor_off.difference) == (InvoiceMatch.DIFFERENCE, 200)
    [row] = selectors.match_overview(b.actor).rows
    assert row.flagged and row.invoice_numbers == [one_krona_off.number, two_kronor_off.number]
    assert list(selectors.flagged_invoices(b.actor)) == [two_kronor_off]


def test_basis_refused_by_the_home_region_goes_back_with_the_comment(regions, billed_month, producer_b, pki):
    a = regions["a"]
    link_a_to_b(regions, pki, producer_b)
    [basis] = services.build_month(a.actor, 2026, 9).specifications
    # Someone edits the stored request after the check: B's rules catch it (ÖR5).
    old = f"<core:amount>{basis.payable_amount // 100}.00</core:amount>"
    assert old in basis.request_xml
    ClaimSpecification.objects.filter(pk=basis.pk).update(request_xml=basis.request_xml.replace(old, "<core:amount>1.00</core:amount>", 1))
    services.queue_for_delivery(a.actor, basis)
    deliver()
    basis.refresh_from_db()
    assert basis.status == SpecStatus.REJECTED
    assert "Id: ÖR5" in basis.result_comment and "payableAmount/amount" in basis.result_comment
    assert not ClaimSpecification.objects.filter(direction=Direction.RECEIVED).exists()
    with pytest.raises(ValidationError):
        services.issue_invoice(a.actor, basis)
    # corrected and built again: a new basis with a new id replaces the rejected one
    [again] = services.build_month(a.actor, 2026, 9).specifications
    basis.refresh_from_db()
    assert again.basis_id != basis.basis_id and again.lines.count() == 2
    assert (basis.status, basis.replaced_by) == (SpecStatus.WITHDRAWN, again)


def test_unauthorised_certificate_is_refused_and_nothing_is_stored(regions, billed_month, producer_b, pki):
    a = regions["a"]
    link_a_to_b(regions, pki, producer_b, who="stranger")
    [basis] = services.build_month(a.actor, 2026, 9).specifications
    services.queue_for_delivery(a.actor, basis)
    deliver()
    basis.refresh_from_db()
    delivery = Delivery.objects.get(specification=basis)
    assert basis.status == SpecStatus.UNDELIVERED and delivery.status == DeliveryStatus.FAILED
    assert "not authorised" in basis.result_comment and delivery.attempts == 1  # refusals are not resent
    assert not ClaimSpecification.objects.filter(direction=Direction.RECEIVED).exists()


def test_plain_http_is_refused(regions, billed_month, producer_b, pki):
    a = regions["a"]
    port = producer_b.server_address[1]
    link_a_to_b(regions, pki, producer_b, url=f"http://127.0.0.1:{port}/")
    [basis] = services.build_month(a.actor, 2026, 9).specifications
    services.queue_for_delivery(a.actor, basis)
    deliver()
    basis.refresh_from_db()
    assert basis.status == SpecStatus.UNDELIVERED and "https" in basis.result_comment
    assert not ClaimSpecification.objects.filter(direction=Direction.RECEIVED).exists()


def test_unreachable_producer_is_resent_with_backoff_then_given_up(regions, billed_month, pki):
    from kvitt.interregion.transport import free_port

    a = regions["a"]
    link = link_a_to_b(regions, pki, None, url=f"https://127.0.0.1:{free_port()}/")
    [basis] = services.build_month(a.actor, 2026, 9).specifications
    services.queue_for_delivery(a.actor, basis)
    pauses = []
    deliver(pauses)
    basis.refresh_from_db()
    assert basis.status == SpecStatus.UNDELIVERED
    assert Delivery.objects.get(specification=basis).attempts == link.max_attempts == 3
    assert pauses == [5.0, 10.0]


def test_every_inter_regional_invoice_is_free_of_patient_data(regions, billed_month, producer_b, pki):
    """Scan every invoice Kvitt built in a full month (debit, credit, re-debit) for patient data."""
    a = regions["a"]
    link_a_to_b(regions, pki, producer_b)
    [basis] = services.build_month(a.actor, 2026, 9).specifications
    send_and_invoice(regions, basis)
    line = basis.lines.get(type_of_care="02")
    credit = services.credit_lines(a.actor, basis, [line.line_id], reason_for_credit="2")
    send_and_invoice(regions, credit)
    send_and_invoice(regions, services.rebill_lines(a.actor, basis, [line.line_id]))

    invoices = list(RegionInvoice.objects.all())
    assert len(invoices) == 6  # three sent by A, three received by B
    forbidden = set()
    for patient in billed_month["patients"]:
        number = patient.national_id
        forbidden |= {number, number[2:], f"{number[:8]}-{number[8:]}", f"{number[2:8]}-{number[8:]}", patient.name}
        forbidden |= set(patient.name.split())
        forbidden.add(patient.birth_date.isoformat())
    for event in billed_month["events"].values():
        forbidden |= {event.external_id, str(event.event_id)}
        forbidden |= {d["code"] for d in event.diagnoses}
    for invoice in invoices:
        for value in forbidden:
            assert value not in invoice.xml, f"invoice {invoice.number} contains patient data {value!r}"
        assert basis.basis_id in invoice.xml or credit.basis_id in invoice.xml or "ZVF" in invoice.xml
