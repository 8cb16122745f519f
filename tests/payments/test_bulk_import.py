"""The bulk paths of the import: many transactions per file, already-known ones looked up in
one query (PostgreSQL) or in chunks (SQLite), with the statistics refresh after large files."""

import datetime

import pytest
from django.db import connection

from kvitt.core.models import Organisation
from kvitt.core.permissions import Actor
from kvitt.payments import services
from kvitt.payments.bgmax_writer import BgMaxDeposit, BgMaxPayment, write
from kvitt.payments.matching import Receivable
from kvitt.payments.models import BankFile, BankTransaction, Payment
from kvitt.payments.services import import_bank_files

from .memory_ledger import MemoryLedger

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 2)
COUNT = 2 * services.ID_CHUNK + 7  # more than two of SQLite's lookup chunks


@pytest.fixture
def actor():
    clinic = Organisation.objects.create(name="Tandläkarna AB", kind="clinic_company", country="SE", org_number="5560360793")
    return Actor.system(clinic)


def receivables():
    return [Receivable(n, f"{100000 + n}", f"F{n}", 10000 + n, "Kalle Anka", total_minor=10000 + n) for n in range(COUNT + 1)]


def bank_file(numbers, created_second: int) -> bytes:
    payments = [BgMaxPayment(10000 + n, f"{100000 + n}", serial=str(500 + n)) for n in numbers]
    deposits = [BgMaxDeposit("9912346", DAY, payments[i:i + 400]) for i in range(0, len(payments), 400)]
    return write(deposits, created=datetime.datetime(2026, 3, 2, 6, 0, created_second))


def test_a_later_file_repeating_many_payments_imports_only_the_new_ones(actor):
    ledger = MemoryLedger(receivables())
    (first,) = import_bank_files(actor, [("first.txt", bank_file(range(COUNT), 1))], ledger=ledger)
    assert (first.new, first.already_known, first.outcomes["full"]) == (COUNT, 0, COUNT)
    # The same payments re-delivered in a new file, with one more: only that one is new.
    (second,) = import_bank_files(actor, [("second.txt", bank_file(range(COUNT + 1), 2))], ledger=ledger)
    assert (second.status, second.new, second.already_known, second.outcomes["full"]) == ("imported", 1, COUNT, 1)
    assert BankTransaction.objects.count() == COUNT + 1 and Payment.objects.count() == COUNT + 1
    assert all(amount == 0 for amount in ledger.open.values())
    assert len(ledger.postings) == COUNT + 1


def test_existing_ids_finds_exactly_the_stored_ones(actor):
    import_bank_files(actor, [bank_file(range(0, COUNT, 2), 1)], ledger=MemoryLedger(receivables()))
    stored = set(BankTransaction.objects.values_list("transaction_id", flat=True))
    asked = sorted(stored) + [f"{i}:not-stored" for i in range(COUNT)]
    assert services._existing_ids("bgmax", asked) == stored
    assert services._existing_ids("ocr_giro", asked) == set()
    assert services._existing_ids("bgmax", []) == set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANALYZE is PostgreSQL's")
def test_statistics_are_refreshed_only_when_a_file_grows_the_table_noticeably(actor, monkeypatch):
    issued = []

    def record_analyze(execute, sql, params, many, context):
        if sql.startswith("ANALYZE"):
            issued.append(sql)
        return execute(sql, params, many, context)

    monkeypatch.setattr(services, "ANALYZE_AFTER", 10)
    ledger = MemoryLedger(receivables())
    with connection.execute_wrapper(record_analyze):
        import_bank_files(actor, [bank_file(range(0, 1000), 1)], ledger=ledger)
        assert len(issued) == 1 and "transaction_id" in issued[0] and "raw" not in issued[0]
        # 100 more rows is 10 % of the 1 000 the statistics now count: below the threshold.
        import_bank_files(actor, [bank_file(range(1000, 1100), 2)], ledger=ledger)
        assert len(issued) == 1
        import_bank_files(actor, [bank_file(range(1100, COUNT), 3)], ledger=ledger)
        assert len(issued) == 2
    assert BankFile.objects.count() == 3
