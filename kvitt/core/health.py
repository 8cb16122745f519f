"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import JsonResponse


def healthz(request):
    """The process is up and answering; says nothing about its dependencies."""
    return JsonResponse({"status": "ok"})


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, "ok"
    except Exception as exc:  # any driver error means not ready
        connection.close()
        return False, type(exc).__name__


def _task_backend_ok() -> tuple[bool, str]:
    backend = settings.TASKS["default"]["BACKEND"]
    try:
        if "django_tasks_db" in backend:
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.exists()
        elif "rq" in backend.lower():
            import redis

            redis.Redis.from_url(settings.KVITT_REDIS_URL, socket_connect_timeout=2).ping()
        return True, "ok"
    except Exception as exc:
        return False, type(exc).__name__


def readyz(request):
    """Ready to serve: the database and the task backend answer."""
    db_ok, db_detail = _database_ok()
    tasks_ok, tasks_detail = _task_backend_ok() if db_ok or "rq" in settings.TASKS["default"]["BACKEND"].lower() else (False, "database down")
    ready = db_ok and tasks_ok
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "database": db_detail, "tasks": tasks_detail},
        status=200 if ready else 503,
    )
