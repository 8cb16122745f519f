"""Bankgirot BgMax (Bankgiro Inbetalningar): incoming payments reported by Bankgirot, Sweden.

A BgMax file is 80-character records, each starting with a two-digit transaction code
(TK). Layout, 1-based positions as in Bankgirot's technical manual:

  01 start    3-22 layout name ``BGMAX``, 23-24 version, 25-44 timestamp
              (YYYYMMDDhhmmss + microseconds), 45 ``T`` test / ``P`` production
  05 opening  3-12 payee bankgiro, 13-22 payee plusgiro, 23-25 currency
  20 payment  3-12 sender bankgiro, 13-37 reference, 38-55 amount in öre,
              56 reference code, 57 payment channel, 58-69 BGC serial, 70 image flag
  21 deduction as 20, and 71 deduction code
  22/23 extra reference (positive/negative amount), laid out as 20
  25 information text 3-52
  26 name 3-37, extra name 38-72
  27 address 3-37, postcode 38-46
  28 city 3-37, country 38-72, country code 73-74
  29 organisation number 3-14
  15 deposit  3-37 payee bank account, 38-45 payment date, 46-50 deposit serial,
              51-68 deposit amount in öre, 69-71 currency, 72-79 number of payments,
              80 deposit type
  70 end      3-10 payments, 11-18 deductions, 19-26 extra references, 27-34 deposits

One 05...15 section is one deposit to the payee's bank account; its 15 record carries the
deposit's total, which must equal the section's payments less its deductions. The 70
record counts the records of the whole file. Both are checked. Amounts stay integer öre.
"""

from __future__ import annotations

import datetime

from kvitt.payments.bulk import collector_paused
from kvitt.payments.model import BGMAX, BankFileError, BankTransaction, ParsedFile

RECORD_LENGTH = 80

# Reference codes in position 56.
REF_BLANK = "0"
REF_NONE = "1"
REF_OCR = "2"
REF_SEVERAL = "3"
REF_TEXT = "4"
REF_WRONG = "5"
REFERENCE_CODES = {REF_BLANK, REF_NONE, REF_OCR, REF_SEVERAL, REF_TEXT, REF_WRONG}

CHANNELS = {
    "1": "internet bank",
    "2": "supplier payments (Leverantörsbetalningar)",
    "3": "payment form",
    "4": "Autogiro",
}

DEDUCTION_CODES = {
    "0": "whole deduction, nothing left",
    "1": "partial deduction, a remainder is left",
    "2": "final partial deduction",
}

PAYMENT_RECORDS = ("20", "21")
PAYMENT_DETAIL_RECORDS = ("22", "23", "25", "26", "27", "28", "29")


def _error(line: int, field: str, message: str) -> BankFileError:
    return BankFileError(line, field, message, format=BGMAX)


def _digits(record: str, start: int, end: int, line: int, field: str) -> int:
    """The integer in 1-based positions ``start``..``end``; refuses anything but digits."""
    text = record[start - 1 : end]
    if not text.isdigit() or not text.isascii():
        raise _error(line, f"{field} (pos {start}-{end})", f"expected digits, got {text!r}")
    return int(text)


def _text(record: str, start: int, end: int) -> str:
    return record[start - 1 : end].strip()


def _date(record: str, start: int, end: int, line: int, field: str) -> datetime.date:
    text = record[start - 1 : end]
    try:
        return datetime.date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise _error(line, f"{field} (pos {start}-{end})", f"not a date YYYYMMDD: {text!r}") from None


