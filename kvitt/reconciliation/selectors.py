"""Reads: the status matrix (events x systems) with its totals, import runs, definitions."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Sum

from kvitt.core.permissions import Actor
from kvitt.reconciliation.models import DownstreamSystem, ImportRun, ReportDefinition, TrackedEvent
from kvitt.reconciliation.reports import clean_filters, filtered_events, iter_event_rows, systems_for
from kvitt.reconciliation.statuses import Status


@dataclass
class MatrixRow:
    event: dict
    statuses: dict[str, tuple]  # system code -> (…, status, code, text, time, product, amount)

    def cell(self, code: str) -> tuple | None:
        return self.statuses.get(code)


@dataclass
class Matrix:
    systems: list[DownstreamSystem]
    rows: list[MatrixRow]
    event_count: int
    amount_ore: int
    # system code -> {status or "none": count}
    totals: dict[str, dict[str, int]] = field(default_factory=dict)
    page: int = 1
    page_size: int = 100

    @property
    def pages(self) -> int:
        return max(1, -(-self.event_count // self.page_size))


def status_totals(qs, systems: list[DownstreamSystem], event_count: int) -> dict[str, dict[str, int]]:
    """Per system: events per status, and ``none`` for events that system has not reported."""
    by_id = {s.id: s.code for s in systems}
    totals = {s.code: {st.value: 0 for st in Status} for s in systems}
    # Grouped over the join from the filtered events, so the database starts from the events'
    # own indexes and looks their statuses up by (event, system).
    counts = qs.order_by().values_list("statuses__system_id", "statuses__status").annotate(n=Count("id"))
    for system_id, status, n in counts:
        if system_id in by_id:
            totals[by_id[system_id]][status] = n
    for code, per_status in totals.items():
        per_status["none"] = event_count - sum(per_status.values())
    return totals


def status_matrix(actor: Actor, filters: dict | None = None, *, page: int = 1, page_size: int = 100,
                  sort: list[str] | None = None) -> Matrix:
    """One page of the matrix plus totals over every matching event."""
    systems = systems_for(actor)
    cleaned = clean_filters(filters or {}, {s.code for s in systems})
    qs = filtered_events(actor, cleaned)
    aggregate = qs.aggregate(n=Count("id"), amount=Sum("amount_ore"))
    event_count, amount = aggregate["n"] or 0, aggregate["amount"] or 0
    page = max(1, page)
    offset = (page - 1) * page_size
    page_qs = qs.order_by("period", "number")[offset: offset + page_size]
    ids = list(page_qs.values_list("pk", flat=True))
    # The page's ids are already filtered; querying them alone keeps the database on the primary key.
    page_events = TrackedEvent.objects.filter(pk__in=ids)
    rows = [MatrixRow(e, s) for e, s in iter_event_rows(page_events, systems, sort=["period"])]
    return Matrix(
        systems=systems, rows=rows, event_count=event_count, amount_ore=amount,
        totals=status_totals(qs, systems, event_count), page=page, page_size=page_size,
    )


def import_runs(actor: Actor, limit: int = 50) -> list[ImportRun]:
    return list(ImportRun.objects.filter(organisation=actor.organisation)[:limit])


def report_definitions(actor: Actor) -> list[ReportDefinition]:
    return list(ReportDefinition.objects.filter(organisation=actor.organisation, owner_id=getattr(actor.user, "pk", None)))
