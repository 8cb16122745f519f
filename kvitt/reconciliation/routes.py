"""Kvitt's own routes report what became of each care event, in the same transaction as the
change that taught them: the insurer's Invoice Response, Helfo's per-bill result, the
patient's payment and the hand-over to collection. Each is one call into ``record_status``."""

from __future__ import annotations

from kvitt.core.permissions import Actor
from kvitt.reconciliation.services import insurer_system_code, record_status

# Peppol Invoice Response codes -> reconciliation statuses.
INVOICE_RESPONSE_STATUS = {"AB": "pending", "IP": "pending", "UQ": "remark", "CA": "remark", "RE": "error",
                           "AP": "OK", "PD": "OK"}
HELFO_RESULT_STATUS = {"behandles": "pending", "godkjent": "OK", "avvist": "error"}


def _report(organisation, care_events, system: str, status: str, *, code: str = "", text: str = "", source: str = "") -> int:
    actor = Actor.system(organisation, label="kvitt route")
    count = 0
    for event in care_events:
        record_status(actor, event, system, status, code=code, text=text, source=source)
        count += 1
    return count


def insurer_response(invoice, code: str, note: str = "") -> int:
    """The insurer answered the clinic's EHF invoice: every care event on it gets the answer."""
    status = INVOICE_RESPONSE_STATUS.get(code)
    if status is None:
        return 0
    events = [line.care_event for line in invoice.lines.select_related("care_event")]
    return _report(invoice.company.organisation, events, insurer_system_code(invoice.payer), status,
                   code=code if status == "error" else "", text=note, source=f"ehf:{invoice.number}")


def helfo_result(card, result: str, remarks: list[dict]) -> int:
    status = HELFO_RESULT_STATUS.get(result)
    if status is None or card.care_event_id is None:
        return 0
    first = remarks[0] if remarks else {}
    code = str(first.get("number") or result) if status == "error" else ""
    text = "; ".join(f"{r.get('number')}: {r.get('text')}" for r in remarks)
    return _report(card.organisation, [card.care_event], "HELFO", status, code=code, text=text, source=f"helfo:{card.guid}")


def patient_payment(invoice, amount_minor: int) -> int:
    events = [line.care_event for line in invoice.lines.exclude(care_event=None).select_related("care_event")]
    if amount_minor < 0:
        status, text = "remark", "payment reversed by the bank"
    elif invoice.open_minor <= 0:
        status, text = "OK", "paid"
    else:
        status, text = "pending", "partly paid"
    return _report(invoice.organisation, events, "PATIENT", status, text=text, source=f"invoice:{invoice.number}")


def collection_handover(invoice) -> int:
    events = [line.care_event for line in invoice.lines.exclude(care_event=None).select_related("care_event")]
    return _report(invoice.organisation, events, "COLLECTION", "pending", text="handed over to collection",
                   source=f"invoice:{invoice.number}")


def on_patient_payment_booked(sender, invoice, amount_minor: int, **kwargs) -> None:
    from django.db import transaction

    with transaction.atomic():
        invoice.refresh_from_db()
        patient_payment(invoice, amount_minor)
