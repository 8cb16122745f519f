import pytest

from kvitt.payments import ocr_giro
from kvitt.payments.model import BankFileError

from .ocr_builder import OcrPayment, build


def lines_of(data: bytes) -> list[str]:
    return data.decode("latin-1").splitlines()


def replace_at(line: str, start: int, text: str) -> str:
    """Overwrite 1-based position ``start`` onwards with ``text``."""
    return line[: start - 1] + text + line[start - 1 + len(text):]


def rebuild(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("latin-1")


def test_reads_payments_written_by_netsgiro():
    data = build([OcrPayment(35000, "12345678903"), OcrPayment(12550, "0000000000017", type=21, text="Faktura 1001")])
    parsed = ocr_giro.parse(data)
    assert parsed.format == "ocr_giro"
    assert parsed.file_id == "00012345:1000081"
    first, second = parsed.transactions
    assert (first.amount_minor, first.reference, first.currency, first.file_line) == (35000, "12345678903", "NOK", 3)
    assert first.creditor_account == "15032080000"
    assert first.payer_account == "99990512341"
    assert (second.amount_minor, second.reference, second.free_text) == (12550, "0000000000017", "Faktura 1001")
    assert parsed.totals["transactions"] == 2
    assert parsed.totals["total_amount_minor"] == 47550


def test_amount_is_integer_ore_even_for_large_sums():
    parsed = ocr_giro.parse(build([OcrPayment(123456789012, "12345678903")]))
    assert parsed.transactions[0].amount_minor == 123456789012


def test_reversal_is_negative_and_flagged():
    parsed = ocr_giro.parse(build([OcrPayment(35000, "12345678903"), OcrPayment(35000, "12345678903", type=18)]))
    assert [t.amount_minor for t in parsed.transactions] == [35000, -35000]
    assert [t.reversal for t in parsed.transactions] == [False, True]


def test_transaction_ids_are_stable_and_distinct():
    data = build([OcrPayment(100, "12345678903"), OcrPayment(100, "12345678903")])
    ids = [t.transaction_id for t in ocr_giro.parse(data).transactions]
    assert ids == [t.transaction_id for t in ocr_giro.parse(data).transactions]
    assert len(set(ids)) == 2


def test_bad_amount_names_line_and_field():
    lines = lines_of(build([OcrPayment(35000, "12345678903")]))
    lines[2] = replace_at(lines[2], 33, "00000000000003X00")
    with pytest.raises(BankFileError) as caught:
        ocr_giro.parse(rebuild(lines))
    assert caught.value.line == 3
    assert "amount (pos 33-49)" in caught.value.field


def test_kid_with_letters_is_refused():
    lines = lines_of(build([OcrPayment(35000, "12345678903")]))
    lines[2] = replace_at(lines[2], 70, "AB")
    with pytest.raises(BankFileError) as caught:
        ocr_giro.parse(rebuild(lines))
    assert caught.value.line == 3 and "KID" in caught.value.field


def test_wrong_assignment_total_is_refused():
    lines = lines_of(build([OcrPayment(35000, "12345678903")]))
    end = next(i for i, line in enumerate(lines) if line[6:8] == "88")
    lines[end] = replace_at(lines[end], 25, "00000000000035001")
    with pytest.raises(BankFileError) as caught:
        ocr_giro.parse(rebuild(lines))
    assert caught.value.line == end + 1
    assert "total amount" in caught.value.field


def test_wrong_transmission_count_is_refused():
    lines = lines_of(build([OcrPayment(35000, "12345678903")]))
    lines[-1] = replace_at(lines[-1], 9, "00000002")
    with pytest.raises(BankFileError) as caught:
        ocr_giro.parse(rebuild(lines))
    assert "record 89 number of transactions" in caught.value.field


def test_missing_end_record_is_refused():
    lines = lines_of(build([OcrPayment(35000, "12345678903")]))
    with pytest.raises(BankFileError) as caught:
        ocr_giro.parse(rebuild(lines[:-1]))
    assert "89" in caught.value.message


def test_missing_amount_item_2_is_refused():
    lines = lines_of(build([OcrPayment(35000, "12345678903"), OcrPayment(100, "12345678903")]))
    del lines[3]  # the first payment's record 31
    with pytest.raises(BankFileError) as caught:
        ocr_giro.parse(rebuild(lines))
    assert caught.value.line == 4


def test_short_line_is_refused():
    lines = lines_of(build([OcrPayment(35000, "12345678903")]))
    lines[2] = lines[2][:79]
    with pytest.raises(BankFileError) as caught:
        ocr_giro.parse(rebuild(lines))
    assert (caught.value.line, caught.value.field) == (3, "record length")


def test_avtalegiro_service_code_inside_ocr_file_is_refused():
    lines = lines_of(build([OcrPayment(35000, "12345678903")]))
    lines[2] = replace_at(lines[2], 3, "21")
    with pytest.raises(BankFileError) as caught:
        ocr_giro.parse(rebuild(lines))
    assert "service code" in caught.value.field


def test_raw_records_are_kept_with_each_transaction():
    data = build([OcrPayment(100, "12345678903", type=21, text="hei"), OcrPayment(200, "12345678903")])
    first, second = ocr_giro.parse(data).transactions
    assert [r[6:8] for r in first.raw] == ["30", "31", "32"]
    assert [r[6:8] for r in second.raw] == ["30", "31"]
