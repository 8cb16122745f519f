import datetime
import json
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from kvitt.booking import availability, outbox, sealing, services
from kvitt.booking.models import Booking, BookingState, OutboxMessage, OutboxStatus, Slot, SlotStatus
from kvitt.cases.models import AssignmentState
from kvitt.cases.selectors import remaining_coverage
from kvitt.core.models import AuditEntry
from kvitt.core.permissions import PermissionDenied
from tests.booking import helpers as h
from tests.booking.journal_server import JournalServer, JournalState, free_port
from tests.cases import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def insurer():
    payer = f.payer()
    return payer, f.case_handler(payer)


def first_free(clinic):
    return Slot.objects.filter(location=clinic.location, status=SlotStatus.FREE).order_by("start").first()


def test_snapshot_errors_name_the_field(insurer):
    payer, _handler = insurer
    c = h.clinic(payer)
    data = h.snapshot(c.practitioner.hpr_number, first_day=timezone.localdate() + datetime.timedelta(days=1))
    data["calendars"][0]["slots"][2]["appointment_type"] = "nope"
    with pytest.raises(availability.AvailabilityError, match=r"calendars\[0\]\.slots\[2\]\.appointment_type 'nope'"):
        services.receive_availability(c.admin, c.integration, data)
    data = h.snapshot(c.practitioner.hpr_number, first_day=timezone.localdate() + datetime.timedelta(days=1))
    data["calendars"][0]["slots"][1]["start"] = "2026-12-01T08:00:00"
    with pytest.raises(availability.AvailabilityError, match=r"calendars\.0\.slots\.1\.start.*UTC offset"):
        services.receive_availability(c.admin, c.integration, data)
    data["calendars"][0]["practitioner"] = {"hpr_number": "999999999"}
    data["calendars"][0]["slots"] = []
    with pytest.raises(availability.AvailabilityError, match=r"calendars\[0\]\.practitioner"):
        services.receive_availability(c.admin, c.integration, data)
    with pytest.raises(availability.AvailabilityError, match="surprise: Extra inputs"):
        availability.parse_snapshot({**data, "surprise": 1})


def test_snapshot_replaces_free_slots_and_keeps_booked(insurer):
    payer, handler = insurer
    c = h.clinic(payer, per_day=4, days=2)
    assert Slot.objects.filter(location=c.location).count() == 8
    a = f.assignment(handler)
    booked = first_free(c)
    services.book_slot(handler, a, booked.pk)
    # The journal system now offers only 2 a day; the booked slot is not in its list.
    data = h.snapshot(c.practitioner.hpr_number, first_day=timezone.localdate() + datetime.timedelta(days=1), days=2, per_day=2)
    data["calendars"][0]["slots"] = [s for s in data["calendars"][0]["slots"] if s["id"] != booked.external_id]
    report = services.receive_availability(c.admin, c.integration, data)
    assert report.kept_booked == 1
    assert Slot.objects.filter(location=c.location, status=SlotStatus.FREE).count() == 3
    assert Slot.objects.get(pk=booked.pk).status == SlotStatus.BOOKED


def test_booking_goes_out_signed_and_the_answer_lands(insurer, journal, django_capture_on_commit_callbacks):
    payer, handler = insurer
    c = h.clinic(payer)
    h.point_at(c, journal)
    a = f.assignment(handler, max_treatments=2)
    slot = first_free(c)
    with django_capture_on_commit_callbacks(execute=False):
        booking = services.book_slot(handler, a, slot.pk)
    assert booking.state == BookingState.REQUESTED
    assert Slot.objects.get(pk=slot.pk).status == SlotStatus.BOOKED
    a.refresh_from_db()
    assert a.state == AssignmentState.BOOKED and a.location == c.location
    assert remaining_coverage(a).remaining_treatments == 1
    assert outbox.process_due(worker_id="w1") == {"delivered": 1}
    [received] = journal.state.bookings.values()
    payload = received["payload"]
    assert payload["sakid"] == a.sakid
    assert payload["patient"]["national_id"] == f.FNR
    assert payload["service_codes"] == ["B1010"]
    assert payload["coverage"]["max_treatments"] == 2 and payload["coverage"]["valid_to"] == "2027-12-31"
    assert payload["slot"]["id"] == slot.external_id
    booking.refresh_from_db()
    assert (booking.state, booking.external_ref) == (BookingState.ACCEPTED, f"APT-{booking.pk}")
    assert AuditEntry.objects.filter(action="disclose", patient=a.patient).exists()


