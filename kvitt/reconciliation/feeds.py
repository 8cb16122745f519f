"""Which reader a status or care-event file needs, chosen from its content and name."""

from __future__ import annotations

import io
from kvitt.reconciliation.formats.ersmo_xml import ErsmoFile, read_ersmo_xml
from kvitt.reconciliation.formats.records import FeedError
from kvitt.reconciliation.formats.status_csv import read_status_csv
from kvitt.reconciliation.formats.status_xlsx import read_status_xlsx
from kvitt.reconciliation.formats.tabular import DEFAULT_TIMEZONE, StatusRows

ZIP_MAGIC = b"PK\x03\x04"


def file_kind(name: str, head: bytes) -> str:
    """'xlsx', 'csv' or 'ersmo-xml'. The content wins over the name when they disagree."""
    stripped = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if stripped.startswith(b"<"):
        return "ersmo-xml"
    lower = name.lower()
    if lower.endswith((".xlsx", ".xlsm")):
        raise FeedError(f"{name} is named like an Excel workbook but is not one")
    return "csv"


def read_status_file(
    name: str, data: bytes, *, default_tz: str = DEFAULT_TIMEZONE
) -> StatusRows:
    """Status records from a CSV or XLSX status list; ``source`` defaults to the file name."""
    kind = file_kind(name, data[:64])
    if kind == "ersmo-xml":
        raise FeedError(f"{name} is XML; status lists are CSV or XLSX (care-event files are imported separately)")
    reader = read_status_xlsx if kind == "xlsx" else read_status_csv
    return reader(io.BytesIO(data), default_tz=default_tz, default_source=name)


def read_care_event_file(name: str, data: bytes) -> ErsmoFile:
    if file_kind(name, data[:64]) != "ersmo-xml":
        raise FeedError(f"{name} is not an ERSMO-style XML care-event file")
    return read_ersmo_xml(data)
