"""Nets OCR giro (Norway): incoming KID payments, read with the ``netsgiro`` package.

Each line is an 80-character record starting ``NY``; service code 09 is OCR giro. The
structure is transmission start (10), per assignment a start (20), per payment an amount
item 1 (30: Nets date, amount in øre at 33-49, KID at 50-74) and 2 (31: archive reference,
payer's bank date and account) and for transaction types 20/21 an item 3 (32: free text),
an assignment end (88) and the transmission end (89).

``netsgiro`` reads the records and builds the objects. Before a line reaches it, the
line is checked field by field against the layout below, so a bad record gets an error
naming its line and field instead of "did not match"; after it, the counts and totals the
88 and 89 records declare are checked, which netsgiro leaves to the caller.
"""

from __future__ import annotations

import netsgiro
from netsgiro import records as nets_records

from kvitt.payments.bulk import collector_paused
from kvitt.payments.model import OCR_GIRO, BankFileError, BankTransaction, ParsedFile

RECORD_LENGTH = 80
REVERSAL_TYPES = {18, 20}  # "reversing with KID", "reversing with text"
TEXT_TYPES = {20, 21}  # these transactions carry an amount item 3 (free text)

# Field layouts for service code 09 (and 00 for the transmission records): name, first and
# last position (1-based), and what the field may hold. "d" digits, "z" zeros, "k" digits or
# blanks (KID), "s" a digit or "-", "a" anything.
_COMMON = (("format code", 1, 2, "NY"), ("service code", 3, 4, "d"), ("type", 5, 6, "d"), ("record type", 7, 8, "d"))
LAYOUTS: dict[str, tuple] = {
    "10": _COMMON + (("data transmitter", 9, 16, "d"), ("transmission number", 17, 23, "d"),
                     ("data recipient", 24, 31, "d"), ("filler", 32, 80, "z")),
    "20": _COMMON + (("agreement id", 9, 17, "d"), ("assignment number", 18, 24, "d"),
                     ("assignment account", 25, 35, "d"), ("filler", 36, 80, "z")),
    "30": _COMMON + (("transaction number", 9, 15, "d"), ("Nets date", 16, 21, "date"), ("centre id", 22, 23, "d"),
                     ("day code", 24, 25, "d"), ("partial settlement number", 26, 26, "d"),
                     ("partial settlement serial number", 27, 31, "d"), ("sign", 32, 32, "s"),
                     ("amount", 33, 49, "d"), ("KID", 50, 74, "k"), ("filler", 75, 80, "z")),
    "31": _COMMON + (("transaction number", 9, 15, "d"), ("form number", 16, 25, "d"),
                     ("archive reference", 26, 34, "d"), ("filler", 35, 41, "a"), ("bank date", 42, 47, "date0"),
                     ("debit account", 48, 58, "d"), ("filler", 59, 80, "z")),
    "32": _COMMON + (("transaction number", 9, 15, "d"), ("free text", 16, 55, "a"), ("filler", 56, 80, "z")),
    "88": _COMMON + (("number of transactions", 9, 16, "d"), ("number of records", 17, 24, "d"),
                     ("total amount", 25, 41, "d"), ("Nets date", 42, 47, "date"), ("first payment date", 48, 53, "date0"),
                     ("last payment date", 54, 59, "date0"), ("filler", 60, 80, "z")),
    "89": _COMMON + (("number of transactions", 9, 16, "d"), ("number of records", 17, 24, "d"),
                     ("total amount", 25, 41, "d"), ("Nets date", 42, 47, "date"), ("filler", 48, 80, "z")),
}
RECORD_CLASSES = {
    "10": nets_records.TransmissionStart,
    "20": nets_records.AssignmentStart,
    "30": nets_records.TransactionAmountItem1,
    "31": nets_records.TransactionAmountItem2,
    "32": nets_records.TransactionAmountItem3,
    "88": nets_records.AssignmentEnd,
    "89": nets_records.TransmissionEnd,
}


def _error(line: int | None, field: str, message: str) -> BankFileError:
    return BankFileError(line, field, message, format=OCR_GIRO)


def _is_ddmmyy(text: str) -> bool:
    if len(text) != 6 or not (text.isascii() and text.isdigit()):  # "²" is a digit to isdigit(), not to int()
        return False
    day, month = int(text[0:2]), int(text[2:4])
    return 1 <= month <= 12 and 1 <= day <= 31


def _is_kid_field(value: str) -> bool:
    """Right-aligned digits, blank-filled on the left (or all blanks)."""
    digits = value.lstrip(" ")
    return value.isascii() and (digits == "" or digits.isdigit())


_FIELD_CHECKS = {
    "NY": (lambda v: v == "NY", "NY"),
    "d": (lambda v: v.isascii() and v.isdigit(), "digits"),
    "z": (lambda v: v == "0" * len(v), "zeros"),
    "k": (_is_kid_field, "a right-aligned KID (digits, blank-filled)"),
    "s": (lambda v: v in ("0", "-"), "0 or -"),
    "a": (lambda v: True, "anything"),
    "date": (_is_ddmmyy, "a date DDMMYY"),
    "date0": (lambda v: v == "000000" or _is_ddmmyy(v), "a date DDMMYY or zeros"),
}


