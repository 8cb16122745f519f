"""Status feeds: the newest record for an event and system wins even when one chunk brings
the event twice, and feeds of one organisation run one at a time (two feeds touching the
same events in a different order deadlocked on PostgreSQL in the load test)."""

import datetime
import threading
import zoneinfo

import pytest
from django.db import connection

from kvitt.reconciliation import services
from kvitt.reconciliation.formats.records import StatusRecord
from kvitt.reconciliation.models import EventStatus, StatusHistory, TrackedEvent
from kvitt.reconciliation.statuses import Status

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def _events(organisation, count):
    return [
        TrackedEvent.objects.create(
            organisation=organisation, number=f"FO-{n:03d}", period=datetime.date(2026, 10, 1),
            start=datetime.datetime(2026, 10, 1 + n % 28, 9, 0, tzinfo=STOCKHOLM), amount_ore=10000,
        )
        for n in range(count)
    ]


def _record(number, status, minute, line=1):
    return StatusRecord(line=line, event_number=number, system="GVR", status=status,
                        status_time=datetime.datetime(2026, 11, 2, 8, minute, tzinfo=STOCKHOLM),
                        code="E1" if status is Status.ERROR else "", source="test")


@pytest.mark.django_db
def test_the_newer_record_wins_when_a_chunk_brings_a_new_event_twice(clerk, systems):
    (event,) = _events(clerk.organisation, 1)
    services.import_statuses(clerk, [_record(event.number, Status.PENDING, 1, 1), _record(event.number, Status.OK, 2, 2)],
                             kind="csv", file_name="twice.csv")
    status = EventStatus.objects.get(event=event, system=systems["GVR"])
    assert status.status == "OK"
    assert StatusHistory.objects.filter(event=event).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_feeds_over_the_same_events_in_opposite_order_both_land(clerk, systems):
    events = _events(clerk.organisation, 60)
    forward = [_record(e.number, Status.OK, 5, i + 1) for i, e in enumerate(events)]
    backward = [_record(e.number, Status.ERROR, 6, i + 1) for i, e in enumerate(reversed(events))]
    errors = []

    def feed(records, name):
        try:
            services.import_statuses(clerk, records, kind="csv", file_name=name)
        except Exception as exc:  # a deadlock would surface here
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=feed, args=(forward, "a.csv")), threading.Thread(target=feed, args=(backward, "b.csv"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    # Both feeds applied; the later status time (the error feed) stands for every event.
    assert set(EventStatus.objects.filter(system=systems["GVR"]).values_list("status", flat=True)) == {"error"}
    assert EventStatus.objects.filter(system=systems["GVR"]).count() == 60
