"""Two Norwegian working days to answer, across Easter and Christmas 2026; batch schedules."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from kvitt.claims.sla import DAILY, DONE, DUE_TODAY, HOURLY, IMMEDIATELY, OVERDUE, PENDING, due_at, due_date, is_run_due, next_run, sla_state

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
UTC = datetime.timezone.utc


def at(y, m, d, h=10, mi=0, tz=OSLO):
    return datetime.datetime(y, m, d, h, mi, tzinfo=tz)


@pytest.mark.parametrize(
    "received, due",
    [
        # Easter 2026: Maundy Thursday 2 April, Good Friday 3 April, Easter Monday 6 April.
        (at(2026, 3, 31), datetime.date(2026, 4, 7)),
        (at(2026, 4, 1), datetime.date(2026, 4, 8)),
        (at(2026, 4, 2), datetime.date(2026, 4, 9)),  # received on a holiday: counts as received Tuesday 7
        (at(2026, 4, 4), datetime.date(2026, 4, 9)),  # Easter Saturday, likewise
        (at(2026, 3, 30), datetime.date(2026, 4, 1)),  # Monday before Easter: nothing in between
        # Christmas 2026: 24 December (Thursday) is a working day, 25 (Friday) is not, 26 is Saturday.
        (at(2026, 12, 22), datetime.date(2026, 12, 24)),
        (at(2026, 12, 23), datetime.date(2026, 12, 28)),
        (at(2026, 12, 24), datetime.date(2026, 12, 29)),
        (at(2026, 12, 25), datetime.date(2026, 12, 30)),  # Christmas Day: received Monday 28
        # New Year: 31 December is a working day, 1 January 2027 (Friday) is not.
        (at(2026, 12, 30), datetime.date(2027, 1, 4)),
        # An ordinary week and weekend.
        (at(2026, 11, 20), datetime.date(2026, 11, 24)),  # Friday -> Tuesday
        (at(2026, 11, 21), datetime.date(2026, 11, 25)),  # Saturday: received Monday -> Wednesday
    ],
)
def test_due_two_working_days_after_receipt(received, due):
    assert due_date(received) == due
    assert due_at(received) == datetime.datetime.combine(due + datetime.timedelta(days=1), datetime.time(), tzinfo=OSLO)


def test_the_day_of_receipt_is_the_local_day_in_oslo():
    # 23:30 UTC on 1 April is 01:30 on 2 April in Oslo (summer time): received on Maundy Thursday.
    assert due_date(at(2026, 4, 1, 23, 30, tz=UTC)) == datetime.date(2026, 4, 9)
    assert due_date(at(2026, 3, 31, 21, 30, tz=UTC)) == datetime.date(2026, 4, 7)


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        due_at(datetime.datetime(2026, 4, 1, 10, 0))


def test_states_for_the_dashboard():
    due = due_at(at(2026, 4, 1))  # end of Wednesday 8 April
    assert sla_state(due, at(2026, 4, 7, 15)) == PENDING
    assert sla_state(due, at(2026, 4, 8, 0, 1)) == DUE_TODAY
    assert sla_state(due, at(2026, 4, 8, 23, 59)) == DUE_TODAY
    assert sla_state(due, at(2026, 4, 9, 0, 0)) == OVERDUE
    assert sla_state(due, at(2026, 4, 20), answered=True) == DONE


def test_validation_batch_schedules():
    now = at(2026, 4, 8, 10, 30)
    assert next_run(IMMEDIATELY, at(2026, 4, 8, 10, 29), now) == now
    assert next_run(HOURLY, None, now) == now
    assert next_run(HOURLY, at(2026, 4, 8, 10, 0), now) == at(2026, 4, 8, 11, 0)
    assert not is_run_due(HOURLY, at(2026, 4, 8, 10, 0), now)
    assert is_run_due(HOURLY, at(2026, 4, 8, 9, 30), now)
    assert next_run(DAILY, at(2026, 4, 8, 6, 0), now, datetime.time(6, 0)) == at(2026, 4, 9, 6, 0)
    assert next_run(DAILY, at(2026, 4, 7, 23, 0), now, datetime.time(6, 0)) == at(2026, 4, 8, 6, 0)
    assert is_run_due(DAILY, at(2026, 4, 7, 23, 0), now)
    with pytest.raises(ValueError, match="frequency"):
        next_run("weekly", None, now)


def test_daily_run_keeps_the_wall_clock_across_summer_time():
    # Summer time starts 29 March 2026 at 02:00: the 06:00 run stays at 06:00 local.
    assert next_run(DAILY, at(2026, 3, 28, 6, 0), at(2026, 3, 29, 12), datetime.time(6, 0)) == at(2026, 3, 29, 6, 0)
