"""Requeue tasks whose worker died while running them (django-tasks-db has no such recovery).

A RUNNING task is abandoned when it has been running longer than the lease and its worker is
gone. On PostgreSQL "gone" is exact (kvitt.ops.liveness: the worker's advisory lock is free), so a
live worker's long job is never taken from it. Elsewhere (SQLite: one machine) there is no liveness
signal and the lease alone decides, so it must exceed the longest job.

Kvitt's jobs are safe to run twice (each claims its outbox rows with a lease and receivers
de-duplicate on delivery ids), so requeueing a job that had half run is correct.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kvitt.ops import liveness

logger = logging.getLogger(__name__)


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(getattr(settings, "KVITT_TASK_LEASE_SECONDS", 300)))


def last_worker(result: DBTaskResult) -> str | None:
    return result.worker_ids[-1] if result.worker_ids else None


def is_abandoned(result: DBTaskResult, alias: str = "default") -> bool:
    alive = liveness.is_alive(last_worker(result), alias)
    return alive is not True  # False: the worker is gone; None: no signal, the lease decided


def requeue_abandoned(*, lease_for: datetime.timedelta | None = None, now: datetime.datetime | None = None) -> list[str]:
    """Put abandoned RUNNING tasks back to READY; returns their ids."""
    now = now or timezone.now()
    cutoff = now - (lease() if lease_for is None else lease_for)
    requeued = []
    for result in DBTaskResult.objects.running().filter(started_at__lte=cutoff).order_by("started_at"):
        if not is_abandoned(result):
            continue
        # Conditional on the claim we looked at, so a worker that finishes meanwhile wins.
        won = DBTaskResult.objects.filter(
            pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
        ).update(status=TaskResultStatus.READY, started_at=None)
        if won:
            logger.warning("requeued task %s (%s): worker %s is gone", result.pk, result.task_path, last_worker(result))
            requeued.append(str(result.pk))
    return requeued
