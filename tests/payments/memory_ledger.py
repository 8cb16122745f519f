"""A receivable ledger kept in a dict: the smallest honest implementation of the port.

The receivables app provides the real one; this one lets the payments tests and the
benchmark exercise the import service without depending on it.
"""

from __future__ import annotations

from kvitt.payments.matching import Receivable


class MemoryLedger:
    label = "tests.memory"

    def __init__(self, receivables: list[Receivable]):
        self.receivables = {r.id: r for r in receivables}
        self.open = {r.id: (0 if r.closed else r.open_minor) for r in receivables}
        self.credit: dict = {}
        self.postings: list = []
        self.fail_on_apply = False

    def open_items(self, organisation):
        for key, receivable in self.receivables.items():
            yield Receivable(key, receivable.reference, receivable.invoice_number, self.open[key],
                             receivable.debtor_name, receivable.total_minor, self.open[key] == 0 and receivable.closed,
                             receivable.currency)

    def apply(self, organisation, postings):
        if self.fail_on_apply:
            raise RuntimeError("ledger refused the postings")
        for posting in postings:
            key = type(next(iter(self.receivables)))(posting.receivable_id)
            self.open[key] -= posting.amount_minor
            self.credit[key] = self.credit.get(key, 0) + posting.credit_minor
            self.postings.append(posting)
