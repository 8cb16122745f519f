"""E-mail notices about bookings: to the clinic, the patient and, on a refusal, the insurer.

Sent after commit. The patient's e-mail names the time and place but no health data.
"""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kvitt.cases.notices import _send


def _booking(booking_id: int):
    from kvitt.booking.models import Booking

    return Booking.objects.select_related(
        "assignment__payer", "assignment__patient", "slot__location__company", "slot__practitioner"
    ).get(pk=booking_id)


def _when(booking) -> str:
    return date_format(timezone.localtime(booking.slot.start), "DATETIME_FORMAT")


def booking_made(booking_id: int) -> None:
    booking = _booking(booking_id)
    a, slot = booking.assignment, booking.slot
    company = slot.location.company
    with translation.override(company.language):
        _send(
            _("New booking %(sakid)s: %(when)s") % {"sakid": a.sakid, "when": _when(booking)},
            _("%(payer)s booked %(when)s with %(practitioner)s at %(location)s under SakID %(sakid)s.\n")
            % {"payer": a.payer.name, "when": _when(booking), "practitioner": slot.practitioner.name,
               "location": slot.location.name, "sakid": a.sakid},
            [company.notification_email],
        )
    if a.patient.email:
        with translation.override(a.payer.language):
            _send(
                _("Your appointment %(when)s") % {"when": _when(booking)},
                _("You have an appointment %(when)s at %(location)s, %(street)s, %(city)s.\n"
                  "Bring your SakID: %(sakid)s\n")
                % {"when": _when(booking), "location": slot.location.name, "street": slot.location.street,
                   "city": slot.location.city, "sakid": a.sakid},
                [a.patient.email],
            )


def booking_cancelled(booking_id: int) -> None:
    booking = _booking(booking_id)
    a, slot = booking.assignment, booking.slot
    company = slot.location.company
    with translation.override(company.language):
        _send(
            _("Booking cancelled %(sakid)s: %(when)s") % {"sakid": a.sakid, "when": _when(booking)},
            _("The booking %(when)s with %(practitioner)s under SakID %(sakid)s is cancelled. %(reason)s\n")
            % {"when": _when(booking), "practitioner": slot.practitioner.name, "sakid": a.sakid, "reason": booking.cancel_reason},
            [company.notification_email],
        )
    if a.patient.email:
        with translation.override(a.payer.language):
            _send(
                _("Your appointment %(when)s is cancelled") % {"when": _when(booking)},
                _("Your appointment %(when)s at %(location)s is cancelled.\n") % {"when": _when(booking), "location": slot.location.name},
                [a.patient.email],
            )


def booking_refused(booking_id: int) -> None:
    booking = _booking(booking_id)
    a = booking.assignment
    with translation.override(a.payer.language):
        _send(
            _("Booking not confirmed %(sakid)s") % {"sakid": a.sakid},
            _("The clinic's journal system did not take the booking %(when)s under SakID %(sakid)s: %(reason)s\n"
              "Book another time.\n")
            % {"when": _when(booking), "sakid": a.sakid, "reason": booking.refusal_reason or booking.get_state_display()},
            [a.payer.email],
        )
