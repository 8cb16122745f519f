import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from kvitt.core import scheduler


def test_interval_and_daily_jobs_come_due_at_the_right_time():
    tz = timezone.get_current_timezone()
    now = datetime.datetime(2026, 11, 23, 5, 59, tzinfo=tz)
    every = scheduler.Job("x", ("x",), every=datetime.timedelta(minutes=5))
    daily = scheduler.Job("d", ("d",), daily_at=datetime.time(6, 0))
    assert every.due(now) and not daily.due(now)
    every.last_run = now
    assert not every.due(now + datetime.timedelta(minutes=4))
    assert every.due(now + datetime.timedelta(minutes=5))
    later = now + datetime.timedelta(minutes=2)
    assert daily.due(later)
    daily.last_run = later
    assert not daily.due(later + datetime.timedelta(hours=12))
    assert daily.due(later + datetime.timedelta(days=1))


def test_every_scheduled_command_exists_and_parses():
    from django.core.management import get_commands, load_command_class

    commands = get_commands()
    for job in scheduler.JOBS:
        name = job.args[0]
        assert name in commands, name
        parser = load_command_class(commands[name], name).create_parser("kvitt", name)
        parser.parse_args(list(job.args[1:]))


@pytest.mark.django_db
def test_a_failing_job_does_not_stop_the_others(capsys):
    jobs = [scheduler.Job("broken", ("no-such-command",), every=datetime.timedelta(minutes=1)),
            scheduler.Job("dunning", ("dunning", "run"), every=datetime.timedelta(minutes=1))]
    assert scheduler.run_due(jobs) == ["dunning"]
    call_command("scheduler", "--list")
    assert "patient invoice dunning" in capsys.readouterr().out
