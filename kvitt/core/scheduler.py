"""The clock: runs each app's periodic sweep as a management command on a fixed rhythm.

Deliveries are queued as tasks when they are created; the sweeps catch what a dead process
or a lost enqueue left behind, run the insurers' validation batches, the daily dunning run and
the scheduled reports. Run exactly one scheduler per installation (`kvitt scheduler`; `kvitt
serve` starts one); the jobs themselves are safe to run twice, since each claims its rows.
"""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass, field

from django.core.management import call_command
from django.utils import timezone

log = logging.getLogger("kvitt.scheduler")


@dataclass
class Job:
    name: str
    args: tuple[str, ...]
    every: datetime.timedelta | None = None
    daily_at: datetime.time | None = None
    last_run: datetime.datetime | None = field(default=None)

    def due(self, now: datetime.datetime) -> bool:
        if self.every is not None:
            return self.last_run is None or now - self.last_run >= self.every
        local = timezone.localtime(now)
        today_at = local.replace(hour=self.daily_at.hour, minute=self.daily_at.minute, second=0, microsecond=0)
        return local >= today_at and (self.last_run is None or timezone.localtime(self.last_run) < today_at)


MINUTE = datetime.timedelta(minutes=1)
JOBS = [
    Job("requeue tasks of dead workers", ("ops", "reap"), every=MINUTE),
    Job("EHF deliveries and status polls", ("ehf_deliver",), every=MINUTE),
    Job("booking webhooks", ("booking", "deliver"), every=MINUTE),
    Job("journal-system calendars", ("booking", "pull"), every=15 * MINUTE),
    Job("insurer validation batches", ("claims", "run-due"), every=5 * MINUTE),
    Job("insurer notices and Invoice Responses", ("claims", "deliver"), every=MINUTE),
    Job("overdue validation alerts", ("claims", "alert"), every=60 * MINUTE),
    Job("inter-regional deliveries", ("interregion", "send"), every=MINUTE),
    Job("Helfo statuses", ("helfo", "statuses"), every=60 * MINUTE),
    Job("reconciliation daily reports", ("reconciliation", "send-reports"), every=60 * MINUTE),
    Job("patient invoice dunning", ("dunning", "run"), daily_at=datetime.time(6, 0)),
]


def run_due(jobs: list[Job], now: datetime.datetime | None = None) -> list[str]:
    """Run every job that is due; a failing job is logged and does not stop the others."""
    now = now or timezone.now()
    ran = []
    for job in jobs:
        if not job.due(now):
            continue
        job.last_run = now
        try:
            call_command(*job.args)
            ran.append(job.name)
        except Exception:  # one broken sweep must not stop the clock
            log.exception("scheduled job %s failed", job.name)
    return ran


def run_forever(jobs: list[Job] = JOBS, tick: float = 10.0) -> None:
    while True:
        run_due(jobs)
        time.sleep(tick)
