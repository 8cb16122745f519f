"""Reads for the Helfo pages; reads of patient identity or clinical data are audit-logged."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from kvitt.core import audit
from kvitt.core.permissions import Actor, require_role
from kvitt.helfo.models import BillCard, Practice, Settlement, SigningCredential

CLINIC_ROLES = ("clinic_admin", "practitioner", "billing_clerk")


def practices_for(actor: Actor):
    require_role(actor, *CLINIC_ROLES)
    return Practice.objects.filter(organisation=actor.organisation, active=True).select_related("company")


def practice_for(actor: Actor, practice_id: int) -> Practice:
    return get_object_or_404(practices_for(actor), pk=practice_id)


def settlements_for(actor: Actor):
    require_role(actor, *CLINIC_ROLES)
    # The BKM documents are encrypted and large: loaded (and decrypted) only when used.
    return Settlement.objects.filter(organisation=actor.organisation).select_related("practice", "practitioner").defer("bkm_json", "signed_xml")


def settlement_for(actor: Actor, settlement_id: int) -> Settlement:
    settlement = get_object_or_404(settlements_for(actor), pk=settlement_id)
    items = list(settlement.items.select_related("bill_card__patient"))
    audit.record_many(actor, "read", [i.bill_card for i in items], privacy=["identity", "financial"],
                      fields=["patient", "amount"], patient_of=lambda c: c.patient)
    return settlement


def bill_cards_for(actor: Actor):
    require_role(actor, *CLINIC_ROLES)
    return BillCard.objects.filter(organisation=actor.organisation).select_related("patient")


def bill_card_for(actor: Actor, card_id: int) -> BillCard:
    require_role(actor, *CLINIC_ROLES)
    card = get_object_or_404(
        BillCard.objects.filter(organisation=actor.organisation).select_related("patient", "practitioner", "practice"),
        pk=card_id,
    )
    audit.record(actor, "read", card, privacy=["identity", "clinical", "financial"], fields=["patient", "diagnoses", "lines"], patient=card.patient)
    return card


def credentials_for(actor: Actor):
    require_role(actor, *CLINIC_ROLES)
    return SigningCredential.objects.filter(organisation=actor.organisation)