def test_wrong_webhook_key_is_rejected_by_the_journal_system(insurer, journal):
    payer, handler = insurer
    c = h.clinic(payer)
    h.point_at(c, journal)
    journal.state.webhook_key = "whk_someone_else"
    a = f.assignment(handler)
    booking = services.book_slot(handler, a, first_free(c).pk)
    assert outbox.process_due(worker_id="w1") == {"dead": 1}  # 401 is permanent: retrying cannot help
    assert journal.state.rejected_signatures == 1
    booking.refresh_from_db()
    assert booking.state == BookingState.UNDELIVERABLE
    assert Slot.objects.get(pk=booking.slot_id).status == SlotStatus.FREE
    assert remaining_coverage(a).reserved_treatments == 0


def test_refusal_releases_coverage_and_blocks_the_time(insurer, journal):
    payer, handler = insurer
    c = h.clinic(payer)
    h.point_at(c, journal)
    journal.state.mode = "refuse"
    a = f.assignment(handler)
    booking = services.book_slot(handler, a, first_free(c).pk)
    mail.outbox.clear()
    f.run_queued_tasks()
    mail.outbox.clear()
    outbox.process_due(worker_id="w1")
    f.run_queued_tasks()
    booking.refresh_from_db()
    assert booking.state == BookingState.REFUSED and booking.refusal_reason == "Behandler er syk"
    assert Slot.objects.get(pk=booking.slot_id).status == SlotStatus.BLOCKED
    a.refresh_from_db()
    assert a.state == AssignmentState.OPEN
    assert remaining_coverage(a).remaining_treatments == 6
    assert [m.to for m in mail.outbox] == [[payer.email]]


def test_pending_answer_then_callback(insurer, journal):
    payer, handler = insurer
    c = h.clinic(payer)
    h.point_at(c, journal)
    journal.state.mode = "pending"
    a = f.assignment(handler)
    booking = services.book_slot(handler, a, first_free(c).pk)
    assert outbox.process_due(worker_id="w1") == {"delivered": 1}
    booking.refresh_from_db()
    assert booking.state == BookingState.REQUESTED
    with pytest.raises(PermissionDenied):
        services.record_answer(handler, booking, status="accepted")
    services.record_answer(c.admin, booking, status="accepted", appointment_id="EPJ-77")
    booking.refresh_from_db()
    assert (booking.state, booking.external_ref) == (BookingState.ACCEPTED, "EPJ-77")


def test_retry_until_the_journal_system_is_up_then_exactly_once(insurer):
    payer, handler = insurer
    port = free_port()
    state = JournalState(api_key="vendor-key-123", webhook_key="")
    server = JournalServer(state, port=port)
    c = h.clinic(payer, base_url=server.base_url)
    state.webhook_key = sealing.unseal(c.integration.webhook_key_sealed)
    a = f.assignment(handler)
    booking = services.book_slot(handler, a, first_free(c).pk)
    message = OutboxMessage.objects.get(booking=booking)
    now = timezone.now()
    # Down: nothing listens on the port. Each failure pushes the next attempt further out.
    for attempt in (1, 2, 3):
        assert outbox.process_due(worker_id="w1", now=now) == {"pending": 1}
        message.refresh_from_db()
        assert message.attempts == attempt and message.status == OutboxStatus.PENDING
        assert message.next_attempt_at - now == outbox.backoff(attempt)
        assert outbox.process_due(worker_id="w1", now=now) == {}  # not due yet
        now = message.next_attempt_at
    server.start()
    try:
        assert outbox.process_due(worker_id="w2", now=now) == {"delivered": 1}
        assert outbox.process_due(worker_id="w2", now=now + datetime.timedelta(hours=2)) == {}
    finally:
        server.stop()
    assert len(state.bookings) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.response_status) == (OutboxStatus.DELIVERED, 4, 200)
    booking.refresh_from_db()
    assert booking.state == BookingState.ACCEPTED


def test_a_killed_worker_loses_nothing(insurer, journal):
    payer, handler = insurer
    c = h.clinic(payer)
    h.point_at(c, journal)
    a = f.assignment(handler)
    booking = services.book_slot(handler, a, first_free(c).pk)
    now = timezone.now()
    [claimed] = outbox.claim_due("doomed-worker", now=now)  # ... and the worker dies here
    assert outbox.process_due(worker_id="w2", now=now + datetime.timedelta(seconds=30)) == {}  # lease still held
    assert journal.state.bookings == {}
    after_lease = now + datetime.timedelta(seconds=outbox.lease_seconds() + 1)
    assert outbox.process_due(worker_id="w2", now=after_lease) == {"delivered": 1}
    assert len(journal.state.bookings) == 1
    # If the dead worker wakes up and reports late, its result is ignored.
    assert outbox.record(claimed, "doomed-worker", outbox.DeliveryResult(500, error="late")) == "lost_lease"
    message = OutboxMessage.objects.get(booking=booking)
    assert message.status == OutboxStatus.DELIVERED and message.claimed_by == "w2"


