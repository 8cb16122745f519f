"""The whole follow-up, one story per country: invoice -> reminder -> notice -> bank file -> closed."""

import datetime

import pytest

from kvitt.core.models import Role
from kvitt.payments.bgmax_writer import BgMaxDeposit, BgMaxPayment, write as write_bgmax
from kvitt.payments.services import import_bank_files
from kvitt.receivables import selectors, services
from kvitt.receivables.models import Component, DunningStage, InvoiceStatus, PlanStatus
from tests import factories as f
from tests.payments import camt_builder, ocr_builder
from tests.receivables import helpers as h

pytestmark = pytest.mark.django_db
D = datetime.date


def test_norway_reminder_notice_collection_then_ocr_giro_payment_closes_it():
    agency = h.agency()
    org, settings = h.norwegian_creditor(collection=agency)
    clerk = h.clerk(org)
    patient = f.patient(org, "Nora Hansen")
    # Issued Thursday 5 March 2026, 14 days' terms: due Thursday 19 March.
    inv = h.invoice(clerk, patient, 50000, D(2026, 3, 5))
    assert inv.due_date == D(2026, 3, 19) and inv.reference == "0000000018"

    # The reminder may go 14 days after the due date: 2 April is Maundy Thursday, and Easter
    # keeps Norway closed until Tuesday 7 April.
    for day in (D(2026, 3, 31), D(2026, 4, 1), D(2026, 4, 2), D(2026, 4, 6)):
        assert services.run_dunning(day).steps == {}, day
    report = services.run_dunning(D(2026, 4, 7))
    assert report.steps == {"reminder": 1}
    inv.refresh_from_db()
    reminder = inv.letters.get(step="reminder")
    assert reminder.fee_minor == 3750  # inkassosats 750 (2026) / 20
    assert reminder.interest_minor == 312  # 50 000 øre * 12 % * 19/365
    assert reminder.pay_by == D(2026, 4, 21)
    assert reminder.subject == f"Purring: faktura {inv.number}"
    assert inv.open_minor == 50000 + 3750 + 312 and inv.dunning_stage == DunningStage.REMINDER

    assert services.run_dunning(D(2026, 4, 21)).steps == {}
    assert services.run_dunning(D(2026, 4, 22)).steps == {"notice": 1}
    inv.refresh_from_db()
    notice = inv.letters.get(step="notice")
    assert notice.fee_minor == 3750 and notice.interest_minor == 247 and notice.pay_by == D(2026, 5, 6)
    assert inv.fees_charged == 2

    assert services.run_dunning(D(2026, 5, 6)).steps == {}
    assert services.run_dunning(D(2026, 5, 7)).steps == {"collection": 1}
    inv.refresh_from_db()
    assert inv.dunning_stage == DunningStage.COLLECTION
    collector = f.actor(agency, Role.COLLECTION_AGENT)
    assert [row["pk"] for row in selectors.collection_worklist(collector)] == [inv.pk]
    assert services.run_dunning(D(2026, 6, 1)).steps == {}  # nothing more after hand-over

    owed = inv.open_minor
    ocr = ocr_builder.build([ocr_builder.OcrPayment(owed, inv.reference)], account=h.ACCOUNT)
    reports = import_bank_files(clerk, [("ocr.txt", ocr)])
    assert reports[0].status == "imported" and reports[0].matched == 1
    inv.refresh_from_db()
    assert inv.status == InvoiceStatus.PAID and inv.open_minor == 0
    b = services.balances(inv)
    assert b[Component.FEE] == 0 and b[Component.INTEREST] == 0 and b[Component.PRINCIPAL] == 0
    # The same file again changes nothing.
    assert import_bank_files(clerk, [("ocr.txt", ocr)])[0].status == "already_imported"
    # One payment, split over fees, interest and principal, booked once.
    assert inv.entries.filter(kind="payment").count() == 3


def test_sweden_reminder_and_inkassokrav_then_bgmax_payment_closes_it():
    org, settings = h.swedish_creditor()
    clerk = h.clerk(org)
    patient = h.swedish_patient(org)
    # Due 19 June 2026 would be midsommarafton: it moves to Monday 22 June.
    inv = h.invoice(clerk, patient, 120000, D(2026, 6, 5))
    assert inv.due_date == D(2026, 6, 22)
    assert services.run_dunning(D(2026, 7, 1)).steps == {}
    assert services.run_dunning(D(2026, 7, 2)).steps == {"reminder": 1}
    inv.refresh_from_db()
    reminder = inv.letters.get(step="reminder")
    assert reminder.fee_minor == 6000  # påminnelseavgift, agreed
    assert reminder.pay_by == D(2026, 7, 13)  # 12 July is a Sunday
    assert reminder.subject == f"Påminnelse: faktura {inv.number}"
    assert services.run_dunning(D(2026, 7, 13)).steps == {}
    assert services.run_dunning(D(2026, 7, 14)).steps == {"notice": 1}
    inv.refresh_from_db()
    krav = inv.letters.get(step="notice")
    assert krav.fee_minor == 18000 and krav.pay_by == D(2026, 7, 22)
    # dröjsmålsränta = referensränta 1.75 + 8 = 9.75 % from 22 June
    assert reminder.interest_minor == 321  # 120 000 öre * 9.75 % * 10/365 = 320.55
    bgmax = write_bgmax([BgMaxDeposit("9912346", D(2026, 7, 20), [BgMaxPayment(inv.open_minor, inv.reference, payer_name="ALVA ANDERSSON")])])
    report = import_bank_files(clerk, [("bgmax.txt", bgmax)])[0]
    assert report.matched == 1, report
    inv.refresh_from_db()
    assert inv.status == InvoiceStatus.PAID


