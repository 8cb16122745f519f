"""Reads for the insurer's inbox and dashboard, always through the acting case handler's eyes."""

from __future__ import annotations

import datetime
import logging
import zoneinfo

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kvitt.cases.selectors import remaining_coverage
from kvitt.claims.models import DONE_STATUSES, InboundInvoice, InboundStatus
from kvitt.claims.services import payer_of
from kvitt.core import audit
from kvitt.core.permissions import Actor, PermissionDenied

logger = logging.getLogger("kvitt.claims.alerts")
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def inbound_for(actor: Actor) -> QuerySet[InboundInvoice]:
    payer = payer_of(actor)
    return InboundInvoice.objects.filter(payer=payer).select_related("company", "assignment").defer("original", "document")


def _end_of_today(now: datetime.datetime) -> datetime.datetime:
    day = now.astimezone(OSLO).date() + datetime.timedelta(days=1)
    return datetime.datetime(day.year, day.month, day.day, tzinfo=OSLO)


def filtered(qs: QuerySet[InboundInvoice], state: str, now: datetime.datetime | None = None) -> QuerySet[InboundInvoice]:
    """pending (not yet validated), due_today, overdue, or one of the verdict statuses."""
    now = now or timezone.now()
    open_ = qs.filter(status=InboundStatus.RECEIVED)
    if state == "pending":
        return open_.order_by("due_at", "id")
    if state == "due_today":
        return open_.filter(due_at__gt=now, due_at__lte=_end_of_today(now)).order_by("due_at", "id")
    if state == "overdue":
        return open_.filter(due_at__lte=now).order_by("due_at", "id")
    if state in InboundStatus.values:
        return qs.filter(status=state)
    return qs


def dashboard(actor: Actor, now: datetime.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    qs = inbound_for(actor)
    counts = qs.aggregate(
        pending=Count("id", filter=Q(status=InboundStatus.RECEIVED)),
        due_today=Count("id", filter=Q(status=InboundStatus.RECEIVED, due_at__gt=now, due_at__lte=_end_of_today(now))),
        overdue=Count("id", filter=Q(status=InboundStatus.RECEIVED, due_at__lte=now)),
        approved=Count("id", filter=Q(status=InboundStatus.APPROVED)),
        deviation=Count("id", filter=Q(status=InboundStatus.DEVIATION)),
        rejected=Count("id", filter=Q(status=InboundStatus.REJECTED)),
        unreadable=Count("id", filter=Q(status=InboundStatus.UNREADABLE)),
    )
    return counts


def get_invoice(actor: Actor, pk: int) -> InboundInvoice:
    invoice = inbound_for(actor).filter(pk=pk).first()
    if invoice is None:
        raise PermissionDenied("not found or not yours")
    return invoice


def invoice_detail(actor: Actor, invoice: InboundInvoice) -> dict:
    """The invoice with its current findings beside the assignment's coverage and usage.

    The lines carry treatment details (clinical) and the patient's case: the read is audit-logged.
    """
    from kvitt.cases.models import UsageEntry

    assignment = invoice.assignment
    audit.record(
        actor, "read", invoice, privacy=("clinical", "financial"), fields=("findings", "lines"), reason="claims inbox",
        patient=assignment.patient if assignment is not None else None,
    )
    findings = list(invoice.findings.filter(run=invoice.validation_runs))
    coverage = remaining_coverage(assignment) if assignment is not None else None
    usage = list(UsageEntry.objects.filter(assignment=assignment).order_by("at", "id")) if assignment is not None else []
    return {
        "invoice": invoice,
        "findings": findings,
        "lines": list(invoice.lines.all()),
        "overrides": list(invoice.overrides.all()),
        "assignment": assignment,
        "coverage": coverage,
        "usage": usage,
        "notices": list(invoice.notices.all()),
    }


def alert_overdue(now: datetime.datetime | None = None) -> int:
    """One ERROR log line per insurer with invoices past their due time; returns how many are late."""
    now = now or timezone.now()
    rows = (
        InboundInvoice.objects.filter(status=InboundStatus.RECEIVED, due_at__lte=now)
        .values("payer_id", "payer__name").annotate(n=Count("id"))
    )
    total = 0
    for row in rows:
        total += row["n"]
        logger.error("claims SLA: %s has %d invoice(s) past the two-working-day due time", row["payer__name"], row["n"],
                     extra={"payer_id": row["payer_id"], "overdue": row["n"]})
    return total


__all__ = ["inbound_for", "filtered", "dashboard", "get_invoice", "invoice_detail", "alert_overdue", "DONE_STATUSES"]
