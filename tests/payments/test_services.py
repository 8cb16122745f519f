import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kvitt.core.models import AuditEntry, Organisation
from kvitt.core.permissions import Actor, PermissionDenied
from kvitt.payments.bgmax_writer import BgMaxDeposit, BgMaxPayment, write
from kvitt.payments.matching import Receivable
from kvitt.payments.models import BankFile, BankTransaction, Payment
from kvitt.payments.services import import_bank_files
from kvitt.payments.signals import payment_received

from .camt_builder import Entry, Notification, Tx, build
from .memory_ledger import MemoryLedger
from .ocr_builder import OcrPayment
from .ocr_builder import build as build_ocr

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic():
    return Organisation.objects.create(name="Fysio Sentrum AS", kind="clinic_company", country="NO", org_number="923609016")


@pytest.fixture
def actor(clinic):
    return Actor.system(clinic)


@pytest.fixture
def ledger():
    return MemoryLedger([
        Receivable(1, "12345678903", "1001", 35000, "Kari Nordmann", total_minor=35000),
        Receivable(2, "00000000017", "1002", 50000, "Ola Nordmann", total_minor=50000),
        Receivable(3, "655969", "SE-1", 100000, "Kalles Plåt AB", total_minor=100000),
    ])


def ocr_file():
    return build_ocr([OcrPayment(35000, "12345678903"), OcrPayment(20000, "00000000017"), OcrPayment(999, "99999999999")])


def test_import_matches_stores_and_posts(actor, ledger):
    (report,) = import_bank_files(actor, [("nets.txt", ocr_file())], ledger=ledger)
    assert (report.status, report.format, report.new, report.matched, report.left) == ("imported", "ocr_giro", 3, 2, 1)
    assert report.outcomes["full"] == 1 and report.outcomes["partial"] == 1 and report.outcomes["unmatched"] == 1
    assert ledger.open == {1: 0, 2: 30000, 3: 100000}
    assert BankTransaction.objects.count() == 3
    assert sorted(Payment.objects.values_list("receivable_id", "amount_minor")) == [("1", 35000), ("2", 20000)]
    bank_file = BankFile.objects.get()
    assert (bank_file.matched_count, bank_file.unmatched_count, bank_file.amount_minor) == (2, 1, 55999)
    assert AuditEntry.objects.filter(action="bank_import", object_id=str(bank_file.pk)).exists()
    assert "imported 3 of 3" in report.line() and "left 1" in report.line()


def test_reimport_of_the_same_file_changes_nothing(actor, ledger):
    import_bank_files(actor, [ocr_file()], ledger=ledger)
    (again,) = import_bank_files(actor, [ocr_file()], ledger=ledger)
    assert again.status == "already_imported"
    assert BankTransaction.objects.count() == 3 and Payment.objects.count() == 2
    assert ledger.open[1] == 0 and len(ledger.postings) == 2


def test_same_payments_in_a_different_file_are_not_imported_twice(actor, ledger):
    first = build([Notification([Entry([Tx("350.00", kid="12345678903", acct_svcr_ref="A1")])])], message_id="M1")
    second = build([Notification([Entry([Tx("350.00", kid="12345678903", acct_svcr_ref="A1")]),
                                  Entry([Tx("100.00", kid="00000000017", acct_svcr_ref="A2")])])], message_id="M2")
    import_bank_files(actor, [first], ledger=ledger)
    (report,) = import_bank_files(actor, [second], ledger=ledger)
    assert (report.new, report.already_known) == (1, 1)
    assert BankTransaction.objects.count() == 2
    assert ledger.open == {1: 0, 2: 40000, 3: 100000}


def test_a_bad_record_stores_nothing_of_that_file_but_others_proceed(actor, ledger):
    lines = ocr_file().decode().splitlines()
    lines[2] = lines[2][:40] + "X" + lines[2][41:]
    broken = ("\n".join(lines) + "\n").encode()
    bgmax = write([BgMaxDeposit("9912346", datetime.date(2026, 1, 5), [BgMaxPayment(100000, "655969", payer_name="Kalles Plåt AB")])])
    bad, good = import_bank_files(actor, [("broken.txt", broken), ("bg.txt", bgmax)], ledger=ledger)
    assert bad.status == "refused" and "line 3" in bad.error and "amount" in bad.error
    assert good.status == "imported" and good.outcomes["full"] == 1
    assert BankFile.objects.count() == 1 and BankTransaction.objects.filter(format="ocr_giro").count() == 0


def test_ledger_failure_rolls_the_whole_file_back(actor, ledger):
    ledger.fail_on_apply = True
    with pytest.raises(RuntimeError):
        import_bank_files(actor, [ocr_file()], ledger=ledger)
    assert BankFile.objects.count() == BankTransaction.objects.count() == Payment.objects.count() == 0
    ledger.fail_on_apply = False
    (report,) = import_bank_files(actor, [ocr_file()], ledger=ledger)
    assert report.matched == 2


def test_overpayment_and_reversal_post_credit(actor, ledger):
    data = build_ocr([OcrPayment(40000, "12345678903"), OcrPayment(40000, "12345678903", type=18)])
    (report,) = import_bank_files(actor, [data], ledger=ledger)
    assert report.outcomes["overpayment"] == 1 and report.outcomes["reversal"] == 1
    assert ledger.open[1] == 35000 and ledger.credit[1] == 0
    assert [p.credit_minor for p in ledger.postings] == [5000, -5000]


