"""Worker tasks (django-tasks): deliver queued EHF envelopes, poll the access point, sweep."""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

logger = logging.getLogger(__name__)


def enqueue_delivery(outbox_id: int) -> None:
    """Queue the first delivery attempt; failures to enqueue are caught by the sweep."""
    try:
        deliver_einvoice.enqueue(outbox_id)
    except Exception:  # the row is safe in the outbox; ``deliver_due_einvoices`` will find it
        logger.exception("einvoice outbox %s: could not enqueue delivery", outbox_id)


def _follow_up(outbox_id: int) -> None:
    from kvitt.einvoice.models import DeliveryOutbox, OutboxStatus

    row = DeliveryOutbox.objects.filter(pk=outbox_id).values("status", "next_attempt_at").first()
    if row is None or not deliver_einvoice.get_backend().supports_defer:
        return  # a backend that cannot run tasks later leaves follow-ups to the sweep
    if row["status"] == OutboxStatus.PENDING:
        transaction.on_commit(lambda: deliver_einvoice.using(run_after=row["next_attempt_at"]).enqueue(outbox_id))
    elif row["status"] == OutboxStatus.ACCEPTED:
        transaction.on_commit(lambda: poll_einvoice.using(run_after=row["next_attempt_at"]).enqueue(outbox_id))


# Outcomes after which the next envelope to the same buyer may go (taken by the access point counts).
DONE_WITH = ("accepted", "delivered", "dead")


@task(queue_name="default")
def deliver_einvoice(outbox_id: int) -> str:
    """One delivery attempt; a retryable failure comes back at the row's next attempt time."""
    from kvitt.einvoice import services

    status = services.deliver_one(outbox_id)
    if status == services.WAITING:
        return status  # an earlier envelope to the same buyer is unsent; its task hands this one on
    _follow_up(outbox_id)
    if status in DONE_WITH:
        _hand_on(outbox_id)
    return status


def _hand_on(outbox_id: int) -> None:
    """This envelope is done with (sent, given up): the buyer's next one may go now."""
    from kvitt.einvoice import services

    following = services.next_in_line(outbox_id)
    if following is not None:
        transaction.on_commit(lambda: enqueue_delivery(following))


@task(queue_name="default")
def poll_einvoice(outbox_id: int) -> str:
    """Ask the access point about an accepted envelope; poll again later while it is pending."""
    from kvitt.einvoice import services

    status = services.poll_one(outbox_id)
    _follow_up(outbox_id)
    return status


@task(queue_name="default")
def deliver_due_einvoices() -> dict:
    """The sweep (cron/timer): everything due, including rows whose worker died mid-send."""
    from kvitt.einvoice import services

    return services.process_due()