def test_swedish_reminder_fee_only_where_agreed():
    org, settings = h.swedish_creditor()
    settings.reminder_fee_agreed = False
    settings.save()
    inv = h.invoice(h.clerk(org), h.swedish_patient(org), 50000, D(2026, 6, 5))
    services.run_dunning(D(2026, 7, 2))
    assert inv.letters.get(step="reminder").fee_minor == 0


def test_instalment_plan_breaches_and_dunning_resumes():
    org, settings = h.norwegian_creditor()
    clerk = h.clerk(org)
    inv = h.invoice(clerk, f.patient(org), 90000, D(2026, 3, 5))
    services.run_dunning(D(2026, 4, 7))  # reminder
    inv.refresh_from_db()
    plan = services.create_plan(clerk, inv, instalments=3, first_due=D(2026, 4, 15), interval_days=30)
    assert sum(i.amount_minor for i in plan.instalments.all()) == inv.open_minor
    # On a plan, no dunning.
    assert services.run_dunning(D(2026, 4, 22)).skipped == {"on a plan": 1}
    first = plan.instalments.first().amount_minor
    camt = camt_builder.simple([(f"{first / 100:.2f}", inv.reference)])
    assert import_bank_files(clerk, [("camt.xml", camt)])[0].matched == 1
    # Second instalment (15 May) unpaid: after 14 days' grace the plan is breached.
    report = services.run_dunning(D(2026, 5, 29))
    assert report.plans_breached == 0
    report = services.run_dunning(D(2026, 5, 30))
    plan.refresh_from_db()
    assert report.plans_breached == 1 and plan.status == PlanStatus.BREACHED
    assert report.steps == {"notice": 1}
    inv.refresh_from_db()
    assert inv.dunning_stage == DunningStage.NOTICE


def test_disputed_deferred_and_insured_invoices_are_not_dunned():
    org, settings = h.norwegian_creditor()
    clerk = h.clerk(org)
    disputed = h.invoice(clerk, f.patient(org), 10000, D(2026, 3, 5))
    deferred = h.invoice(clerk, f.patient(org), 10000, D(2026, 3, 5))
    insured = h.invoice(clerk, f.patient(org), 10000, D(2026, 3, 5))
    services.raise_dispute(None, disputed, reason="I was never there", label="patient")
    deferred.deferred_until = D(2026, 4, 30)
    deferred.save()
    insured.awaiting_insurance = True
    insured.save()
    report = services.run_dunning(D(2026, 4, 7))
    assert report.steps == {} and report.skipped == {"disputed": 1, "deferred": 1, "awaiting insurance": 1}
    # After the deferral the reminder goes on the next working day.
    assert services.run_dunning(D(2026, 5, 4)).steps == {"reminder": 1}


def test_overpayment_reversal_and_payment_to_closed_invoice():
    org, settings = h.norwegian_creditor()
    clerk = h.clerk(org)
    inv = h.invoice(clerk, f.patient(org), 40000, D(2026, 3, 5))
    camt = camt_builder.simple([("450.00", inv.reference)], message_id="MSG-over")
    import_bank_files(clerk, [("over.xml", camt)])
    inv.refresh_from_db()
    assert inv.status == InvoiceStatus.PAID and inv.credit_balance_minor == 5000
    # A second payment to the closed invoice is all credit.
    again = camt_builder.build([camt_builder.Notification([camt_builder.Entry([camt_builder.Tx("100.00", kid=inv.reference, acct_svcr_ref="AGAIN-1")])])], message_id="MSG-again")
    import_bank_files(clerk, [("again.xml", again)])
    inv.refresh_from_db()
    assert inv.credit_balance_minor == 15000 and inv.open_minor == 0
    # The bank takes the first payment back: the invoice reopens and its credit goes.
    reversal = camt_builder.build([camt_builder.Notification([camt_builder.Entry(
        [camt_builder.Tx("450.00", kid=inv.reference, acct_svcr_ref="REV-1")], credit=False, reversal=True)])], message_id="MSG-rev")
    import_bank_files(clerk, [("rev.xml", reversal)])
    inv.refresh_from_db()
    assert inv.status == InvoiceStatus.OPEN and inv.open_minor == 40000 and inv.credit_balance_minor == 10000
    services.refund_credit_balance(clerk, inv, to_account="12345678903")
    inv.refresh_from_db()
    assert inv.credit_balance_minor == 0 and inv.open_minor == 40000


def test_small_dispute_credited_in_one_click_and_conciliation_summary():
    org, settings = h.norwegian_creditor(small_claim_threshold_minor=20000)
    clerk = h.clerk(org)
    admin = f.actor(org, Role.CLINIC_ADMIN)
    small = h.invoice(clerk, f.patient(org, "Liten Sak"), 15000, D(2026, 3, 5))
    big = h.invoice(clerk, f.patient(org, "Stor Sak"), 250000, D(2026, 3, 5))
    d1 = services.raise_dispute(None, small, reason="wrong price", label="patient")
    d2 = services.raise_dispute(None, big, reason="not treated", label="patient")
    services.credit_small_claim(admin, d1)
    small.refresh_from_db()
    assert small.status == InvoiceStatus.CREDITED and small.open_minor == 0
    with pytest.raises(Exception):
        services.credit_small_claim(admin, d2)
    summary = services.conciliation_summary(admin, d2)
    assert "Stor Sak" in summary and "not treated" in summary and str(big.number) in summary
    services.decide_dispute(admin, d2, decision="conciliation", note="sent to forliksrådet")
