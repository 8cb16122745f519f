"""Helfo listens to patient payments: a patient share paid after the refund was claimed is
reported to the egenandel register with the next settlement (register_patient_payment)."""

from __future__ import annotations

from kvitt.core.permissions import Actor
from kvitt.helfo import services
from kvitt.helfo.models import BillCard


def on_patient_payment_booked(sender, invoice, amount_minor: int, booked_on, care_event_ids, **kwargs) -> None:
    if amount_minor <= 0 or not care_event_ids or invoice.open_minor > 0:
        return  # only a patient share paid in full counts as paid
    actor = Actor.system(invoice.organisation, label="patient payment")
    cards = BillCard.objects.filter(organisation=invoice.organisation, care_event_id__in=care_event_ids, egenandel_paid=False)
    for card in cards:
        services.register_patient_payment(actor, card, paid_on=booked_on, method="bank", source=f"patient invoice {invoice.number}")
