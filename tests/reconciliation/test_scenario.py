"""The acceptance story: a month of care events and statuses from three kinds of feed, the
matrix, a saved report, its Excel export read back cell by cell, and the invoice explained."""

import datetime
import io
import zoneinfo
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from kvitt.ledger.models import CareEvent
from kvitt.reconciliation import services
from kvitt.reconciliation.export import write_reports
from kvitt.reconciliation.formats.records import FeedError
from kvitt.reconciliation.invoice import EARLIER_MONTH, NOT_INVOICED, PRICE_DIFFERENCE, InvoiceLine, explain_invoice
from kvitt.reconciliation.models import EventStatus, ImportRun, StatusHistory, TrackedEvent
from kvitt.reconciliation.selectors import status_matrix
from kvitt.reconciliation.support import support_request
from tests.reconciliation.ersmo_samples import PATIENTS, UNIT_B, ersmo_file, event

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")

OCTOBER = [
    event("VH-1", day=1, products=(("A100", 45000),)),
    event("VH-2", day=2, products=(("A100", 45000),), patient=PATIENTS[1]),
    event("VH-3", day=3, unit=UNIT_B, products=(("B200", 120050),), patient=PATIENTS[2]),
    event("VH-4", day=6, unit=UNIT_B, products=(("A100", 45000),), patient=PATIENTS[3]),
    event("VH-5", day=7, products=(("C300", 80000), ("T1", 2500)),),
]
SEPTEMBER = [event("VH-0", day=29, month=9, products=(("A100", 45000),))]

VF_CSV = (
    "vårdhändelsenummer;system;status;tidpunkt;kod;text;produktkod;belopp\n"
    "VH-1;VF;OK;2026-11-03 06:00;;;A100;450,00\n"
    "VH-2;VF;BeEj;2026-11-03 06:00;;Avtal ej aktiverat;;\n"
    "VH-3;VF;Fel;2026-11-03 06:00;E12;Diagnos saknas;;\n"
    "VH-4;VF;pending;2026-11-03 06:00;;;;\n"
    "VH-5;VF;OK;2026-11-03 06:00;;;C300;800,00\n"
).encode()


