"""Status lists as Excel workbooks: the first sheet (or one named "Status"), header in row 1.

Read with openpyxl in read-only mode so that a large export streams instead of loading whole.
"""

from __future__ import annotations

import zipfile
from typing import IO, Iterator

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from kvitt.reconciliation.formats.records import FeedError, StatusRecord
from kvitt.reconciliation.formats.tabular import DEFAULT_TIMEZONE, read_rows

SHEET_NAMES = ("Status", "status")


def _column_label(index: int, name: str) -> str:
    letter = get_column_letter(index + 1)
    return f"{letter} ({name})" if name else letter


def _label_for(_positions):
    return _column_label


def read_status_xlsx(
    stream: IO[bytes], *, default_tz: str = DEFAULT_TIMEZONE, default_source: str = ""
) -> Iterator[StatusRecord]:
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise FeedError(f"not an Excel workbook (.xlsx): {exc}") from None
    try:
        sheet = next((workbook[n] for n in SHEET_NAMES if n in workbook.sheetnames), workbook.worksheets[0])

        def rows():
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(values)

        yield from read_rows(rows(), _label_for, default_tz=default_tz, default_source=default_source)
    finally:
        workbook.close()
