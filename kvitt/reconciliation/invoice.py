"""Report versus invoice: why a month's invoice differs from the month's reported production.

Apps that know invoices (einvoice for insurers, interregion for regions, helfo, receivables)
feed the comparison through one small interface: an iterable of :class:`InvoiceLine`, one per
invoiced care event (a credit is a negative amount). Nothing else about their models leaks in::

    lines = [InvoiceLine("F-2026-11", "VH-1", 45000), InvoiceLine("F-2026-11", "VH-0", -12000)]
    explanation = explain_invoice(actor, system="VF", month=date(2026, 10, 1), lines=lines)
    assert explanation.balances()

Every öre of ``invoice_total - reported_total`` lands in exactly one explained item:
events of the month not invoiced (with the invoicing system's status: BeEj, error, pending,
remark, OK but missing, or no status), price differences, debits and credits of events from
earlier months, lines for voided events, and lines naming events Kvitt does not know.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Protocol

from django.core.exceptions import ValidationError

from kvitt.core.permissions import Actor, require_role
from kvitt.reconciliation.models import DownstreamSystem, EventStatus, TrackedEvent
from kvitt.reconciliation.reports import READ_ROLES


@dataclass(frozen=True)
class InvoiceLine:
    invoice_number: str
    event_number: str
    amount_ore: int  # debit positive, credit negative
    product_code: str = ""
    description: str = ""

    def __post_init__(self):
        if not isinstance(self.amount_ore, int) or isinstance(self.amount_ore, bool):
            raise TypeError("InvoiceLine.amount_ore is whole öre (int)")


class InvoiceLineSource(Protocol):
    """What an invoicing app offers: the lines of the invoices a payer sent or received for a month."""

    def invoice_lines(self, organisation, system_code: str, month: datetime.date) -> Iterable[InvoiceLine]: ...


# Why an item explains part of the difference; the sign convention is "invoice minus report".
NOT_INVOICED = "not_invoiced"
PRICE_DIFFERENCE = "price_difference"
EARLIER_MONTH = "earlier_month"
LATER_MONTH = "later_month"
VOIDED_EVENT = "voided_event"
UNKNOWN_EVENT = "unknown_event"


@dataclass(frozen=True)
class ExplainedItem:
    kind: str
    event_number: str
    amount_ore: int  # contribution to (invoice - report)
    reason: str = ""  # the invoicing system's status (BeEj, error, pending, remark, OK, none) or the event's month
    code: str = ""
    text: str = ""
    invoice_number: str = ""
    period: str = ""


@dataclass
class InvoiceExplanation:
    system: str
    month: datetime.date
    reported_total: int
    reported_events: int
    invoice_total: int
    invoiced_this_month: int
    items: list[ExplainedItem] = field(default_factory=list)

    @property
    def difference(self) -> int:
        return self.invoice_total - self.reported_total

    @property
    def explained(self) -> int:
        return sum(item.amount_ore for item in self.items)

    def balances(self) -> bool:
        return self.explained == self.difference

    def subtotal(self, kind: str, reason: str | None = None) -> int:
        return sum(i.amount_ore for i in self.items if i.kind == kind and (reason is None or i.reason == reason))

    def summary(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for item in self.items:
            totals[f"{item.kind}:{item.reason}" if item.kind == NOT_INVOICED else item.kind] += item.amount_ore
        return dict(totals)


def _system(actor: Actor, system: str | DownstreamSystem) -> DownstreamSystem:
    if isinstance(system, DownstreamSystem):
        if system.organisation_id != actor.organisation.id:
            raise ValidationError({"system": "not one of your systems"})
        return system
    found = DownstreamSystem.objects.filter(organisation=actor.organisation, code=str(system).upper()).first()
    if found is None:
        raise ValidationError({"system": f"unknown system {system!r}"})
    return found


def _expected(event: TrackedEvent, system: DownstreamSystem) -> int:
    if system.route:
        return int(event.amounts.get(system.route, 0))
    return event.amount_ore


def _month_events(actor: Actor, system: DownstreamSystem, month: datetime.date) -> list[TrackedEvent]:
    """The month's reported production for this system's payer (see module doc)."""
    events = TrackedEvent.objects.filter(organisation=actor.organisation, period=month, voided=False)
    if system.payer_id:  # several insurers share the insurer route: only events this one reported on
        events = events.filter(statuses__system=system)
    return [e for e in events.order_by("number") if not system.route or system.route in e.amounts]


def explain_invoice(
    actor: Actor, *, system: str | DownstreamSystem, month: datetime.date, lines: Iterable[InvoiceLine]
) -> InvoiceExplanation:
    """Explain, to the öre, the invoice for ``month`` from ``system``'s payer against the report."""
    require_role(actor, *READ_ROLES)
    system = _system(actor, system)
    month = month.replace(day=1)
    reported = _month_events(actor, system, month)
    reported_by_number = {e.number: e for e in reported}
    lines = list(lines)
    by_event: dict[str, list[InvoiceLine]] = defaultdict(list)
    for line in lines:
        by_event[line.event_number].append(line)
    others = {
        e.number: e
        for e in TrackedEvent.objects.filter(
            organisation=actor.organisation, number__in=[n for n in by_event if n not in reported_by_number]
        )
    }
    statuses = {
        number: (status, code, text)
        for number, status, code, text in EventStatus.objects.filter(
            system=system, event__organisation=actor.organisation, event__period=month
        ).values_list("event__number", "status", "code", "text")
    } if reported else {}
    explanation = InvoiceExplanation(
        system=system.code, month=month, reported_total=sum(_expected(e, system) for e in reported),
        reported_events=len(reported), invoice_total=sum(line.amount_ore for line in lines), invoiced_this_month=0,
    )
    items = explanation.items
    for event in reported:
        expected = _expected(event, system)
        invoiced = by_event.get(event.number)
        if not invoiced:
            status, code, text = statuses.get(event.number, ("none", "", ""))
            items.append(ExplainedItem(NOT_INVOICED, event.number, -expected, status, code, text, period=month.strftime("%Y-%m")))
            continue
        billed = sum(line.amount_ore for line in invoiced)
        explanation.invoiced_this_month += 1
        if billed != expected:
            status, code, text = statuses.get(event.number, ("none", "", ""))
            items.append(ExplainedItem(PRICE_DIFFERENCE, event.number, billed - expected, status, code, text,
                                       invoiced[0].invoice_number, month.strftime("%Y-%m")))
    for number, invoice_lines in by_event.items():
        if number in reported_by_number:
            continue
        event = others.get(number)
        for line in invoice_lines:
            if event is None:
                items.append(ExplainedItem(UNKNOWN_EVENT, number, line.amount_ore, "", "", line.description, line.invoice_number))
            elif event.voided and event.period == month:
                items.append(ExplainedItem(VOIDED_EVENT, number, line.amount_ore, "voided", invoice_number=line.invoice_number,
                                           period=event.period.strftime("%Y-%m")))
            else:
                kind = EARLIER_MONTH if event.period < month else LATER_MONTH
                if event.period == month:  # an event of the month outside this payer's production
                    kind = UNKNOWN_EVENT
                items.append(ExplainedItem(kind, number, line.amount_ore, "credit" if line.amount_ore < 0 else "debit",
                                           invoice_number=line.invoice_number, period=event.period.strftime("%Y-%m")))
    if not explanation.balances():  # pragma: no cover - a guard on the arithmetic above
        raise AssertionError(f"unexplained difference of {explanation.difference - explanation.explained} öre")
    return explanation
