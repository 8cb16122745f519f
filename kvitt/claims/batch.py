"""What the validators need for a chunk of invoices, read in a handful of queries under the locks.

``validate_many`` validates invoices in chunks (one transaction each). Per invoice the validators
need the assignment and its remaining coverage, the supplier's approvals and practitioners,
the numbers already received and the treatment times already billed. Read one invoice at a time
that is some twenty queries; here a chunk locks its assignments in one statement (id order, so
two workers cannot deadlock), then reads everything else set-wise. The context is then kept in
step with what each invoice writes (coverage consumed, lines billed), so the next invoice of the
same assignment in the chunk sees it, exactly as if it had read the database again.

A single validation (an override, a re-run from the page) uses the same context for one invoice.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from kvitt.cases import services as case_services
from kvitt.cases.models import Assignment
from kvitt.claims.models import InboundInvoice, InboundLine, InboundStatus, Override
from kvitt.claims.validators import ApprovalSnapshot, AssignmentSnapshot, PractitionerSnapshot, Snapshot
from kvitt.einvoice.model import Document
from kvitt.network.models import PartnerApproval, Payer, Practitioner

BILLED_OUTCOMES = ("approved", "deviation")


@dataclass
class ValidationContext:
    payer: Payer
    invoices: dict[int, InboundInvoice]  # row-locked, in the order given
    ledgers: dict[int, case_services.Ledger]  # by assignment id
    approvals: dict[int, tuple[ApprovalSnapshot, ...]]  # by company id
    practitioners: dict[int, tuple[PractitionerSnapshot, ...]]  # by company id
    # (supplier org number, number) -> [(invoice pk, kind)] of the payer's readable documents
    numbers: dict[tuple[str, str], list[tuple[int, str]]]
    # SakID -> treatment time -> {invoice pk: "number #line"} of invoice lines approved or deviated
    billed: dict[str, dict[str, dict[int, str]]]
    overrides: dict[int, frozenset]
    previous_lines: dict[int, list[InboundLine]] = field(default_factory=dict)

    def ledger(self, invoice: InboundInvoice) -> case_services.Ledger | None:
        return self.ledgers.get(invoice.assignment_id) if invoice.assignment_id else None

    # --- the snapshot -------------------------------------------------------------------------

    def snapshot(self, invoice: InboundInvoice, doc: Document, now: datetime.datetime, ehf_errors: tuple) -> Snapshot:
        ledger = self.ledger(invoice)
        supplier = invoice.supplier_org_number
        same_number = self.numbers.get((supplier, invoice.number), [])
        credited = [r.id for r in doc.billing_references]
        known = {
            (supplier, n) for n in credited
            for pk, kind in self.numbers.get((supplier, n), []) if kind == "Invoice" and pk != invoice.pk
        }
        billed = {}
        if invoice.sak_id:
            for moment, by_invoice in self.billed.get(invoice.sak_id, {}).items():
                where = next((w for pk, w in by_invoice.items() if pk != invoice.pk), None)
                if where is not None:
                    billed[(invoice.sak_id, moment)] = where
        company_id = invoice.company_id
        return Snapshot(
            insurer_org_number=self.payer.org_number,
            now=now,
            assignment=assignment_snapshot(ledger) if ledger is not None else None,
            company_known=company_id is not None,
            approvals=self.approvals.get(company_id, ()) if company_id else (),
            practitioners=self.practitioners.get(company_id, ()) if company_id else (),
            received_documents=frozenset((supplier, invoice.number) for pk, _kind in same_number if pk < invoice.pk),
            known_invoices=frozenset(known),
            billed_treatments=billed,
            ehf_errors=ehf_errors,
            foreign_assignment=ledger is None and bool(invoice.sak_id)
            and Assignment.objects.filter(sakid=invoice.sak_id).exclude(payer=self.payer).exists(),
        )

    # --- kept in step with what is written --------------------------------------------------------

    def record_lines(self, invoice: InboundInvoice, lines: list[InboundLine]) -> None:
        """The invoice's new lines replace its old ones as what later invoices are checked against."""
        if not invoice.sak_id:
            return
        moments = self.billed.setdefault(invoice.sak_id, {})
        for by_invoice in moments.values():
            by_invoice.pop(invoice.pk, None)
        if invoice.kind != "Invoice":
            return
        for line in lines:
            if line.moment and line.outcome in BILLED_OUTCOMES:
                moments.setdefault(line.moment, {})[invoice.pk] = f"{invoice.number} #{line.line_id}"


def assignment_snapshot(ledger: case_services.Ledger) -> AssignmentSnapshot:
    # Bookings reserve coverage for exactly the treatments that are then invoiced: consuming turns
    # the oldest reservation into use (kvitt.cases), so what an invoice may take is what is not
    # yet consumed.
    assignment = ledger.assignment
    left = ledger.coverage()
    return AssignmentSnapshot(
        sakid=assignment.sakid, payer_org_number=assignment.payer.org_number, state=assignment.state,
        state_label=assignment.state.replace("_", " "), professions=tuple(assignment.professions),
        service_codes=tuple(assignment.service_codes), valid_from=assignment.valid_from, valid_to=assignment.valid_to,
        remaining_treatments=left.max_treatments - left.consumed_treatments,
        remaining_amount=left.max_amount - left.consumed_amount,
        company_org_number=assignment.company.org_number if assignment.company_id else None,
        location_id=assignment.location_id,
    )


