"""The reaper requeues RUNNING tasks of dead workers and leaves live or fresh ones alone."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kvitt.ops import liveness
from kvitt.ops.management.commands.ops import Command
from tests.ops import jobs

pytestmark = pytest.mark.django_db


def running(key: str, worker: str, minutes_ago: int) -> DBTaskResult:
    result = jobs.record_run.enqueue(key)
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(worker)
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=timezone.now() - datetime.timedelta(minutes=minutes_ago))
    return row


def reap(*args) -> str:
    out = io.StringIO()
    call_command(Command(), "reap", *args, stdout=out)
    return out.getvalue()


def test_a_task_older_than_the_lease_whose_worker_is_gone_goes_back_to_ready():
    dead = running("a", "worker-that-died", minutes_ago=10)
    fresh = running("b", "worker-that-died", minutes_ago=0)

    output = reap("--lease", "60")

    assert f"requeued {dead.pk}" in output and "1 task(s) requeued" in output
    assert DBTaskResult.objects.get(pk=dead.pk).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=dead.pk).started_at is None
    assert DBTaskResult.objects.get(pk=fresh.pk).status == TaskResultStatus.RUNNING
    assert DBTaskResult.objects.ready().filter(pk=dead.pk).exists()  # a worker will take it


@pytest.mark.skipif(connection.vendor != "postgresql", reason="liveness locks are PostgreSQL advisory locks")
def test_on_postgresql_a_live_workers_long_task_is_left_alone():
    busy = running("c", "worker-still-busy", minutes_ago=60)
    assert liveness.hold("worker-still-busy")
    try:
        assert liveness.is_alive("worker-still-busy") is True
        assert "0 task(s) requeued" in reap("--lease", "60")
        assert DBTaskResult.objects.get(pk=busy.pk).status == TaskResultStatus.RUNNING
    finally:
        liveness.release_all()
    assert liveness.is_alive("worker-still-busy") is False
    assert f"requeued {busy.pk}" in reap("--lease", "60")


def test_metrics_command_prints_the_exposition():
    out = io.StringIO()
    call_command(Command(), "metrics", stdout=out)
    assert "kvitt_claims_validation_backlog 0.0" in out.getvalue()
