"""Worker tasks (django-tasks): deliver outbox rows, sweep for abandoned ones, pull calendars."""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

logger = logging.getLogger(__name__)


@task(queue_name="default")
def deliver_outbox_message(message_id: int) -> str:
    """Deliver one row; on a retryable failure, come back at the row's next attempt time."""
    from kvitt.booking import outbox
    from kvitt.booking.models import OutboxMessage, OutboxStatus

    status = outbox.deliver_one(message_id)
    if status == OutboxStatus.PENDING:
        next_at = OutboxMessage.objects.values_list("next_attempt_at", flat=True).get(pk=message_id)
        transaction.on_commit(lambda: deliver_outbox_message.using(run_after=next_at).enqueue(message_id))
    # Pick up a few rows that are due for other reasons: the next rows of journal systems whose
    # earlier row just went out (their own tasks found them waiting and ended) and rows whose
    # worker died while holding the lease (their own task will not come back).
    _sweep(limit=10)
    return status


def _sweep(limit: int) -> dict:
    """Deliver what is due; when the limit cut the sweep short, queue another, so that waiting
    rows never depend on the minute timer (the chain of heads of line must not break)."""
    from kvitt.booking import outbox

    outcomes = outbox.process_due(limit=limit)
    if sum(outcomes.values()) >= limit:
        transaction.on_commit(deliver_due_outbox.enqueue)
    return outcomes


NOTICES = {"booking_made", "booking_cancelled", "booking_refused"}


@task(queue_name="default")
def send_booking_notice(kind: str, booking_id: int) -> None:
    """E-mail about a booking, queued inside the booking's transaction (see kvitt.cases.tasks)."""
    from kvitt.booking import notices

    if kind not in NOTICES:
        raise ValueError(f"unknown notice {kind!r}")
    getattr(notices, kind)(booking_id)


def notify(kind: str, booking_id: int) -> None:
    send_booking_notice.enqueue(kind, booking_id)


@task(queue_name="default")
def deliver_due_outbox() -> dict:
    """The sweep: everything due, including rows whose worker died while holding the lease.
    Run it from cron or a timer (``kvitt booking deliver``)."""
    return _sweep(limit=50)


@task(queue_name="default")
def pull_availability(integration_id: int, days: int = 30) -> dict:
    from kvitt.booking import services
    from kvitt.booking.models import JournalIntegration

    integration = JournalIntegration.objects.select_related("location__company").get(pk=integration_id)
    return services.pull_availability(integration, days).as_dict()


@task(queue_name="default")
def pull_all_availability(days: int = 30) -> int:
    """Queue a pull for every active integration (the schedule calls this)."""
    from kvitt.booking.models import IntegrationStatus, JournalIntegration

    ids = list(JournalIntegration.objects.filter(status=IntegrationStatus.ACTIVE).values_list("pk", flat=True))
    for pk in ids:
        pull_availability.enqueue(pk, days)
    return len(ids)
