"""Web pages: the status matrix with filters, saved reports, exports with progress, imports."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kvitt.reconciliation import export, selectors, services, support as support_module
from kvitt.reconciliation.formats.records import FeedError
from kvitt.reconciliation.models import Export, ReportDefinition
from kvitt.reconciliation.reports import default_columns, systems_for
from kvitt.reconciliation.statuses import Status
from kvitt.web.decorators import actor_required

FILTER_KEYS = ("period_from", "period_to", "unit", "practitioner", "product_code", "voided")


def _filters_from(query) -> dict:
    filters = {key: query.get(key, "").strip() for key in FILTER_KEYS if query.get(key, "").strip()}
    for key in ("status", "system"):
        values = [v for v in query.getlist(key) if v]
        if values:
            filters[key] = values
    return filters


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


@actor_required
def matrix(request):
    actor = request.actor
    filters = _filters_from(request.GET)
    definition = None
    if request.GET.get("report"):
        definition = get_object_or_404(ReportDefinition, pk=request.GET["report"], owner=request.user, organisation=actor.organisation)
        filters = {**definition.filters, **filters}
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    error = None
    try:
        result = selectors.status_matrix(actor, filters, page=page, page_size=100)
    except ValidationError as exc:
        error = _messages(exc)
        result = selectors.status_matrix(actor, {}, page=1, page_size=100)
    systems = result.systems
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reconciliation/matrix.html", {
        "matrix": result, "filters": filters, "error": error, "definition": definition,
        "statuses": [s.value for s in Status] + ["none"], "systems": systems,
        "definitions": selectors.report_definitions(actor), "query": query.urlencode(),
        "default_columns": default_columns(systems),
        "rows": [(r.event, [r.statuses.get(s.code) for s in systems]) for r in result.rows],
        "totals": [(s.code, result.totals.get(s.code, {})) for s in systems],
    })


@actor_required
@require_POST
def save_report(request):
    actor = request.actor
    filters = _filters_from(request.POST)
    columns = request.POST.getlist("columns") or default_columns(systems_for(actor))
    try:
        definition = services.save_report_definition(
            actor, name=request.POST.get("name", ""), columns=columns, filters=filters,
            group_by=[g for g in request.POST.getlist("group_by") if g], sort=[s for s in request.POST.getlist("sort") if s],
        )
    except ValidationError as exc:
        messages.error(request, _messages(exc))
        return redirect(reverse("reconciliation:matrix") + "?" + urlencode(filters, doseq=True))
    messages.success(request, _("Report “%(name)s” saved.") % {"name": definition.name})
    return redirect(reverse("reconciliation:matrix") + f"?report={definition.pk}")


@actor_required
@require_POST
def delete_report(request, definition_id: int):
    definition = get_object_or_404(ReportDefinition, pk=definition_id, owner=request.user)
    services.delete_report_definition(request.actor, definition)
    messages.success(request, _("Report deleted."))
    return redirect("reconciliation:matrix")


@actor_required
@require_POST
def schedule_report(request, definition_id: int):
    definition = get_object_or_404(ReportDefinition, pk=definition_id, owner=request.user)
    try:
        services.schedule_daily_report(request.actor, [definition], email=request.POST.get("email", ""),
                                       hour=int(request.POST.get("hour") or 6))
    except (ValidationError, ValueError) as exc:
        messages.error(request, _messages(exc) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, _("A daily e-mail with “%(name)s” is scheduled.") % {"name": definition.name})
    return redirect(reverse("reconciliation:matrix") + f"?report={definition.pk}")


@actor_required
@require_POST
def start_export(request):
    actor = request.actor
    ids = [int(i) for i in request.POST.getlist("report") if i.isascii() and i.isdigit()]
    definitions = list(ReportDefinition.objects.filter(pk__in=ids, owner=request.user, organisation=actor.organisation))
    if not definitions:
        systems = systems_for(actor)
        definitions = [{"name": _("Matrix"), "columns": default_columns(systems), "filters": _filters_from(request.POST),
                        "group_by": [], "sort": []}]
    job = export.request_export(actor, definitions)
    return redirect("reconciliation:export_status", export_id=job.pk)


def _own_export(request, export_id: int) -> Export:
    job = get_object_or_404(Export, pk=export_id, organisation=request.actor.organisation)
    if job.user_id != request.user.pk:
        raise PermissionDenied("not your export")
    return job


@actor_required
def export_status(request, export_id: int):
    return render(request, "reconciliation/export.html", {"job": _own_export(request, export_id)})


@actor_required
def export_progress(request, export_id: int):
    return render(request, "reconciliation/_export_progress.html", {"job": _own_export(request, export_id)})


@actor_required
def export_download(request, export_id: int):
    job = _own_export(request, export_id)
    if job.state != Export.State.DONE or not job.file_path or not Path(job.file_path).is_file():
        raise Http404("the export is not ready")
    return FileResponse(open(job.file_path, "rb"), as_attachment=True,
                        filename=f"kvitt-reconciliation-{job.pk}.xlsx")


@actor_required
def imports(request):
    actor = request.actor
    if request.method == "POST" and request.FILES.get("file"):
        upload = request.FILES["file"]
        data = upload.read()
        try:
            if request.POST.get("kind") == "events":
                run = services.import_care_event_file(actor, upload.name, data)
            else:
                run = services.import_status_file(actor, upload.name, data)
        except FeedError as exc:
            messages.error(request, _("%(file)s was not imported; nothing was stored. %(error)s") % {"file": upload.name, "error": exc})
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(file)s: %(rows)s rows, %(created)s new, %(changed)s changed, %(unchanged)s unchanged.") % {
                "file": upload.name, "rows": run.rows, "created": run.created, "changed": run.changed, "unchanged": run.unchanged})
        return redirect("reconciliation:imports")
    return render(request, "reconciliation/imports.html", {"runs": selectors.import_runs(actor), "systems": systems_for(actor)})


@actor_required
@require_POST
def support(request):
    actor = request.actor
    try:
        payload = support_module.support_request(
            actor, system=request.POST.get("support_system", ""), filters=_filters_from(request.POST),
            language=getattr(request, "LANGUAGE_CODE", "sv")[:2],
        )
    except ValidationError as exc:
        messages.error(request, _messages(exc))
        return redirect("reconciliation:matrix")
    return render(request, "reconciliation/support.html", {"payload": payload})
