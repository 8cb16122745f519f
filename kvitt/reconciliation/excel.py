"""Excel reports written with xlsxwriter in constant-memory mode.

Rows stream from iterators and each row is flushed to disk as soon as the next begins, so a
million-row export needs the memory of a few rows, not of the sheet. The workbook opens on a
summary sheet; every report sheet has a frozen header row and an autofilter over its data,
ready for filtering in Excel or LibreOffice.

Money is kept in öre everywhere in Kvitt; a sheet shows kronor/kroner as an Excel number
(öre / 100) with two decimals, because Excel has no other number type.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Iterable, Sequence

import xlsxwriter

MAX_SHEET_NAME = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
MAX_ROWS = 1_048_575  # Excel's limit less the header row
PROGRESS_EVERY = 10_000
WRITE_EVERY = 500  # rows rendered before they are written to the sheet's row file
CACHE_LIMIT = 100_000  # distinct texts / times whose rendered cell body is kept while a sheet is written
# What xlsxwriter's escaping would change: XML specials, control characters, literal _xHHHH_.
_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f]|_x[0-9a-fA-F]{4}_")


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # text | int | money (öre in, kronor shown) | datetime | date
    width: float = 16

    def __post_init__(self):
        if self.kind not in ("text", "int", "money", "datetime", "date"):
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass
class Report:
    """One sheet: a title, its columns and an iterator of row tuples in column order."""

    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    description: str = ""
    totals: dict[str, int] = field(default_factory=dict)  # money column title -> sum in öre, filled while writing


@dataclass
class ExportResult:
    rows_per_sheet: dict[str, int]

    @property
    def total_rows(self) -> int:
        return sum(self.rows_per_sheet.values())


def sheet_name(name: str, taken: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub("_", name).strip("'") or "Sheet"
    base = base[:MAX_SHEET_NAME]
    candidate, number = base, 2
    while candidate.casefold() in taken:
        suffix = f" ({number})"
        candidate = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        number += 1
    taken.add(candidate.casefold())
    return candidate


class _Formats:
    def __init__(self, workbook: xlsxwriter.Workbook):
        self.header = workbook.add_format({"bold": True, "bg_color": "#DDE4EE", "bottom": 1})
        self.money = workbook.add_format({"num_format": "#,##0.00"})
        self.datetime = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.bold = workbook.add_format({"bold": True})


def _local_naive(value: datetime.datetime, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    if value.tzinfo is not None:
        value = value.astimezone(tz)
    return value.replace(tzinfo=None)


def _write_cell(sheet, row: int, col: int, column: Column, value: Any, formats: _Formats, tz) -> None:
    if value is None or value == "":
        return
    if column.kind == "money":
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"column {column.title!r} takes whole öre (int), got {value!r}")
        sheet.write_number(row, col, value / 100, formats.money)
    elif column.kind == "int":
        sheet.write_number(row, col, int(value))
    elif column.kind == "datetime":
        sheet.write_datetime(row, col, _local_naive(value, tz), formats.datetime)
    elif column.kind == "date":
        sheet.write_datetime(row, col, datetime.datetime.combine(value, datetime.time()), formats.date)
    else:
        # write_string, never write(): a text like "=1+1" or "0012" must stay exactly as it is.
        sheet.write_string(row, col, str(value))


class _FastRows:
    """Write data rows straight into the worksheet's constant-memory row file.

    xlsxwriter's public ``write_*`` calls cost several microseconds per cell (argument
    conversion, a cell object, a dict, a type dispatch), which for a million rows of a dozen
    columns is minutes. Our rows have known column kinds, so each row is rendered as one
    string with xlsxwriter's own escaping, styles (xf indexes) and date conversion, then
    appended to the same temporary file xlsxwriter streams rows into. Everything else (styles,
    freeze panes, autofilter, zip) stays xlsxwriter's. If a future xlsxwriter drops the
    internals this relies on, ``available`` turns false and the public API is used instead.
    """

    NEEDED = ("fh", "_write_single_row", "_check_dimensions", "_escape_data", "_escape_control_characters",
              "_convert_date_time", "previous_row", "table")

    def __init__(self, sheet, columns: Sequence[Column], formats: _Formats, tz):
        from xlsxwriter.utility import xl_col_to_name

        self.sheet = sheet
        self.columns = columns
        self.tz = tz
        self.letters = [xl_col_to_name(i) for i in range(len(columns))]
        self._bodies: dict[Any, str] = {}
        self._serials: dict[Any, str] = {}
        self._pending: list[str] = []  # rendered rows not yet written to the row file
        self._pending_rows = 0
        self.styles = {
            "money": formats.money._get_xf_index(),
            "datetime": formats.datetime._get_xf_index(),
            "date": formats.date._get_xf_index(),
        }

    @classmethod
    def available(cls, sheet) -> bool:
        return getattr(sheet, "constant_memory", False) and all(hasattr(sheet, name) for name in cls.NEEDED)

    def start(self, first_row: int) -> None:
        # Flush the header row through xlsxwriter; from here on the row file is ours until finish().
        self.sheet._write_single_row(first_row)

    def _string_cell_body(self, value) -> str:
        body = self._bodies.get(value)
        if body is None:
            body = self._string_body(value)
            if len(self._bodies) < CACHE_LIMIT:  # statuses, units, codes repeat; event numbers do not
                self._bodies[value] = body
        return body

    def _string_body(self, value) -> str:
        text = value if isinstance(value, str) else str(value)
        if len(text) > 32767:  # Excel's cell limit
            text = text[:32767]
        if _NEEDS_ESCAPE.search(text):
            text = self.sheet._escape_data(self.sheet._escape_control_characters(text))
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
        return f"<is><t{space}>{text}</t></is>"

    def _serial(self, value, kind: str) -> str:
        """The Excel serial number of a date or time, formatted; computed once per distinct value
        (a month of events has far fewer distinct start times than events)."""
        cache = self._serials
        serial = cache.get(value)
        if serial is None:
            if kind == "datetime":
                number = self.sheet._convert_date_time(_local_naive(value, self.tz))
            else:
                number = self.sheet._convert_date_time(datetime.datetime.combine(value, datetime.time()))
            serial = f"{number:.16G}"
            if len(cache) < CACHE_LIMIT:
                cache[value] = serial
        return serial

    def row(self, row: int, values: Sequence[Any]) -> None:
        number = str(row + 1)
        parts = self._pending
        append = parts.append
        append(f'<row r="{number}">')
        bodies = self._bodies
        for column, letter, value in zip(self.columns, self.letters, values):
            if value is None or value == "":
                continue
            kind = column.kind
            if kind == "text":
                body = bodies.get(value)
                if body is None:
                    body = self._string_cell_body(value)
                append(f'<c r="{letter}{number}" t="inlineStr">{body}</c>')
            elif kind == "money":
                if not isinstance(value, int) or isinstance(value, bool):
                    raise TypeError(f"column {column.title!r} takes whole öre (int), got {value!r}")
                append(f'<c r="{letter}{number}" s="{self.styles["money"]}"><v>{value / 100:.16G}</v></c>')
            elif kind == "int":
                append(f'<c r="{letter}{number}"><v>{int(value)}</v></c>')
            else:  # datetime or date
                append(f'<c r="{letter}{number}" s="{self.styles[kind]}"><v>{self._serial(value, kind)}</v></c>')
        append("</row>")
        self._pending_rows += 1
        if self._pending_rows >= WRITE_EVERY:
            self._flush()

    def _flush(self) -> None:
        # One write per batch of rows: a write call per row cost as much as building the row.
        self.sheet.fh.write("".join(self._pending))
        self._pending.clear()
        self._pending_rows = 0

    def finish(self, last_row: int) -> None:
        self._flush()
        if last_row > 0:
            self.sheet._check_dimensions(last_row, len(self.columns) - 1)
        self.sheet.previous_row = last_row + 1


def _write_report(workbook, report: Report, name: str, formats: _Formats, tz, progress, done_before: int) -> int:
    sheet = workbook.add_worksheet(name)
    for col, column in enumerate(report.columns):
        sheet.set_column(col, col, column.width)
        sheet.write_string(0, col, column.title, formats.header)
    sheet.freeze_panes(1, 0)
    fast = _FastRows(sheet, report.columns, formats, tz) if _FastRows.available(sheet) else None
    if fast:
        fast.start(1)
    money_cols = [i for i, c in enumerate(report.columns) if c.kind == "money"]
    sums = {i: 0 for i in money_cols}
    row = 0
    for values in report.rows:
        if row >= MAX_ROWS:
            raise ValueError(f"report {report.name!r} has more rows than an Excel sheet holds ({MAX_ROWS})")
        row += 1
        if len(values) != len(report.columns):
            raise ValueError(f"report {report.name!r} row {row} has {len(values)} values for {len(report.columns)} columns")
        if fast:
            fast.row(row, values)
        else:
            for col, (column, value) in enumerate(zip(report.columns, values)):
                _write_cell(sheet, row, col, column, value, formats, tz)
        for col in money_cols:
            if values[col] is not None:
                sums[col] += values[col]
        if progress and row % PROGRESS_EVERY == 0:
            progress(done_before + row)
    if fast:
        fast.finish(row)
    sheet.autofilter(0, 0, max(row, 1), len(report.columns) - 1)
    report.totals = {report.columns[i].title: total for i, total in sums.items()}
    return row


def write_workbook(
    target: str | IO[bytes],
    reports: Sequence[Report],
    *,
    title: str,
    summary_lines: Sequence[tuple[str, Any]] = (),
    summary_sheet: str = "Summary",
    timezone: str = "Europe/Stockholm",
    progress: Callable[[int], None] | None = None,
) -> ExportResult:
    """Write ``reports`` (one sheet each) after a summary sheet; return the rows per sheet.

    ``summary_lines`` are (label, value) pairs shown under the title; the rows and money
    totals of every sheet follow them, counted while the rows streamed past.
    """
    tz = zoneinfo.ZoneInfo(timezone)
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False})
    try:
        formats = _Formats(workbook)
        taken: set[str] = set()
        summary = workbook.add_worksheet(sheet_name(summary_sheet, taken))
        summary.set_column(0, 0, 36)
        summary.set_column(1, 3, 18)
        summary.write_string(0, 0, title, formats.title)
        line = 2
        for label, value in summary_lines:
            summary.write_string(line, 0, str(label), formats.bold)
            if isinstance(value, datetime.datetime):
                summary.write_datetime(line, 1, _local_naive(value, tz), formats.datetime)
            elif isinstance(value, int) and not isinstance(value, bool):
                summary.write_number(line, 1, value)
            else:
                summary.write_string(line, 1, "" if value is None else str(value))
            line += 1
        names = [sheet_name(r.name, taken) for r in reports]
        counts: dict[str, int] = {}
        done = 0
        for report, name in zip(reports, names):
            counts[name] = _write_report(workbook, report, name, formats, tz, progress, done)
            done += counts[name]
        line += 1
        summary.write_string(line, 0, "Sheet", formats.header)
        summary.write_string(line, 1, "Rows", formats.header)
        summary.write_string(line, 2, "Column", formats.header)
        summary.write_string(line, 3, "Total", formats.header)
        for report, name in zip(reports, names):
            line += 1
            summary.write_string(line, 0, name)
            summary.write_number(line, 1, counts[name])
            for column_title, total in report.totals.items():
                summary.write_string(line, 2, column_title)
                summary.write_number(line, 3, total / 100, formats.money)
                line += 1
            if report.totals:
                line -= 1
        if progress:
            progress(done)
    finally:
        workbook.close()
    return ExportResult(rows_per_sheet=counts)
