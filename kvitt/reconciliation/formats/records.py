"""Plain records the readers produce, and the one error they raise."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from kvitt.reconciliation.statuses import Status


@dataclass
class FeedError(ValueError):
    """A file that cannot be imported. ``line`` is 1-based as an editor shows it; ``column``
    is the column's letter or number and header name, or an XML element path."""

    message: str
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass(frozen=True)
class StatusRecord:
    """One system's word on one care event, as a status file states it."""

    line: int
    event_number: str
    system: str
    status: Status
    status_time: datetime.datetime
    code: str = ""
    text: str = ""
    source: str = ""
    product_code: str = ""
    amount_ore: int | None = None


@dataclass(frozen=True)
class CodedValue:
    system: str
    code: str
    text: str = ""


@dataclass(frozen=True)
class ProductLine:
    """A reimbursement event: the product code Ersmo derived and its price in öre (if priced)."""

    code: str
    amount_ore: int | None = None


@dataclass
class CareEventRecord:
    """One care event (vårdhändelse) as reported to GVR and passed on to Ersmo."""

    line: int
    event_number: str
    voided: bool
    patient_id: str
    patient_id_type: str
    start: datetime.datetime
    patient_name: str = ""
    county_code: str = ""
    contact_id: str = ""
    contact_type: str = ""
    duration_minutes: int = 0
    unit_hsa_id: str = ""
    unit_name: str = ""
    practitioner_id: str = ""
    practitioner_name: str = ""
    profession_code: str = ""
    diagnoses: list[CodedValue] = field(default_factory=list)
    procedures: list[CodedValue] = field(default_factory=list)
    products: list[ProductLine] = field(default_factory=list)

    @property
    def amount_ore(self) -> int:
        return sum(p.amount_ore or 0 for p in self.products)

    @property
    def product_codes(self) -> list[str]:
        return [p.code for p in self.products]
