import datetime

from django.shortcuts import render

from kvitt.ledger import selectors
from kvitt.web.decorators import actor_required


def _date_param(request, name: str):
    value = request.GET.get(name) or ""
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@actor_required
def event_list(request):
    filters = {
        "start_from": _date_param(request, "from"),
        "start_to": _date_param(request, "to"),
        "route": request.GET.get("route") or None,
        "case_ref": request.GET.get("case") or None,
    }
    events = selectors.list_care_events(request.actor, reason="web list", **filters)
    return render(request, "ledger/events.html", {"events": events, "filters": filters})


@actor_required
def event_detail(request, event_pk: int):
    event = selectors.get_care_event(request.actor, event_pk, reason="web detail")
    history = selectors.care_event_history(request.actor, event)
    return render(request, "ledger/event.html", {"event": event, "history": history})
