import datetime
import io
import zoneinfo

import pytest
from openpyxl import Workbook

from kvitt.reconciliation.feeds import file_kind, read_care_event_file, read_status_file
from kvitt.reconciliation.formats.ersmo_xml import NS, read_ersmo_xml
from kvitt.reconciliation.formats.records import FeedError
from kvitt.reconciliation.statuses import Status, parse_status
from tests.reconciliation.ersmo_samples import PATIENTS, UNIT_B, ersmo_file, event

HEADER = "event_number;system;status;status_time;code;text;product_code;amount\n"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(r + "\n" for r in rows)).encode()


def test_csv_rows_become_records_with_the_file_name_as_source():
    data = csv_bytes(
        "VH-1;Vårdfaktura;OK;2026-10-06T10:00:00+02:00;;;A100;450,00",
        "VH-2;Vårdfaktura;BeEj;2026-10-06 10:00;;Avtal ej aktiverat;;",
        "VH-3;HEJ;Fel;2026-10-06T10:00:00Z;E12;Saknar diagnos;;",
    )
    records = list(read_status_file("vf-oktober.csv", data))
    assert [r.status for r in records] == [Status.OK, Status.BEEJ, Status.ERROR]
    assert records[0].amount_ore == 45000 and records[0].product_code == "A100"
    assert records[1].status_time == datetime.datetime(2026, 10, 6, 10, tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm"))
    assert records[2].code == "E12" and records[2].status_time.utcoffset() == datetime.timedelta(0)
    assert {r.source for r in records} == {"vf-oktober.csv"}
    assert [r.line for r in records] == [2, 3, 4]


def test_csv_accepts_swedish_headers_commas_and_a_bom():
    data = "\ufeffVårdhändelsenummer,System,Status,Tidpunkt,Källa\nVH-1,GVR,ok,2026-10-06T10:00:00+02:00,GVR-export\n".encode()
    (record,) = read_status_file("x.csv", data)
    assert record.source == "GVR-export" and record.status is Status.OK


@pytest.mark.parametrize(
    "row, line, column, words",
    [
        ("VH-1;GVR;maybe;2026-10-06T10:00:00+02:00;;;;", 2, "3 (status)", "unknown status"),
        ("VH-1;GVR;OK;06.10.2026;;;;", 2, "4 (status_time)", "not a date and time"),
        ("VH-1;GVR;error;2026-10-06T10:00:00+02:00;;no code;;", 2, "5 (code)", "error code"),
        ("VH-1;GVR;OK;2026-10-06T10:00:00+02:00;;;;12,345", 2, "8 (amount)", "two decimals"),
        (";GVR;OK;2026-10-06T10:00:00+02:00;;;;", 2, "1 (event_number)", "empty"),
    ],
)
def test_a_malformed_csv_row_names_its_line_and_column(row, line, column, words):
    with pytest.raises(FeedError) as caught:
        list(read_status_file("bad.csv", csv_bytes("VH-0;GVR;OK;2026-10-06T10:00:00+02:00;;;;", row)))
    assert caught.value.line == line + 1
    assert caught.value.column == column
    assert words in str(caught.value)
    assert str(caught.value).startswith(f"line {line + 1}, column {column}")


def test_unknown_and_missing_columns_are_refused_in_the_header():
    with pytest.raises(FeedError, match="unknown column 'colour'") as caught:
        list(read_status_file("x.csv", csv_bytes(header="event_number;system;status;status_time;colour\n")))
    assert caught.value.line == 1 and caught.value.column == "5 (colour)"
    with pytest.raises(FeedError, match="lacks required column"):
        list(read_status_file("x.csv", csv_bytes(header="event_number;system;status\n")))


def test_the_same_event_and_system_twice_is_refused():
    data = csv_bytes(
        "VH-1;GVR;OK;2026-10-06T10:00:00+02:00;;;;",
        "VH-1;gvr;error;2026-10-06T11:00:00+02:00;E1;;;",
    )
    with pytest.raises(FeedError, match="already given on line 2") as caught:
        list(read_status_file("x.csv", data))
    assert caught.value.line == 3


def test_non_utf8_csv_is_refused():
    with pytest.raises(FeedError, match="not UTF-8"):
        list(read_status_file("x.csv", HEADER.encode() + "VH-1;Vårdfaktura;OK;2026-10-06T10:00:00+02:00\n".encode("latin-1")))


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Status"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_cells_of_every_type_are_read():
    data = xlsx_bytes([
        ["Vårdhändelsenummer", "System", "Status", "Tidpunkt", "Kod", "Text", "Produktkod", "Belopp"],
        ["VH-1", "HEJ", "OK", datetime.datetime(2026, 10, 6, 10, 0), None, None, "A100", 450.5],
        [1234567, "HEJ", "Anm", "2026-10-06T10:00:00+02:00", "R4", "Prisjusterad", None, 12],
    ])
    first, second = read_status_file("hej.xlsx", data)
    assert first.amount_ore == 45050 and first.status_time.tzinfo is not None
    assert second.event_number == "1234567" and second.status is Status.REMARK and second.amount_ore == 1200


def test_a_malformed_xlsx_row_names_its_row_and_column_letter():
    data = xlsx_bytes([
        ["event_number", "system", "status", "status_time"],
        ["VH-1", "HEJ", "OK", datetime.datetime(2026, 10, 6, 10, 0)],
        ["VH-2", "HEJ", "OK", "6/10/2026 10:00"],
    ])
    with pytest.raises(FeedError) as caught:
        list(read_status_file("hej.xlsx", data))
    assert (caught.value.line, caught.value.column) == (3, "D (status_time)")


def test_a_file_named_xlsx_that_is_not_one_is_refused():
    with pytest.raises(FeedError, match="not one"):
        list(read_status_file("x.xlsx", b"event_number;system\n"))
    assert file_kind("x", b"PK\x03\x04rest") == "xlsx"


def test_status_aliases():
    assert parse_status("bearbetas ej") is Status.BEEJ
    assert parse_status(" VÄNTAR ") is Status.PENDING
    with pytest.raises(ValueError, match="expected one of OK, BeEj"):
        parse_status("nope")


def test_ersmo_file_round_trips_through_its_reader():
    data = ersmo_file([event("VH-1"), event("VH-2", unit=UNIT_B, products=(("B200", 120050), ("T1", None)), voided=True, patient=PATIENTS[1])])
    parsed = read_care_event_file("oktober.xml", data)
    assert parsed.period == "2026-10" and parsed.provider_org_number == "5560360793"
    first, second = parsed.events
    assert first.event_number == "VH-1" and not first.voided and first.amount_ore == 45000
    assert first.diagnoses[0].code == "J06.9" and first.procedures[0].system == "KVÅ"
    assert second.voided and second.unit_hsa_id == UNIT_B
    assert second.product_codes == ["B200", "T1"] and second.amount_ore == 120050
    assert second.line > first.line


def _replace(data: bytes, old: str, new: str) -> bytes:
    assert old.encode() in data
    return data.replace(old.encode(), new.encode(), 1)


@pytest.mark.parametrize(
    "old, new, column, words",
    [
        ("<Id typ=\"personnummer\">198112189876", "<Id typ=\"personnummer\">198112189875", "Vardhandelser/Vardhandelse[1]/Patient/Id", "invalid personnummer"),
        ("belopp=\"450.00\"", "belopp=\"450,00\"", "Vardhandelser/Vardhandelse[1]/Ersattningshandelser/Ersattningshandelse[1]/@belopp", "kronor"),
        ("<Kontakttyp>besok</Kontakttyp>", "<Kontakttyp>besok</Kontakttyp><Farg>blå</Farg>", "Vardhandelser/Vardhandelse[1]/Vardkontakt/Farg", "unexpected element"),
        ("<Makulerad>false</Makulerad>", "<Makulerad>kanske</Makulerad>", "Vardhandelser/Vardhandelse[1]/Makulerad", "not true or false"),
        ("<Start>2026-10-05T09:30:00+02:00</Start>", "<Start>2026-10-05T09:30:00</Start>", "Vardhandelser/Vardhandelse[1]/Vardkontakt/Start", "UTC offset"),
    ],
)
def test_a_malformed_ersmo_event_names_its_element_and_line(old, new, column, words):
    data = _replace(ersmo_file([event("VH-1")]), old, new)
    with pytest.raises(FeedError) as caught:
        read_ersmo_xml(data)
    assert caught.value.column == column
    assert words in caught.value.message
    assert caught.value.line and caught.value.line > 5


def test_ersmo_refuses_duplicates_wrong_roots_and_entities():
    with pytest.raises(FeedError, match="already given on line"):
        read_ersmo_xml(ersmo_file([event("VH-1"), event("VH-1")]))
    with pytest.raises(FeedError, match="root element"):
        read_ersmo_xml(b"<Vardhandelser xmlns='urn:other'/>")
    with pytest.raises(FeedError, match="DTD"):
        read_ersmo_xml(f'<!DOCTYPE x [<!ENTITY a "b">]><Vardhandelser xmlns="{NS}"/>'.encode())
    with pytest.raises(FeedError, match="Huvud is missing"):
        read_ersmo_xml(f'<Vardhandelser xmlns="{NS}" version="1.0"/>'.encode())
