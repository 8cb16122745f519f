"""Four worker processes share one queue, on the database backend (PostgreSQL) and on RQ/Redis:
every job runs exactly once, and a SIGKILLed worker's job is run again by another worker (after
kvitt.ops.reaper requeues it; neither backend does that by itself in good time)."""

from __future__ import annotations

import datetime
import os
from collections import Counter

import pytest
from django_tasks_db.compat import TaskResultStatus

from kvitt.ops import liveness, reaper, taskbackend
from tests.ops import jobs, workers

pytestmark = [workers.needs_postgresql, pytest.mark.django_db(transaction=True)]

JOBS = 200
WORKERS = 4
# A Redis database of its own: the test empties it.
TEST_REDIS_URL = os.environ.get("KVITT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_or_skip():
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"Redis at {TEST_REDIS_URL} is unreachable")
    client.flushdb()
    return client


@pytest.fixture(params=["db", "rq"])
def backend(request, settings):
    """Switch the task backend by setting only, in this process and in the workers."""
    if request.param == "db":
        return {"KVITT_TASK_BACKEND": taskbackend.DB_BACKEND}
    redis_or_skip()
    extra = taskbackend.rq_settings(taskbackend.RQ_BACKEND, TEST_REDIS_URL)
    settings.TASKS = {"default": {"BACKEND": taskbackend.RQ_BACKEND, **extra["TASKS_DEFAULT"]}}
    settings.RQ_QUEUES = extra["RQ_QUEUES"]
    return {
        "KVITT_TASK_BACKEND": taskbackend.RQ_BACKEND,
        "KVITT_REDIS_URL": TEST_REDIS_URL,  # kvitt/settings.py does the rest: the switch is a setting only
    }


@pytest.fixture
def runs_table():
    jobs.create_runs_table()
    yield
    jobs.drop_runs_table()


@pytest.fixture
def started_workers(backend, runs_table, tmp_path):
    env = workers.worker_env(tmp_path, **backend)
    started = {}
    for n in range(WORKERS):
        worker_id = f"ops-test-worker-{n}"
        command = [str(workers.KVITT), *taskbackend.worker_command(backend["KVITT_TASK_BACKEND"], interval=0.1, worker_id=worker_id)]
        started[worker_id] = workers.start(command, env, tmp_path / f"{worker_id}.log")
    yield started
    workers.stop(started.values())
    liveness.release_all()


def result_of(task_result):
    return task_result.task.get_backend().get_result(task_result.id)


def done_count() -> int:
    return sum(1 for _, phase, _ in jobs.runs() if phase == "done")


def test_every_job_runs_exactly_once_and_a_killed_workers_job_runs_again(started_workers, tmp_path):
    keys = [f"job-{n:03d}" for n in range(JOBS)]
    enqueued = [jobs.record_run.enqueue(key) for key in keys]

    workers.wait_until(lambda: done_count() >= JOBS, 45, f"{JOBS} jobs to finish")
    workers.wait_until(lambda: all(result_of(r).status == TaskResultStatus.SUCCESSFUL for r in enqueued), 10,
                       "every result to say SUCCESSFUL")
    done = Counter(key for key, phase, _ in jobs.runs() if phase == "done")
    assert set(done) == set(keys)
    assert max(done.values()) == 1, f"ran twice: {[k for k, n in done.items() if n > 1]}"
    assert len({result_of(r).worker_ids[-1] for r in enqueued}) >= 2, "the jobs should be shared between workers"

    slow = jobs.slow_on_first_attempt.enqueue("slow")
    running = workers.wait_until(
        lambda: (r := result_of(slow)).status == TaskResultStatus.RUNNING and r.worker_ids and r, 15, "the slow job to start"
    )
    workers.wait_until(lambda: any(k == "slow" and p == "started" for k, p, _ in jobs.runs()), 10, "the slow job's first start")
    victim = running.worker_ids[-1]

    # Alive and holding its lock: however old the claim, the reaper leaves the job alone.
    assert liveness.is_alive(victim) is True
    assert reaper.requeue_abandoned(lease_for=datetime.timedelta(0)) == []

    workers.kill_hard(started_workers[victim])  # with RQ's work-horse, which runs the job
    workers.wait_until(lambda: liveness.is_alive(victim) is False, 10, "PostgreSQL to end the killed worker's session")
    assert result_of(slow).status == TaskResultStatus.RUNNING  # nobody else will take it…

    assert reaper.requeue_abandoned(lease_for=datetime.timedelta(0)) == [str(slow.id)]  # …until the reaper does
    workers.wait_until(lambda: result_of(slow).status == TaskResultStatus.SUCCESSFUL, 20, "the slow job to run again")
    slow_runs = [(phase, pid) for key, phase, pid in jobs.runs() if key == "slow"]
    assert [phase for phase, _ in slow_runs] == ["started", "started", "done"]
    assert slow_runs[0][1] != slow_runs[1][1] == slow_runs[2][1]
