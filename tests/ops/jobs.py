"""Jobs for the multi-worker tests: each run writes a row, so duplicates and losses show."""

from __future__ import annotations

import os
import time

from django.db import connection
from django_tasks import task

from kvitt.ops import liveness

# Stands in for the AppConfig.ready() that connects the receiver in every Kvitt worker process
# (only in the workers the tests start: the pytest process must not hold extra sessions).
if os.environ.get("KVITT_OPS_TEST_WORKER") == "1":
    liveness.connect()

RUNS_TABLE = "ops_test_job_runs"


def create_runs_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {RUNS_TABLE} (id SERIAL PRIMARY KEY, job_key TEXT NOT NULL, "
            "phase TEXT NOT NULL, pid INTEGER NOT NULL, at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        cursor.execute(f"TRUNCATE {RUNS_TABLE}")


def drop_runs_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RUNS_TABLE}")


def _record(job_key: str, phase: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {RUNS_TABLE} (job_key, phase, pid) VALUES (%s, %s, %s)", [job_key, phase, os.getpid()])


def runs() -> list[tuple[str, str, int]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT job_key, phase, pid FROM {RUNS_TABLE} ORDER BY id")
        return list(cursor.fetchall())


@task()
def record_run(job_key: str) -> str:
    _record(job_key, "done")
    return job_key


@task()
def slow_on_first_attempt(job_key: str, first_attempt_seconds: float = 120.0) -> str:
    """Sleeps long on its first start (the test kills that worker), finishes at once afterwards."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {RUNS_TABLE} WHERE job_key = %s AND phase = 'started'", [job_key])
        (earlier_starts,) = cursor.fetchone()
    _record(job_key, "started")
    if earlier_starts == 0:
        time.sleep(first_attempt_seconds)
    _record(job_key, "done")
    return job_key
