"""The rules of kvitt.ops.ordering on one process (SQLite and PostgreSQL): only the head of a
receiver's line is claimed, a retrying head holds the line, a dead one lets it go; a receiver
lock held elsewhere is not taken."""

from __future__ import annotations

import datetime

import pytest
from django.db import connections
from django.utils import timezone

from kvitt.booking import outbox, sealing, services
from kvitt.booking.models import OutboxMessage, OutboxStatus, Slot, SlotStatus
from kvitt.ops import ordering
from tests.booking import helpers as h
from tests.cases import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def webhooks(clinic, handler, count: int) -> list[OutboxMessage]:
    assignment = f.assignment(handler, max_treatments=count + 1)
    for _ in range(count):
        slot = Slot.objects.filter(location=clinic.location, status=SlotStatus.FREE).order_by("start").first()
        services.book_slot(handler, assignment, slot.pk)
    return list(OutboxMessage.objects.filter(integration=clinic.integration).order_by("created_at", "id"))


@pytest.fixture
def two_clinics():
    payer = f.payer()
    handler = f.case_handler(payer)
    one, other = h.clinic(payer, name="Fysio En AS"), h.clinic(payer, name="Fysio To AS")
    return webhooks(one, handler, 3), webhooks(other, handler, 2)


def test_only_the_head_of_each_receivers_line_is_claimed(two_clinics):
    (a1, a2, a3), (b1, b2) = two_clinics
    now = timezone.now()
    assert outbox.claim(a2.pk, "w1", now) is None
    assert outbox.deliver_one(a2.pk, "w1", now) == outbox.WAITING
    assert set(outbox.due_ids(now)) == {a1.pk, b1.pk}  # one per receiver, both at once

    assert outbox.claim(a1.pk, "w1", now) is not None
    assert outbox.claim(a2.pk, "w2", now) is None  # the head is in flight: the line waits
    assert outbox.claim(b1.pk, "w2", now) is not None  # another receiver does not

    outbox.record(a1, "w1", outbox.DeliveryResult(202), now)
    assert outbox.claim(a2.pk, "w2", now) is not None  # a1 delivered: a2 is the head now


def test_a_retrying_head_holds_the_line_and_a_dead_one_lets_it_go(two_clinics, settings):
    (a1, a2, _a3), _ = two_clinics
    now = timezone.now()
    claimed = outbox.claim(a1.pk, "w1", now)
    assert outbox.record(claimed, "w1", outbox.DeliveryResult(503, error="busy"), now) == OutboxStatus.PENDING
    later = now + datetime.timedelta(hours=2)  # past a1's retry time too
    assert outbox.claim(a2.pk, "w1", now) is None
    assert outbox.claim(a2.pk, "w1", later) is None  # a1 is due again and goes first

    settings.KVITT_OUTBOX_MAX_ATTEMPTS = 2
    claimed = outbox.claim(a1.pk, "w1", later)
    assert outbox.record(claimed, "w1", outbox.DeliveryResult(503, error="busy"), later) == OutboxStatus.DEAD
    assert outbox.claim(a2.pk, "w1", later) is not None


@pytest.fixture
def journal():
    from tests.booking.journal_server import JournalServer, JournalState

    server = JournalServer(JournalState(api_key="vendor-key-123", webhook_key="")).start()
    yield server
    server.stop()


def test_a_sweep_delivers_a_whole_line_in_order(two_clinics, journal):
    (a1, a2, a3), (b1, b2) = two_clinics
    OutboxMessage.objects.update(integration=a1.integration)  # all five to one journal system
    a1.integration.base_url = journal.base_url
    a1.integration.save(update_fields=["base_url"])
    journal.state.webhook_key = sealing.unseal(a1.integration.webhook_key_sealed)

    assert outbox.process_due(worker_id="sweeper") == {"delivered": 5}
    arrived = list(journal.state.bookings)  # delivery ids in arrival order
    assert arrived == [str(m.delivery_id) for m in (a1, a2, a3, b1, b2)]


def other_holder(kind: str, receiver: str):
    """Hold the receiver's lock the way another process would: another session / open file."""
    if connections["default"].vendor == "postgresql":
        conn = connections.create_connection("default")
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [ordering.lock_key(kind, receiver)])
        return conn.close
    held = ordering._file_lock(kind, receiver)
    assert held.__enter__() is True
    return lambda: held.__exit__(None, None, None)


def test_a_receiver_lock_held_elsewhere_is_not_taken_and_is_free_again_after():
    release = other_holder("interregion", "org-1:232100-0016")
    try:
        with ordering.receiver_lock("interregion", "org-1:232100-0016") as mine:
            assert mine is False
        with ordering.receiver_lock("interregion", "org-1:another") as mine:
            assert mine is True  # another receiver is free
    finally:
        release()
    with ordering.receiver_lock("interregion", "org-1:232100-0016") as mine:
        assert mine is True


def test_an_ehf_credit_note_waits_for_its_invoice_and_another_buyer_does_not(settings, tmp_path):
    from kvitt.einvoice import services as einvoice
    from kvitt.einvoice.models import OutboxStatus as EhfStatus
    from tests.einvoice.test_services import Clinic

    settings.KVITT_ACCESS_POINT = {"transport": "directory", "directory": str(tmp_path)}
    clinic = Clinic()
    case = clinic.assignment()
    clinic.event(case.sakid, day=2)
    invoice = einvoice.build_case_invoice(clinic.clerk, case.sakid)
    credit = einvoice.credit_invoice(clinic.clerk, invoice, reason="Timen ble avlyst")
    first = einvoice.queue_for_delivery(clinic.clerk, invoice)
    then = einvoice.queue_for_delivery(clinic.clerk, credit)
    elsewhere = Clinic(name="Fysio Vest")  # another insurer: another buyer
    other_case = elsewhere.assignment()
    elsewhere.event(other_case.sakid, day=3)
    other = einvoice.queue_for_delivery(elsewhere.clerk, einvoice.build_case_invoice(elsewhere.clerk, other_case.sakid))

    assert einvoice.deliver_one(then.pk, worker_id="w1") == einvoice.WAITING
    assert einvoice.claim(first.pk, "w1") is not None
    assert einvoice.claim(then.pk, "w2") is None  # the invoice is in flight: its credit note waits
    assert einvoice.deliver_one(other.pk, worker_id="w2") == EhfStatus.ACCEPTED  # another buyer goes on
    assert einvoice.next_in_line(first.pk) is None

    einvoice._record_send(first.pk, "w1", receipt=einvoice.transports.TransportReceipt(invoice.message_id, einvoice.transports.ACCEPTED))
    assert einvoice.next_in_line(first.pk) == then.pk  # taken by the access point: the credit note may go
    assert einvoice.deliver_one(then.pk, worker_id="w2") == EhfStatus.ACCEPTED
