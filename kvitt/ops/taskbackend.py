"""What the settings need for the chosen task backend (one place, so the switch is a setting only)."""

from __future__ import annotations

RQ_BACKEND = "django_tasks_rq.RQBackend"
DB_BACKEND = "django_tasks_db.DatabaseBackend"
QUEUES = ["default"]


def is_rq(backend_path: str) -> bool:
    return backend_path.startswith("django_tasks_rq")


def rq_settings(backend_path: str, redis_url: str) -> dict:
    """Extra settings for the RQ backend: django_rq (its rqworker command) and the Redis queues.

    For the database backend everything is empty, so the settings can apply it unconditionally."""
    if not is_rq(backend_path):
        return {"INSTALLED_APPS": [], "TASKS_DEFAULT": {}, "RQ_QUEUES": {}}
    return {
        "INSTALLED_APPS": ["django_rq"],
        "TASKS_DEFAULT": {"QUEUES": list(QUEUES)},
        "RQ_QUEUES": {name: {"URL": redis_url, "DEFAULT_TIMEOUT": 3600} for name in QUEUES},
    }


def worker_command(backend_path: str, *, queue: str = "*", interval: float = 1.0, worker_id: str | None = None,
                   batch: bool = False) -> list[str]:
    """The management command (and arguments) that runs a worker for this backend."""
    if is_rq(backend_path):
        queues = QUEUES if queue == "*" else queue.split(",")
        args = ["rqworker", "--job-class", "django_tasks_rq.Job"]
        if worker_id:
            args += ["--name", worker_id]
        if batch:
            args.append("--burst")
        return args + list(queues)
    args = ["db_worker", "--queue-name", queue, "--interval", str(interval), "--no-reload"]
    if batch:
        args.append("--batch")
    if worker_id:
        args += ["--worker-id", worker_id]
    return args
