"""Report definitions: which columns, filters, grouping and sort a view or an export uses.

A definition is plain JSON so that it can be saved per user, sent through the API and copied
into an export job as it was when requested:

* ``columns``: event columns (``number``, ``date``, ``period``, ``unit``, ``unit_name``,
  ``practitioner``, ``practitioner_name``, ``product_code``, ``amount``, ``voided``) and per
  system ``status:<CODE>``, ``code:<CODE>``, ``text:<CODE>``, ``time:<CODE>``,
  ``product:<CODE>``, ``amount:<CODE>`` (e.g. ``status:VF``).
* ``filters``: ``period_from`` / ``period_to`` (``YYYY-MM``), ``status`` (list; ``none`` = no
  status yet), ``system`` (list of codes the status filter applies to; alone it means "has a
  status from"), ``unit``, ``practitioner``, ``product_code``, ``voided`` (``exclude`` | ``include``
  | ``only``; default exclude).
* ``group_by``: any of ``unit``, ``practitioner``, ``product_code``, ``period``,
  ``status:<CODE>``; grouped reports show one row per group with the number of events and
  the expected amount.
* ``sort``: event columns, ``-`` in front for descending.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any, Iterator

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, QuerySet, Sum

from kvitt.core.permissions import Actor, require_role
from kvitt.reconciliation.excel import Column
from kvitt.reconciliation.models import DownstreamSystem, EventStatus, TrackedEvent
from kvitt.reconciliation.statuses import Status

READ_ROLES = ("clinic_admin", "billing_clerk", "region_billing_officer", "practitioner", "auditor", "system")

EVENT_COLUMNS: dict[str, tuple[str, str, str]] = {
    # key: (title, excel kind, model field)
    "number": ("Care event number", "text", "number"),
    "date": ("Date and time", "datetime", "start"),
    "period": ("Month", "text", "period"),
    "unit": ("Unit code", "text", "unit_code"),
    "unit_name": ("Unit", "text", "unit_name"),
    "practitioner": ("Practitioner id", "text", "practitioner_code"),
    "practitioner_name": ("Practitioner", "text", "practitioner_name"),
    "product_code": ("Expected product code", "text", "product_code"),
    "amount": ("Expected amount", "money", "amount_ore"),
    "voided": ("Voided", "text", "voided"),
}
SYSTEM_COLUMNS: dict[str, tuple[str, str]] = {
    "status": ("status", "text"),
    "code": ("code", "text"),
    "text": ("text", "text"),
    "time": ("time", "datetime"),
    "product": ("product code", "text"),
    "amount": ("amount", "money"),
}
GROUPABLE = ("unit", "practitioner", "product_code", "period")
SORTABLE = tuple(EVENT_COLUMNS)
STATUS_FILTER_VALUES = tuple(s.value for s in Status) + ("none",)
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# (event_id, system_id, status, code, text, status_time, product_code, amount_ore)
_STATUS_FIELDS = ("event_id", "system_id", "status", "code", "text", "status_time", "product_code", "amount_ore")
_STATUS_INDEX = {"status": 2, "code": 3, "text": 4, "time": 5, "product": 6, "amount": 7}


def systems_for(actor: Actor) -> list[DownstreamSystem]:
    return list(DownstreamSystem.objects.filter(organisation=actor.organisation, active=True))


def default_columns(systems: list[DownstreamSystem]) -> list[str]:
    return ["number", "date", "unit_name", "practitioner_name", "product_code", "amount"] + [
        f"status:{s.code}" for s in systems
    ]


def _split_system_key(key: str, codes: set[str]) -> tuple[str, str] | None:
    if ":" not in key:
        return None
    kind, code = key.split(":", 1)
    if kind not in SYSTEM_COLUMNS or code not in codes:
        return None
    return kind, code


def parse_period(text: str, field: str) -> datetime.date:
    if not isinstance(text, str) or not _PERIOD.match(text):
        raise ValidationError({field: f"{text!r} is not a month like 2026-10"})
    year, month = map(int, text.split("-"))
    return datetime.date(year, month, 1)


def clean_filters(filters: dict, codes: set[str]) -> dict:
    cleaned: dict[str, Any] = {}
    unknown = set(filters) - {"period_from", "period_to", "status", "system", "unit", "practitioner", "product_code", "voided"}
    if unknown:
        raise ValidationError({"filters": f"unknown filter(s): {', '.join(sorted(unknown))}"})
    for key in ("period_from", "period_to"):
        if filters.get(key):
            parse_period(filters[key], key)
            cleaned[key] = filters[key]
    for key, allowed in (("status", STATUS_FILTER_VALUES), ("system", tuple(codes))):
        values = filters.get(key) or []
        if isinstance(values, str):
            values = [values]
        bad = [v for v in values if v not in allowed]
        if bad:
            raise ValidationError({key: f"unknown {key} value(s): {', '.join(map(str, bad))}"})
        if values:
            cleaned[key] = list(values)
    for key in ("unit", "practitioner", "product_code"):
        value = (filters.get(key) or "").strip()
        if value:
            cleaned[key] = value
    voided = filters.get("voided") or "exclude"
    if voided not in ("exclude", "include", "only"):
        raise ValidationError({"voided": "exclude, include or only"})
    if voided != "exclude":
        cleaned["voided"] = voided
    return cleaned


def clean_definition(actor: Actor, *, columns: list[str], filters: dict, group_by: list[str], sort: list[str]) -> dict:
    """Check every key against the organisation's systems; return the definition to store."""
    codes = {s.code for s in systems_for(actor)}
    if not columns:
        raise ValidationError({"columns": "choose at least one column"})
    bad = [c for c in columns if c not in EVENT_COLUMNS and _split_system_key(c, codes) is None]
    if bad:
        raise ValidationError({"columns": f"unknown column(s): {', '.join(bad)}"})
    bad = [g for g in group_by if g not in GROUPABLE and not (g.startswith("status:") and g[7:] in codes)]
    if bad:
        raise ValidationError({"group_by": f"cannot group by: {', '.join(bad)}"})
    bad = [s for s in sort if s.lstrip("-") not in SORTABLE]
    if bad:
        raise ValidationError({"sort": f"cannot sort by: {', '.join(bad)}"})
    return {"columns": list(columns), "filters": clean_filters(filters, codes), "group_by": list(group_by), "sort": list(sort)}


