"""Delivering outbox rows to journal systems: claim with a lease, send, record.

Crash safety comes from three rules:
1. A row is claimed with a conditional UPDATE that sets a lease (``lease_until``); only one worker
   wins it.
2. A row is marked delivered only after the journal system answered 2xx.
3. A row whose lease ran out while ``in_flight`` (its worker died) is due again.

Rows for one journal system (one integration) go in the order they were created: a row is
claimed only while no earlier row for its integration is unfinished (kvitt.ops.ordering).

So a worker that dies loses nothing: at worst the journal system receives the same delivery twice
(the worker died after sending and before recording), which the contract makes harmless with the
``X-Kvitt-Delivery`` id that receivers de-duplicate on.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Q
from django.utils import timezone

from kvitt.booking.connectors import DeliveryResult, connector_for
from kvitt.booking.models import OutboxMessage, OutboxStatus
from kvitt.ops import ordering

logger = logging.getLogger(__name__)


def lease_seconds() -> int:
    return int(getattr(settings, "KVITT_OUTBOX_LEASE_SECONDS", 60))


def max_attempts() -> int:
    return int(getattr(settings, "KVITT_OUTBOX_MAX_ATTEMPTS", 12))


def backoff(attempts: int) -> datetime.timedelta:
    """10 s, 20 s, 40 s ... capped at one hour, after the n-th failed attempt."""
    base = int(getattr(settings, "KVITT_OUTBOX_BACKOFF_SECONDS", 10))
    return datetime.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _due(now) -> Q:
    return Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now) | Q(status=OutboxStatus.IN_FLIGHT, lease_until__lt=now)


# Returned by deliver_one for a due row that waits for an earlier row of its journal system.
WAITING = "waiting_for_earlier"


def _unfinished() -> Q:
    return Q(status__in=(OutboxStatus.PENDING, OutboxStatus.IN_FLIGHT))


def _first_in_line(integration_id=None) -> Q:
    receiver = {"integration_id": OuterRef("integration_id") if integration_id is None else integration_id}
    return ordering.first_in_line(OutboxMessage, _unfinished(), receiver)


def claim(message_id: int, worker_id: str, now: datetime.datetime | None = None) -> OutboxMessage | None:
    """Take one row if it is due and first in line for its journal system; None otherwise."""
    now = now or timezone.now()
    integration_id = OutboxMessage.objects.filter(pk=message_id).values_list("integration_id", flat=True).first()
    if integration_id is None:
        return None
    won = (
        OutboxMessage.objects.filter(pk=message_id)
        .filter(_due(now))
        .filter(_first_in_line(integration_id))
        .update(
            status=OutboxStatus.IN_FLIGHT, lease_until=now + datetime.timedelta(seconds=lease_seconds()),
            claimed_by=worker_id, attempts=F("attempts") + 1,
        )
    )
    if not won:
        return None
    return OutboxMessage.objects.select_related("integration__location__company", "booking").get(pk=message_id)


def due_ids(now: datetime.datetime | None = None, limit: int = 50) -> list[int]:
    now = now or timezone.now()
    due = OutboxMessage.objects.filter(_due(now)).filter(_first_in_line())  # at most one per journal system
    return list(due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])


def claim_due(worker_id: str, now: datetime.datetime | None = None, limit: int = 50) -> list[OutboxMessage]:
    now = now or timezone.now()
    claimed = []
    for pk in due_ids(now, limit):
        message = claim(pk, worker_id, now)
        if message is not None:
            claimed.append(message)
    return claimed


def send(message: OutboxMessage) -> DeliveryResult:
    """The network call, outside any transaction so that no lock is held while waiting."""
    try:
        connector = connector_for(message.integration)
        return connector.push(message.event, str(message.delivery_id), message.payload)
    except Exception as exc:  # a broken connector or key must not kill the worker
        logger.exception("outbox %s: connector failed", message.pk)
        return DeliveryResult(None, error=f"{exc.__class__.__name__}: {exc}"[:500])


def record(message: OutboxMessage, worker_id: str, result: DeliveryResult, now: datetime.datetime | None = None) -> str:
    """Write the outcome, if this worker still holds the row. Returns the new status."""
    from kvitt.booking import services

    now = now or timezone.now()
    with transaction.atomic():
        still_mine = OutboxMessage.objects.select_for_update().filter(
            pk=message.pk, status=OutboxStatus.IN_FLIGHT, claimed_by=worker_id
        ).first()
        if still_mine is None:
            # The lease ran out and another worker took over; its result counts, not ours.
            return "lost_lease"
        still_mine.response_status = result.status_code
        still_mine.lease_until = None
        if result.delivered:
            still_mine.status = OutboxStatus.DELIVERED
            still_mine.delivered_at = now
            still_mine.last_error = ""
            still_mine.save()
            services.delivery_succeeded(still_mine, result.answer)
            return still_mine.status
        still_mine.last_error = result.error or f"HTTP {result.status_code}"
        if result.permanent_failure or still_mine.attempts >= max_attempts():
            still_mine.status = OutboxStatus.DEAD
            still_mine.save()
            services.delivery_gave_up(still_mine)
            return still_mine.status
        still_mine.status = OutboxStatus.PENDING
        still_mine.next_attempt_at = now + backoff(still_mine.attempts)
        still_mine.save()
        return still_mine.status


def deliver(message: OutboxMessage, worker_id: str, now: datetime.datetime | None = None) -> str:
    result = send(message)
    return record(message, worker_id, result, now)


def deliver_one(message_id: int, worker_id: str | None = None, now: datetime.datetime | None = None) -> str:
    """Claim and deliver one row (what the task does). Returns the row's status afterwards."""
    worker_id = worker_id or default_worker_id()
    message = claim(message_id, worker_id, now)
    if message is None:
        current = OutboxMessage.objects.filter(pk=message_id).values_list("status", flat=True).first()
        if current == OutboxStatus.PENDING and OutboxMessage.objects.filter(pk=message_id).filter(_due(now or timezone.now())).exists():
            return WAITING  # the worker that finishes the earlier row picks this one up (process_due)
        return current or "missing"
    return deliver(message, worker_id, now)


def process_due(worker_id: str | None = None, now: datetime.datetime | None = None, limit: int = 50) -> dict[str, int]:
    """Deliver everything due now (a sweep: also picks up rows abandoned by dead workers)."""
    worker_id = worker_id or default_worker_id()
    outcomes: dict[str, int] = {}
    handled = 0
    # Rounds over the heads of line; each row is claimed only just before it is sent, so a slow
    # journal system never holds another system's row in flight behind it (claiming a round's
    # rows up front did: a hung receiver then stalled every row this worker had claimed).
    while handled < limit:
        progressed = False
        for pk in due_ids(now, limit - handled):
            message = claim(pk, worker_id, now)
            if message is None:
                continue  # another worker took it, or it is no longer first in line
            status = deliver(message, worker_id, now)
            outcomes[status] = outcomes.get(status, 0) + 1
            handled += 1
            progressed = True
            if handled >= limit:
                break
        if not progressed:
            break
    return outcomes
