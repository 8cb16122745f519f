"""Per-receiver order with four worker processes on PostgreSQL (kvitt.ops.ordering).

Five clinics' journal systems (five receivers behind one real local HTTP server) get booking
webhooks (created, cancelled) queued interleaved, before four ``kvitt worker`` processes start.
Each receiver must get its webhooks in the order they were created and never two at once, while
the receivers are served in parallel. Then a worker is SIGKILLed while its receiver holds the
request open: that receiver waits (its later webhooks do not overtake the lost one), the others
carry on, and after the lease runs out the scheduler's sweep sends the lost webhook again first.
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from kvitt.booking import services
from kvitt.booking.models import OutboxMessage, OutboxStatus, Slot, SlotStatus
from kvitt.booking.tasks import deliver_due_outbox
from kvitt.ops import liveness, taskbackend
from tests.booking import helpers as h
from tests.cases import factories as f
from tests.ops import workers
from tests.ops.ordered_receiver import OrderedReceiver

pytestmark = [workers.needs_postgresql, pytest.mark.django_db(transaction=True)]

CLINICS = 5
BOOKINGS_PER_CLINIC = 6
WORKERS = 4
LEASE_SECONDS = 8  # longer than the other receivers need to finish, so r0 is seen waiting


@pytest.fixture
def receiver():
    server = OrderedReceiver().start()
    yield server
    server.stop()


def queue_interleaved_webhooks(receiver: OrderedReceiver) -> dict[str, int]:
    """Book and cancel round-robin over the clinics; returns receiver name -> integration id."""
    payer = f.payer()
    handler = f.case_handler(payer)
    clinics = {}
    for n in range(CLINICS):
        clinic = h.clinic(payer, name=f"Fysio {n} AS", days=3, per_day=4)
        clinic.integration.base_url = receiver.url(f"r{n}")
        clinic.integration.save(update_fields=["base_url"])
        clinics[f"r{n}"] = clinic
    assignments = {name: f.assignment(handler, max_treatments=BOOKINGS_PER_CLINIC + 2) for name in clinics}
    booked = {name: [] for name in clinics}
    for round_ in range(BOOKINGS_PER_CLINIC):
        for name, clinic in clinics.items():
            slot = Slot.objects.filter(location=clinic.location, status=SlotStatus.FREE).order_by("start").first()
            booked[name].append(services.book_slot(handler, assignments[name], slot.pk))
            if round_ % 2 == 1:  # every other round cancels the clinic's previous booking
                services.cancel_booking(handler, booked[name][-2], "patient moved")
    return {name: clinic.integration.pk for name, clinic in clinics.items()}


def created_order(integration_id: int) -> list[str]:
    rows = OutboxMessage.objects.filter(integration_id=integration_id).order_by("created_at", "id")
    return [str(d) for d in rows.values_list("delivery_id", flat=True)]


def lease_over(delivery_id: str) -> bool:
    lease_until = OutboxMessage.objects.get(delivery_id=delivery_id).lease_until
    return lease_until is None or lease_until < timezone.now()


def undelivered(integration_ids) -> int:
    return OutboxMessage.objects.filter(integration_id__in=integration_ids).exclude(status=OutboxStatus.DELIVERED).count()


def test_each_receiver_gets_its_webhooks_in_order_and_a_killed_worker_does_not_break_it(receiver, tmp_path):
    integrations = queue_interleaved_webhooks(receiver)
    expected = {name: created_order(pk) for name, pk in integrations.items()}
    assert all(len(ids) == BOOKINGS_PER_CLINIC + BOOKINGS_PER_CLINIC // 2 for ids in expected.values())
    stalled, others = "r0", [name for name in integrations if name != "r0"]
    lost = expected[stalled][3]  # the fourth webhook to r0 is held open, then its sender is killed
    receiver.hold_delivery = lost

    env = workers.worker_env(tmp_path, KVITT_TASK_BACKEND=taskbackend.DB_BACKEND,
                             KVITT_OUTBOX_LEASE_SECONDS=str(LEASE_SECONDS))
    env["KVITT_VAR_DIR"] = str(django_settings.VAR_DIR)  # the same keys as the process that queued the rows
    started = {}
    for n in range(WORKERS):
        command = [str(workers.KVITT), *taskbackend.worker_command(taskbackend.DB_BACKEND, interval=0.1, worker_id=f"order-{n}")]
        started[n] = workers.start(command, env, tmp_path / f"worker-{n}.log")
    try:
        assert receiver.holding.wait(60), "the held webhook never arrived"
        holder = OutboxMessage.objects.get(delivery_id=lost)
        assert holder.status == OutboxStatus.IN_FLIGHT
        pid = int(holder.claimed_by.split(":")[1])  # outbox.default_worker_id(): host:pid:random
        [victim] = [p for p in started.values() if p.pid == pid]
        workers.kill_hard(victim)

        # The other receivers are not held up by r0's lost webhook …
        workers.wait_until(lambda: undelivered(integrations[n] for n in others) == 0, 60, "the other receivers' webhooks")
        # … while r0's later webhooks wait behind it.
        assert receiver.delivery_ids(stalled) == expected[stalled][:4]
        receiver.release.set()

        workers.wait_until(lambda: lease_over(lost), LEASE_SECONDS + 5, "the lost webhook's lease to run out")
        deliver_due_outbox.enqueue()  # what `kvitt scheduler` does every minute
        workers.wait_until(lambda: undelivered(integrations.values()) == 0, 60, "every webhook to be delivered")
    finally:
        workers.stop(started.values())
        liveness.release_all()

    for name in others:
        assert receiver.delivery_ids(name) == expected[name], f"{name} got its webhooks out of order"
    # r0 got the lost webhook twice (the killed worker's attempt, then the retry), nothing in between.
    assert receiver.delivery_ids(stalled) == expected[stalled][:4] + [lost] + expected[stalled][4:]
    assert max(receiver.most_open.values()) == 1, f"a receiver had two webhooks open at once: {receiver.most_open}"
    assert receiver.most_open_total >= 2, "the receivers should have been served in parallel"
    message = OutboxMessage.objects.get(delivery_id=lost)
    assert message.attempts == 2 and message.claimed_by.split(":")[1] != str(pid)
    # Each receiver saw its own webhooks' events in the order the bookings happened.
    for name in integrations:
        events = [(a.booking_id, a.event) for a in receiver.arrivals[name]]
        for booking_id in {b for b, _ in events}:
            of_booking = [e for b, e in events if b == booking_id]
            assert of_booking[0] == "booking.created", f"{name}: booking {booking_id} cancelled before it was created"