def test_a_repeated_delivery_is_deduplicated_by_the_receiver(insurer, journal):
    """A worker that died after sending but before recording: the second send is harmless."""
    payer, handler = insurer
    c = h.clinic(payer)
    h.point_at(c, journal)
    a = f.assignment(handler)
    services.book_slot(handler, a, first_free(c).pk)
    now = timezone.now()
    [claimed] = outbox.claim_due("dies-after-send", now=now)
    outbox.send(claimed)  # sent, never recorded
    assert outbox.process_due(worker_id="w2", now=now + datetime.timedelta(seconds=outbox.lease_seconds() + 1)) == {"delivered": 1}
    assert len(journal.state.bookings) == 1 and len(journal.state.appointments) == 1


@pytest.mark.django_db(transaction=True)
def test_two_bookings_of_one_slot_exactly_one_wins():
    payer = f.payer()
    handler = f.case_handler(payer)
    c = h.clinic(payer)
    slot = first_free(c)
    assignments = [f.assignment(handler, patient_=f.patient(payer.organisation, national_id=n, name=f"P{n}"))
                   for n in (f.FNR, "01018010018")]
    barrier = threading.Barrier(2)
    outcomes = []

    def book(assignment):
        try:
            barrier.wait()
            outcomes.append(("ok", services.book_slot(handler, assignment, slot.pk).pk))
        except services.SlotUnavailable as exc:
            outcomes.append(("taken", str(exc.messages[0])))
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(a,)) for a in assignments]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o[0] for o in outcomes) == ["ok", "taken"]
    assert Booking.objects.filter(slot=slot).count() == 1
    assert OutboxMessage.objects.count() == 1
    loser = next(a for a in assignments if not a.bookings.exists())
    loser.refresh_from_db()
    assert loser.state == AssignmentState.OPEN and remaining_coverage(loser).reserved_treatments == 0


def test_cancel_and_rebook(insurer, journal):
    payer, handler = insurer
    c = h.clinic(payer)
    h.point_at(c, journal)
    a = f.assignment(handler, max_treatments=1)
    first, second = Slot.objects.filter(location=c.location, status=SlotStatus.FREE).order_by("start")[:2]
    booking = services.book_slot(handler, a, first.pk)
    with pytest.raises(services.cases_services.CoverageExceeded):
        services.book_slot(handler, a, second.pk)  # only one treatment covered
    assert Slot.objects.get(pk=second.pk).status == SlotStatus.FREE  # the failed booking took nothing
    moved = services.rebook(handler, booking, second.pk, "Pasienten kan ikke")
    assert moved.replaces_id == booking.pk
    booking.refresh_from_db()
    assert booking.state == BookingState.CANCELLED
    assert Slot.objects.get(pk=first.pk).status == SlotStatus.FREE
    assert remaining_coverage(a).remaining_treatments == 0
    outbox.process_due(worker_id="w1")
    events = sorted(b["event"] for b in journal.state.bookings.values())
    assert events == ["booking.cancelled", "booking.created", "booking.created"]
    assert list(journal.state.appointments) == [second.external_id]
    services.cancel_booking(c.admin, moved, "Behandler syk")  # the clinic may cancel too
    a.refresh_from_db()
    assert a.state == AssignmentState.OPEN and remaining_coverage(a).remaining_treatments == 1


def test_booking_rules(insurer):
    payer, handler = insurer
    c = h.clinic(payer)
    slot = first_free(c)
    psych = f.assignment(handler, professions=["psychologist"])
    with pytest.raises(services.BookingRefused, match="profession"):
        services.book_slot(handler, psych, slot.pk)
    expired = f.assignment(handler, valid_from=datetime.date(2020, 1, 1), valid_to=datetime.date(2020, 12, 31))
    with pytest.raises(services.BookingRefused, match="does not cover"):
        services.book_slot(handler, expired, slot.pk)
    other_payer = f.payer(name="Annen Forsikring")
    other = f.assignment(f.case_handler(other_payer))
    with pytest.raises(services.BookingRefused, match="does not approve"):
        services.book_slot(f.case_handler(other_payer), other, slot.pk)
    with pytest.raises(PermissionDenied):
        services.book_slot(c.admin, f.assignment(handler), slot.pk)
    assert Slot.objects.get(pk=slot.pk).status == SlotStatus.FREE


