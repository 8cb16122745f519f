"""Status lists as CSV: UTF-8 (a BOM is allowed), separated by semicolons, commas or tabs."""

from __future__ import annotations

import csv
import io
from typing import IO, Iterator

from kvitt.reconciliation.formats.records import FeedError
from kvitt.reconciliation.formats.tabular import DEFAULT_TIMEZONE, StatusRows

DELIMITERS = (";", ",", "\t")


def _column_label(index: int, name: str) -> str:
    return f"{index + 1} ({name})" if name else str(index + 1)


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    if counts[best] == 0:
        raise FeedError("the header row has one column; separate columns with ';', ',' or a tab", line=1)
    return best


def _text_lines(stream: IO[bytes]) -> Iterator[str]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    line_number = 0
    try:
        for line in text:
            line_number += 1
            yield line
    except UnicodeDecodeError as exc:
        raise FeedError(f"not UTF-8 text ({exc.reason})", line=line_number + 1) from None


def read_status_csv(
    stream: IO[bytes], *, default_tz: str = DEFAULT_TIMEZONE, default_source: str = ""
) -> StatusRows:
    """An iterable of one ``StatusRecord`` per data row; ``FeedError`` at the first bad one."""
    def rows() -> Iterator[tuple[int, list[str]]]:
        lines = _text_lines(stream)
        try:
            first = next(lines)
        except StopIteration:
            return
        delimiter = _delimiter(first)

        def all_lines():
            yield first
            yield from lines

        reader = csv.reader(all_lines(), delimiter=delimiter, strict=True)
        try:
            for cells in reader:
                yield reader.line_num, cells
        except csv.Error as exc:
            raise FeedError(f"broken CSV: {exc}", line=reader.line_num) from None

    return StatusRows(rows(), _column_label, default_tz=default_tz, default_source=default_source)
