"""Reads for the payments app: the manual queue and a file's transactions."""

from __future__ import annotations

from django.db.models import QuerySet

from kvitt.core.permissions import Actor, require_role
from kvitt.payments.models import BankFile, BankTransaction, MatchOutcome

READ_ROLES = ("clinic_admin", "billing_clerk", "collection_agent", "auditor", "system")


def manual_queue(actor: Actor) -> QuerySet[BankTransaction]:
    """Incoming payments nobody could match, oldest first, with their suggestions."""
    require_role(actor, *READ_ROLES)
    return BankTransaction.objects.filter(
        organisation=actor.organisation, outcome=MatchOutcome.UNMATCHED, amount_minor__gt=0
    ).order_by("booking_date", "id")


def credit_balances(actor: Actor) -> QuerySet[BankTransaction]:
    """Transactions that left money to the debtor's good (overpaid, or paid to a closed invoice)."""
    require_role(actor, *READ_ROLES)
    return BankTransaction.objects.filter(organisation=actor.organisation, credit_minor__gt=0).order_by("booking_date", "id")


def bank_files(actor: Actor) -> QuerySet[BankFile]:
    require_role(actor, *READ_ROLES)
    return BankFile.objects.filter(organisation=actor.organisation)
