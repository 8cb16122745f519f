"""The typed shape every bank-file parser produces, whatever the format.

Parsers (``ocr_giro``, ``camt054``, ``bgmax``) return a ``ParsedFile`` of
``BankTransaction`` values; matching and the import service read only these, so a new
format is one more parser and nothing else.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

OCR_GIRO = "ocr_giro"
CAMT054 = "camt054"
BGMAX = "bgmax"
FORMATS = (OCR_GIRO, CAMT054, BGMAX)


class BankFileError(ValueError):
    """A bank file that cannot be read. Names the line (or XML element) and the field."""

    def __init__(self, line: int | None, field: str, message: str, *, format: str = ""):
        self.line = line
        self.field = field
        self.message = message
        self.format = format
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "file"
        prefix = f"{self.format}: " if self.format else ""
        return f"{prefix}{where}, field {self.field}: {self.message}"


@dataclass(slots=True)
class BankTransaction:
    """One incoming (or reversed) payment as the bank reported it.

    ``amount_minor`` is signed: positive money in, negative for reversals and deductions.
    ``transaction_id`` is stable across re-deliveries of the same payment, so importing it
    twice is recognisable. (Not frozen: a frozen dataclass costs twice as much to build,
    and parsers build millions of these.)
    """

    format: str
    file_line: int
    transaction_id: str
    booking_date: datetime.date | None
    value_date: datetime.date | None
    amount_minor: int
    currency: str
    reference: str | None
    free_text: str = ""
    payer_name: str = ""
    payer_account: str = ""
    reversal: bool = False
    creditor_account: str = ""
    extra_references: tuple[str, ...] = ()
    raw: tuple[str, ...] = ()

    @property
    def references(self) -> tuple[str, ...]:
        """The structured references, the main one first."""
        if self.reference:
            return (self.reference, *self.extra_references)
        return self.extra_references


@dataclass(slots=True)
class ParsedFile:
    """A whole bank file: its own id, its transactions and the control totals it declared."""

    format: str
    file_id: str
    transactions: list[BankTransaction] = field(default_factory=list)
    totals: dict = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    @property
    def amount_minor(self) -> int:
        return sum(t.amount_minor for t in self.transactions)
