import datetime

import pytest

from kvitt.payments import bgmax
from kvitt.payments.bgmax_writer import BgMaxDeposit, BgMaxPayment, write
from kvitt.payments.model import BankFileError

DAY = datetime.date(2026, 3, 2)


def sample() -> bytes:
    return write([
        BgMaxDeposit("9912346", DAY, [
            BgMaxPayment(100000, "655969", sender_bankgiro="3783511", payer_name="Kalles Plåt AB",
                         street="Storgatan 2", postcode="12345", city="Storåker", org_number="5500001234"),
            BgMaxPayment(50000, "89853", reference_code="3", deduction=True, payer_name="Kalles Plåt AB"),
            BgMaxPayment(140000, "657866 658765", reference_code="3", extra_references=("657866", "658765"),
                         information=("Betalning med extra refnr",)),
        ]),
        BgMaxDeposit("9912346", DAY, [BgMaxPayment(120000, "Faktura 2026-17", reference_code="4", channel="3")]),
    ])


def lines_of(data: bytes) -> list[str]:
    return data.decode("latin-1").splitlines()


def rebuild(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("latin-1")


def replace_at(line: str, start: int, text: str) -> str:
    return line[: start - 1] + text + line[start - 1 + len(text):]


def test_reads_every_record_type():
    parsed = bgmax.parse(sample())
    assert parsed.format == "bgmax"
    assert parsed.totals == {"payments": 3, "deductions": 1, "extra_references": 2, "deposits": 2,
                             "deposit_amount_minor": 190000 + 120000, "test": False}
    ocr, deduction, several, text = parsed.transactions
    assert (ocr.amount_minor, ocr.reference, ocr.payer_account, ocr.currency) == (100000, "655969", "3783511", "SEK")
    assert ocr.payer_name == "Kalles Plåt AB"
    assert ocr.booking_date == DAY and ocr.creditor_account == "9912346"
    assert any(r.startswith("29005500001234") for r in ocr.raw)
    assert (deduction.amount_minor, deduction.reversal, deduction.reference) == (-50000, True, None)
    assert "89853" in deduction.free_text
    assert several.references == ("657866", "658765")
    assert "Betalning med extra refnr" in several.free_text
    assert (text.reference, text.free_text) == (None, "Faktura 2026-17")


def test_latin1_and_utf8_files_read_the_same():
    data = sample()
    utf8 = data.decode("latin-1").encode("utf-8")
    assert [t.payer_name for t in bgmax.parse(utf8).transactions] == [t.payer_name for t in bgmax.parse(data).transactions]


def test_trimmed_trailing_blanks_are_accepted():
    data = rebuild([line.rstrip() for line in lines_of(sample())])
    assert len(bgmax.parse(data).transactions) == 4


def test_repeated_bgc_serial_gets_distinct_ids():
    data = write([BgMaxDeposit("9912346", DAY, [BgMaxPayment(100, "1", serial="16"), BgMaxPayment(200, "2", serial="16")])])
    ids = [t.transaction_id for t in bgmax.parse(data).transactions]
    assert len(set(ids)) == 2 and ids == [t.transaction_id for t in bgmax.parse(data).transactions]


def test_deposit_total_is_checked():
    lines = lines_of(sample())
    index = next(i for i, line in enumerate(lines) if line.startswith("15"))
    lines[index] = replace_at(lines[index], 51, "000000000000190001")
    with pytest.raises(BankFileError) as caught:
        bgmax.parse(rebuild(lines))
    assert caught.value.line == index + 1
    assert caught.value.field == "TK15 deposit amount (pos 51-68)"


def test_deposit_count_is_checked():
    lines = lines_of(sample())
    index = next(i for i, line in enumerate(lines) if line.startswith("15"))
    lines[index] = replace_at(lines[index], 72, "00000002")
    with pytest.raises(BankFileError) as caught:
        bgmax.parse(rebuild(lines))
    assert "number of payments" in caught.value.field


def test_end_record_counts_are_checked():
    lines = lines_of(sample())
    lines[-1] = replace_at(lines[-1], 19, "00000003")
    with pytest.raises(BankFileError) as caught:
        bgmax.parse(rebuild(lines))
    assert caught.value.field == "TK70 number of extra reference records (pos 19-26)"


def test_bad_amount_names_line_and_field():
    lines = lines_of(sample())
    lines[2] = replace_at(lines[2], 40, "x")
    with pytest.raises(BankFileError) as caught:
        bgmax.parse(rebuild(lines))
    assert (caught.value.line, caught.value.field) == (3, "TK20 amount (pos 38-55)")
    assert "line 3" in str(caught.value)


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda ls: ls.__setitem__(0, replace_at(ls[0], 3, "BGMIN")), "TK01 layout name (pos 3-22)"),
        (lambda ls: ls.__setitem__(0, replace_at(ls[0], 23, "02")), "TK01 version (pos 23-24)"),
        (lambda ls: ls.__setitem__(0, replace_at(ls[0], 45, "X")), "TK01 test mark (pos 45)"),
        (lambda ls: ls.__setitem__(2, replace_at(ls[2], 56, "9")), "TK20 reference code (pos 56)"),
        (lambda ls: ls.__setitem__(2, replace_at(ls[2], 57, "7")), "TK20 payment channel (pos 57)"),
        (lambda ls: ls.insert(3, "99" + " " * 78), "transaction code (pos 1-2)"),
        (lambda ls: ls.insert(2, "26Someone".ljust(80)), "transaction code (pos 1-2)"),
        (lambda ls: ls.__setitem__(2, ls[2] + "X"), "record length"),
    ],
)
def test_malformed_records_are_refused_with_their_field(mutate, field):
    lines = lines_of(sample())
    mutate(lines)
    with pytest.raises(BankFileError) as caught:
        bgmax.parse(rebuild(lines))
    assert caught.value.field == field


