"""What each role sees first: a few numbers and the links to its daily work."""

from __future__ import annotations

import datetime

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from kvitt.core.models import AuditEntry, Role
from kvitt.core.permissions import Actor
from kvitt.ledger.models import CareEvent
from kvitt.network import selectors as network
from kvitt.network.models import Company, PartnerApproval, Payer


def _month_start() -> datetime.date:
    return timezone.localdate().replace(day=1)


def _events_this_month(actor: Actor):
    return CareEvent.objects.filter(organisation=actor.organisation, is_current=True, start__date__gte=_month_start())


def _clinic(actor: Actor) -> list[dict]:
    locations = network.locations_for(actor)
    visible = set(network.visible_locations().filter(pk__in=locations).values_list("pk", flat=True))
    return [
        {"label": _("Locations"), "value": locations.count(), "detail": _("%(n)s visible to insurers") % {"n": len(visible)}},
        {"label": _("Practitioners"), "value": network.practitioners_for(actor).count()},
        {"label": _("Care events this month"), "value": _events_this_month(actor).count()},
        {"label": _("Open invitations"), "value": network.invitations_for(actor).filter(status="sent").count()},
    ]


def _billing(actor: Actor) -> list[dict]:
    panels = []
    by_route: dict[str, list[int]] = {}
    for routes, amounts in _events_this_month(actor).values_list("routes", "amounts"):
        for route in routes:
            entry = by_route.setdefault(route, [0, 0])
            entry[0] += 1
            entry[1] += int((amounts or {}).get(route, 0))
    for route, (count, amount) in sorted(by_route.items()):
        panels.append({"label": _("Route %(route)s this month") % {"route": route}, "value": count, "amount": amount})
    return panels or [{"label": _("Care events this month"), "value": 0}]


def _payer(actor: Actor) -> list[dict]:
    today = timezone.localdate()
    mine = PartnerApproval.objects.filter(payer__organisation=actor.organisation)
    return [
        {"label": _("Active approvals"), "value": mine.active_on(today).count()},
        {"label": _("Approved companies"), "value": mine.active_on(today).values("company").distinct().count()},
        {"label": _("Visible locations in the network"), "value": network.visible_locations().count()},
    ]


def _auditor(actor: Actor) -> list[dict]:
    since = timezone.now() - datetime.timedelta(days=1)
    recent = AuditEntry.objects.filter(patient__organisation=actor.organisation, at__gte=since)
    return [
        {"label": _("Reads of patient data, last 24 h"), "value": recent.filter(action="read").count()},
        {"label": _("Changes of patient data, last 24 h"), "value": recent.exclude(action="read").count()},
    ]


def _operator(actor: Actor) -> list[dict]:
    return [
        {"label": _("Companies"), "value": Company.objects.count()},
        {"label": _("Payers"), "value": Payer.objects.count()},
        {"label": _("Approvals"), "value": PartnerApproval.objects.aggregate(n=Count("id"))["n"]},
    ]


def _collection(actor: Actor) -> list[dict]:
    return [{"label": _("Collection workspace"), "value": "", "detail": _("Open claims, agreements and contact log")}]


PANELS = {
    Role.CLINIC_ADMIN: _clinic,
    Role.PRACTITIONER: _clinic,
    Role.BILLING_CLERK: _billing,
    Role.INSURER_CASE_HANDLER: _payer,
    Role.REGION_BILLING_OFFICER: _payer,
    Role.AUDITOR: _auditor,
    Role.NETWORK_OPERATOR: _operator,
    Role.COLLECTION_AGENT: _collection,
}


def panels_for(actor: Actor) -> list[dict]:
    return PANELS.get(actor.role, lambda a: [])(actor)
