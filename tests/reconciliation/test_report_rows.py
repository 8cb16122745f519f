"""Report rows come from one query that joins each system's status as columns (and grouped
reports are grouped by the database). They must say exactly what the event-by-event path
(``iter_event_rows`` + ``cell_value``) says, including events a system has not reported."""

import datetime
import zoneinfo

import pytest

from kvitt.reconciliation.models import EventStatus, TrackedEvent
from kvitt.reconciliation.reports import cell_value, filtered_events, iter_event_rows, report_rows

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
STATUSES = ("OK", "BeEj", "error", "remark", "pending")


@pytest.fixture
def month(clerk, systems):
    """Twelve events over two months; each system reports some of them, in varying statuses."""
    organisation = clerk.organisation
    codes = ["GVR", "ERSMO", "HEJ", "VF"]
    for n in range(12):
        month_number = 10 if n < 9 else 9
        event = TrackedEvent.objects.create(
            organisation=organisation, number=f"VH-{n:03d}", period=datetime.date(2026, month_number, 1),
            start=datetime.datetime(2026, month_number, 1 + n, 8 + n % 3, 15, tzinfo=STOCKHOLM),
            unit_code=f"U{n % 2}", unit_name="" if n == 4 else f"Enhet {n % 2}", practitioner_code=f"P{n % 3}",
            practitioner_name=f"Behandlare {n % 3}", product_code=f"A{n % 4}", amount_ore=10000 + 2550 * n,
            voided=n == 7,
        )
        for index, code in enumerate(codes):
            if (n + index) % 3 == 0:
                continue  # this system has not reported this event
            EventStatus.objects.create(
                event=event, system=systems[code], status=STATUSES[(n + index) % len(STATUSES)],
                code=f"E{n}" if index == 3 else "", text=f"text {n}" if n % 2 else "",
                status_time=datetime.datetime(2026, 11, 1 + index, 6, n, tzinfo=STOCKHOLM),
                product_code=f"A{n % 4}" if index == 2 else "", amount_ore=4500 + n if index == 2 else None,
            )


def event_by_event(clerk, systems, definition):
    """The reference: every event, its statuses by system, every cell through ``cell_value``."""
    keys = definition["columns"]
    qs = filtered_events(clerk, definition.get("filters") or {})
    source = iter_event_rows(qs, list(systems.values()), sort=definition.get("sort") or [])
    return [tuple(cell_value(k, event, statuses) for k in keys) for event, statuses in source]


def grouped_event_by_event(clerk, systems, definition):
    fields = {"unit": "unit_name", "practitioner": "practitioner_name", "product_code": "product_code", "period": "period"}
    groups: dict = {}
    qs = filtered_events(clerk, definition.get("filters") or {})
    for event, statuses in iter_event_rows(qs, list(systems.values())):
        key = []
        for g in definition["group_by"]:
            if g.startswith("status:"):
                status = statuses.get(g[7:])
                key.append(status[2] if status else "none")
            elif g == "period":
                key.append(event["period"].strftime("%Y-%m"))
            else:
                key.append(event[fields[g]] or "")
        totals = groups.setdefault(tuple(key), [0, 0])
        totals[0] += 1
        totals[1] += event["amount_ore"]
    return [key + (n, amount) for key, (n, amount) in sorted(groups.items())]


ALL_COLUMNS = ["number", "date", "period", "unit", "unit_name", "practitioner", "practitioner_name", "product_code",
               "amount", "voided"] + [f"{kind}:{code}" for code in ("GVR", "ERSMO", "HEJ", "VF")
                                      for kind in ("status", "code", "text", "time", "product", "amount")]


@pytest.mark.django_db
@pytest.mark.parametrize("filters, sort", [
    ({}, []),
    ({"voided": "include"}, ["-amount", "unit"]),
    ({"period_from": "2026-10", "status": ["error", "none"], "system": ["VF"]}, ["-date"]),
    ({"unit": "Enhet 1", "status": ["OK"]}, ["practitioner"]),
])
def test_report_rows_equal_the_event_by_event_cells(clerk, systems, month, filters, sort):
    definition = {"columns": ALL_COLUMNS, "filters": filters, "group_by": [], "sort": sort}
    rows = list(report_rows(clerk, definition).rows)
    assert rows == event_by_event(clerk, systems, definition)
    assert rows, "the filter should match some events"
    assert any(value is None for row in rows for value in row[10:]), "some system has not reported some event"


@pytest.mark.django_db
def test_columns_in_any_order_and_a_system_twice(clerk, systems, month):
    definition = {"columns": ["status:VF", "number", "amount:HEJ", "status:GVR", "text:VF", "period", "voided"],
                  "filters": {"voided": "only"}, "group_by": [], "sort": []}
    rows = list(report_rows(clerk, definition).rows)
    assert rows == event_by_event(clerk, systems, definition)
    assert [row[1] for row in rows] == ["VH-007"] and rows[0][6] == "yes"


@pytest.mark.django_db
@pytest.mark.parametrize("group_by", [
    ["unit", "status:VF"],
    ["status:HEJ", "period", "status:VF"],
    ["practitioner", "product_code"],
    ["period"],
])
def test_grouped_reports_equal_the_event_by_event_groups(clerk, systems, month, group_by):
    definition = {"columns": ["number"], "filters": {"voided": "include"}, "group_by": group_by, "sort": []}
    report = report_rows(clerk, definition)
    rows = list(report.rows)
    assert rows == grouped_event_by_event(clerk, systems, definition)
    assert sum(row[-2] for row in rows) == 12
    if "status:VF" in group_by:
        assert any("none" in row for row in rows)  # events VF has not reported form their own group
    assert [c.kind for c in report.columns[-2:]] == ["int", "money"]