def filtered_events(actor: Actor, filters: dict) -> QuerySet[TrackedEvent]:
    """Tracked events matching cleaned ``filters`` (see module doc)."""
    require_role(actor, *READ_ROLES)
    qs = TrackedEvent.objects.filter(organisation=actor.organisation)
    if filters.get("period_from"):
        qs = qs.filter(period__gte=parse_period(filters["period_from"], "period_from"))
    if filters.get("period_to"):
        qs = qs.filter(period__lte=parse_period(filters["period_to"], "period_to"))
    voided = filters.get("voided", "exclude")
    if voided == "exclude":
        qs = qs.filter(voided=False)
    elif voided == "only":
        qs = qs.filter(voided=True)
    for key, fields in (("unit", ("unit_code", "unit_name")), ("practitioner", ("practitioner_code", "practitioner_name"))):
        if filters.get(key):
            qs = qs.filter(Q(**{fields[0]: filters[key]}) | Q(**{fields[1]: filters[key]}))
    if filters.get("product_code"):
        qs = qs.filter(product_code=filters["product_code"])
    systems = filters.get("system") or []
    statuses = filters.get("status") or []
    system_ids = DownstreamSystem.objects.filter(organisation=actor.organisation)
    if systems:
        system_ids = system_ids.filter(code__in=systems)
    system_ids = list(system_ids.values_list("pk", flat=True))
    status_rows = EventStatus.objects.filter(event=OuterRef("pk"), system_id__in=system_ids)
    if statuses:
        real = [s for s in statuses if s != "none"]
        # "IN (events with this status)" lets the database start from the (system, status)
        # index, which is far cheaper than testing every event of the month with EXISTS.
        matching = EventStatus.objects.filter(system_id__in=system_ids, status__in=real).values("event_id")
        condition = Q(pk__in=matching) if real else Q(pk__in=[])
        if "none" in statuses:
            condition |= ~Q(Exists(status_rows))
        qs = qs.filter(condition)
    elif systems:
        qs = qs.filter(Exists(status_rows))
    return qs


