"""Worker tasks (django-tasks): send signed settlements and poll KUHR for statuses.

A signed settlement is its own outbox row: if sending fails (network, KUHR down) the
transaction rolls back, the settlement stays "signed" and the next run sends it.
"""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task(queue_name="default")
def send_helfo_settlement(settlement_id: int) -> str:
    from kvitt.core.permissions import Actor
    from kvitt.helfo import services
    from kvitt.helfo.models import Settlement, SettlementStatus

    settlement = Settlement.objects.select_related("organisation").get(pk=settlement_id)
    if settlement.status != SettlementStatus.SIGNED:
        return settlement.status
    actor = Actor.system(settlement.organisation, label="kvitt-worker (helfo)")
    return services.send_settlement(actor, settlement).status


@task(queue_name="default")
def poll_helfo_statuses() -> dict:
    """For every practice on the KUHR API with open settlements: fetch their statuses."""
    from kvitt.core.permissions import Actor
    from kvitt.helfo import services
    from kvitt.helfo.kuhr_client import KuhrError
    from kvitt.helfo.models import Channel, Practice, SettlementStatus

    open_states = (SettlementStatus.SENT, SettlementStatus.PROCESSING, SettlementStatus.CONTROLLED)
    practices = Practice.objects.filter(
        active=True, channel=Channel.KUHR_API, settlements__status__in=open_states
    ).select_related("organisation").distinct()
    result = {}
    for practice in practices:
        actor = Actor.system(practice.organisation, label="kvitt-worker (helfo)")
        try:
            result[practice.practice_id] = services.import_statuses(actor, practice)
        except KuhrError as exc:  # one practice's trouble must not stop the others
            logger.warning("helfo: statuses for practice %s failed: %s", practice.practice_id, exc)
            result[practice.practice_id] = f"error: {exc}"
    return result
