"""The daily dunning run as a background task (scheduled by `kvitt dunning run` from cron)."""

import datetime

from django_tasks import task

from kvitt.receivables import services


@task()
def daily_dunning(day: str | None = None) -> dict:
    report = services.run_dunning(datetime.date.fromisoformat(day) if day else None)
    return {"day": report.day.isoformat(), "steps": report.steps, "skipped": report.skipped, "plans_breached": report.plans_breached}