def load(payer: Payer, ids: list[int]) -> ValidationContext:
    """Lock the chunk's assignments, then its invoices, and read what the validators need.

    Call inside a transaction; the locks hold until it ends. The assignments go first, always,
    so a chunk and a single validation wait for each other instead of deadlocking.
    """
    heads = dict(InboundInvoice.objects.filter(pk__in=ids, payer=payer).values_list("pk", "assignment_id"))
    ledgers = case_services.lock_ledgers(heads.values())
    rows = {
        row.pk: row for row in
        InboundInvoice.objects.select_for_update(of=("self",)).select_related("payer__organisation", "company")
        .defer("original").filter(pk__in=list(heads)).order_by("pk")
    }
    invoices = {pk: rows[pk] for pk in ids if pk in rows}
    return ValidationContext(
        payer=payer, invoices=invoices, ledgers=ledgers,
        approvals=_approvals(payer, invoices.values()), practitioners=_practitioners(invoices.values()),
        numbers=_numbers(payer, invoices.values()), billed=_billed(payer, invoices.values()),
        overrides=_overrides(invoices.values()), previous_lines=_previous_lines(invoices.values()),
    )


def _company_ids(invoices) -> set[int]:
    return {i.company_id for i in invoices if i.company_id}


def _approvals(payer: Payer, invoices) -> dict[int, tuple[ApprovalSnapshot, ...]]:
    found = defaultdict(list)
    companies = _company_ids(invoices)
    if companies:
        for a in PartnerApproval.objects.filter(payer=payer, company_id__in=companies).order_by("pk"):
            found[a.company_id].append(
                ApprovalSnapshot(a.valid_from, a.valid_to, a.revoked_at is not None, a.location_id, tuple(a.professions))
            )
    return {k: tuple(v) for k, v in found.items()}


def _practitioners(invoices) -> dict[int, tuple[PractitionerSnapshot, ...]]:
    found = defaultdict(list)
    companies = _company_ids(invoices)
    if companies:
        rows = Practitioner.objects.filter(company_id__in=companies, active=True).exclude(hpr_number="").order_by("pk")
        for p in rows.only("company_id", "hpr_number", "professions"):
            found[p.company_id].append(PractitionerSnapshot(p.hpr_number, tuple(p.professions)))
    return {k: tuple(v) for k, v in found.items()}


def _numbers(payer: Payer, invoices) -> dict[tuple[str, str], list[tuple[int, str]]]:
    """Every readable document of the payer with a number the chunk has or credits."""
    wanted = {(i.supplier_org_number, n) for i in invoices for n in (i.number, i.credited_number) if n}
    found = defaultdict(list)
    if wanted:
        # Both lists, so the (payer, supplier, number) index is used; the pairs are picked out here.
        rows = (InboundInvoice.objects.filter(payer=payer, supplier_org_number__in={s for s, _ in wanted},
                                              number__in={n for _, n in wanted})
                .exclude(status=InboundStatus.UNREADABLE).values_list("pk", "supplier_org_number", "number", "kind"))
        for pk, supplier, number, kind in rows:
            if (supplier, number) in wanted:
                found[(supplier, number)].append((pk, kind))
    return dict(found)


def _billed(payer: Payer, invoices) -> dict[str, dict[str, dict[int, str]]]:
    sakids = {i.sak_id for i in invoices if i.sak_id}
    found: dict[str, dict[str, dict[int, str]]] = {}
    if sakids:
        # Two index lookups instead of a join: SQLite's planner may otherwise walk the invoice
        # table (whose rows carry the documents) for every chunk.
        lines = list(
            InboundLine.objects.filter(sak_id__in=sakids, outcome__in=BILLED_OUTCOMES).exclude(moment="")
            .values_list("sak_id", "moment", "invoice_id", "line_id").order_by("pk")
        )
        numbers = dict(
            InboundInvoice.objects.filter(pk__in={line[2] for line in lines}, payer=payer, kind="Invoice")
            .values_list("pk", "number")
        ) if lines else {}
        for sak_id, moment, invoice_id, line_id in lines:
            if invoice_id in numbers:
                found.setdefault(sak_id, {}).setdefault(moment, {})[invoice_id] = f"{numbers[invoice_id]} #{line_id}"
    return found


def _overrides(invoices) -> dict[int, frozenset]:
    rerun = [i.pk for i in invoices if i.validation_runs]
    found = defaultdict(set)
    if rerun:
        for invoice_id, code, line_id in Override.objects.filter(invoice_id__in=rerun).values_list("invoice_id", "code", "line_id"):
            found[invoice_id].add((code, line_id or None))
    return {k: frozenset(v) for k, v in found.items()}


def _previous_lines(invoices) -> dict[int, list[InboundLine]]:
    rerun = [i.pk for i in invoices if i.validation_runs]
    found = defaultdict(list)
    if rerun:
        for line in InboundLine.objects.filter(invoice_id__in=rerun).order_by("pk"):
            found[line.invoice_id].append(line)
    return dict(found)