def test_deduction_code_is_checked():
    lines = lines_of(sample())
    index = next(i for i, line in enumerate(lines) if line.startswith("21"))
    lines[index] = replace_at(lines[index], 71, "7")
    with pytest.raises(BankFileError) as caught:
        bgmax.parse(rebuild(lines))
    assert caught.value.field == "TK21 deduction code (pos 71)"


def test_missing_end_record_and_unclosed_section():
    lines = lines_of(sample())
    with pytest.raises(BankFileError, match="TK70"):
        bgmax.parse(rebuild(lines[:-1]))
    without_deposit = [line for line in lines if not line.startswith("15")]
    with pytest.raises(BankFileError):
        bgmax.parse(rebuild(without_deposit))


def test_empty_file():
    with pytest.raises(BankFileError, match="empty"):
        bgmax.parse(b"\n\n")


from hypothesis import given, settings
from hypothesis import strategies as st

payments = st.lists(
    st.tuples(st.integers(min_value=1, max_value=10**12), st.from_regex(r"[0-9]{2,25}", fullmatch=True), st.booleans()),
    min_size=1, max_size=20,
)


@settings(max_examples=100, deadline=None)
@given(payments)
def test_written_files_read_back_exactly(rows):
    deposit = BgMaxDeposit("9912346", DAY, [BgMaxPayment(a, r, deduction=d) for a, r, d in rows])
    if sum(-a if d else a for a, _, d in rows) < 0:
        return  # a deposit cannot be negative
    parsed = bgmax.parse(write([deposit]))
    assert [t.amount_minor for t in parsed.transactions] == [-a if d else a for a, _, d in rows]
    assert [t.reference for t in parsed.transactions if not t.reversal] == [r for _, r, d in rows if not d]
    assert len({t.transaction_id for t in parsed.transactions}) == len(rows)


def test_control_characters_inside_a_name_do_not_split_the_record():
    data = write([BgMaxDeposit("9912346", DAY, [BgMaxPayment(100, "18", payer_name="Anna\x85Berg")])])
    (only,) = bgmax.parse(data).transactions
    assert only.payer_name == "Anna\x85Berg"


def test_crlf_line_ends():
    assert len(bgmax.parse(sample().replace(b"\n", b"\r\n")).transactions) == 4
