"""Patient invoices as the payments app sees them (kvitt.payments.ports.ReceivableLedger)."""

from __future__ import annotations

from django.db.models import F, Q, Sum

from kvitt.payments.ports import Posting, Receivable
from kvitt.receivables.models import EntryKind, InvoiceStatus, PatientInvoice
from kvitt.receivables.services import book_payment


CHARGES = (EntryKind.INVOICED, EntryKind.FEE, EntryKind.INTEREST)


class PatientInvoiceLedger:
    label = "receivables.invoice"

    def open_items(self, organisation):
        rows = (
            PatientInvoice.objects.filter(organisation=organisation)
            .filter(Q(status=InvoiceStatus.OPEN) | Q(status=InvoiceStatus.PAID))
            .annotate(
                debtor=F("patient__name"),
                # Everything ever charged (principal, fees, interest): how far a reversal can reopen.
                charged=Sum("entries__amount_minor", filter=Q(entries__kind__in=CHARGES)),
            )
            .values_list("pk", "reference", "number", "open_minor", "debtor", "charged", "status", "currency")
        )
        for pk, reference, number, open_minor, debtor, charged, status, currency in rows.iterator(chunk_size=5000):
            yield Receivable(
                id=str(pk), reference=reference, invoice_number=str(number), open_minor=max(open_minor, 0),
                debtor_name=debtor, total_minor=charged, closed=status != InvoiceStatus.OPEN, currency=currency,
            )

    def apply(self, organisation, postings: list[Posting]) -> None:
        by_invoice: dict[int, list[Posting]] = {}
        for posting in postings:
            by_invoice.setdefault(int(posting.receivable_id), []).append(posting)
        invoices = PatientInvoice.objects.select_for_update().filter(organisation=organisation, pk__in=list(by_invoice))
        for invoice in invoices.order_by("pk"):
            for p in by_invoice[invoice.pk]:
                book_payment(invoice, p.amount_minor, on=p.booking_date or invoice.issue_date, label="bank",
                             bank_transaction_id=p.bank_transaction_id, credit_minor=p.credit_minor)