def _ordering(sort: list[str]) -> list[str]:
    order = []
    for key in sort:
        descending = key.startswith("-")
        field = EVENT_COLUMNS[key.lstrip("-")][2]
        order.append(("-" if descending else "") + field)
    return order + ["number"]


EVENT_VALUE_FIELDS = ("id", "number", "start", "period", "unit_code", "unit_name", "practitioner_code",
                      "practitioner_name", "product_code", "amount_ore", "voided")


def iter_event_rows(qs: QuerySet[TrackedEvent], systems: list[DownstreamSystem], *, sort: list[str] = (),
                    chunk: int = 2000, with_time: bool = True) -> Iterator[tuple[dict, dict[str, tuple]]]:
    """(event values, {system code: status tuple}) per event, fetched a chunk at a time.

    ``with_time=False`` leaves the status time out (None): converting millions of
    timestamps costs more than the rest of the row when no report shows them."""
    by_id = {s.id: s.code for s in systems}
    rows = qs.order_by(*_ordering(list(sort))).values_list(*EVENT_VALUE_FIELDS).iterator(chunk_size=chunk)
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk:
            yield from _with_statuses(batch, by_id, with_time)
            batch = []
    if batch:
        yield from _with_statuses(batch, by_id, with_time)


def _with_statuses(batch: list[tuple], by_id: dict[int, str], with_time: bool):
    if not by_id:
        for row in batch:
            yield dict(zip(EVENT_VALUE_FIELDS, row)), {}
        return
    ids = [row[0] for row in batch]
    statuses: dict[int, dict[str, tuple]] = {}
    rows = EventStatus.objects.filter(event_id__in=ids, system_id__in=list(by_id))
    if with_time:
        fetched = rows.values_list(*_STATUS_FIELDS)
    else:
        fetched = (s[:5] + (None,) + s[5:] for s in rows.values_list(*(f for f in _STATUS_FIELDS if f != "status_time")))
    for status in fetched:
        statuses.setdefault(status[0], {})[by_id[status[1]]] = status
    for row in batch:
        yield dict(zip(EVENT_VALUE_FIELDS, row)), statuses.get(row[0], {})


def column_spec(key: str, systems: list[DownstreamSystem]) -> Column:
    if key in EVENT_COLUMNS:
        title, kind, _field = EVENT_COLUMNS[key]
        widths = {"number": 20, "date": 17, "unit_name": 26, "practitioner_name": 22, "product_code": 12}
        return Column(title, kind, widths.get(key, 14))
    kind, code = key.split(":", 1)
    title, excel_kind = SYSTEM_COLUMNS[kind]
    return Column(f"{code} {title}", excel_kind, 12 if kind == "status" else 16)


def cell_value(key: str, event: dict, statuses: dict[str, tuple]) -> Any:
    if key in EVENT_COLUMNS:
        value = event[EVENT_COLUMNS[key][2]]
        if key == "period":
            return value.strftime("%Y-%m")
        if key == "voided":
            return "yes" if value else ""
        return value
    kind, code = key.split(":", 1)
    status = statuses.get(code)
    if status is None:
        return None
    return status[_STATUS_INDEX[kind]]


@dataclass
class ReportRows:
    columns: list[Column]
    rows: Iterator[tuple]


# The status field each per-system column kind reads.
_STATUS_MODEL_FIELDS = {"status": "status", "code": "code", "text": "text", "time": "status_time",
                        "product": "product_code", "amount": "amount_ore"}
EXPORT_CHUNK = 5000


def _status_alias(system: DownstreamSystem) -> str:
    return f"status_of_{system.pk}"


def with_system_statuses(qs: QuerySet, systems: list[DownstreamSystem]) -> QuerySet:
    """``qs`` with one LEFT JOIN per system to that system's status row (at most one per event).

    Each system's status then reads as ``status_of_<pk>__<field>`` (None when the system has
    not reported the event), so a report is one query giving one row per event with the
    systems as columns, instead of a second query per chunk and a dictionary per event.
    """
    relations = {_status_alias(s): FilteredRelation("statuses", condition=Q(statuses__system_id=s.pk)) for s in systems}
    return qs.annotate(**relations) if relations else qs


