"""The books always balance: random sequences of invoice, pay, overpay, reverse, credit,
plan, write-off and re-import, checked after every step (hypothesis stateful testing)."""

import datetime
import itertools

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from kvitt.payments.models import BankTransaction
from kvitt.payments.services import import_bank_files
from kvitt.receivables import services
from kvitt.receivables.models import Component, Entry, EntryKind, InvoiceStatus, PatientInvoice
from tests import factories as f
from tests.payments import camt_builder
from tests.receivables import helpers as h

_ids = itertools.count(1)


class Books(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        org, _ = h.norwegian_creditor()
        self.org = org
        self.clerk = h.clerk(org)
        self.patient = f.patient(org)
        self.files: list[bytes] = []

    def _invoices(self):
        return list(PatientInvoice.objects.filter(organisation=self.org).order_by("pk"))

    @rule(amount=st.integers(min_value=100, max_value=500_000))
    def invoice(self, amount):
        h.invoice(self.clerk, self.patient, amount, datetime.date(2026, 3, 5))

    def _pay(self, invoice, amount_minor, *, reversal=False):
        n = next(_ids)
        entry = camt_builder.Entry([camt_builder.Tx(f"{amount_minor / 100:.2f}", kid=invoice.reference, acct_svcr_ref=f"TX{n}")],
                                   credit=not reversal, reversal=reversal)
        data = camt_builder.build([camt_builder.Notification([entry], id=f"N{n}")], message_id=f"M{n}")
        self.files.append(data)
        report = import_bank_files(self.clerk, [(f"f{n}.xml", data)])[0]
        assert report.status == "imported", report

    @precondition(lambda self: PatientInvoice.objects.filter(organisation=self.org).exists())
    @rule(data=st.data(), share=st.sampled_from([0.3, 0.5, 1.0, 1.2]))
    def pay(self, data, share):
        invoice = data.draw(st.sampled_from(self._invoices()))
        amount = max(1, int(max(invoice.open_minor, invoice.principal_minor) * share))
        self._pay(invoice, amount)

    @precondition(lambda self: BankTransaction.objects.filter(organisation=self.org, reversal=False, outcome__in=["full", "partial", "overpayment"]).exists())
    @rule(data=st.data())
    def reverse(self, data):
        paid = list(Entry.objects.filter(invoice__organisation=self.org, kind=EntryKind.PAYMENT).values_list("invoice_id", "amount_minor"))
        invoice_id, amount = data.draw(st.sampled_from(paid))
        self._pay(PatientInvoice.objects.get(pk=invoice_id), -amount, reversal=True)

    @precondition(lambda self: PatientInvoice.objects.filter(organisation=self.org, status=InvoiceStatus.OPEN, open_minor__gt=0).exists())
    @rule(data=st.data(), kind=st.sampled_from(["credit_all", "credit_part", "write_off", "run_dunning", "plan"]))
    def settle(self, data, kind):
        invoice = data.draw(st.sampled_from(list(PatientInvoice.objects.filter(organisation=self.org, status=InvoiceStatus.OPEN, open_minor__gt=0))))
        if kind == "credit_all":
            services.credit_invoice(self.clerk, invoice, reason="test")
        elif kind == "credit_part" and services.balances(invoice)[Component.PRINCIPAL] > 1:
            services.credit_invoice(self.clerk, invoice, reason="test", amount_minor=services.balances(invoice)[Component.PRINCIPAL] // 2)
        elif kind == "write_off":
            services.write_off(self.clerk, invoice, reason="test")
        elif kind == "run_dunning":
            services.run_dunning(datetime.date(2026, 5, 20), organisation=self.org)
        elif kind == "plan" and not invoice.plans.filter(status="active").exists():
            services.create_plan(self.clerk, invoice, instalments=3, first_due=datetime.date(2026, 6, 1))

    @precondition(lambda self: bool(self.files))
    @rule(data=st.data())
    def reimport(self, data):
        before = Entry.objects.filter(invoice__organisation=self.org).count()
        report = import_bank_files(self.clerk, [("again.xml", data.draw(st.sampled_from(self.files)))])[0]
        assert report.status == "already_imported", report
        assert Entry.objects.filter(invoice__organisation=self.org).count() == before

    @invariant()
    def books_balance(self):
        if not hasattr(self, "org"):
            return
        for invoice in self._invoices():
            by_kind: dict[str, int] = {}
            for e in invoice.entries.all():
                if e.component != Component.CREDIT:
                    by_kind[e.kind] = by_kind.get(e.kind, 0) + e.amount_minor
            charged = by_kind.get("invoiced", 0) + by_kind.get("fee", 0) + by_kind.get("interest", 0)
            paid = -(by_kind.get("payment", 0) + by_kind.get("reversal", 0))
            credited = -by_kind.get("credit_note", 0)
            written_off = -by_kind.get("write_off", 0)
            assert charged == paid + credited + written_off + invoice.open_minor, invoice.pk
            assert invoice.credit_balance_minor >= 0
            b = services.balances(invoice)
            assert min(b[Component.PRINCIPAL], b[Component.FEE], b[Component.INTEREST]) >= 0, b
            assert invoice.open_minor == sum(b[c] for c in (Component.PRINCIPAL, Component.FEE, Component.INTEREST))
            if invoice.status == InvoiceStatus.PAID:
                assert invoice.open_minor == 0

    @invariant()
    def each_bank_transaction_applied_at_most_once(self):
        if not hasattr(self, "org"):
            return
        for tx in BankTransaction.objects.filter(organisation=self.org):
            applied = sum(abs(a) for a in Entry.objects.filter(bank_transaction_id=tx.pk).values_list("amount_minor", flat=True))
            assert applied <= abs(tx.amount_minor), tx.pk


@pytest.mark.django_db
def test_books_always_balance():
    Books.TestCase.settings = settings(max_examples=30, stateful_step_count=12, deadline=None,
                                       suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    Books.TestCase().runTest()
