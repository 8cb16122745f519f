import datetime
import zoneinfo
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from kvitt.reconciliation.excel import Column, Report, sheet_name, write_workbook

TZ = zoneinfo.ZoneInfo("Europe/Stockholm")


def rows(n):
    for i in range(n):
        yield (f"VH-{i}", i, 12345 + i, datetime.datetime(2026, 10, 5, 8, 0, tzinfo=datetime.timezone.utc), "=1+1")


COLUMNS = [Column("Event"), Column("Number", "int"), Column("Amount", "money"), Column("Time", "datetime"), Column("Text")]


def test_workbook_has_summary_first_frozen_headers_filters_and_exact_cells(tmp_path):
    path = tmp_path / "out.xlsx"
    seen = []
    result = write_workbook(
        str(path),
        [Report("Statuses/October", COLUMNS, rows(3)), Report("Empty", COLUMNS, iter(()))],
        title="Reconciliation October 2026",
        summary_lines=[("Period", "2026-10"), ("Events", 3)],
        progress=seen.append,
    )
    assert result.rows_per_sheet == {"Statuses_October": 3, "Empty": 0}
    assert seen[-1] == 3
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Summary", "Statuses_October", "Empty"]
    summary = workbook["Summary"]
    assert summary["A1"].value == "Reconciliation October 2026"
    assert (summary["A3"].value, summary["B3"].value) == ("Period", "2026-10")
    assert (summary["A4"].value, summary["B4"].value) == ("Events", 3)
    assert [c.value for c in summary[6]][:4] == ["Sheet", "Rows", "Column", "Total"]
    assert [c.value for c in summary[7]][:4] == ["Statuses_October", 3, "Amount", pytest.approx(370.38)]
    sheet = workbook["Statuses_October"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E4"
    assert [c.value for c in sheet[1]] == ["Event", "Number", "Amount", "Time", "Text"]
    assert [c.value for c in sheet[3]] == ["VH-1", 1, 123.46, datetime.datetime(2026, 10, 5, 10, 0), "=1+1"]
    assert Decimal(str(sheet["C3"].value)) * 100 == 12346
    assert sheet["C3"].number_format == "#,##0.00"
    assert sheet["E3"].data_type == "s"  # text stays text, never a formula


def test_money_must_be_whole_ore(tmp_path):
    with pytest.raises(TypeError, match="whole öre"):
        write_workbook(str(tmp_path / "x.xlsx"), [Report("R", [Column("A", "money")], iter([(1.5,)]))], title="t")


def test_sheet_names_are_cleaned_and_unique():
    taken = set()
    assert sheet_name("a" * 40, taken) == "a" * 31
    assert sheet_name("a" * 40, taken) == "a" * 27 + " (2)"
    assert sheet_name("x[1]:?", taken) == "x_1___"


def test_the_fast_row_path_and_xlsxwriters_public_api_write_the_same_cells(tmp_path, monkeypatch):
    from kvitt.reconciliation import excel

    data = [("VH-1", 7, -12345, datetime.datetime(2026, 10, 5, 8, 0, tzinfo=datetime.timezone.utc), " padded <&> \x01"),
            ("VH-2", None, None, None, "")]
    fast = tmp_path / "fast.xlsx"
    write_workbook(str(fast), [Report("R", COLUMNS, iter(data))], title="t")
    monkeypatch.setattr(excel._FastRows, "available", classmethod(lambda cls, sheet: False))
    slow = tmp_path / "slow.xlsx"
    write_workbook(str(slow), [Report("R", COLUMNS, iter(data))], title="t")
    read = lambda p: [[(c.value, c.number_format) for c in row] for row in load_workbook(p)["R"].iter_rows()]  # noqa: E731
    assert read(fast) == read(slow)
    assert read(fast)[1][2] == (-123.45, "#,##0.00") and read(fast)[1][4][0] == " padded <&> _x0001_"  # Excel's escape of a control character
    assert load_workbook(fast)["R"].auto_filter.ref == "A1:E3"