def _pivot_rows(qs: QuerySet, systems: list[DownstreamSystem], keys: list[str], sort: list[str]) -> Iterator[tuple]:
    """The report's cells, in ``keys`` order, straight from one query (see ``with_system_statuses``)."""
    by_code = {s.code: s for s in systems}
    fields, fixes = [], []
    for index, key in enumerate(keys):
        if key in EVENT_COLUMNS:
            fields.append(EVENT_COLUMNS[key][2])
            if key in ("period", "voided"):
                fixes.append((index, key))
        else:
            kind, code = key.split(":", 1)
            fields.append(f"{_status_alias(by_code[code])}__{_STATUS_MODEL_FIELDS[kind]}")
    shown = [by_code[code] for code in dict.fromkeys(k.split(":", 1)[1] for k in keys if ":" in k)]
    rows = (with_system_statuses(qs, shown).order_by(*_ordering(list(sort))).values_list(*fields)
            .iterator(chunk_size=EXPORT_CHUNK))
    if not fixes:
        return rows
    return _fixed(rows, fixes)


def _fixed(rows: Iterator[tuple], fixes: list[tuple[int, str]]) -> Iterator[tuple]:
    """Show the month as 2026-10 and a voided event as "yes", as ``cell_value`` does."""
    for row in rows:
        row = list(row)
        for index, key in fixes:
            value = row[index]
            if key == "period":
                row[index] = value.strftime("%Y-%m")
            else:
                row[index] = "yes" if value else ""
        yield tuple(row)


def report_rows(actor: Actor, definition: dict) -> ReportRows:
    """The rows of a definition (grouped or not), as an iterator ready for a sheet or a page."""
    systems = systems_for(actor)
    codes = {s.code for s in systems}
    keys = [c for c in definition["columns"] if c in EVENT_COLUMNS or _split_system_key(c, codes)]
    qs = filtered_events(actor, definition.get("filters") or {})
    group_by = definition.get("group_by") or []
    if group_by:
        return _grouped(qs, systems, group_by)
    columns = [column_spec(k, systems) for k in keys]
    return ReportRows(columns, _pivot_rows(qs, systems, keys, definition.get("sort") or []))


_GROUP_FIELDS = {"unit": "unit_name", "practitioner": "practitioner_name", "product_code": "product_code", "period": "period"}


def _grouped(qs, systems, group_by: list[str]) -> ReportRows:
    """One row per group with the number of events and their expected amount, grouped by the database.

    A ``status:<CODE>`` key groups on that system's status (``none`` where it has not reported),
    through the same one-row-per-event join as the plain reports."""
    by_code = {s.code: s for s in systems}
    shown = [by_code[code] for code in dict.fromkeys(g[7:] for g in group_by if g.startswith("status:"))]
    fields = [f"{_status_alias(by_code[g[7:]])}__status" if g.startswith("status:") else _GROUP_FIELDS[g]
              for g in group_by]
    groups: dict[tuple, list[int]] = {}
    grouped = with_system_statuses(qs, shown).order_by().values_list(*fields).annotate(n=Count("id"), amount=Sum("amount_ore"))
    for *values, n, amount in grouped:
        key = []
        for g, value in zip(group_by, values):
            if g.startswith("status:"):
                key.append(value or "none")
            elif g == "period":
                key.append(value.strftime("%Y-%m"))
            else:
                key.append(value or "")
        # Different raw values can show the same (a NULL and an empty name): add them up.
        totals = groups.setdefault(tuple(key), [0, 0])
        totals[0] += n
        totals[1] += amount or 0
    titles = {"unit": "Unit", "practitioner": "Practitioner", "product_code": "Product code", "period": "Month"}
    columns = [Column(titles.get(g, g.replace("status:", "") + " status"), "text", 22) for g in group_by]
    columns += [Column("Events", "int", 10), Column("Expected amount", "money", 16)]
    rows = (key + (count, amount) for key, (count, amount) in sorted(groups.items()))
    return ReportRows(columns, rows)
