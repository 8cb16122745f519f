"""The status-file layout shared by CSV and XLSX (docs/integrations/reconciliation-files.md).

A header row names the columns in any order; English names or the Swedish names the
regions' exports use. Unknown or repeated columns are refused, so a shifted export cannot
be read as something it is not.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable, Iterator

from kvitt.reconciliation.formats.records import FeedError, StatusRecord
from kvitt.reconciliation.statuses import Status, parse_status

COLUMNS = {
    "event_number": ("event_number", "care_event_number", "vardhandelsenummer", "vårdhändelsenummer", "vh_nr"),
    "system": ("system", "källsystem_mål", "målsystem"),
    "status": ("status",),
    "status_time": ("status_time", "time", "tidpunkt", "statustid"),
    "code": ("code", "kod", "felkod"),
    "text": ("text", "meddelande", "beskrivning"),
    "source": ("source", "källa", "kalla"),
    "product_code": ("product_code", "produktkod"),
    "amount": ("amount", "belopp"),
}
REQUIRED = ("event_number", "system", "status", "status_time")
_ALIAS_TO_COLUMN = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
MAX_TEXT = {"event_number": 64, "system": 32, "code": 32, "text": 500, "source": 120, "product_code": 32}

DEFAULT_TIMEZONE = "Europe/Stockholm"


def normalise_header(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().casefold())


def map_header(cells: Iterable[Any], column_label: Callable[[int, str], str]) -> dict[str, int]:
    """Column name -> 0-based index; refuses unknown, repeated and missing columns."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        raw = "" if cell is None else str(cell)
        if not raw.strip():
            if any(c not in (None, "") for c in list(cells)[index + 1 :]):
                raise FeedError("empty column name in the header row", line=1, column=column_label(index, ""))
            break
        name = _ALIAS_TO_COLUMN.get(normalise_header(raw))
        if name is None:
            known = ", ".join(COLUMNS)
            raise FeedError(f"unknown column {raw.strip()!r}; known columns: {known}", line=1, column=column_label(index, raw))
        if name in positions:
            raise FeedError(f"column {name!r} appears twice", line=1, column=column_label(index, raw))
        positions[name] = index
    missing = [c for c in REQUIRED if c not in positions]
    if missing:
        raise FeedError(f"the header row lacks required column(s): {', '.join(missing)}", line=1)
    return positions


def parse_time(value: Any, default_tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        raise ValueError("a status time needs a time of day, not only a date")
    else:
        text = str(value).strip()
        if len(text) < 16:
            raise ValueError(f"{text!r} is not a date and time like 2026-10-05T09:30:00+02:00")
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a date and time like 2026-10-05T09:30:00+02:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=default_tz)
    return moment


# Amounts are stored in 64-bit columns; anything near that is a broken file, not a care event.
MAX_AMOUNT_ORE = 10**15


def parse_amount_ore(value: Any) -> int:
    """Kronor/kroner with at most two decimals (comma or point) -> whole öre."""
    if isinstance(value, bool):
        raise ValueError("an amount must be a number")
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount") from None
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not an amount")
    ore = amount * 100
    if ore != ore.to_integral_value():
        raise ValueError(f"{value!r} has more than two decimals")
    if abs(ore) >= MAX_AMOUNT_ORE:
        raise ValueError(f"{value!r} is out of range for an amount")
    return int(ore)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_row(
    line: int,
    cells: list[Any],
    positions: dict[str, int],
    column_label: Callable[[int, str], str],
    *,
    default_tz: zoneinfo.ZoneInfo,
    default_source: str,
) -> StatusRecord:
    def cell(name: str) -> Any:
        index = positions.get(name)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def fail(name: str, message: str) -> FeedError:
        index = positions[name]
        return FeedError(message, line=line, column=column_label(index, name))

    values: dict[str, Any] = {}
    for name in ("event_number", "system", "code", "text", "source", "product_code"):
        text = _text(cell(name))
        if len(text) > MAX_TEXT[name]:
            raise fail(name, f"longer than {MAX_TEXT[name]} characters")
        values[name] = text
    for name in ("event_number", "system"):
        if not values[name]:
            raise fail(name, f"{name} is empty")
    raw_status = _text(cell("status"))
    if not raw_status:
        raise fail("status", "status is empty")
    try:
        status = parse_status(raw_status)
    except ValueError as exc:
        raise fail("status", str(exc)) from None
    raw_time = cell("status_time")
    if raw_time in (None, ""):
        raise fail("status_time", "status_time is empty")
    try:
        status_time = parse_time(raw_time, default_tz)
    except ValueError as exc:
        raise fail("status_time", str(exc)) from None
    amount_ore = None
    raw_amount = cell("amount")
    if raw_amount not in (None, ""):
        try:
            amount_ore = parse_amount_ore(raw_amount)
        except ValueError as exc:
            raise fail("amount", str(exc)) from None
    if status is Status.ERROR and not values["code"]:
        raise fail("code" if "code" in positions else "status", "an error status needs an error code")
    if status is Status.REMARK and not (values["code"] or values["text"]):
        raise fail("text" if "text" in positions else "status", "a remark needs a code or a text")
    return StatusRecord(
        line=line,
        event_number=values["event_number"],
        system=values["system"],
        status=status,
        status_time=status_time,
        code=values["code"],
        text=values["text"],
        source=values["source"] or default_source,
        product_code=values["product_code"],
        amount_ore=amount_ore,
    )


class StatusRows:
    """Header first, then one record per non-empty row; a repeated (event, system) pair is refused.

    Iterate it for the records; ``column(name)`` then gives the file's own label of a column
    (``"C (status)"`` in a workbook, ``"3 (status)"`` in CSV) for errors found later.
    """

    def __init__(
        self,
        rows: Iterator[tuple[int, list[Any]]],
        column_label: Callable[[int, str], str],
        *,
        default_tz: str,
        default_source: str,
    ):
        self._rows = rows
        self._label = column_label
        self._tz = zoneinfo.ZoneInfo(default_tz)
        self._source = default_source
        self.positions: dict[str, int] = {}
        self.header_text: dict[str, str] = {}

    def column(self, name: str) -> str:
        """The column as the file names it: its position and its own header text."""
        index = self.positions.get(name)
        return name if index is None else self._label(index, self.header_text.get(name, name))

    def _named_label(self, index: int, name: str) -> str:
        return self._label(index, self.header_text.get(name, name))

    def __iter__(self) -> Iterator[StatusRecord]:
        try:
            _header_line, header = next(self._rows)
        except StopIteration:
            raise FeedError("the file is empty; a header row is required") from None
        self.positions = positions = map_header(header, self._label)
        self.header_text = {name: str(header[index]).strip() for name, index in positions.items()}
        label = self._named_label
        # Hashes, not the strings, so a million-row file stays small in memory; a 64-bit hash
        # collision between two different pairs in one file is not a practical concern.
        seen: dict[int, int] = {}
        for line, cells in self._rows:
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            if len(cells) > len(positions) and any(c not in (None, "") for c in cells[len(positions):]):
                raise FeedError("value in a column without a header", line=line, column=label(len(positions), ""))
            record = parse_row(line, cells, positions, label, default_tz=self._tz, default_source=self._source)
            key = hash((record.event_number, record.system.casefold()))
            if key in seen:
                raise FeedError(
                    f"event {record.event_number} in system {record.system} already given on line {seen[key]}",
                    line=line,
                    column=self.column("event_number"),
                )
            seen[key] = line
            yield record
