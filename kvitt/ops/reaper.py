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
from django_tasks_db.compat import TaskResultStatus, task_backends
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


def requeue_abandoned(*, lease_for: datetime.timedelta | None = None, now: datetime.datetime | None = None,
                      backend_alias: str = "default") -> list[str]:
    """Put the tasks of dead workers back in their queue, whichever backend runs them; their ids."""
    now = now or timezone.now()
    cutoff = now - (lease() if lease_for is None else lease_for)
    backend = task_backends[backend_alias]
    if is_rq_backend(backend):
        return requeue_abandoned_rq(backend, cutoff)
    return requeue_abandoned_db(cutoff, backend_alias)


def requeue_abandoned_db(cutoff: datetime.datetime, backend_alias: str = "default") -> list[str]:
    """django-tasks-db: RUNNING rows claimed before ``cutoff`` by a worker that is gone go READY."""
    requeued = []
    running = DBTaskResult.objects.running().filter(backend_name=backend_alias, started_at__lte=cutoff)
    for result in running.order_by("started_at"):
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


def is_rq_backend(backend) -> bool:
    return any(k.__module__.startswith("django_tasks_rq") for k in type(backend).__mro__)


def requeue_abandoned_rq(backend, cutoff: datetime.datetime) -> list[str]:
    """RQ: a started job whose work-horse is gone is failed as abandoned and queued again.

    RQ itself notices a dead horse only when the execution's heartbeat TTL runs out (a minute and
    more), then fails the job for good, since django-tasks-rq sets no retries. Here the liveness lock
    says the horse is gone; we let RQ's own clean-up record the abandonment (failure callbacks run,
    so the task's result shows it), then requeue it from the failed-job registry.
    """
    import django_rq
    from django_tasks_rq.backend import Job
    from rq.registry import FailedJobRegistry, StartedJobRegistry

    requeued = []
    for queue_name in sorted(backend.queues):
        queue = django_rq.get_queue(queue_name, job_class=Job)
        started = StartedJobRegistry(queue=queue, job_class=Job)
        for job_id, execution_id in started.get_job_and_execution_ids(cleanup=False):
            job = Job.fetch(job_id, connection=queue.connection)
            started_at = job.started_at
            if started_at is not None and timezone.is_naive(started_at):
                started_at = timezone.make_aware(started_at, datetime.timezone.utc)  # RQ keeps UTC
            if started_at is None or started_at > cutoff:
                continue
            if liveness.is_alive(job.worker_name) is True:
                continue
            # Expire this execution now, so RQ's clean-up treats it as abandoned.
            started.connection.zadd(started.key, {f"{job_id}:{execution_id}": 0}, xx=True)
            started.cleanup(timestamp=1)
            failed = FailedJobRegistry(queue=queue, job_class=Job)
            if job_id in failed.get_job_ids(cleanup=False):
                failed.requeue(job_id)
                logger.warning("requeued RQ job %s (%s): worker %s is gone", job_id, job.func_name, job.worker_name)
                requeued.append(job_id)
    return requeued