def test_payment_received_is_sent_after_commit(actor, ledger, django_capture_on_commit_callbacks):
    seen = []

    def listener(sender, **kwargs):
        seen.append((kwargs["receivable_id"], kwargs["amount_minor"], kwargs["outcome"]))

    payment_received.connect(listener, sender=Payment)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            import_bank_files(actor, [ocr_file()], ledger=ledger)
    finally:
        payment_received.disconnect(listener, sender=Payment)
    assert sorted(seen) == [("1", 35000, "full"), ("2", 20000, "partial")]


def test_without_a_ledger_everything_waits_in_the_manual_queue(actor):
    (report,) = import_bank_files(actor, [ocr_file()])
    assert report.left == 3 and report.matched == 0


def test_roles_that_may_not_import(clinic):
    auditor = Actor(user=None, organisation=clinic, role="auditor")
    with pytest.raises(PermissionDenied):
        import_bank_files(auditor, [ocr_file()])


def test_command_imports_and_reports(tmp_path, clinic, capsys):
    path = tmp_path / "nets.txt"
    path.write_bytes(ocr_file())
    call_command("bank", "import", str(path))
    out = capsys.readouterr().out
    assert "nets.txt: ocr_giro imported 3 of 3 transactions" in out
    call_command("bank", "import", str(path), "--organisation", "923609016")
    assert "already imported" in capsys.readouterr().out


def test_command_refuses_bad_files(tmp_path, clinic, capsys):
    path = tmp_path / "x.txt"
    path.write_bytes(b"garbage")
    with pytest.raises(CommandError):
        call_command("bank", "import", str(path))
    assert "refused" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("bank", "check", str(path))


def test_command_check_stores_nothing(tmp_path, clinic, capsys):
    path = tmp_path / "nets.txt"
    path.write_bytes(ocr_file())
    call_command("bank", "check", str(path))
    assert "3 transactions" in capsys.readouterr().out
    assert BankFile.objects.count() == 0


def test_manual_queue_and_manual_allocation(actor, ledger):
    from kvitt.payments.selectors import credit_balances, manual_queue
    from kvitt.payments.services import ManualAllocationError, allocate_manually

    data = build_ocr([OcrPayment(60000, "99999999999")])
    import_bank_files(actor, [data], ledger=ledger)
    (waiting,) = manual_queue(actor)
    payment = allocate_manually(actor, waiting, "2", ledger=ledger)
    assert (payment.amount_minor, payment.outcome, payment.method) == (50000, "overpayment", "manual")
    assert ledger.open[2] == 0 and ledger.credit[2] == 10000
    assert not manual_queue(actor).exists()
    assert list(credit_balances(actor)) == [BankTransaction.objects.get(pk=waiting.pk)]
    with pytest.raises(ManualAllocationError):
        allocate_manually(actor, waiting, "1", ledger=ledger)  # nothing left of the transaction
    assert AuditEntry.objects.filter(action="payment_allocate").count() == 1


def test_manual_allocation_refuses_other_organisations(actor, ledger):
    from kvitt.payments.selectors import manual_queue
    from kvitt.payments.services import allocate_manually

    import_bank_files(actor, [build_ocr([OcrPayment(100, "99999999999")])], ledger=ledger)
    (waiting,) = manual_queue(actor)
    other = Organisation.objects.create(name="Other AS", kind="clinic_company", country="NO")
    with pytest.raises(PermissionDenied):
        allocate_manually(Actor.system(other), waiting, "1", ledger=ledger)


def test_file_for_another_account_is_refused(actor, clinic, ledger):
    from kvitt.network.models import Company

    Company.objects.create(organisation=clinic, name=clinic.name, org_number=clinic.org_number, bank_account="86011117947",
                           iban="NO9386011117947")
    (refused,) = import_bank_files(actor, [build_ocr([OcrPayment(100, "12345678903")], account="15032080000")], ledger=ledger)
    assert refused.status == "refused" and "15032080000" in refused.error
    (ours,) = import_bank_files(actor, [build_ocr([OcrPayment(100, "12345678903")], account="86011117947")], ledger=ledger)
    assert ours.status == "imported"
    camt = build([Notification([Entry([Tx("1.00", kid="12345678903", acct_svcr_ref="Z1")])], account="NO9386011117947")])
    (ours_camt,) = import_bank_files(actor, [camt], ledger=ledger)
    assert ours_camt.status == "imported"


def test_stored_rows_keep_references_suggestions_and_dates(actor, ledger):
    day = datetime.date(2026, 1, 5)
    data = write([BgMaxDeposit("9912346", day, [
        BgMaxPayment(150000, "655969 00000000017", reference_code="3", extra_references=("655969", "00000000017")),
        BgMaxPayment(35000, "", reference_code="1", payer_name="KARI NORDMANN"),
    ])])
    import_bank_files(actor, [data], ledger=ledger)
    several, unknown = BankTransaction.objects.order_by("file_line")
    assert several.extra_references == ["655969", "00000000017"] and several.booking_date == day
    assert several.outcome == "full"
    assert sorted(Payment.objects.filter(bank_transaction=several).values_list("receivable_id", "amount_minor")) == [
        ("2", 50000), ("3", 100000)]
    assert unknown.outcome == "unmatched"
    assert unknown.suggestions[0]["receivable_id"] == "1"
