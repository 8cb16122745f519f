"""Status lists as Excel workbooks: the first sheet (or one named "Status"), header in row 1.

Read with openpyxl in read-only mode so that a large export streams instead of loading whole.
"""

from __future__ import annotations

import zipfile
from typing import IO

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from kvitt.reconciliation.formats.records import FeedError
from kvitt.reconciliation.formats.tabular import DEFAULT_TIMEZONE, StatusRows

SHEET_NAMES = ("Status", "status")


def _column_label(index: int, name: str) -> str:
    letter = get_column_letter(index + 1)
    return f"{letter} ({name})" if name else letter


def read_status_xlsx(
    stream: IO[bytes], *, default_tz: str = DEFAULT_TIMEZONE, default_source: str = ""
) -> StatusRows:
    # A damaged workbook fails inside openpyxl in many ways (zlib, XML syntax, KeyError,
    # ValueError, ...), when opened and again while its rows stream; each is the file's fault.
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise FeedError(f"not an Excel workbook (.xlsx): {exc}") from None
    except Exception as exc:
        raise FeedError(f"a damaged Excel workbook (.xlsx): {type(exc).__name__}: {exc}") from None

    def rows():
        number = 0
        try:
            sheet = next((workbook[n] for n in SHEET_NAMES if n in workbook.sheetnames), workbook.worksheets[0])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(values)
        except Exception as exc:
            raise FeedError(f"a damaged Excel workbook (.xlsx) after row {number}: {type(exc).__name__}: {exc}") from None
        finally:
            workbook.close()

    return StatusRows(rows(), _column_label, default_tz=default_tz, default_source=default_source)
