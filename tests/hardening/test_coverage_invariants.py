"""Coverage consumed never exceeds coverage granted (issue #11, point 7), whatever the order of events.

A Hypothesis state machine opens an assignment with a random coverage (treatments and øre) and
then runs random sequences against the real services: invoices received (valid, over the
coverage, with an uncovered service code, billing a treatment time twice, a number sent twice),
validated one by one or in a batch, credit notes, overrides of a finding, validation again, and
the same document imported again. After every step, per assignment:

* consumed treatments and øre are between zero and what the assignment grants;
* the usage ledger (consumed minus reversed) equals the approved (or reduced) invoice lines
  still standing (lines credited or replaced by a later run no longer count);
* a document imported again changes nothing (checked in that step).

Bounded (``KVITT_COVERAGE_EXAMPLES``, default 25 sequences of up to 15 steps) to stay under a
minute per database. Each sequence runs in a savepoint that is rolled back afterwards.
"""

from __future__ import annotations

import os

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test

from kvitt.cases.models import UsageEntry
from kvitt.cases.selectors import remaining_coverage
from kvitt.claims import services
from kvitt.claims.models import InboundInvoice, InboundLine, InboundStatus, NoticeOutbox

from tests.claims import invoices as f
from tests.claims.world import at, make_world

EXAMPLES = int(os.environ.get("KVITT_COVERAGE_EXAMPLES", "25"))

DAYS = st.integers(min_value=2, max_value=7)  # few treatment times, so some are billed twice
PRICES = st.sampled_from(["850.00", "1500.00", "2600.00"])
CODES = st.sampled_from(["B1010", "B1010", "B1010", "B9999"])  # B9999 is not covered: a waivable finding
LINE = st.tuples(DAYS, PRICES, CODES)


class CoverageMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.sent: list[bytes] = []  # every document sent, to import again
        self.numbers: list[str] = []  # invoice numbers sent
        self.next_number = 1000

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- the world ---------------------------------------------------------------------------

    @initialize(treatments=st.integers(min_value=1, max_value=4), amount=st.sampled_from([150_000, 300_000, 500_000]))
    def open_assignment(self, treatments, amount):
        self.world = make_world(max_treatments=treatments, max_amount=amount)
        self.assignment = self.world.assignment

    def _send(self, data: bytes) -> InboundInvoice:
        invoice, created = services.receive(self.world.handler, data)
        if created:
            self.sent.append(data)
        return invoice

    def _number(self) -> str:
        self.next_number += 1
        return str(self.next_number)

    def _invoices(self, *statuses) -> list[InboundInvoice]:
        qs = InboundInvoice.objects.filter(payer=self.world.payer).select_related("payer").order_by("pk")
        return list(qs.filter(status__in=statuses) if statuses else qs)

    # --- what happens --------------------------------------------------------------------------

    @rule(lines=st.lists(LINE, min_size=1, max_size=3))
    def receive_invoice(self, lines):
        number = self._number()
        self._send(self.world.invoice_bytes(*(f.line(at(d), price=p, code=c) for d, p, c in lines), number=number))
        self.numbers.append(number)

    @precondition(lambda self: self.numbers)
    @rule(pick=st.integers(min_value=0), day=DAYS)
    def receive_the_same_number_again(self, pick, day):
        """Another document with a number already used: CLM-108 must keep it from the coverage."""
        number = self.numbers[pick % len(self.numbers)]
        # (the very same bytes twice are one document: that is import_again)
        self._send(self.world.invoice_bytes(f.line(at(day, hour=15)), number=number))

    @rule(batch=st.booleans())
    def validate_waiting(self, batch):
        waiting = self._invoices(InboundStatus.RECEIVED)
        if batch:
            services.run_batch(self.world.payer)
        else:
            for invoice in waiting:
                services.validate_invoice(self.world.handler, invoice, enqueue_notices=False)
        assert not self._invoices(InboundStatus.RECEIVED)

    @precondition(lambda self: self.numbers)
    @rule(pick=st.integers(min_value=0), day=DAYS, price=PRICES, now=st.booleans())
    def credit_note(self, pick, day, price, now):
        """Validated at once, or left for the next batch (where its invoice may be in the same chunk)."""
        credited = self.numbers[pick % len(self.numbers)]
        note = self._send(self.world.credit_note_bytes(credited, self._number(), f.line(at(day), price=price)))
        if now:
            services.validate_invoice(self.world.handler, note, enqueue_notices=False)

    @rule(pick=st.integers(min_value=0))
    def override_a_finding(self, pick):
        from kvitt.claims.reasons import reason

        candidates = [
            (invoice, finding) for invoice in self._invoices(InboundStatus.DEVIATION, InboundStatus.REJECTED)
            for finding in invoice.findings.filter(run=invoice.validation_runs, waived=False, severity="reject")
            if reason(finding.code).waivable
        ]
        if candidates:
            invoice, finding = candidates[pick % len(candidates)]
            services.override_finding(self.world.handler, invoice, finding.code, finding.line_id or None, "Checked with the clinic")

    @rule(pick=st.integers(min_value=0))
    def validate_again(self, pick):
        done = [i for i in self._invoices() if i.validation_runs]
        if done:
            services.validate_invoice(self.world.handler, done[pick % len(done)], enqueue_notices=False)

    @precondition(lambda self: self.sent)
    @rule(pick=st.integers(min_value=0))
    def import_again(self, pick):
        before = self._state()
        data = self.sent[pick % len(self.sent)]
        invoice, created = services.receive(self.world.handler, data)
        assert not created and bytes(invoice.original) == data
        assert self._state() == before, "a document imported again changed something"

    # --- what must always hold -------------------------------------------------------------------

    def _state(self):
        return (
            InboundInvoice.objects.filter(payer=self.world.payer).count(),
            sorted(InboundInvoice.objects.filter(payer=self.world.payer).values_list("pk", "status", "validation_runs")),
            UsageEntry.objects.filter(assignment=self.assignment).count(),
            InboundLine.objects.filter(invoice__payer=self.world.payer).count(),
            NoticeOutbox.objects.filter(invoice__payer=self.world.payer).count(),
        )

    @invariant()
    def consumed_never_exceeds_granted(self):
        if not hasattr(self, "assignment"):
            return
        coverage = remaining_coverage(self.assignment)
        assert 0 <= coverage.consumed_treatments <= coverage.max_treatments, coverage
        assert 0 <= coverage.consumed_amount <= coverage.max_amount, coverage

    @invariant()
    def ledger_matches_the_lines_standing(self):
        if not hasattr(self, "assignment"):
            return
        coverage = remaining_coverage(self.assignment)
        standing = InboundLine.objects.filter(
            invoice__assignment=self.assignment, invoice__kind="Invoice", outcome__in=("approved", "deviation"),
        ).aggregate(count=Sum("count"), amount=Sum("approved_amount"))
        assert coverage.consumed_treatments == (standing["count"] or 0)
        assert coverage.consumed_amount == (standing["amount"] or 0)
        # ...and every one of those lines names the usage entry it consumed.
        assert not InboundLine.objects.filter(
            invoice__assignment=self.assignment, invoice__kind="Invoice", outcome__in=("approved", "deviation"), usage_ref="",
        ).exists()


@pytest.mark.django_db
def test_coverage_consumed_never_exceeds_coverage_granted():
    run_state_machine_as_test(
        CoverageMachine,
        # No shrinking: a failing sequence is printed as found, and the test stays bounded in time.
        settings=settings(max_examples=EXAMPLES, stateful_step_count=15, deadline=None, derandomize=True,
                          suppress_health_check=list(HealthCheck), database=None,
                          phases=(Phase.explicit, Phase.reuse, Phase.generate)),
    )
