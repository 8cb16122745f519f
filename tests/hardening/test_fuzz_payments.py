"""Fuzz the bank-file readers (OCR giro, camt.054, BgMax, format detection) and the import.

Domain error of every reader: ``kvitt.payments.model.BankFileError`` (names line and field).
The import (``import_bank_files``) reports a refused file and writes nothing for it.
"""

import datetime

import pytest
from hypothesis import given, strategies as st

from kvitt.core.models import Organisation
from kvitt.core.permissions import Actor
from kvitt.payments import bgmax, camt054, detect, ocr_giro
from kvitt.payments.bgmax_writer import BgMaxDeposit, BgMaxPayment, write
from kvitt.payments.model import BankFileError, ParsedFile
from kvitt.payments.models import BankFile, BankTransaction, Payment
from kvitt.payments.matching import Receivable
from kvitt.payments.services import import_bank_files
from tests.hardening.strategies import FUZZ, Seed, any_mutation, any_xml_mutation, expect, mutated_lines, tried
from tests.payments.camt_builder import Entry, Notification, Tx, build as build_camt
from tests.payments.memory_ledger import MemoryLedger
from tests.payments.ocr_builder import OcrPayment, build as build_ocr

DAY = datetime.date(2026, 3, 2)

# OCR giro written by netsgiro, the format's reference library.
OCR = Seed("OCR giro", build_ocr([
    OcrPayment(35000, "12345678903"), OcrPayment(20000, "00000000017", text="Faktura 1002"),
    OcrPayment(999, "99999999999", type=18),
]))
CAMT = Seed("camt.054", build_camt([
    Notification([Entry([Tx("350.00", kid="12345678903", acct_svcr_ref="R1"), Tx("20.00", kid="00000000017", acct_svcr_ref="R2")]),
                  Entry([Tx("9.99", kid=None, acct_svcr_ref="R3")])]),
]))
BGMAX = Seed("BgMax", write([
    BgMaxDeposit("9912346", DAY, [
        BgMaxPayment(100000, "655969", sender_bankgiro="3783511", payer_name="Kalles Plåt AB",
                     street="Storgatan 2", postcode="12345", city="Storåker", org_number="5500001234"),
        BgMaxPayment(50000, "89853", reference_code="3", deduction=True, payer_name="Kalles Plåt AB"),
        BgMaxPayment(140000, "657866 658765", reference_code="3", extra_references=("657866", "658765"),
                     information=("Betalning med extra refnr",)),
    ]),
]))


def test_the_seeds_are_valid():
    assert len(ocr_giro.parse(OCR).transactions) == 3
    assert len(camt054.parse(CAMT).transactions) == 3
    assert len(bgmax.parse(BGMAX).transactions) == 3


def _parsed(result):
    assert result is None or isinstance(result, ParsedFile)
    if result is not None:
        # What a reader returns is whole: integer minor units, one id per transaction.
        for tx in result.transactions:
            assert isinstance(tx.amount_minor, int) and not isinstance(tx.amount_minor, bool)


@FUZZ
@given(any_mutation(OCR))
def test_ocr_giro_gives_transactions_or_bank_file_error(data):
    _parsed(expect(ocr_giro.parse, data, BankFileError, name="payments.ocr_giro.parse"))


@FUZZ
@given(any_xml_mutation(CAMT))
def test_camt054_gives_transactions_or_bank_file_error(data):
    _parsed(expect(camt054.parse, data, BankFileError, name="payments.camt054.parse"))


@FUZZ
@given(st.one_of(any_mutation(BGMAX), mutated_lines(BGMAX, max_edits=6)))
def test_bgmax_gives_transactions_or_bank_file_error(data):
    _parsed(expect(bgmax.parse, data, BankFileError, name="payments.bgmax.parse"))


@FUZZ
@given(st.one_of(any_mutation(OCR), any_mutation(BGMAX), any_xml_mutation(CAMT)))
def test_detect_and_parse_give_a_format_or_bank_file_error(data):
    _parsed(expect(detect.parse, data, BankFileError, name="payments.detect.parse"))


@pytest.fixture
def actor(db):
    clinic = Organisation.objects.create(name="Fysio Fuzz AS", kind="clinic_company", country="NO", org_number="923609016")
    return Actor.system(clinic)


def _counts():
    return BankFile.objects.count(), BankTransaction.objects.count(), Payment.objects.count()


@FUZZ
@given(data=st.one_of(any_mutation(OCR), any_mutation(BGMAX), any_xml_mutation(CAMT)))
def test_a_refused_bank_file_writes_nothing(actor, data):
    ledger = MemoryLedger([
        Receivable(1, "12345678903", "1001", 35000, "Kari Nordmann", total_minor=35000),
        Receivable(2, "655969", "SE-1", 100000, "Kalles Plåt AB", total_minor=100000),
    ])
    before = _counts()
    tried("payments.import_bank_files")
    (report,) = import_bank_files(actor, [("fuzz.txt", data)], ledger=ledger)
    if report.status == "refused":
        assert report.error
        assert _counts() == before, "a refused bank file left rows behind"
    else:
        assert report.status in ("imported", "already_imported")


def test_a_superscript_digit_is_not_a_digit():
    # Found by the atheris harness (bench/fuzz/): "²" passes str.isdigit() but not int().
    lines = bytes(OCR).split(b"\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(b"NY000089"))  # the transmission end record
    lines[at] = lines[at][:41] + b"\xb2" + lines[at][42:]
    with pytest.raises(BankFileError, match="date"):
        ocr_giro.parse(b"\n".join(lines))
    summary = bytes(CAMT).replace(b"<TxsSummry><TtlNtries><NbOfNtries>", b"<TxsSummry><TtlNtries><NbOfNtries>\xc2\xb2", 1)
    if summary != bytes(CAMT):
        with pytest.raises(BankFileError, match="NbOfNtries"):
            camt054.parse(summary)