def hej_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["event_number", "system", "status", "status_time", "code", "text", "product_code", "amount"])
    sheet.append(["VH-1", "HEJ", "OK", datetime.datetime(2026, 11, 2, 22, 0), None, None, "A100", 450])
    sheet.append(["VH-3", "HEJ", "remark", datetime.datetime(2026, 11, 2, 22, 0), "P7", "Pris saknas", "B200", None])
    sheet.append(["VH-5", "HEJ", "OK", datetime.datetime(2026, 11, 2, 22, 0), None, None, "C300", 825])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def post_api_statuses(token):
    items = [
        {"event_number": f"VH-{n}", "system": "GVR", "status": "OK", "status_time": "2026-10-31T23:00:00+01:00"}
        for n in range(1, 6)
    ] + [
        {"event_number": "VH-4", "system": "ERSMO", "status": "error", "code": "E-KVA", "text": "Åtgärdskod saknas",
         "status_time": "2026-11-01T04:00:00+01:00", "product_code": "A100"},
    ]
    return Client().post("/api/v1/reconciliation/statuses", {"source": "region-api", "statuses": items},
                         content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.mark.django_db
def test_month_from_three_feeds_to_matrix_export_and_invoice(clerk, systems, api_token, tmp_path):
    # 1. Care events: ERSMO-style files for October and September go into the ledger and the reconciliation.
    run = services.import_care_event_file(clerk, "oktober.xml", ersmo_file(OCTOBER))
    assert (run.outcome, run.created) == ("applied", 5)
    services.import_care_event_file(clerk, "september.xml", ersmo_file(SEPTEMBER, period="2026-09", delivery="GVR-09"))
    ledger_event = CareEvent.objects.get(external_id="VH-5", is_current=True)
    assert ledger_event.amounts == {"home_region": 82500} and ledger_event.service_codes == ["C300", "T1"]
    assert TrackedEvent.objects.get(number="VH-3").unit_code == UNIT_B

    # 2. Statuses from files (CSV from Vårdfaktura, XLSX from HEJ), the API (GVR, Ersmo) and Kvitt's own route.
    vf = services.import_status_file(clerk, "vf-2026-10.csv", VF_CSV)
    assert (vf.created, vf.changes["VF"]) == (5, {"OK": 2, "BeEj": 1, "error": 1, "pending": 1})
    services.import_status_file(clerk, "hej-2026-10.xlsx", hej_xlsx())
    response = post_api_statuses(api_token)
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 6
    services.record_status(clerk, ledger_event, "PATIENT", "pending", status_time=datetime.datetime(2026, 11, 4, 9, tzinfo=STOCKHOLM),
                           source="receivables:F-77")

    # 3. The matrix with filters and totals.
    month = {"period_from": "2026-10", "period_to": "2026-10"}
    matrix = status_matrix(clerk, month)
    assert [s.code for s in matrix.systems] == ["GVR", "ERSMO", "HEJ", "VF", "PATIENT"]
    assert [r.event["number"] for r in matrix.rows] == ["VH-1", "VH-2", "VH-3", "VH-4", "VH-5"]
    assert matrix.event_count == 5 and matrix.amount_ore == 45000 * 3 + 120050 + 82500
    assert matrix.totals["VF"] == {"OK": 2, "BeEj": 1, "error": 1, "remark": 0, "pending": 1, "none": 0}
    assert matrix.totals["HEJ"]["none"] == 2 and matrix.totals["ERSMO"] == {"OK": 0, "BeEj": 0, "error": 1, "remark": 0, "pending": 0, "none": 4}
    assert [r.event["number"] for r in status_matrix(clerk, {**month, "status": ["BeEj", "error"], "system": ["VF"]}).rows] == ["VH-2", "VH-3"]
    assert [r.event["number"] for r in status_matrix(clerk, {"unit": UNIT_B, "product_code": "A100"}).rows] == ["VH-4"]
    assert [r.event["number"] for r in status_matrix(clerk, {"status": ["none"], "system": ["HEJ"], **month}).rows] == ["VH-2", "VH-4"]
    assert status_matrix(clerk, {"period_to": "2026-09"}).event_count == 1

    # 4. A saved report definition, exported to Excel and read back cell by cell.
    definition = services.save_report_definition(
        clerk, name="Oktober problem", columns=["number", "date", "unit_name", "product_code", "amount", "status:VF", "code:VF", "text:VF", "amount:HEJ"],
        filters={**month, "status": ["BeEj", "error", "pending"], "system": ["VF"]}, sort=["-amount"],
    )
    grouped = services.save_report_definition(clerk, name="Per enhet", columns=["number"], filters=month, group_by=["unit", "status:VF"])
    path = tmp_path / "report.xlsx"
    result = write_reports(clerk, [definition, grouped], str(path))
    assert result.rows_per_sheet == {"Oktober problem": 3, "Per enhet": 4}
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Summary", "Oktober problem", "Per enhet"]
    sheet = workbook["Oktober problem"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:I4"
    assert [c.value for c in sheet[1]] == [
        "Care event number", "Date and time", "Unit", "Expected product code", "Expected amount", "VF status", "VF code", "VF text", "HEJ amount"]
    expected = [
        ["VH-3", datetime.datetime(2026, 10, 3, 9, 30), "Vårdcentral Norr", "B200", Decimal("1200.50"), "error", "E12", "Diagnos saknas", None],
        ["VH-2", datetime.datetime(2026, 10, 2, 9, 30), "Vårdcentral Söder", "A100", Decimal("450.00"), "BeEj", None, "Avtal ej aktiverat", None],
        ["VH-4", datetime.datetime(2026, 10, 6, 9, 30), "Vårdcentral Norr", "A100", Decimal("450.00"), "pending", None, None, None],
    ]
    for row_number, values in enumerate(expected, start=2):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=column).value
            if isinstance(value, Decimal):
                assert Decimal(str(cell)).quantize(Decimal("0.01")) == value, (row_number, column)
            else:
                assert cell == value, (row_number, column, cell)
    per_unit = [[c.value for c in row] for row in workbook["Per enhet"].iter_rows(min_row=2)]
    assert per_unit == [
        ["Vårdcentral Norr", "error", 1, 1200.5], ["Vårdcentral Norr", "pending", 1, 450],
        ["Vårdcentral Söder", "BeEj", 1, 450], ["Vårdcentral Söder", "OK", 2, 1275],
    ]
    summary = {row[0].value: row[1].value for row in workbook["Summary"].iter_rows(min_row=3) if row[0].value}
    assert summary["Oktober problem"] == 3 and summary["Systems"] == "GVR, ERSMO, HEJ, VF, PATIENT"

    # 5. The November invoice from Vårdfaktura explained against October's report, to the öre.
    lines = [
        InvoiceLine("VF-2026-11", "VH-1", 45000),
        InvoiceLine("VF-2026-11", "VH-5", 80000),  # T1 (25.00) not priced by HEJ
        InvoiceLine("VF-2026-11", "VH-0", -45000, description="credit September"),
        InvoiceLine("VF-2026-11", "VH-0", 47500, description="new debit September"),
    ]
    explanation = explain_invoice(clerk, system="VF", month=datetime.date(2026, 10, 1), lines=lines)
    assert explanation.reported_total == 337550 and explanation.invoice_total == 127500
    assert explanation.difference == -210050 and explanation.balances()
    assert explanation.subtotal(NOT_INVOICED, "BeEj") == -45000
    assert explanation.subtotal(NOT_INVOICED, "error") == -120050
    assert explanation.subtotal(NOT_INVOICED, "pending") == -45000
    assert explanation.subtotal(PRICE_DIFFERENCE) == -2500
    assert explanation.subtotal(EARLIER_MONTH) == 2500
    assert [(i.event_number, i.reason, i.amount_ore) for i in explanation.items if i.kind == EARLIER_MONTH] == [
        ("VH-0", "credit", -45000), ("VH-0", "debit", 47500)]

    # 6. A support request for the Vårdfaktura problems.
    payload = support_request(clerk, system="VF", filters={**month, "status": ["BeEj", "error"], "system": ["VF"]})
    assert [e["event_number"] for e in payload["examples"]] == ["VH-2", "VH-3"]
    assert payload["examples"][1]["expected_product_code"] == "B200" and payload["examples"][1]["code"] == "E12"
    assert "VH-3" in payload["text"] and payload["by_status_and_code"] == {"BeEj": 1, "error E12": 1}


@pytest.mark.django_db
def test_reimporting_the_same_files_changes_nothing(clerk, systems):
    services.import_care_event_file(clerk, "oktober.xml", ersmo_file(OCTOBER))
    services.import_status_file(clerk, "vf.csv", VF_CSV)
    counts = (EventStatus.objects.count(), StatusHistory.objects.count(), CareEvent.objects.count(), TrackedEvent.objects.count())
    again = services.import_status_file(clerk, "vf.csv", VF_CSV)
    assert (again.outcome, again.created, again.changed, again.unchanged) == ("unchanged", 0, 0, 5)
    events_again = services.import_care_event_file(clerk, "oktober.xml", ersmo_file(OCTOBER))
    assert (events_again.outcome, events_again.unchanged) == ("unchanged", 5)
    assert (EventStatus.objects.count(), StatusHistory.objects.count(), CareEvent.objects.count(), TrackedEvent.objects.count()) == counts
    assert ImportRun.objects.filter(file_hash=again.file_hash).count() == 2

    changed = VF_CSV.replace(b"VH-2;VF;BeEj;2026-11-03 06:00", b"VH-2;VF;OK;2026-11-05 06:00")
    run = services.import_status_file(clerk, "vf-2.csv", changed)
    assert (run.changed, run.unchanged, run.changes) == (1, 4, {"VF": {"OK": 1}})
    assert list(StatusHistory.objects.filter(event__number="VH-2").values_list("status", flat=True)) == ["BeEj", "OK"]
    stale = services.import_status_file(clerk, "vf-old.csv", VF_CSV)
    assert (stale.stale, EventStatus.objects.get(event__number="VH-2", system__code="VF").status) == (1, "OK")

    corrected = [event("VH-1", day=1, products=(("A200", 50000),))] + OCTOBER[1:]
    run = services.import_care_event_file(clerk, "oktober-rättad.xml", ersmo_file(corrected))
    assert (run.changed, run.unchanged) == (1, 4)
    assert CareEvent.objects.get(external_id="VH-1", is_current=True).version == 2
    assert TrackedEvent.objects.get(number="VH-1").amount_ore == 50000


@pytest.mark.django_db
def test_a_malformed_row_names_line_and_column_and_nothing_is_stored(clerk, systems):
    services.import_care_event_file(clerk, "oktober.xml", ersmo_file(OCTOBER))
    bad = VF_CSV.replace(b"VH-4;VF;pending", b"VH-4;VF;kanske")
    with pytest.raises(FeedError) as caught:
        services.import_status_file(clerk, "vf-bad.csv", bad)
    assert str(caught.value).startswith("line 5, column 3 (status): unknown status 'kanske'")
    assert EventStatus.objects.count() == 0 and StatusHistory.objects.count() == 0
    failed = ImportRun.objects.get(file_name="vf-bad.csv")
    assert failed.outcome == "failed" and "line 5" in failed.error

    unknown_system = VF_CSV.replace(b"VH-5;VF;", b"VH-5;XX;")
    with pytest.raises(FeedError) as caught:
        services.import_status_file(clerk, "vf-bad2.csv", unknown_system)
    assert (caught.value.line, caught.value.column) == (6, "2 (system)")
    unknown_event = VF_CSV.replace(b"VH-5;VF;", b"VH-99;VF;")
    with pytest.raises(FeedError, match="VH-99 is not known") as caught:
        services.import_status_file(clerk, "vf-bad3.csv", unknown_event)
    assert caught.value.column == "1 (vårdhändelsenummer)"
    assert EventStatus.objects.count() == 0

    broken_xml = ersmo_file(OCTOBER + [event("VH-6", day=8)]).replace(b"<Kontakttyp>besok</Kontakttyp>\n      <Start>2026-10-08", b"<Kontakttyp>resa</Kontakttyp>\n      <Start>2026-10-08")
    before = (CareEvent.objects.count(), TrackedEvent.objects.count())
    with pytest.raises(FeedError, match="unknown contact type 'resa'") as caught:
        services.import_care_event_file(clerk, "november.xml", broken_xml)
    assert caught.value.column == "Vardhandelser/Vardhandelse[6]/Vardkontakt/Kontakttyp"
    assert (CareEvent.objects.count(), TrackedEvent.objects.count()) == before


@pytest.mark.django_db
def test_api_rejects_a_bad_item_naming_it_and_stores_nothing(clerk, systems, api_token):
    services.import_care_event_file(clerk, "oktober.xml", ersmo_file(OCTOBER))
    items = [
        {"event_number": "VH-1", "system": "GVR", "status": "OK", "status_time": "2026-10-31T23:00:00+01:00"},
        {"event_number": "VH-2", "system": "GVR", "status": "error", "status_time": "2026-10-31T23:00:00+01:00"},
    ]
    response = Client().post("/api/v1/reconciliation/statuses", {"statuses": items}, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {api_token}")
    assert response.status_code == 422
    assert response.json()["errors"]["statuses"] == ["line 2, column code: an error status needs an error code"]
    assert EventStatus.objects.count() == 0
    matrix = Client().get("/api/v1/reconciliation/matrix?period_from=2026-10&status=none&system=GVR",
                          HTTP_AUTHORIZATION=f"Bearer {api_token}")
    assert matrix.status_code == 200
    assert matrix.json()["event_count"] == 5 and matrix.json()["totals"]["GVR"]["none"] == 5


@pytest.mark.django_db
def test_a_voided_event_is_voided_in_the_ledger_and_cannot_come_back(clerk, systems):
    services.import_care_event_file(clerk, "oktober.xml", ersmo_file(OCTOBER))
    voided = [event("VH-1", day=1, voided=True)] + OCTOBER[1:]
    run = services.import_care_event_file(clerk, "oktober-2.xml", ersmo_file(voided))
    assert run.changes == {"events": {"voided": 1}}
    assert CareEvent.objects.get(external_id="VH-1", is_current=True).voided
    assert TrackedEvent.objects.get(number="VH-1").voided
    assert status_matrix(clerk, {"period_from": "2026-10"}).event_count == 4
    with pytest.raises(FeedError, match="cannot be reinstated") as caught:
        services.import_care_event_file(clerk, "oktober-3.xml", ersmo_file(OCTOBER))
    assert caught.value.line and caught.value.line > 1
    assert CareEvent.objects.get(external_id="VH-1", is_current=True).voided
