"""Excel exports of report definitions: one sheet per report plus the summary sheet."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import IO, Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kvitt.core import audit
from kvitt.core.permissions import Actor, require_role
from kvitt.reconciliation.excel import ExportResult, Report, write_workbook
from kvitt.reconciliation.models import Export, ReportDefinition
from kvitt.reconciliation.reports import READ_ROLES, filtered_events, report_rows, systems_for



def export_dir() -> Path:
    return Path(getattr(settings, "KVITT_VAR_DIR", settings.BASE_DIR / "var")) / "exports"


def definition_dict(definition: ReportDefinition | dict) -> dict:
    if isinstance(definition, dict):
        return definition
    return {"name": definition.name, "columns": definition.columns, "filters": definition.filters,
            "group_by": definition.group_by, "sort": definition.sort}


def _timezone(actor: Actor) -> str:
    return "Europe/Stockholm" if actor.organisation.country == "SE" else "Europe/Oslo"


def count_rows(actor: Actor, definitions: list[dict]) -> int:
    return sum(filtered_events(actor, d.get("filters") or {}).count() for d in definitions)


def write_reports(
    actor: Actor, definitions: list[ReportDefinition | dict], target: str | IO[bytes], *,
    progress: Callable[[int], None] | None = None, now: datetime.datetime | None = None,
) -> ExportResult:
    """Write the reports to ``target`` (a path or a binary file) as one workbook."""
    require_role(actor, *READ_ROLES)
    definitions = [definition_dict(d) for d in definitions]
    reports = []
    for definition in definitions:
        rows = report_rows(actor, definition)
        description = ", ".join(f"{k}={v}" for k, v in sorted((definition.get("filters") or {}).items()))
        reports.append(Report(definition.get("name") or "Report", rows.columns, rows.rows, description))
    systems = systems_for(actor)
    summary = [
        ("Organisation", f"{actor.organisation.name} {actor.organisation.org_number}".strip()),
        ("Created", now or timezone.now()),
        ("Created by", actor.name),
        ("Systems", ", ".join(s.code for s in systems)),
    ]
    for definition in definitions:
        filters = definition.get("filters") or {}
        summary.append((f"Filters: {definition.get('name')}",
                        "; ".join(f"{k}={v}" for k, v in sorted(filters.items())) or "none"))
    result = write_workbook(target, reports, title="Kvitt reconciliation", summary_lines=summary,
                            timezone=_timezone(actor), progress=progress)
    audit.record(actor, "export", actor.organisation, privacy=["clinical"], fields=["product_code"],
                 reason=f"Excel export of {result.total_rows} rows")
    return result


@transaction.atomic
def request_export(actor: Actor, definitions: list[ReportDefinition | dict], *, title: str = "") -> Export:
    """Queue an export for the worker; the web page polls its progress."""
    require_role(actor, *READ_ROLES)
    definitions = [definition_dict(d) for d in definitions]
    export = Export.objects.create(
        organisation=actor.organisation, user=actor.user if getattr(actor.user, "pk", None) else None,
        role=actor.role, definitions=definitions, title=title or ", ".join(d.get("name", "") for d in definitions)[:200],
    )
    from kvitt.reconciliation.tasks import run_export

    transaction.on_commit(lambda: run_export.enqueue(export.pk))
    return export


def run_export_now(export: Export) -> Export:
    """The worker's part: count, write with progress, mark done (or failed with the reason)."""
    from kvitt.core.models import Organisation

    actor = Actor(user=export.user, organisation=Organisation.objects.get(pk=export.organisation_id), role=export.role)
    Export.objects.filter(pk=export.pk).update(state=Export.State.RUNNING, rows_total=count_rows(actor, export.definitions))
    directory = export_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"reconciliation-{export.pk}-{timezone.now():%Y%m%d%H%M%S}.xlsx"

    def progress(rows: int) -> None:
        Export.objects.filter(pk=export.pk).update(rows_done=rows)

    try:
        result = write_reports(actor, export.definitions, str(path), progress=progress)
    except Exception as exc:
        Export.objects.filter(pk=export.pk).update(state=Export.State.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        raise
    Export.objects.filter(pk=export.pk).update(
        state=Export.State.DONE, rows_done=result.total_rows, file_path=str(path), finished_at=timezone.now()
    )
    export.refresh_from_db()
    return export