def _decode(data: bytes) -> str:
    """Bankgirot writes ISO 8859-1; files that passed through other tools are often UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _records(data: bytes):
    """(line number, 80-character record) for every non-empty line."""
    # Split on line feeds only: str.splitlines would also break at NEL (0x85 in Latin-1) and
    # other control characters that may sit inside a name field.
    for number, record in enumerate(_decode(data).split("\n"), start=1):
        if record.endswith("\r"):
            record = record[:-1]
        if len(record) == RECORD_LENGTH:
            yield number, record
            continue
        if not record.strip():
            continue
        if len(record) > RECORD_LENGTH:
            raise _error(number, "record length", f"{len(record)} characters; a BgMax record has {RECORD_LENGTH}")
        # Trailing blanks are often trimmed in transit; they carry nothing, so pad them back.
        yield number, record.ljust(RECORD_LENGTH)


class _Payment:
    """A 20 or 21 record and the detail records that follow it, until the next one."""

    __slots__ = (
        "line", "kind", "sender_bankgiro", "reference_field", "reference_code", "amount", "channel",
        "serial", "deduction_code", "extra_references", "texts", "names", "address", "org_number", "raw",
    )

    def __init__(self, line: int, record: str):
        kind = record[0:2]
        self.line = line
        self.kind = kind
        bankgiro, amount, serial = record[2:12], record[37:55], record[57:69].strip()
        # One cheap test for the common case; the field-by-field search only when it fails.
        if not (bankgiro.isdigit() and amount.isdigit() and (not serial or serial.isdigit())
                and bankgiro.isascii() and amount.isascii()):
            _digits(record, 3, 12, line, f"TK{kind} sender bankgiro")
            _digits(record, 38, 55, line, f"TK{kind} amount")
            raise _error(line, f"TK{kind} BGC serial number (pos 58-69)", f"expected digits, got {serial!r}")
        self.sender_bankgiro = bankgiro.lstrip("0")
        self.amount = int(amount)
        self.serial = serial
        self.reference_field = record[12:37].strip()
        self.reference_code = record[55]
        if self.reference_code not in REFERENCE_CODES:
            raise _error(line, f"TK{kind} reference code (pos 56)", f"unknown code {self.reference_code!r}")
        self.channel = record[56]
        if self.channel not in CHANNELS:
            raise _error(line, f"TK{kind} payment channel (pos 57)", f"unknown code {self.channel!r}")
        self.deduction_code = ""
        if kind == "21":
            self.deduction_code = record[70]
            if self.deduction_code not in DEDUCTION_CODES:
                raise _error(line, "TK21 deduction code (pos 71)", f"unknown code {self.deduction_code!r}")
        self.extra_references: list[str] = []
        self.texts: list[str] = []
        self.names: list[str] = []
        self.address: list[str] = []
        self.org_number = ""
        self.raw = [record]

    def add_detail(self, line: int, record: str) -> None:
        code = record[0:2]
        self.raw.append(record)
        if code == "26":
            name, extra = record[2:37].strip(), record[37:72].strip()
            if name:
                self.names.append(name)
            if extra:
                self.names.append(extra)
        elif code in ("22", "23"):
            _digits(record, 38, 55, line, f"TK{code} amount")
            reference = record[12:37].strip()
            if record[55] not in REFERENCE_CODES:
                raise _error(line, f"TK{code} reference code (pos 56)", f"unknown code {record[55]!r}")
            if reference and record[55] == REF_OCR:
                self.extra_references.append(reference)
            elif reference:
                self.texts.append(reference)
        elif code == "25":
            text = record[2:52].strip()
            if text:
                self.texts.append(text)
        elif code == "27":
            self.address.extend(a for a in (record[2:37].strip(), record[37:46].strip()) if a)
        elif code == "28":
            self.address.extend(a for a in (record[2:37].strip(), record[37:72].strip(), record[72:74].strip()) if a)
        elif code == "29":
            self.org_number = record[2:14].strip()

    @property
    def signed_amount(self) -> int:
        return -self.amount if self.kind == "21" else self.amount

    def reference(self) -> str | None:
        if self.reference_code == REF_OCR and self.reference_field:
            return self.reference_field
        return None

    def free_text(self) -> str:
        texts = []
        if self.reference_code in (REF_SEVERAL, REF_TEXT, REF_WRONG) and self.reference_field:
            texts.append(self.reference_field)
        texts.extend(self.texts)
        return " ".join(texts)


class _Section:
    __slots__ = ("line", "payee_bankgiro", "currency", "payments")

    def __init__(self, line: int, record: str):
        self.line = line
        self.payee_bankgiro = str(_digits(record, 3, 12, line, "TK05 payee bankgiro"))
        self.currency = _text(record, 23, 25) or "SEK"
        if not (len(self.currency) == 3 and self.currency.isalpha() and self.currency.isupper()):
            raise _error(line, "TK05 currency (pos 23-25)", f"not a currency code: {self.currency!r}")
        self.payments: list[_Payment] = []


def _check_start(line: int, record: str) -> tuple[str, bool]:
    if record[0:2] != "01":
        raise _error(line, "transaction code (pos 1-2)", f"a BgMax file starts with TK01, not {record[0:2]!r}")
    if _text(record, 3, 22) != "BGMAX":
        raise _error(line, "TK01 layout name (pos 3-22)", f"expected BGMAX, got {_text(record, 3, 22)!r}")
    version = _digits(record, 23, 24, line, "TK01 version")
    if version != 1:
        raise _error(line, "TK01 version (pos 23-24)", f"version {version:02d} is not supported (01 is)")
    timestamp = record[24:44]
    if not timestamp.isdigit():
        raise _error(line, "TK01 timestamp (pos 25-44)", f"expected digits, got {timestamp!r}")
    _date(record, 25, 32, line, "TK01 timestamp")
    mark = record[44]
    if mark not in ("T", "P"):
        raise _error(line, "TK01 test mark (pos 45)", f"expected T or P, got {mark!r}")
    return timestamp, mark == "T"


def _close_section(
    line: int, record: str, section: _Section, file_id: str, section_number: int, out: list[BankTransaction],
    seen_ids: dict[str, int],
) -> int:
    """Check a 15 record against its section and emit the section's transactions."""
    _digits(record, 3, 37, line, "TK15 payee bank account")
    payment_date = _date(record, 38, 45, line, "TK15 payment date")
    deposit_serial = _digits(record, 46, 50, line, "TK15 deposit serial number")
    deposit_amount = _digits(record, 51, 68, line, "TK15 deposit amount")
    currency = _text(record, 69, 71)
    if currency != section.currency:
        raise _error(line, "TK15 currency (pos 69-71)", f"{currency!r} differs from the opening record's {section.currency!r}")
    count = _digits(record, 72, 79, line, "TK15 number of payments")
    if count != len(section.payments):
        raise _error(line, "TK15 number of payments (pos 72-79)", f"says {count}, the section has {len(section.payments)}")
    total = sum(p.signed_amount for p in section.payments)
    if total != deposit_amount:
        raise _error(
            line, "TK15 deposit amount (pos 51-68)",
            f"says {deposit_amount} öre, the section's payments less deductions make {total} öre",
        )
    creditor = section.payee_bankgiro
    for index, payment in enumerate(section.payments, start=1):
        if payment.serial and int(payment.serial):
            # The serial alone is not known to be unique across files, so the payment's own
            # amount and reference are part of its identity too.
            transaction_id = (f"{creditor}:{payment_date:%Y%m%d}:{payment.kind}:{payment.serial}:"
                              f"{payment.amount}:{payment.reference_field.replace(' ', '')}")
        else:
            transaction_id = f"{creditor}:{file_id}:{section_number}:{deposit_serial}:{index}"
        # Bankgirot's serial is not unique (its own example file repeats one), so a repeat
        # within the file gets its occurrence number; the same file read again gives the same ids.
        occurrence = seen_ids.get(transaction_id, 0) + 1
        seen_ids[transaction_id] = occurrence
        if occurrence > 1:
            transaction_id = f"{transaction_id}#{occurrence}"
        out.append(
            BankTransaction(
                format=BGMAX,
                file_line=payment.line,
                transaction_id=transaction_id,
                booking_date=payment_date,
                value_date=payment_date,
                amount_minor=payment.signed_amount,
                currency=section.currency,
                reference=payment.reference(),
                free_text=payment.free_text(),
                payer_name=" ".join(payment.names),
                payer_account=payment.sender_bankgiro,
                reversal=payment.kind == "21",
                creditor_account=creditor,
                extra_references=tuple(payment.extra_references),
                raw=tuple(payment.raw),
            )
        )
    return deposit_amount


