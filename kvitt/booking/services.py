"""Every change in booking: integrations, availability, bookings, their delivery and answers."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kvitt.booking import availability, connectors, sealing
from kvitt.booking.tasks import notify
from kvitt.booking.models import (
    LIVE_BOOKING_STATES,
    Booking,
    BookingState,
    IntegrationStatus,
    JournalIntegration,
    OutboxEvent,
    OutboxMessage,
    Slot,
    SlotStatus,
)
from kvitt.cases import services as cases_services
from kvitt.cases.models import ACTIVE_STATES, Assignment, AssignmentState
from kvitt.cases.selectors import is_clinic_actor, is_payer_actor, remaining_coverage
from kvitt.core import audit
from kvitt.core.models import ApiToken, Role
from kvitt.core.permissions import Actor, PermissionDenied
from kvitt.network.models import Location, PartnerApproval


class SlotUnavailable(ValidationError):
    """Someone else took the slot first (or it was never free)."""


class BookingRefused(ValidationError):
    """The booking breaks a rule of the assignment or the network."""


def _user(actor: Actor):
    return actor.user if getattr(actor.user, "pk", None) else None


# --- integrations ---------------------------------------------------------------------------


def _require_location_admin(actor: Actor, location: Location) -> None:
    if actor.role != Role.CLINIC_ADMIN or location.company.organisation_id != actor.organisation.id:
        raise PermissionDenied(_("Only the clinic's admin may set up its journal system"))


@transaction.atomic
def configure_integration(
    actor: Actor, location: Location, *, system: str, base_url: str, client_id: str = "", api_key: str | None = None
) -> tuple[JournalIntegration, str | None]:
    """Create or change a location's journal-system link. Returns the integration and, when it
    is new, the webhook key: shown once so the clinic can give it to the vendor, then only sealed."""
    _require_location_admin(actor, location)
    if system not in connectors.registry():
        raise ValidationError({"system": _("Unknown booking system %(s)s") % {"s": system}})
    integration = JournalIntegration.objects.select_for_update().filter(location=location).first()
    new_key = None
    if integration is None:
        new_key = sealing.new_webhook_key()
        integration = JournalIntegration(location=location, webhook_key_sealed=sealing.seal(new_key))
    integration.system = system
    integration.base_url = base_url
    integration.client_id = client_id
    if api_key:
        integration.api_key_sealed = sealing.seal(api_key)
    integration.status = IntegrationStatus.DRAFT
    integration.full_clean()
    integration.save()
    audit.record(actor, "configure", integration, fields=("system", "base_url", "client_id", "api_key"), reason="journal integration")
    return integration, new_key


@transaction.atomic
def rotate_webhook_key(actor: Actor, integration: JournalIntegration) -> str:
    _require_location_admin(actor, integration.location)
    key = sealing.new_webhook_key()
    integration.webhook_key_sealed = sealing.seal(key)
    integration.save(update_fields=["webhook_key_sealed"])
    audit.record(actor, "rotate_key", integration, reason="webhook key rotated")
    return key


def test_connection(actor: Actor, integration: JournalIntegration) -> connectors.ConnectionResult:
    """Ping the journal system with the stored keys; a success activates the integration."""
    _require_location_admin(actor, integration.location)
    try:
        result = connectors.connector_for(integration).test_connection()
    except (connectors.ConnectorError, sealing.SealError) as exc:
        result = connectors.ConnectionResult(False, str(exc))
    integration.last_test_at = timezone.now()
    integration.last_test_ok = result.ok
    integration.last_test_message = result.message[:300]
    if result.ok:
        integration.status = IntegrationStatus.ACTIVE
        if integration.activated_at is None:
            integration.activated_at = integration.last_test_at
            integration.activated_by = _user(actor)
    else:
        integration.status = IntegrationStatus.FAILING if integration.activated_at else IntegrationStatus.DRAFT
    integration.save()
    return result


def request_details_text(actor: Actor, integration: JournalIntegration, *, language: str = "nb") -> str:
    _require_location_admin(actor, integration.location)
    user = _user(actor)
    return connectors.connector_for(integration).request_details(
        language=language,
        contact_name=(user.get_full_name() or user.username) if user else "",
        contact_email=user.email if user else "",
    )


def issue_push_token(actor: Actor, integration: JournalIntegration) -> str:
    """A token the journal system uses to push availability and answers. Shown once."""
    _require_location_admin(actor, integration.location)
    _token, raw = ApiToken.issue(
        integration.location.company.organisation, f"journal:{integration.system}:location-{integration.location_id}",
        Role.PRACTITIONER, created_by=_user(actor),
    )
    return raw


# --- availability ---------------------------------------------------------------------------


def _require_integration_caller(actor: Actor, integration: JournalIntegration) -> None:
    if not (is_clinic_actor(actor) and integration.location.company.organisation_id == actor.organisation.id):
        raise PermissionDenied(_("This integration belongs to another company"))


def receive_availability(actor: Actor, integration: JournalIntegration, data) -> availability.ApplyReport:
    """A pushed snapshot (the journal system calls the API with its token)."""
    _require_integration_caller(actor, integration)
    snapshot = availability.parse_snapshot(data)
    return availability.apply_snapshot(integration, snapshot)


def pull_availability(integration: JournalIntegration, days: int = 30) -> availability.ApplyReport:
    """Kvitt fetches the snapshot itself (the worker task, on a schedule)."""
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    end = start + datetime.timedelta(days=days)
    try:
        data = connectors.connector_for(integration).pull_availability(start, end)
        report = availability.apply_snapshot(integration, availability.parse_snapshot(data))
    except (connectors.ConnectorError, availability.AvailabilityError, sealing.SealError) as exc:
        JournalIntegration.objects.filter(pk=integration.pk).update(last_pull_at=timezone.now(), last_pull_message=str(exc)[:300])
        raise
    JournalIntegration.objects.filter(pk=integration.pk).update(
        last_pull_at=timezone.now(), last_pull_message=f"ok: {report.as_dict()}"
    )
    return report


# --- booking --------------------------------------------------------------------------------


def _check_bookable(locked: Assignment, slot: Slot, integration: JournalIntegration | None) -> None:
    if locked.state not in ACTIVE_STATES:
        raise BookingRefused(_("Assignment %(s)s is %(state)s") % {"s": locked.sakid, "state": locked.get_state_display()})
    day = timezone.localtime(slot.start).date()
    if not locked.covers_day(day):
        raise BookingRefused(_("Assignment %(s)s does not cover %(d)s") % {"s": locked.sakid, "d": day})
    if slot.start <= timezone.now():
        raise SlotUnavailable(_("That time has passed"))
    practitioner = slot.practitioner
    professions = [p for p in practitioner.professions if p in locked.professions]
    if not professions:
        raise BookingRefused(_("The assignment does not cover the practitioner's profession"))
    if slot.appointment_type is None or not slot.appointment_type.online_bookable:
        raise BookingRefused(_("This appointment type cannot be booked online"))
    approvals = PartnerApproval.objects.active_on(day).covering_location(slot.location).filter(payer=locked.payer)
    if not any(a.covers_profession(p) for a in approvals for p in professions):
        raise BookingRefused(_("%(payer)s does not approve this clinic for that day") % {"payer": locked.payer.name})
    if integration is None or integration.status != IntegrationStatus.ACTIVE:
        raise BookingRefused(_("This clinic does not take online bookings"))
    live_elsewhere = locked.bookings.filter(state__in=LIVE_BOOKING_STATES).exclude(slot__location__company=slot.location.company_id)
    if live_elsewhere.exists():
        raise BookingRefused(_("The assignment has live bookings at another clinic"))


def _claim_slot(slot: Slot) -> None:
    """The race is decided here: one conditional UPDATE, one winner."""
    won = Slot.objects.filter(pk=slot.pk, status=SlotStatus.FREE).update(status=SlotStatus.BOOKED, updated_at=timezone.now())
    if not won:
        raise SlotUnavailable(_("The time was just taken. Choose another."))


def booking_payload(booking: Booking, event: str) -> dict:
    """What the journal system receives (contract: docs/integrations/journal-systems.md)."""
    assignment = booking.assignment
    slot = booking.slot
    patient = assignment.patient
    coverage = remaining_coverage(assignment)
    return {
        "contract": "kvitt-journal/1",
        "event": event,
        "booking": {
            "id": booking.pk,
            "state": booking.state,
            "replaces": booking.replaces_id,
            "cancel_reason": booking.cancel_reason,
        },
        "sakid": assignment.sakid,
        "insurer": {"name": assignment.payer.name, "org_number": assignment.payer.org_number},
        "slot": {
            "id": slot.external_id,
            "calendar": slot.calendar.external_id,
            "start": slot.start.isoformat(),
            "end": slot.end.isoformat(),
            "appointment_type": slot.appointment_type.external_id if slot.appointment_type else "",
        },
        "practitioner": {"name": slot.practitioner.name, "hpr_number": slot.practitioner.hpr_number},
        "location": {"name": slot.location.name, "her_id": slot.location.her_id},
        "patient": {
            "national_id": patient.national_id,
            "id_type": patient.id_type,
            "name": patient.name,
            "birth_date": patient.birth_date.isoformat() if patient.birth_date else None,
            "email": patient.email,
            "phone": patient.phone,
        },
        "service_codes": booking.service_codes,
        "coverage": {
            "professions": assignment.professions,
            "service_codes": assignment.service_codes,
            "max_treatments": assignment.max_treatments,
            "remaining_treatments": coverage.remaining_treatments,
            "max_amount_ore": assignment.max_amount,
            "remaining_amount_ore": coverage.remaining_amount,
            "valid_from": assignment.valid_from.isoformat(),
            "valid_to": assignment.valid_to.isoformat(),
            "referral_required": assignment.referral_required,
            "notes_for_clinic": assignment.notes_for_clinic,
        },
    }


def _enqueue(actor: Actor, booking: Booking, integration: JournalIntegration, event: str) -> OutboxMessage:
    message = OutboxMessage.objects.create(
        integration=integration, booking=booking, event=event, payload=booking_payload(booking, event)
    )
    audit.record(
        actor, "disclose", booking.assignment.patient, privacy=("identity", "clinical"),
        fields=("national_id", "name", "service_codes", "notes_for_clinic"),
        reason=f"{event} to journal system of location {integration.location_id} ({booking.assignment.sakid})",
        patient=booking.assignment.patient,
    )

    def kick():
        from kvitt.booking.tasks import deliver_outbox_message

        deliver_outbox_message.enqueue(message.pk)

    transaction.on_commit(kick)
    return message


def _require_booker(actor: Actor, assignment: Assignment) -> None:
    if not (is_payer_actor(actor) and assignment.payer.organisation_id == actor.organisation.id):
        raise PermissionDenied(_("Only the assignment's insurer may book under it"))


def _book_locked(actor: Actor, locked: Assignment, slot_id: int, service_codes, replaces: Booking | None) -> Booking:
    slot = Slot.objects.select_related("location__company", "practitioner", "appointment_type", "calendar").filter(pk=slot_id).first()
    if slot is None:
        raise SlotUnavailable(_("No such time slot"))
    integration = JournalIntegration.objects.filter(location_id=slot.location_id).first()
    _check_bookable(locked, slot, integration)
    codes = list(service_codes or (slot.appointment_type.service_codes if slot.appointment_type else []) or locked.service_codes[:1])
    bad = [c for c in codes if not locked.covers_service_code(c)]
    if bad:
        raise BookingRefused(_("The assignment does not cover %(c)s") % {"c": ", ".join(bad)})
    _claim_slot(slot)
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                assignment=locked, slot=slot, service_codes=codes, booked_by=_user(actor), booked_by_label=actor.name[:200],
                booked_by_organisation=actor.organisation, replaces=replaces,
            )
    except IntegrityError:
        raise SlotUnavailable(_("The time was just taken. Choose another."))
    cases_services.reserve_locked(actor, locked, f"booking:{booking.pk}")
    if locked.location_id != slot.location_id:
        locked.location, locked.company = slot.location, slot.location.company
        locked.save(update_fields=["location", "company"])
    cases_services.move_if_allowed(actor, locked, AssignmentState.BOOKED, f"booking {booking.pk}")
    _enqueue(actor, booking, integration, OutboxEvent.BOOKING_CREATED)
    return booking


@transaction.atomic
def book_slot(actor: Actor, assignment: Assignment, slot_id: int, *, service_codes: list[str] | None = None) -> Booking:
    """Book a free slot for an assignment. Exactly one of two simultaneous bookings of a slot wins;
    the other gets SlotUnavailable and changes nothing."""
    locked = cases_services.lock(assignment)
    _require_booker(actor, locked)
    booking = _book_locked(actor, locked, slot_id, service_codes, None)
    notify("booking_made", booking.pk)
    return booking


def _require_cancel_party(actor: Actor, booking: Booking) -> None:
    assignment = booking.assignment
    if is_payer_actor(actor) and assignment.payer.organisation_id == actor.organisation.id:
        return
    if is_clinic_actor(actor) and booking.slot.location.company.organisation_id == actor.organisation.id:
        return
    raise PermissionDenied(_("Not your booking"))


def _free_slot(booking: Booking, *, block: bool = False) -> None:
    Slot.objects.filter(pk=booking.slot_id, status=SlotStatus.BOOKED).update(
        status=SlotStatus.BLOCKED if block else SlotStatus.FREE, updated_at=timezone.now()
    )


def _after_booking_ended(actor: Actor, locked: Assignment, booking: Booking) -> None:
    cases_services.release_locked(actor, locked, f"booking:{booking.pk}")
    if locked.state == AssignmentState.BOOKED and not locked.bookings.filter(state__in=LIVE_BOOKING_STATES).exists():
        cases_services.move_if_allowed(actor, locked, AssignmentState.OPEN, f"booking {booking.pk} ended")


def _cancel_locked(actor: Actor, locked: Assignment, booking: Booking, reason: str) -> Booking:
    booking = Booking.objects.select_for_update(of=("self",)).select_related("slot__location").get(pk=booking.pk)
    if booking.state not in LIVE_BOOKING_STATES:
        raise ValidationError(_("The booking is already %(s)s") % {"s": booking.get_state_display()})
    booking.state = BookingState.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.cancel_reason = reason[:300]
    booking.save(update_fields=["state", "cancelled_at", "cancel_reason"])
    _free_slot(booking)
    _after_booking_ended(actor, locked, booking)
    integration = JournalIntegration.objects.filter(location_id=booking.slot.location_id).first()
    if integration is not None:
        _enqueue(actor, booking, integration, OutboxEvent.BOOKING_CANCELLED)
    return booking


@transaction.atomic
def cancel_booking(actor: Actor, booking: Booking, reason: str = "") -> Booking:
    """The insurer or the clinic cancels; the slot is free again and the journal system is told."""
    locked = cases_services.lock(booking.assignment)
    _require_cancel_party(actor, booking)
    booking = _cancel_locked(actor, locked, booking, reason)
    notify("booking_cancelled", booking.pk)
    return booking


@transaction.atomic
def rebook(actor: Actor, booking: Booking, new_slot_id: int, reason: str = "") -> Booking:
    """Move a booking to another slot: both changes or neither. One transaction, so losing the race
    for the new slot rolls back the cancellation and the old booking stands."""
    locked = cases_services.lock(booking.assignment)
    _require_booker(actor, locked)
    old = _cancel_locked(actor, locked, booking, reason or _("Moved to another time"))
    new = _book_locked(actor, locked, new_slot_id, booking.service_codes, old)
    notify("booking_made", new.pk)
    return new


# --- answers from the journal system --------------------------------------------------------


def _apply_answer(actor: Actor, booking: Booking, answer: connectors.Answer) -> Booking:
    locked = cases_services.lock(booking.assignment)
    booking = Booking.objects.select_for_update(of=("self",)).get(pk=booking.pk)
    if booking.state != BookingState.REQUESTED:
        return booking  # answers are idempotent; a late answer after a cancel changes nothing
    booking.answered_at = timezone.now()
    if answer.status == "accepted":
        booking.state = BookingState.ACCEPTED
        booking.external_ref = answer.appointment_id
        booking.save(update_fields=["state", "answered_at", "external_ref"])
        return booking
    booking.state = BookingState.REFUSED
    booking.refusal_reason = answer.reason or _("No reason given")
    booking.save(update_fields=["state", "answered_at", "refusal_reason"])
    # The journal system knows the time is not free (double-booked there): block it in Kvitt too.
    _free_slot(booking, block=True)
    _after_booking_ended(actor, locked, booking)
    notify("booking_refused", booking.pk)
    return booking


@transaction.atomic
def record_answer(actor: Actor, booking: Booking, *, status: str, appointment_id: str = "", reason: str = "") -> Booking:
    """The journal system answers later by callback (token of the clinic's company)."""
    if status not in ("accepted", "refused"):
        raise ValidationError({"status": _("accepted or refused")})
    if not (is_clinic_actor(actor) and booking.slot.location.company.organisation_id == actor.organisation.id):
        raise PermissionDenied(_("Not your booking"))
    return _apply_answer(actor, booking, connectors.Answer(status, appointment_id[:64], reason[:300]))


def delivery_succeeded(message: OutboxMessage, answer: connectors.Answer | None) -> None:
    """Called by the outbox inside its transaction once the journal system answered 2xx."""
    if answer is None or message.event != OutboxEvent.BOOKING_CREATED:
        return
    actor = Actor.system(message.integration.location.company.organisation, label=f"journal:{message.integration.system}")
    _apply_answer(actor, message.booking, answer)


def delivery_gave_up(message: OutboxMessage) -> None:
    """The journal system never took the booking: free the slot and the coverage, tell the insurer."""
    if message.event != OutboxEvent.BOOKING_CREATED:
        return
    booking = message.booking
    assignment = booking.assignment
    actor = Actor.system(assignment.payer.organisation, label="kvitt-outbox")
    locked = cases_services.lock(assignment)
    updated = Booking.objects.filter(pk=booking.pk, state=BookingState.REQUESTED).update(state=BookingState.UNDELIVERABLE)
    if updated:
        _free_slot(booking)
        _after_booking_ended(actor, locked, booking)
        notify("booking_refused", booking.pk)


# --- reads ----------------------------------------------------------------------------------


def bookings_for(actor: Actor):
    qs = Booking.objects.select_related("assignment", "slot__location", "slot__practitioner", "assignment__payer")
    if is_payer_actor(actor):
        return qs.filter(assignment__payer__organisation=actor.organisation)
    if is_clinic_actor(actor):
        return qs.filter(slot__location__company__organisation=actor.organisation)
    return qs.none()


def integrations_for(actor: Actor):
    if is_clinic_actor(actor):
        return JournalIntegration.objects.filter(location__company__organisation=actor.organisation).select_related("location")
    return JournalIntegration.objects.none()


def live_bookings(assignment: Assignment):
    return assignment.bookings.filter(Q(state__in=LIVE_BOOKING_STATES))