def _check_field(line: int, record_type: str, record: str, name: str, start: int, end: int, kind: str) -> None:
    value = record[start - 1 : end]
    check, wanted = _FIELD_CHECKS[kind]
    if not check(value):
        raise _error(line, f"record {record_type} {name} (pos {start}-{end})", f"expected {wanted}, got {value!r}")


def _check_record(line: int, record: str):
    """Check one line field by field, then let netsgiro read it."""
    if len(record) != RECORD_LENGTH:
        raise _error(line, "record length", f"{len(record)} characters; an OCR giro record has {RECORD_LENGTH}")
    if record[0:2] != "NY":
        raise _error(line, "format code (pos 1-2)", f"expected NY, got {record[0:2]!r}")
    record_type = record[6:8]
    if record_type not in LAYOUTS:
        raise _error(line, "record type (pos 7-8)", f"{record_type!r} is not an OCR giro record type (10, 20, 30, 31, 32, 88, 89)")
    service = record[2:4]
    expected_service = "00" if record_type in ("10", "89") else "09"
    if service != expected_service:
        raise _error(line, "service code (pos 3-4)",
                     f"expected {expected_service} (OCR giro) in record {record_type}, got {service!r}")
    for name, start, end, kind in LAYOUTS[record_type]:
        _check_field(line, record_type, record, name, start, end, kind)
    try:
        return RECORD_CLASSES[record_type].from_string(record)
    except ValueError as exc:
        raise _error(line, f"record {record_type}", f"not a valid OCR giro record: {exc}") from None


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


class _Reader:
    """Walks the records in order, checking the structure netsgiro assumes."""

    def __init__(self):
        self.records: list = []
        self.lines: list[int] = []
        self.texts: list[str] = []

    def read(self, data: bytes) -> None:
        # Line feeds only: str.splitlines would also split at control characters inside a field.
        for number, raw in enumerate(_decode(data).split("\n"), start=1):
            if not raw.strip():
                continue
            record = raw.rstrip("\r")
            self.records.append(_check_record(number, record))
            self.lines.append(number)
            self.texts.append(record)
        if not self.records:
            raise _error(None, "file", "the file is empty")

    def check_structure(self) -> None:
        records, lines = self.records, self.lines
        if not isinstance(records[0], nets_records.TransmissionStart):
            raise _error(lines[0], "record type (pos 7-8)", "an OCR giro file starts with a transmission start (10)")
        if not isinstance(records[-1], nets_records.TransmissionEnd):
            raise _error(lines[-1], "record type (pos 7-8)", "the transmission end (89) is missing; the file is incomplete")
        in_assignment = None
        current = None  # (transaction number, records seen, type)
        for record, line in zip(records[1:-1], lines[1:-1]):
            if isinstance(record, nets_records.TransmissionStart) or isinstance(record, nets_records.TransmissionEnd):
                raise _error(line, "record type (pos 7-8)", "a second transmission start or end inside the file")
            if isinstance(record, nets_records.AssignmentStart):
                if in_assignment is not None:
                    raise _error(line, "record type (pos 7-8)", f"assignment start while the assignment from line {in_assignment} is open")
                in_assignment, current = line, None
                continue
            if in_assignment is None:
                raise _error(line, "record type (pos 7-8)", "a record outside an assignment (no record 20 before it)")
            if isinstance(record, nets_records.AssignmentEnd):
                self._check_transaction_complete(current, line)
                in_assignment, current = None, None
                continue
            current = self._step_transaction(current, record, line)
        if in_assignment is not None:
            raise _error(lines[-1], "record type (pos 7-8)", f"the assignment from line {in_assignment} has no end record (88)")

    @staticmethod
    def _step_transaction(current, record, line):
        kind = record.RECORD_TYPE
        if kind == netsgiro.RecordType.TRANSACTION_AMOUNT_ITEM_1:
            _Reader._check_transaction_complete(current, line)
            return (record.transaction_number, 1, int(record.transaction_type))
        if current is None or current[0] != record.transaction_number:
            raise _error(line, "transaction number (pos 9-15)", "does not continue the transaction of the record before it")
        if int(record.transaction_type) != current[2]:
            raise _error(line, "transaction type (pos 5-6)", "differs from the transaction's amount item 1 (30)")
        expected = current[1] + 1
        if (kind == netsgiro.RecordType.TRANSACTION_AMOUNT_ITEM_2 and expected != 2) or (
            kind == netsgiro.RecordType.TRANSACTION_AMOUNT_ITEM_3 and (expected != 3 or current[2] not in TEXT_TYPES)
        ):
            raise _error(line, "record type (pos 7-8)", f"record {int(kind)} out of order in transaction {current[0]}")
        return (current[0], expected, current[2])

    @staticmethod
    def _check_transaction_complete(current, line) -> None:
        if current is None:
            return
        needed = 3 if current[2] in TEXT_TYPES else 2
        if current[1] != needed:
            raise _error(line, "record type (pos 7-8)", f"transaction {current[0]} before this line has {current[1]} of its {needed} records")


