"""Start and stop real worker processes against the test database (helpers for the tests)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

# Worker processes share the test database with the test: only PostgreSQL serves them all at once.
needs_postgresql = pytest.mark.skipif(
    "postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
    reason="many worker processes need PostgreSQL (run with DATABASE_URL=postgres://…)",
)

REPO = Path(__file__).resolve().parents[2]
KVITT = Path(sys.executable).with_name("kvitt")


def test_database_url() -> str:
    """DATABASE_URL of the database this test runs on (pytest-django's test_… copy)."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db.get('USER') or 'postgres'}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def worker_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=test_database_url(),
        KVITT_VAR_DIR=str(tmp_path / "var"),
        KVITT_LOG_FORMAT="text",
        PYTHONPATH=str(REPO),
        KVITT_OPS_TEST_WORKER="1",
        **extra,
    )
    return env


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = log.open("wb")
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def stop(processes) -> None:
    """SIGTERM (a worker finishes or abandons its job), then SIGKILL whatever is left, horses too."""
    family = [pid for process in processes if process.poll() is None for pid in descendants(process.pid)]
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    for process in processes:
        try:
            process.wait(max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for pid in family:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def descendants(pid: int) -> list[int]:
    """Child processes, recursively (Linux /proc): RQ's work-horse leaves its parent's session."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split() if (task / "children").exists() else []
        for child in map(int, children):
            found += [child, *descendants(child)]
    return found


def kill_hard(process: subprocess.Popen) -> None:
    """SIGKILL a worker and everything it started, at once, as when its machine is lost."""
    family = [process.pid, *descendants(process.pid)]
    for pid in family:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(10)


def wait_until(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
