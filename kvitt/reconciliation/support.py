"""Support requests: what a support desk (the region's or a payer's) needs to look at a problem.

From a selection of events (a filter or explicit numbers) and one system, collect example
care event numbers with that system's status, code and text, the product (reimbursement) code
the provider expected and the one the system assigned, and counts per code, plus a ready
text in Swedish, Norwegian or English.
"""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import ValidationError

from kvitt.core import audit
from kvitt.core.permissions import Actor
from kvitt.reconciliation.models import DownstreamSystem
from kvitt.reconciliation.reports import clean_filters, filtered_events, iter_event_rows, systems_for

TEXTS = {
    "sv": ("Supportärende för {system} ({name}), {org}",
           "{count} vårdhändelser berörs. Exempel på vårdhändelsenummer med status, kod och förväntad produktkod:"),
    "nb": ("Supporthenvendelse for {system} ({name}), {org}",
           "{count} hendelser gjelder. Eksempler på hendelsesnummer med status, kode og forventet produktkode:"),
    "en": ("Support request for {system} ({name}), {org}",
           "{count} care events are affected. Example care event numbers with status, code and expected product code:"),
}


def support_request(
    actor: Actor, *, system: str, filters: dict | None = None, event_numbers: list[str] | None = None,
    examples: int = 10, language: str = "sv",
) -> dict:
    systems = systems_for(actor)
    target = next((s for s in systems if s.code == system), None)
    if target is None:
        raise ValidationError({"system": f"unknown system {system!r}"})
    qs = filtered_events(actor, clean_filters(filters or {}, {s.code for s in systems}))
    if event_numbers:
        qs = qs.filter(number__in=event_numbers)
    codes: Counter[str] = Counter()
    rows, count = [], 0
    for event, statuses in iter_event_rows(qs, [target]):
        status = statuses.get(target.code)
        count += 1
        codes[f"{status[2]} {status[3]}".strip() if status else "none"] += 1
        if len(rows) < examples:
            rows.append({
                "event_number": event["number"],
                "date": event["start"].date().isoformat(),
                "unit": event["unit_name"] or event["unit_code"],
                "status": status[2] if status else "none",
                "code": status[3] if status else "",
                "text": status[4] if status else "",
                "expected_product_code": event["product_code"],
                "system_product_code": status[6] if status else "",
                "expected_amount_ore": event["amount_ore"],
            })
    if count == 0:
        raise ValidationError({"selection": "the selection has no care events"})
    title, intro = TEXTS.get(language, TEXTS["en"])
    org = actor.organisation
    lines = [title.format(system=target.code, name=target.name, org=f"{org.name} {org.org_number}".strip()), "",
             intro.format(count=count), ""]
    for row in rows:
        lines.append(f"- {row['event_number']} {row['date']} {row['unit']}: {row['status']} {row['code']} {row['text']}".rstrip()
                     + f" | {row['expected_product_code']} -> {row['system_product_code'] or '-'}")
    payload = {
        "organisation": {"name": org.name, "org_number": org.org_number},
        "system": {"code": target.code, "name": target.name},
        "selection": {"filters": filters or {}, "event_numbers": event_numbers or [], "count": count},
        "by_status_and_code": dict(codes.most_common()),
        "examples": rows,
        "text": "\n".join(lines),
    }
    audit.record(actor, "support_request", target, privacy=["clinical"], fields=["product_code"],
                 reason=f"{count} events")
    return payload