def test_integration_keys_are_sealed_and_connection_test_activates(insurer, journal):
    payer, _handler = insurer
    company = f.company()
    location = f.location(company)
    admin = f.clinic_admin(company)
    integration, key = services.configure_integration(
        admin, location, system="kvitt-http-v1", base_url=journal.base_url, client_id="clinic-42", api_key="wrong-key"
    )
    assert key.startswith("whk_") and key not in integration.webhook_key_sealed
    assert "wrong-key" not in integration.api_key_sealed
    result = services.test_connection(admin, integration)
    assert not result.ok and "refused the key" in result.message
    integration, again = services.configure_integration(
        admin, location, system="kvitt-http-v1", base_url=journal.base_url, api_key="vendor-key-123"
    )
    assert again is None  # the webhook key is shown only when it is made
    result = services.test_connection(admin, integration)
    assert result.ok and "TestJournal" in result.message
    integration.refresh_from_db()
    assert integration.status == "active" and integration.activated_at is not None
    text = services.request_details_text(admin, integration, language="en")
    assert company.org_number in text and "X-Kvitt-Signature" in text and "vendor-key-123" not in text
    with pytest.raises(PermissionDenied):
        services.configure_integration(f.case_handler(payer), location, system="kvitt-http-v1", base_url="https://x.example")


def test_pull_availability_task(insurer, journal):
    from kvitt.booking.tasks import pull_availability

    payer, _handler = insurer
    c = h.clinic(payer, days=1, per_day=1)
    h.point_at(c, journal)
    journal.state.availability = h.snapshot(
        c.practitioner.hpr_number, first_day=timezone.localdate() + datetime.timedelta(days=1), days=2, per_day=3
    )
    report = pull_availability.call(c.integration.pk, 30)
    assert report["created"] == 5 and report["updated"] == 1
    assert Slot.objects.filter(location=c.location, status=SlotStatus.FREE).count() == 6
    c.integration.refresh_from_db()
    assert c.integration.last_pull_message.startswith("ok")
    assert ("GET", "/kvitt/v1/availability") in journal.state.requests


def test_signature_module_round_trip():
    from kvitt.booking import signature

    body = json.dumps({"sakid": "ABCDEF"}).encode()
    header = signature.sign("k", body, timestamp=1_700_000_000)
    assert signature.verify("k", body, header, now=1_700_000_100) == 1_700_000_000
    with pytest.raises(signature.SignatureError, match="does not match"):
        signature.verify("k", body + b" ", header, now=1_700_000_100)
    with pytest.raises(signature.SignatureError, match="off"):
        signature.verify("k", body, header, now=1_700_009_000)


def test_booking_command_delivers_and_pulls(insurer, journal):
    from io import StringIO

    from django.core.management import call_command

    payer, handler = insurer
    c = h.clinic(payer, days=1, per_day=2)
    h.point_at(c, journal)
    services.book_slot(handler, f.assignment(handler), first_free(c).pk)
    out = StringIO()
    call_command("booking", "deliver", stdout=out)
    assert out.getvalue().strip() == "delivered: 1" and len(journal.state.bookings) == 1
    journal.state.availability = h.snapshot(c.practitioner.hpr_number, first_day=timezone.localdate() + datetime.timedelta(days=1), days=1, per_day=3)
    out = StringIO()
    call_command("booking", "pull", stdout=out)
    assert "'created': 1" in out.getvalue() and "'kept_booked': 1" in out.getvalue()
    out = StringIO()
    call_command("booking", "outbox", stdout=out)
    assert "delivered: 1" in out.getvalue()


def test_booking_notices_by_email(insurer):
    payer, handler = insurer
    c = h.clinic(payer)
    a = f.assignment(handler)
    f.run_queued_tasks()
    mail.outbox.clear()
    booking = services.book_slot(handler, a, first_free(c).pk)
    assert f.run_queued_tasks() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["kari@example.no", "post@fysio.example"]
    to_patient = next(m for m in mail.outbox if m.to == ["kari@example.no"])
    assert a.sakid in to_patient.body and "Skulder" not in to_patient.body
    mail.outbox.clear()
    services.cancel_booking(handler, booking, "Pasienten er frisk")
    assert f.run_queued_tasks() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["kari@example.no", "post@fysio.example"]
    assert any("Pasienten er frisk" in m.body for m in mail.outbox)


def test_delivery_task_comes_back_at_the_next_attempt_time(insurer, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from kvitt.booking.tasks import deliver_outbox_message

    payer, handler = insurer
    c = h.clinic(payer, base_url=f"http://127.0.0.1:{free_port()}/kvitt/v1")  # nothing listens there
    booking = services.book_slot(handler, f.assignment(handler), first_free(c).pk)
    message = OutboxMessage.objects.get(booking=booking)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver_outbox_message.call(message.pk) == OutboxStatus.PENDING
    message.refresh_from_db()
    queued = DBTaskResult.objects.filter(task_path__endswith="deliver_outbox_message", run_after__isnull=False).get()
    assert queued.run_after == message.next_attempt_at and queued.args_kwargs["args"] == [message.pk]
