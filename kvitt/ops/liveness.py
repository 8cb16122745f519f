"""Worker liveness on PostgreSQL: a worker is alive while its session holds its advisory lock.

django-tasks-db marks a claimed task RUNNING and keeps no heartbeat, so a task whose worker was
killed stays RUNNING for ever. So while a worker runs a task it holds a session-level advisory lock
named after its worker id, on a connection of its own that nothing else closes (Django closes its
connections between polls), taken at ``task_started`` and dropped at ``task_finished``. PostgreSQL releases the lock the moment that session ends,
so "can the lock be taken?" answers "is that worker gone?" from any machine, without a clock.
A machine that loses power leaves a half-open TCP session until the server's keep-alive notices:
set ``tcp_keepalives_idle`` (e.g. 60 s) on the server.
"""

from __future__ import annotations

import hashlib
import logging
import threading

from django.db import connections

logger = logging.getLogger(__name__)

_held: dict[str, object] = {}
_guard = threading.Lock()


def advisory_key(*parts: str) -> int:
    """A signed 64-bit PostgreSQL advisory-lock key for a name (stable across processes and machines)."""
    digest = hashlib.blake2b(":".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_key(worker_id: str) -> int:
    """A worker's liveness lock."""
    return advisory_key("kvitt-worker", worker_id)


def is_postgresql(alias: str = "default") -> bool:
    return connections[alias].vendor == "postgresql"


def hold(worker_id: str, alias: str = "default") -> bool:
    """Take this process's liveness lock for ``worker_id``; False where it cannot apply."""
    if not worker_id or not is_postgresql(alias):
        return False
    with _guard:
        if worker_id in _held:
            return True
        # A wrapper of our own, not registered in ``connections``: close_old_connections()
        # in the worker loop never sees it, so the session (and the lock) lives as long as we do.
        conn = connections.create_connection(alias)
        conn.inc_thread_sharing()  # the signal may fire on another thread than the one that opened it
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [lock_key(worker_id)])
        _held[worker_id] = conn
        logger.info("worker %s holds its liveness lock", worker_id)
        return True


def release(worker_id: str) -> None:
    """End the liveness session of ``worker_id`` in this process (the lock goes with it)."""
    with _guard:
        conn = _held.pop(worker_id, None)
    if conn is not None:
        conn.close()


def release_all() -> None:
    """Drop every liveness lock this process holds (a worker's exit does it by itself)."""
    for worker_id in list(_held):
        release(worker_id)


def is_alive(worker_id: str, alias: str = "default") -> bool | None:
    """True while some session holds the worker's lock, False when none does, None off PostgreSQL."""
    if not worker_id or not is_postgresql(alias):
        return None
    key = lock_key(worker_id)
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        (taken,) = cursor.fetchone()
        if taken:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    return not taken


# Backends whose tasks run in worker processes; the in-process ones (immediate, dummy) have none.
WORKER_BACKENDS = ("django_tasks_db.backend.DatabaseBackend", "django_tasks_rq.backend.RQBackend")


def runs_in_workers(sender) -> bool:
    backend_class = sender if isinstance(sender, type) else type(sender)  # db_worker sends an instance
    return any(f"{k.__module__}.{k.__qualname__}" in WORKER_BACKENDS for k in backend_class.__mro__)


def on_task_started(sender, task_result, **kwargs) -> None:
    """Receiver of django-tasks' ``task_started``: the worker running it announces it is alive.

    django-tasks-db runs tasks in the worker process itself; RQ in a forked work-horse, which
    then holds the lock for as long as it runs the job."""
    if not runs_in_workers(sender) or not task_result.worker_ids:
        return
    try:
        hold(task_result.worker_ids[-1])
    except Exception:  # liveness is a safety net; the task itself must still run
        logger.exception("could not take the liveness lock for worker %s", task_result.worker_ids[-1])


def on_task_finished(sender, task_result, **kwargs) -> None:
    """The lock is held only while a task runs: a worker between tasks has nothing to lose, and
    no session outlives the task (a test database can be dropped, pgbouncer can pool)."""
    if runs_in_workers(sender) and task_result.worker_ids:
        release(task_result.worker_ids[-1])


def connect() -> None:
    """Connect the receivers; call once per process at start-up (an AppConfig.ready)."""
    from django_tasks_db.compat import task_finished, task_started

    task_started.connect(on_task_started, dispatch_uid="kvitt.ops.liveness.started")
    task_finished.connect(on_task_finished, dispatch_uid="kvitt.ops.liveness.finished")
