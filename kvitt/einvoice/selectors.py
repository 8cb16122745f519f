"""Reads of outgoing EHF invoices and of what is still to invoice; reads of clinical data are audited."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet

from kvitt.core import audit
from kvitt.core.models import OrganisationKind
from kvitt.core.permissions import Actor, PermissionDenied, require_privacy
from kvitt.einvoice import services
from kvitt.einvoice.models import OutgoingInvoice
from kvitt.ledger.models import CareEvent, Route


def invoices_for(actor: Actor) -> QuerySet[OutgoingInvoice]:
    """The clinic's own invoices, or for a payer the invoices addressed to it."""
    # The XML is encrypted and large: lists leave it in the database; one invoice loads it on use.
    base = OutgoingInvoice.objects.select_related("company", "payer", "credited_invoice").defer("document_xml")
    if actor.organisation.kind == OrganisationKind.CLINIC_COMPANY:
        return base.filter(company__organisation=actor.organisation)
    if actor.organisation.kind in (OrganisationKind.INSURER, OrganisationKind.PUBLIC_PAYER):
        return base.filter(payer__organisation=actor.organisation)
    raise PermissionDenied("only clinics and payers see EHF invoices")


def get_invoice(actor: Actor, pk: int) -> OutgoingInvoice:
    invoice = invoices_for(actor).filter(pk=pk).first()
    if invoice is None:
        raise PermissionDenied("invoice not found or not yours")
    return invoice


def invoice_document(actor: Actor, invoice: OutgoingInvoice, *, reason: str) -> bytes:
    """The UBL XML, which carries patient id and diagnoses: the read is audit-logged."""
    require_privacy(actor, ("identity", "clinical"))
    first_line = invoice.lines.select_related("care_event").first()
    audit.record(
        actor, "read", invoice, privacy=("identity", "clinical", "financial"), fields=("document_xml",), reason=reason,
        patient=first_line.care_event.patient if first_line else None,
    )
    return invoice.document_xml.encode("utf-8")


def cases_to_invoice(actor: Actor) -> list[dict]:
    """SakIDs with insurer-routed care events not yet on an invoice, with counts and sums (øre)."""
    company = services.company_of(actor)
    sak_ids = (
        CareEvent.objects.filter(company=company, is_current=True, voided=False)
        .exclude(case_ref="")
        .values_list("case_ref", flat=True)
        .distinct()
    )
    summary: dict[str, dict] = defaultdict(lambda: {"count": 0, "amount": 0, "first": None, "last": None})
    for sak_id in sorted(set(sak_ids)):
        for event in services.uninvoiced_events(company, sak_id):
            row = summary[sak_id]
            row["count"] += 1
            row["amount"] += int(event.amounts.get(Route.INSURER, 0))
            row["first"] = min(filter(None, (row["first"], event.start)))
            row["last"] = max(filter(None, (row["last"], event.start)))
    return [{"sak_id": sak_id, **row} for sak_id, row in summary.items()]


def uninvoiced_for_case(actor: Actor, sak_id: str, *, reason: str) -> list[CareEvent]:
    company = services.company_of(actor)
    require_privacy(actor, ("identity", "clinical"))
    events = services.uninvoiced_events(company, sak_id)
    audit.record_many(
        actor, "read", events, privacy=("identity", "clinical", "financial"), fields=("service_codes", "amounts", "patient"),
        reason=reason, patient_of=lambda e: e.patient,
    )
    return events
