"""Worker tasks (django-tasks): validate inbound invoices, run the insurers' batches, send notices."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


def enqueue_validation(invoice_id: int) -> None:
    """Queue validation of one invoice; if queueing fails, the next batch run picks it up."""
    try:
        validate_inbound.enqueue(invoice_id)
    except Exception:
        logger.exception("claims: could not enqueue validation of inbound invoice %s", invoice_id)


def enqueue_notice(outbox_id: int) -> None:
    """Queue delivery of one notice; the sweep ``deliver_claims_notices`` finds it otherwise."""
    try:
        deliver_claims_notice.enqueue(outbox_id)
    except Exception:
        logger.exception("claims: could not enqueue notice %s", outbox_id)


def enqueue_notice_sweep() -> None:
    """After a batch chunk: one task delivers all its notices."""
    try:
        deliver_claims_notices.enqueue()
    except Exception:
        logger.exception("claims: could not enqueue the notice sweep")


@task(queue_name="default")
def validate_inbound(invoice_id: int) -> str:
    from kvitt.claims import services
    from kvitt.claims.models import InboundInvoice, InboundStatus

    invoice = InboundInvoice.objects.select_related("payer").filter(pk=invoice_id).first()
    if invoice is None or invoice.status != InboundStatus.RECEIVED:
        return invoice.status if invoice else "missing"
    return services.validate_invoice(services.worker_actor(invoice.payer), invoice).status


@task(queue_name="default")
def run_validation_batches() -> dict:
    """The scheduled batch (cron/timer every few minutes): each insurer at its own frequency."""
    from kvitt.claims import services

    return {str(k): v for k, v in services.run_due_batches().items()}


@task(queue_name="default")
def deliver_claims_notice(outbox_id: int) -> str:
    from kvitt.claims import services

    return services.deliver_notice(outbox_id)


@task(queue_name="default")
def deliver_claims_notices() -> dict:
    """The sweep: every notice due (first attempts whose task was lost, and retries)."""
    from kvitt.claims import services

    return services.deliver_due_notices()


@task(queue_name="default")
def alert_overdue() -> int:
    """Log an alert per insurer with overdue invoices (operators route ERROR logs to on-call)."""
    from kvitt.claims import selectors

    return selectors.alert_overdue()
