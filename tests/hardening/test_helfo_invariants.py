"""A Helfo bill's refund + egenandel = honorar, to the øre, whatever happens to it (issue #11, point 7).

A Hypothesis state machine runs random sequences against the real Helfo services of one GP
practice (BKM XML channel, a real PKCS#12 signature): treatments become bill cards (random tariff
lines and counts), a card is changed, marked exempt (frikort, checked) or not, the patient pays the
patient share directly or through a patient invoice paid in parts, settlements are made, cancelled,
or signed and sent, Helfo's result comes back per bill (approved, rejected with remarks, approved
with a reduced payout), rejected bills are corrected and re-sent with the same guid, approved ones
credited. After every step:

* per bill card: refund + patient share = Σ honorar × count over its lines, to the øre, where the
  honorar is read from the tariff table independently; each line's refusjon + egenandel = honorar;
  an exempt card has no patient share;
* in every BKM sent, a claimed bill's amount is the card's refund at the time it was sent;
* egenandel: at most one late-payment report per card, only for a card Helfo was told was unpaid
  and that was paid afterwards, and never lost; across everything sent to Helfo, a card's
  "patient share paid" correction appears at most once per payment (there is at most one);
* a payout never exceeds what its settlement claimed.

Bounded (``KVITT_HELFO_EXAMPLES``, default 20 sequences of up to 15 steps) to stay under a minute
per database. Each sequence runs in a savepoint rolled back afterwards.
"""

from __future__ import annotations

import datetime
import json
import os
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import TestCase
from django.utils import timezone
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from kvitt.helfo import services
from kvitt.helfo.kuhr_client import BillResult, ClaimStatus, PayoutInfo, Remark
from kvitt.helfo.models import (
    BillCard, BillStatus, Channel, EgenandelReport, Settlement, SettlementBill, SettlementStatus, Tariff,
)
from kvitt.helfo.signing import Pkcs12Signer
from kvitt.receivables import services as receivables
from kvitt.receivables.models import CreditorSettings, LineKind
from tests import factories as f
from tests.helfo.conftest import clinic, helfo_event, local, p12_bytes  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("KVITT_HELFO_EXAMPLES", "20"))

# Tariff lines of a GP (area LE) that pass the checks together, with counts.
LINES = st.sampled_from([
    ["2ad"], ["2ad", "2cd"], ["2ad", {"code": "2cd", "count": 2}], ["2ad", "2cd", "L1"], ["2ak"], ["1i"],
    ["2ak", {"code": "2cd", "count": 3}],  # 2cd wants 2ad on the bill: an error finding, the bill is not sendable
])
PICK = st.integers(min_value=0, max_value=9_999)
OUTCOMES = st.lists(st.sampled_from(["godkjent", "avvist"]), min_size=1, max_size=6)
REDUCTION = st.integers(min_value=0, max_value=5000)  # øre Helfo takes off an approved bill's payout
SENT_STATES = (SettlementStatus.SENT, SettlementStatus.PROCESSING, SettlementStatus.CONTROLLED,
               SettlementStatus.PAID, SettlementStatus.NO_PAYOUT)


def honorar_of(card: BillCard) -> int:
    """Σ honorar × count from the Tariff rows valid on the treatment day (read here, not priced by the service)."""
    day = timezone.localtime(card.treated_at).date()
    total = 0
    for line in card.lines:
        row = (Tariff.objects.filter(area=card.area, code=line["code"], valid_from__lte=day)
               .exclude(valid_to__lt=day).order_by("-valid_from").first())
        total += (row.honorar if row else 0) * int(line.get("count", 1))
    return total


def sent_bills() -> list[tuple[Settlement, dict]]:
    """Every bill of every BKM that went to Helfo, with its settlement."""
    found = []
    for settlement in Settlement.objects.filter(status__in=SENT_STATES):
        if not settlement.bkm_json:  # a BKM XML file has the JSON too; checked here (the field may be encrypted)
            continue
        for bill in json.loads(settlement.bkm_json)["behandlerkrav"].get("regninger", []):
            found.append((settlement, bill))
    return found


def ore(value) -> int:
    return int(Decimal(str(value)) * 100)