def _check_totals(transmission, reader: _Reader) -> dict:
    """The counts and amounts records 88 and 89 declare must be what the file holds."""
    end_records = [(r, line) for r, line in zip(reader.records, reader.lines) if isinstance(r, nets_records.AssignmentEnd)]
    all_count = all_records = all_unsigned = all_signed = 0
    for assignment, (end, line) in zip(transmission.assignments, end_records):
        count = len(assignment.transactions)
        records = 2 + sum(3 if int(t.type) in TEXT_TYPES else 2 for t in assignment.transactions)
        unsigned = sum(t.amount_in_cents for t in assignment.transactions)
        signed = sum(_signed_amount(t) for t in assignment.transactions)
        if end.num_transactions != count:
            raise _error(line, "record 88 number of transactions (pos 9-16)", f"says {end.num_transactions}, the assignment has {count}")
        if end.num_records != records:
            raise _error(line, "record 88 number of records (pos 17-24)", f"says {end.num_records}, the assignment has {records}")
        if end.total_amount not in (unsigned, signed):
            raise _error(line, "record 88 total amount (pos 25-41)", f"says {end.total_amount} øre, the transactions make {unsigned} øre")
        all_count += count
        all_records += records
        all_unsigned += unsigned
        all_signed += signed
    end, line = reader.records[-1], reader.lines[-1]
    all_records += 2
    if end.num_transactions != all_count:
        raise _error(line, "record 89 number of transactions (pos 9-16)", f"says {end.num_transactions}, the file has {all_count}")
    if end.num_records != all_records:
        raise _error(line, "record 89 number of records (pos 17-24)", f"says {end.num_records}, the file has {all_records}")
    if end.total_amount not in (all_unsigned, all_signed):
        raise _error(line, "record 89 total amount (pos 25-41)", f"says {end.total_amount} øre, the transactions make {all_unsigned} øre")
    return {"transactions": all_count, "records": all_records, "total_amount_minor": all_signed,
            "assignments": len(transmission.assignments)}


def _signed_amount(transaction) -> int:
    amount = transaction.amount_in_cents
    if transaction.sign == "-" or int(transaction.type) in REVERSAL_TYPES:
        return -amount
    return amount


def parse(data: bytes) -> ParsedFile:
    """Parse an OCR giro file strictly; raises ``BankFileError`` naming the line and field."""
    with collector_paused():
        return _parse(data)


def _parse(data: bytes) -> ParsedFile:
    reader = _Reader()
    reader.read(data)
    reader.check_structure()
    try:
        transmission = netsgiro.Transmission.from_records(list(reader.records))
    except (ValueError, AssertionError) as exc:
        raise _error(None, "structure", f"netsgiro could not assemble the file: {exc}") from None
    totals = _check_totals(transmission, reader)
    starts = iter(_transaction_records(reader))
    transactions = []
    recipient, number = transmission.data_recipient, transmission.number
    for assignment in transmission.assignments:
        for item in assignment.transactions:
            line, raw = next(starts)
            transactions.append(_transaction(item, line, raw, assignment, recipient, number))
    return ParsedFile(format=OCR_GIRO, file_id=f"{recipient}:{number}", transactions=transactions, totals=totals)


def _transaction_records(reader: _Reader):
    """(line of record 30, the transaction's record lines) in file order."""
    current = None
    for record, line, text in zip(reader.records, reader.lines, reader.texts):
        if isinstance(record, nets_records.TransactionAmountItem1):
            if current is not None:
                yield current
            current = (line, [text])
        elif isinstance(record, (nets_records.TransactionAmountItem2, nets_records.TransactionAmountItem3)):
            current[1].append(text)
        elif current is not None:
            yield current
            current = None
    if current is not None:
        yield current


def _transaction(item, line: int, raw: list[str], assignment, recipient: str, transmission_number: str) -> BankTransaction:
    debit_account = item.debit_account or ""
    return BankTransaction(
        format=OCR_GIRO,
        file_line=line,
        transaction_id=f"{recipient}:{transmission_number}:{assignment.number}:{item.number:07d}",
        booking_date=item.date,
        value_date=item.date,
        amount_minor=_signed_amount(item),
        currency="NOK",
        reference=(item.kid or "").strip() or None,
        free_text=(item.text or "").strip(),
        payer_name="",
        payer_account="" if set(debit_account) <= {"0"} else debit_account,
        reversal=int(item.type) in REVERSAL_TYPES,
        creditor_account=assignment.account,
        raw=tuple(raw),
    )
