import datetime

import pytest

from kvitt.payments import detect
from kvitt.payments.bgmax_writer import BgMaxDeposit, BgMaxPayment, write
from kvitt.payments.model import BankFileError

from .camt_builder import simple
from .ocr_builder import OcrPayment, build


def test_detects_each_format():
    assert detect.detect(build([OcrPayment(100, "12345678903")])) == "ocr_giro"
    assert detect.detect(simple([("1.00", None)])) == "camt054"
    assert detect.detect(write([BgMaxDeposit("9912346", datetime.date(2026, 1, 5), [BgMaxPayment(100, "18")])])) == "bgmax"


def test_parse_dispatches():
    assert detect.parse(simple([("1.00", "12345678903")])).transactions[0].reference == "12345678903"


@pytest.mark.parametrize("data, message", [
    (b"hello", "not a bank file"),
    (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt/></Document>', "camt.053"),
    (b"<Invoice/>", "not a camt.054"),
    (b"NY21" + b"0" * 76, "AvtaleGiro"),
])
def test_refuses_what_it_does_not_know(data, message):
    with pytest.raises(BankFileError, match=message):
        detect.detect(data)


def test_byte_order_mark_and_crlf_are_tolerated():
    data = b"\xef\xbb\xbf" + build([OcrPayment(100, "12345678903")]).replace(b"\n", b"\r\n")
    assert detect.parse(data).transactions[0].amount_minor == 100
    bg = b"\xef\xbb\xbf" + write([BgMaxDeposit("9912346", datetime.date(2026, 1, 5), [BgMaxPayment(100, "18")])])
    assert detect.parse(bg).transactions[0].amount_minor == 100
