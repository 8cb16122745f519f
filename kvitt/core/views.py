from django.shortcuts import render

from kvitt.core import selectors
from kvitt.web.decorators import actor_required


@actor_required
def audit_log(request):
    return render(request, "core/audit.html", {"entries": selectors.audit_entries_for(request.actor, limit=500)})


@actor_required
def access_report(request):
    national_id = (request.GET.get("national_id") or "").strip()
    entries = selectors.patient_access_report(request.actor, national_id) if national_id else None
    return render(request, "core/access_report.html", {"entries": entries, "national_id": national_id})
