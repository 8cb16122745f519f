"""/api/v1/booking/: search, slots and bookings for insurers (and their patient apps); availability
push and booking answers for journal systems (token of the clinic's company).

The journal-system side is the contract in docs/integrations/journal-systems.md.
"""

from __future__ import annotations

import datetime
import json

from django.http import HttpRequest
from ninja import Router, Schema, Status

from kvitt.booking import availability, search, services
from kvitt.booking.models import Booking, JournalIntegration
from kvitt.cases import selectors as case_selectors
from kvitt.core.permissions import PermissionDenied

router = Router(tags=["booking"])


class ErrorOut(Schema):
    detail: str


class SlotOut(Schema):
    id: int
    start: datetime.datetime
    end: datetime.datetime
    practitioner: str
    appointment_type: str


class SearchHitOut(Schema):
    location_id: int
    name: str
    company: str
    street: str
    postcode: str
    city: str
    distance_km: float
    earliest_free: datetime.datetime | None
    practitioners: list[str]
    slots: list[SlotOut]


class SearchOut(Schema):
    origin: str
    results: list[SearchHitOut]


class BookIn(Schema):
    sakid: str
    slot_id: int
    service_codes: list[str] = []


class RebookIn(Schema):
    slot_id: int
    reason: str = ""


class CancelIn(Schema):
    reason: str = ""


class AnswerIn(Schema):
    status: str
    appointment_id: str = ""
    reason: str = ""


class BookingOut(Schema):
    id: int
    sakid: str
    state: str
    slot: SlotOut
    location_id: int
    location: str
    external_ref: str
    refusal_reason: str
    replaces: int | None


class ApplyOut(Schema):
    created: int
    updated: int
    removed: int
    kept_booked: int


def _slot_out(slot) -> SlotOut:
    return SlotOut(
        id=slot.pk, start=slot.start, end=slot.end, practitioner=slot.practitioner.name,
        appointment_type=slot.appointment_type.name if slot.appointment_type else "",
    )


def _booking_out(booking: Booking) -> BookingOut:
    return BookingOut(
        id=booking.pk, sakid=booking.assignment.sakid, state=booking.state, slot=_slot_out(booking.slot),
        location_id=booking.slot.location_id, location=booking.slot.location.name, external_ref=booking.external_ref,
        refusal_reason=booking.refusal_reason, replaces=booking.replaces_id,
    )


def _visible_booking(actor, booking_id: int) -> Booking:
    booking = services.bookings_for(actor).filter(pk=booking_id).first()
    if booking is None:
        raise PermissionDenied("No such booking, or not yours")
    return booking


@router.get("/search", response=SearchOut)
def search_clinics(
    request, latitude: float | None = None, longitude: float | None = None, postcode: str = "",
    radius_km: float = search.DEFAULT_RADIUS_KM, profession: str = "", competence: str = "",
    sort: str = search.SORT_DISTANCE, limit: int = 20, slots: int = 3,
):
    try:
        origin, results = search.search_locations(
            request.auth, latitude=latitude, longitude=longitude, postcode=postcode, radius_km=radius_km,
            profession=profession, competence=competence, sort=sort, limit=min(limit, 100),
            slots_per_result=min(slots, 10),
        )
    except ValueError as exc:
        from django.core.exceptions import ValidationError

        raise ValidationError(str(exc))
    return SearchOut(
        origin=origin.label,
        results=[
            SearchHitOut(
                location_id=r.location.pk, name=r.location.name, company=r.location.company.name, street=r.location.street,
                postcode=r.location.postcode, city=r.location.city, distance_km=r.distance_km, earliest_free=r.earliest_free,
                practitioners=[p.name for p in r.practitioners], slots=[_slot_out(s) for s in r.first_slots],
            )
            for r in results
        ],
    )


@router.get("/bookings", response=list[BookingOut])
def list_bookings(request, sakid: str = ""):
    qs = services.bookings_for(request.auth).select_related("slot__appointment_type")
    if sakid:
        qs = qs.filter(assignment__sakid=sakid.upper())
    return [_booking_out(b) for b in qs[:500]]


@router.post("/bookings", response={201: BookingOut, 409: ErrorOut})
def book(request, payload: BookIn):
    actor = request.auth
    assignment = case_selectors.get_assignment(actor, payload.sakid)
    try:
        booking = services.book_slot(actor, assignment, payload.slot_id, service_codes=payload.service_codes or None)
    except services.SlotUnavailable as exc:
        return Status(409, ErrorOut(detail=" ".join(exc.messages)))
    return Status(201, _booking_out(booking))


@router.get("/bookings/{booking_id}", response=BookingOut)
def get_booking(request, booking_id: int):
    return _booking_out(_visible_booking(request.auth, booking_id))


@router.post("/bookings/{booking_id}/cancel", response=BookingOut)
def cancel(request, booking_id: int, payload: CancelIn):
    return _booking_out(services.cancel_booking(request.auth, _visible_booking(request.auth, booking_id), payload.reason))


@router.post("/bookings/{booking_id}/rebook", response={201: BookingOut, 409: ErrorOut})
def move(request, booking_id: int, payload: RebookIn):
    booking = _visible_booking(request.auth, booking_id)
    try:
        new = services.rebook(request.auth, booking, payload.slot_id, payload.reason)
    except services.SlotUnavailable as exc:
        return Status(409, ErrorOut(detail=" ".join(exc.messages)))
    return Status(201, _booking_out(new))


@router.post("/bookings/{booking_id}/answer", response=BookingOut)
def answer(request, booking_id: int, payload: AnswerIn):
    """The journal system's later answer to a booking it took with 202 pending."""
    booking = _visible_booking(request.auth, booking_id)
    return _booking_out(
        services.record_answer(request.auth, booking, status=payload.status, appointment_id=payload.appointment_id, reason=payload.reason)
    )


@router.post("/integrations/{integration_id}/availability", response={200: ApplyOut, 400: ErrorOut})
def push_availability(request: HttpRequest, integration_id: int):
    """The journal system pushes an availability snapshot for its location."""
    integration = JournalIntegration.objects.select_related("location__company").filter(pk=integration_id).first()
    if integration is None:
        raise PermissionDenied("No such integration, or not yours")
    try:
        data = json.loads(request.body)
    except ValueError as exc:
        return Status(400, ErrorOut(detail=f"the body is not JSON: {exc}"))
    try:
        report = services.receive_availability(request.auth, integration, data)
    except availability.AvailabilityError as exc:
        return Status(400, ErrorOut(detail=str(exc)))
    return Status(200, ApplyOut(**report.as_dict()))
