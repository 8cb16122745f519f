"""Turnaround promises: every received invoice is answered within two Norwegian working days.

The due time is the end of the second working day after the day of receipt (Europe/Oslo), as
``kvitt.core.calendar`` counts them: something received on a Saturday or a holiday counts as
received on the next working day (Saturday -> Wednesday), and public holidays (Easter, Christmas, 17 May ...) do not count. Pure functions; the models store the
result, the dashboard groups by :func:`sla_state`, the worker asks :func:`next_run` when to run.
"""

from __future__ import annotations

import datetime
import zoneinfo

from kvitt.core.calendar import add_working_days

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
WORKING_DAYS_TO_ANSWER = 2
COUNTRY = "NO"

PENDING = "pending"
DUE_TODAY = "due_today"
OVERDUE = "overdue"
DONE = "done"

IMMEDIATELY = "immediately"
HOURLY = "hourly"
DAILY = "daily"
FREQUENCIES = (IMMEDIATELY, HOURLY, DAILY)


def _aware(moment: datetime.datetime, name: str) -> datetime.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment


def due_date(received_at: datetime.datetime, working_days: int = WORKING_DAYS_TO_ANSWER) -> datetime.date:
    """The working day by which the answer is due (Norwegian calendar)."""
    local_day = _aware(received_at, "received_at").astimezone(OSLO).date()
    return add_working_days(local_day, working_days, COUNTRY)


def due_at(received_at: datetime.datetime, working_days: int = WORKING_DAYS_TO_ANSWER) -> datetime.datetime:
    """The moment the answer is late: midnight (Oslo) at the end of :func:`due_date`."""
    day = due_date(received_at, working_days) + datetime.timedelta(days=1)
    return datetime.datetime(day.year, day.month, day.day, tzinfo=OSLO)


def sla_state(due: datetime.datetime, now: datetime.datetime, *, answered: bool = False) -> str:
    """done, overdue, due_today (the due day in Oslo is today) or pending."""
    if answered:
        return DONE
    now = _aware(now, "now")
    if now >= due:
        return OVERDUE
    last_day = (due.astimezone(OSLO) - datetime.timedelta(microseconds=1)).date()
    return DUE_TODAY if now.astimezone(OSLO).date() == last_day else PENDING


def next_run(frequency: str, last_run: datetime.datetime | None, now: datetime.datetime,
             daily_at: datetime.time = datetime.time(6, 0)) -> datetime.datetime:
    """When the insurer's next validation batch is due.

    Never run: now. ``immediately``: now. ``hourly``: an hour after the last run.
    ``daily``: the first ``daily_at`` (Oslo wall clock) after the last run.
    """
    now = _aware(now, "now")
    if frequency not in FREQUENCIES:
        raise ValueError(f"validation frequency must be one of {', '.join(FREQUENCIES)}, not {frequency!r}")
    if frequency == IMMEDIATELY:
        return now
    if last_run is None:
        return now
    last_run = _aware(last_run, "last_run")
    if frequency == HOURLY:
        return last_run + datetime.timedelta(hours=1)
    after = last_run.astimezone(OSLO)  # daily
    candidate = datetime.datetime.combine(after.date(), daily_at, tzinfo=OSLO)
    if candidate <= after:
        candidate = datetime.datetime.combine(after.date() + datetime.timedelta(days=1), daily_at, tzinfo=OSLO)
    return candidate


def is_run_due(frequency: str, last_run: datetime.datetime | None, now: datetime.datetime,
               daily_at: datetime.time = datetime.time(6, 0)) -> bool:
    return next_run(frequency, last_run, now, daily_at) <= now
