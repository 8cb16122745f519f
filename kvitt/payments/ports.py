"""The one seam between bank payments and whatever owns the receivables.

The payments app does not know invoices. An app that owns receivables (``receivables``
for patient invoices) implements ``ReceivableLedger`` and registers it, typically in its
``AppConfig.ready``::

    from kvitt.payments.ports import register_ledger
    register_ledger(PatientInvoiceLedger())

or names it in settings: ``KVITT_RECEIVABLE_LEDGER = "kvitt.receivables.ledger.PatientInvoiceLedger"``.

The import service calls ``open_items`` once per import run and ``apply`` once per file,
inside the file's database transaction: if ``apply`` raises, nothing of that file is kept.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Iterable, Protocol, Sequence, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string

from kvitt.payments.matching import Receivable

__all__ = ["Posting", "Receivable", "ReceivableLedger", "register_ledger", "get_ledger"]


@dataclass(slots=True)
class Posting:
    """What one bank transaction did to one receivable.

    ``amount_minor`` reduces the open amount (negative: a reversal reopens it).
    ``credit_minor`` is money the debtor now has to their good (overpayment, payment to a
    closed invoice; negative when a reversal takes such credit back); it is posted on the
    first receivable the payment named, so the ledger can find the debtor.
    """

    receivable_id: str
    amount_minor: int
    credit_minor: int
    outcome: str
    method: str
    bank_transaction_id: int
    payment_id: int | None
    booking_date: datetime.date | None
    currency: str


@runtime_checkable
class ReceivableLedger(Protocol):
    label: str  # stored with each allocation, e.g. "receivables.invoice"

    def open_items(self, organisation) -> Iterable[Receivable]:
        """Every receivable a payment to ``organisation`` could be for: open ones, and closed
        ones that still have a reference (so a second payment is recognised as such)."""

    def apply(self, organisation, postings: Sequence[Posting]) -> None:
        """Book the postings (reduce or reopen open amounts, record credit balances)."""


_registered: ReceivableLedger | None = None


def register_ledger(ledger: ReceivableLedger) -> None:
    global _registered
    if not isinstance(ledger, ReceivableLedger):
        raise TypeError(f"{ledger!r} does not implement ReceivableLedger (label, open_items, apply)")
    _registered = ledger


def get_ledger() -> ReceivableLedger | None:
    """The ledger named in settings, else the registered one, else None."""
    path = getattr(settings, "KVITT_RECEIVABLE_LEDGER", "")
    if path:
        ledger = import_string(path)
        return ledger() if isinstance(ledger, type) else ledger
    return _registered
