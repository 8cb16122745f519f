"""Four worker processes on PostgreSQL share one queue: every job runs once, a killed worker's
job is run again by another one (after kvitt.ops.reaper requeues it)."""

from __future__ import annotations

import datetime
import signal
from collections import Counter

import pytest
from django.conf import settings
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kvitt.ops import liveness, reaper
from tests.ops import jobs, workers

pytestmark = [
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="many worker processes need PostgreSQL (run with DATABASE_URL=postgres://…)",
    ),
    pytest.mark.django_db(transaction=True),
]

JOBS = 200
WORKERS = 4


@pytest.fixture
def runs_table():
    jobs.create_runs_table()
    yield
    jobs.drop_runs_table()


@pytest.fixture
def db_workers(runs_table, tmp_path):
    env = workers.worker_env(tmp_path)
    started = {}
    for n in range(WORKERS):
        worker_id = f"ops-test-worker-{n}"
        command = [str(workers.KVITT), "worker", "--interval", "0.1", "--worker-id", worker_id]
        started[worker_id] = workers.start(command, env, tmp_path / f"{worker_id}.log")
    yield started
    workers.stop(started.values())
    liveness.release_all()


def count(status) -> int:
    return DBTaskResult.objects.filter(status=status).count()


def test_every_job_runs_exactly_once_and_a_killed_workers_job_runs_again(db_workers, tmp_path):
    keys = [f"job-{n:03d}" for n in range(JOBS)]
    for key in keys:
        jobs.record_run.enqueue(key)

    workers.wait_until(lambda: count(TaskResultStatus.SUCCESSFUL) == JOBS, 40, f"{JOBS} jobs to finish")
    done = Counter(key for key, phase, _ in jobs.runs() if phase == "done")
    assert set(done) == set(keys)
    assert max(done.values()) == 1, f"ran twice: {[k for k, n in done.items() if n > 1]}"
    assert count(TaskResultStatus.FAILED) == 0
    used = {pid for _, _, pid in jobs.runs()}
    assert len(used) >= 2, "the jobs should have been shared between the worker processes"

    slow = jobs.slow_on_first_attempt.enqueue("slow")
    running = workers.wait_until(
        lambda: DBTaskResult.objects.filter(pk=slow.id, status=TaskResultStatus.RUNNING).first(), 15, "the slow job to start"
    )
    workers.wait_until(lambda: any(k == "slow" and p == "started" for k, p, _ in jobs.runs()), 10, "the slow job's first start")
    victim = running.worker_ids[-1]

    # Alive and holding its lock: however old the claim, the reaper leaves the job alone.
    assert liveness.is_alive(victim) is True
    assert reaper.requeue_abandoned(lease_for=datetime.timedelta(0)) == []

    db_workers[victim].send_signal(signal.SIGKILL)
    db_workers[victim].wait(10)
    workers.wait_until(lambda: liveness.is_alive(victim) is False, 10, "PostgreSQL to end the killed worker's session")
    assert DBTaskResult.objects.get(pk=slow.id).status == TaskResultStatus.RUNNING  # nobody else will take it…

    assert reaper.requeue_abandoned(lease_for=datetime.timedelta(0)) == [str(slow.id)]  # …until the reaper does
    finished = workers.wait_until(
        lambda: DBTaskResult.objects.filter(pk=slow.id, status=TaskResultStatus.SUCCESSFUL).first(), 15, "the slow job to run again"
    )
    assert finished.worker_ids[0] == victim and finished.worker_ids[-1] != victim
    slow_runs = [(phase, pid) for key, phase, pid in jobs.runs() if key == "slow"]
    assert [phase for phase, _ in slow_runs] == ["started", "started", "done"]
    assert slow_runs[0][1] != slow_runs[1][1] == slow_runs[2][1]