def parse(data: bytes) -> ParsedFile:
    """Parse a BgMax file strictly; raises ``BankFileError`` naming the line and field."""
    with collector_paused():
        return _parse(data)


def _parse(data: bytes) -> ParsedFile:
    records = _records(data)
    first = next(records, None)
    if first is None:
        raise _error(None, "file", "the file is empty")
    file_id, is_test = _check_start(*first)
    transactions: list[BankTransaction] = []
    counts = {"20": 0, "21": 0, "22": 0, "23": 0, "15": 0}
    deposits = []
    seen_ids: dict[str, int] = {}
    section: _Section | None = None
    payment: _Payment | None = None
    end_seen = None
    for line, record in records:
        code = record[0:2]
        if end_seen is not None:
            raise _error(line, "transaction code (pos 1-2)", f"TK{code} after the end record (TK70) on line {end_seen}")
        if code in PAYMENT_RECORDS:
            if section is None:
                raise _error(line, "transaction code (pos 1-2)", f"TK{code} outside a deposit section (no TK05 before it)")
            payment = _Payment(line, record)
            section.payments.append(payment)
            counts[code] += 1
        elif code in PAYMENT_DETAIL_RECORDS:
            if payment is None:
                raise _error(line, "transaction code (pos 1-2)", f"TK{code} must follow a payment (TK20) or deduction (TK21)")
            payment.add_detail(line, record)
            if code in counts:
                counts[code] += 1
        elif code == "05":
            if section is not None:
                raise _error(line, "transaction code (pos 1-2)", f"TK05 before the section opened on line {section.line} was closed by TK15")
            section = _Section(line, record)
            payment = None
        elif code == "15":
            if section is None:
                raise _error(line, "transaction code (pos 1-2)", "TK15 without an opening record (TK05)")
            counts["15"] += 1
            amount = _close_section(line, record, section, file_id, counts["15"], transactions, seen_ids)
            deposits.append(amount)
            section = None
            payment = None
        elif code == "70":
            if section is not None:
                raise _error(line, "transaction code (pos 1-2)", f"TK70 while the section opened on line {section.line} is not closed by TK15")
            _check_end(line, record, counts)
            end_seen = line
        elif code == "01":
            raise _error(line, "transaction code (pos 1-2)", "a second start record (TK01)")
        else:
            raise _error(line, "transaction code (pos 1-2)", f"unknown transaction code {code!r}")
    if end_seen is None:
        raise _error(None, "TK70", "the end record (TK70) is missing; the file is incomplete")
    return ParsedFile(
        format=BGMAX,
        file_id=file_id,
        transactions=transactions,
        totals={
            "payments": counts["20"],
            "deductions": counts["21"],
            "extra_references": counts["22"] + counts["23"],
            "deposits": counts["15"],
            "deposit_amount_minor": sum(deposits),
            "test": is_test,
        },
    )


def _check_end(line: int, record: str, counts: dict[str, int]) -> None:
    expected = (
        ("number of payment records", 3, 10, counts["20"]),
        ("number of deduction records", 11, 18, counts["21"]),
        ("number of extra reference records", 19, 26, counts["22"] + counts["23"]),
        ("number of deposit records", 27, 34, counts["15"]),
    )
    for name, start, end, actual in expected:
        declared = _digits(record, start, end, line, f"TK70 {name}")
        if declared != actual:
            raise _error(line, f"TK70 {name} (pos {start}-{end})", f"says {declared}, the file has {actual}")