class HelfoMachine(RuleBasedStateMachine):
    world: dict = {}

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.payments: dict[int, int] = {}  # card -> patient payments that completed the share
        self.invoiced: set[int] = set()  # cards whose share went to a patient invoice
        self.refund_when_sent: dict[tuple[int, str], int] = {}  # (settlement, guid) -> refund then
        self.day = 0

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers -------------------------------------------------------------------------------

    @property
    def clerk(self):
        return self.world["clerk"]

    @property
    def practice(self):
        return self.world["practice"]

    def cards(self, *statuses) -> list[BillCard]:
        cards = BillCard.objects.filter(practice=self.practice).order_by("pk")
        return list(cards.filter(status__in=statuses) if statuses else cards)

    def settlements(self, *statuses) -> list[Settlement]:
        return list(Settlement.objects.filter(practice=self.practice, status__in=statuses).order_by("pk"))

    @staticmethod
    def pick(items, index):
        return items[index % len(items)] if items else None

    # --- rules ---------------------------------------------------------------------------------

    @initialize(treatments=st.lists(st.tuples(LINES, st.integers(min_value=1, max_value=40)), min_size=1, max_size=3),
                sent_at_once=st.booleans())
    def first_treatments(self, treatments, sent_at_once):
        """A few bills to start with; often already sent, patient shares unpaid (as on most days)."""
        for lines, days_ago in treatments:
            self.treat(lines, days_ago)
        sendable = [c for c in services.order_list(self.practice) if not c.has_errors]
        if sent_at_once and sendable:
            self.send(services.create_settlement(self.clerk, self.practice, sendable))

    @rule(lines=LINES, days_ago=st.integers(min_value=1, max_value=40))
    def treat(self, lines, days_ago):
        patient = f.patient(self.world["company"].organisation, "Sta Tomat")
        self.day += 1
        helfo_event(self.world, patient, start=local(days_ago, hour=8 + self.day % 9), codes=lines)
        created = services.create_bill_cards(self.clerk, self.practice)
        assert len(created) == 1

    @rule(pick=PICK, lines=st.none() | LINES, frikort=st.sampled_from(["", "F", None]))
    def change_bill(self, pick, lines, frikort):
        """Change a ready bill (lines, frikort) or correct a rejected one (rejected ones first)."""
        card = self.pick(self.cards(BillStatus.REJECTED) or self.cards(BillStatus.READY), pick)
        if card is None:
            return
        changes = {"lines": lines} if lines is not None else {}
        if frikort is not None:
            changes["exemption_code"] = frikort
        checked = None if frikort is None else bool(frikort)
        if card.status == BillStatus.REJECTED:
            services.correct_bill_card(self.clerk, card, reason="wrong code", frikort_checked=checked, **changes)
            event("rejected bill corrected")
        else:
            services.update_bill_card(self.clerk, card, frikort_checked=checked, **changes)

    @rule(pick=PICK, percent=st.sampled_from([100, 100, 30, 70]), rest=st.booleans(), at_the_desk=st.booleans())
    def patient_pays(self, pick, percent, rest, at_the_desk):
        """The patient pays the share at the desk, or a patient invoice for it, perhaps in parts."""
        unpaid = [c for c in self.cards() if c.patient_share and not c.egenandel_paid and c.pk not in self.invoiced]
        late = [c for c in unpaid if c.egenandel_reported_unpaid]  # Helfo was told "unpaid": the interesting case
        card = self.pick(late or unpaid, pick)
        if card is None:
            return
        if at_the_desk:
            services.register_patient_payment(self.clerk, card, paid_on=datetime.date(2026, 11, 20), method="card")
            self.payments[card.pk] = self.payments.get(card.pk, 0) + 1
            return
        self.invoiced.add(card.pk)
        day = timezone.localtime(card.treated_at).date()
        line = receivables.NewLine(LineKind.PATIENT_SHARE, "Egenandel", card.patient_share, day, card.care_event)
        invoice = receivables.issue_invoice(self.clerk, card.patient, [line])
        part = max(1, card.patient_share * percent // 100)
        with TestCase.captureOnCommitCallbacks(execute=True):  # the payment signal goes after commit
            receivables.register_manual_payment(self.clerk, invoice, part)
        if part < card.patient_share:
            card.refresh_from_db()
            assert not card.egenandel_paid, "a partly paid share counts as unpaid"
            event("patient invoice paid in part")
            if not rest:
                return
            with TestCase.captureOnCommitCallbacks(execute=True):
                receivables.register_manual_payment(self.clerk, invoice, card.patient_share - part)
        card.refresh_from_db()
        assert card.egenandel_paid
        self.payments[card.pk] = self.payments.get(card.pk, 0) + 1

    @rule(pick=PICK, how_many=st.integers(min_value=0, max_value=4),
          then=st.sampled_from(["send", "send", "send and answer", "send and answer", "leave unsigned", "cancel"]),
          outcomes=OUTCOMES, reduction=REDUCTION, paid=st.booleans())
    def settle(self, pick, how_many, then, outcomes, reduction, paid):
        """Select bills (pending egenandel reports come along), make the settlement, then usually sign
        and send it, and Helfo may answer soon; or leave it unsigned, or cancel it."""
        ready = [c for c in services.order_list(self.practice) if not c.has_errors]
        chosen = [ready[(pick + n) % len(ready)] for n in range(min(how_many, len(ready)))] if ready else []
        if not chosen and not services.pending_egenandel_reports(self.practice).exists():
            return
        settlement = services.create_settlement(self.clerk, self.practice, list({c.pk: c for c in chosen}.values()))
        if then == "cancel":
            services.cancel_settlement(self.clerk, settlement, reason="not yet")
        elif then.startswith("send"):
            self.send(settlement)
            if then == "send and answer":
                self.answer(settlement, outcomes, reduction, paid)

    @rule(pick=PICK)
    def send_an_unsigned_one(self, pick):
        settlement = self.pick(self.settlements(SettlementStatus.UNSIGNED), pick)
        if settlement is not None:
            self.send(settlement)

    @rule(pick=PICK, outcomes=OUTCOMES, reduction=REDUCTION, paid=st.booleans())
    def helfo_answers(self, pick, outcomes, reduction, paid):
        settlement = self.pick(self.settlements(SettlementStatus.SENT), pick)
        if settlement is not None:
            self.answer(settlement, outcomes, reduction, paid)

    @rule(pick=PICK, answered=st.booleans())
    def credit(self, pick, answered):
        """Credit an approved bill; the credit settlement is signed and sent, Helfo may approve it."""
        card = self.pick(self.cards(BillStatus.APPROVED, BillStatus.PAID), pick)
        if card is None or card.settlement_items.filter(kind="credit").exists():
            return
        settlement = services.credit_bill_card(self.clerk, card, reason="billed the wrong patient", today=datetime.date(2026, 11, 23))
        event("credit requested")
        self.send(settlement)
        if answered:
            self.answer(settlement, ["godkjent"], 0, False)

    # --- steps the rules share -----------------------------------------------------------------

    def send(self, settlement):
        settlement = services.sign_settlement(self.clerk, settlement, self.world["signer"])
        services.send_settlement(self.clerk, settlement, directory=self.world["outbox"])
        event(f"sent a {settlement.kind} settlement of {settlement.items.count()} bill(s)")
        for item in settlement.items.select_related("bill_card"):
            if item.kind in ("claim", "resend"):
                self.refund_when_sent[(settlement.pk, str(item.bill_card.guid))] = item.bill_card.refund_amount

    def answer(self, settlement, outcomes, reduction, paid):
        """Helfo's control result per bill (rejections with a remark, approvals perhaps reduced) and payout."""
        items = list(settlement.items.select_related("bill_card").exclude(kind="egenandel"))
        results, approved = [], 0
        for n, item in enumerate(items):
            outcome = "godkjent" if item.kind == "credit" else outcomes[n % len(outcomes)]
            remarks = (Remark("766", "Behandlingsdato er frem i tid"),) if outcome == "avvist" else ()
            if outcome == "godkjent" and item.kind != "credit":
                approved += item.amount
                if reduction:
                    remarks = (Remark("504", f"Redusert med {reduction / 100:.2f} kr"),)
            results.append(BillResult(str(item.bill_card.guid), str(item.bill_card.bill_number), outcome, remarks))
        payout = None
        if paid and approved > 0:
            payout = PayoutInfo(amount=max(approved - reduction, 0), paid_on=datetime.date(2026, 11, 22),
                                account=self.practice.account, kid="")
        status = ClaimStatus(
            message_id=f"M{settlement.pk}", message_status="sendt_til_behandling", control_status="ferdig_kontrollert",
            payout_status="utbetalt" if payout else "ikke_sendt_til_utbetaling", decision_id=f"V{settlement.pk}" if payout else "",
            bills=results, payout=payout,
        )
        services.apply_status(self.clerk, settlement, status)
        event("Helfo result: " + ", ".join(sorted({r.status for r in results})) + (" with payout" if payout else ""))

    # --- invariants ----------------------------------------------------------------------------

    @invariant()
    def refund_plus_egenandel_is_honorar(self):
        for card in self.cards():
            for line in card.lines:
                assert line["refusjon"] + line["egenandel"] == line["honorar"], (card.bill_number, line)
            honorar = honorar_of(card)
            assert card.refund_amount + card.patient_share == honorar, (
                f"bill {card.bill_number} {card.lines} exempt={card.exemption_code!r}: "
                f"refund {card.refund_amount} + egenandel {card.patient_share} != honorar {honorar}")
            if card.exemption_code:
                assert card.patient_share == 0

    @invariant()
    def what_helfo_got_is_what_the_card_said(self):
        for settlement, bill in sent_bills():
            sent = self.refund_when_sent.get((settlement.pk, bill["guid"]))
            if sent is not None and "belop" in bill and settlement.kind == "claim":
                assert ore(bill["belop"]) == sent, (settlement.pk, bill["guid"], bill["belop"], sent)

    @invariant()
    def egenandel_reported_at_most_once_per_payment(self):
        for card in self.cards():
            reports = EgenandelReport.objects.filter(bill_card=card)
            assert reports.count() <= 1, f"bill {card.bill_number}: {list(reports.values_list('kind', 'source'))}"
            sent_with = SettlementBill.objects.filter(bill_card=card, kind="egenandel", settlement__status__in=SENT_STATES)
            assert sent_with.count() <= 1, f"bill {card.bill_number}: egenandel reported in {sent_with.count()} settlements"
            late = reports.filter(kind="late_payment").count()
            if late:
                event("late egenandel payment reported")
            if late:
                assert card.egenandel_paid and card.egenandel_reported_unpaid
            if card.egenandel_paid and card.egenandel_reported_unpaid:
                assert late == 1, f"bill {card.bill_number}: a payment after the claim must be reported"
            assert late <= self.payments.get(card.pk, 0)
        corrections: dict[str, int] = {}
        for _settlement, bill in sent_bills():
            if bill.get("korrigeringBetaltEgenandel") is True:
                corrections[bill["guid"]] = corrections.get(bill["guid"], 0) + 1
        for card in self.cards():
            assert corrections.get(str(card.guid), 0) <= self.payments.get(card.pk, 0) <= 1

    @invariant()
    def payouts_do_not_exceed_claims(self):
        for settlement in Settlement.objects.filter(practice=self.practice, payouts__isnull=False).distinct():
            paid = sum(p.amount for p in settlement.payouts.all())
            assert 0 <= paid <= settlement.total


@pytest.fixture
def world(clinic, p12_bytes, tmp_path):
    practice = clinic["practice"]
    practice.channel = Channel.BKM_XML
    practice.her_id = "8765432"
    practice.save(update_fields=["channel", "her_id"])
    company = clinic["company"]
    CreditorSettings.objects.create(organisation=company.organisation, account=company.bank_account or "15032080000")
    return {**clinic, "signer": Pkcs12Signer(p12_bytes, "pw-for-test"), "outbox": tmp_path}


def test_refund_plus_egenandel_is_honorar_and_egenandel_is_reported_once(world):
    HelfoMachine.world = world
    run_state_machine_as_test(
        HelfoMachine,
        settings=settings(max_examples=EXAMPLES, stateful_step_count=15, deadline=None, derandomize=True,
                          database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]),
    )
