"""Calendars from the clinics' journal systems, bookings, and the outbox that delivers them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from kvitt.booking.sealing import SealedTextField
from kvitt.core.fieldcrypto import EncryptedJSONField


class IntegrationStatus(models.TextChoices):
    DRAFT = "draft", _("Not yet tested")
    ACTIVE = "active", _("Active")
    FAILING = "failing", _("Connection failing")
    DISABLED = "disabled", _("Disabled")


class JournalIntegration(models.Model):
    """One location's link to its journal system (EPJ). Keys are stored sealed, never shown back."""

    location = models.OneToOneField("network.Location", on_delete=models.PROTECT, related_name="journal_integration")
    system = models.CharField(max_length=40, help_text=_("Which connector talks to the journal system"))
    base_url = models.URLField(help_text=_("The journal system's Kvitt endpoint, from the vendor"))
    client_id = models.CharField(max_length=120, blank=True)
    # Tokens of kvitt.booking.sealing (field-encryption keyring): open them with sealing.unseal.
    api_key_sealed = SealedTextField(blank=True, help_text=_("The vendor's API key, encrypted"))
    webhook_key_sealed = SealedTextField(help_text=_("HMAC-SHA256 key for X-Kvitt-Signature, encrypted"))
    status = models.CharField(max_length=10, choices=IntegrationStatus.choices, default=IntegrationStatus.DRAFT)
    activated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    activated_at = models.DateTimeField(null=True, blank=True)
    last_test_at = models.DateTimeField(null=True, blank=True)
    last_test_ok = models.BooleanField(null=True, blank=True)
    last_test_message = models.CharField(max_length=300, blank=True)
    last_pull_at = models.DateTimeField(null=True, blank=True)
    last_pull_message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.system} @ {self.location_id}"

    @property
    def has_api_key(self) -> bool:
        return bool(self.api_key_sealed)


class Calendar(models.Model):
    """A practitioner's calendar at one location, as the journal system keeps it."""

    practitioner = models.ForeignKey("network.Practitioner", on_delete=models.PROTECT, related_name="calendars")
    location = models.ForeignKey("network.Location", on_delete=models.PROTECT, related_name="calendars")
    integration = models.ForeignKey(JournalIntegration, null=True, blank=True, on_delete=models.SET_NULL, related_name="calendars")
    external_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["location", "practitioner"], name="calendar_one_per_practitioner_location")]

    def __str__(self) -> str:
        return f"calendar {self.practitioner_id}@{self.location_id}"


class AppointmentType(models.Model):
    location = models.ForeignKey("network.Location", on_delete=models.PROTECT, related_name="appointment_types")
    external_id = models.CharField(max_length=64)
    name = models.CharField(max_length=120)
    duration_minutes = models.PositiveIntegerField()
    online_bookable = models.BooleanField(default=False)
    professions = models.JSONField(default=list, blank=True)
    service_codes = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["location", "external_id"], name="appointment_type_unique_per_location")]

    def __str__(self) -> str:
        return f"{self.name} ({self.duration_minutes} min)"


class SlotStatus(models.TextChoices):
    FREE = "free", pgettext_lazy("slot state", "Free")
    BOOKED = "booked", pgettext_lazy("slot state", "Booked")
    BLOCKED = "blocked", pgettext_lazy("slot state", "Blocked")


class Slot(models.Model):
    """A bookable time. Location and practitioner are copied from the calendar so search needs no join."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="slots")
    location = models.ForeignKey("network.Location", on_delete=models.PROTECT, related_name="slots")
    practitioner = models.ForeignKey("network.Practitioner", on_delete=models.PROTECT, related_name="slots")
    appointment_type = models.ForeignKey(AppointmentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="slots")
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=8, choices=SlotStatus.choices, default=SlotStatus.FREE)
    external_id = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["location", "status", "start"], name="slot_location_free_start"),
            models.Index(fields=["practitioner", "start"], name="slot_practitioner_start"),
            # "Earliest free time first" walks free slots in time order across many locations.
            models.Index(fields=["status", "start"], name="slot_status_start"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "start"], name="slot_unique_start_per_calendar"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="slot_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} ({self.get_status_display()})"


class BookingState(models.TextChoices):
    REQUESTED = "requested", _("Sent to the clinic's journal system")
    ACCEPTED = "accepted", _("Confirmed by the clinic")
    REFUSED = "refused", _("Refused by the clinic")
    CANCELLED = "cancelled", pgettext_lazy("booking state", "Cancelled")
    UNDELIVERABLE = "undeliverable", _("Could not be delivered")


LIVE_BOOKING_STATES = (BookingState.REQUESTED, BookingState.ACCEPTED)


class Booking(models.Model):
    PRIVACY = {"assignment": "identity", "service_codes": "clinical"}

    assignment = models.ForeignKey("cases.Assignment", on_delete=models.PROTECT, related_name="bookings")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    state = models.CharField(max_length=14, choices=BookingState.choices, default=BookingState.REQUESTED)
    service_codes = models.JSONField(default=list, blank=True)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    booked_by_label = models.CharField(max_length=200)
    booked_by_organisation = models.ForeignKey("core.Organisation", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    external_ref = models.CharField(max_length=64, blank=True, help_text=_("The journal system's appointment id"))
    answered_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.CharField(max_length=300, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The last line of defence behind the conditional UPDATE on the slot.
            models.UniqueConstraint(fields=["slot"], condition=Q(state__in=["requested", "accepted"]), name="booking_one_live_per_slot"),
        ]

    def __str__(self) -> str:
        return f"Booking #{self.pk} {self.get_state_display()}"

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_BOOKING_STATES


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    IN_FLIGHT = "in_flight", _("Being sent")
    DELIVERED = "delivered", _("Delivered")
    DEAD = "dead", _("Gave up")


class OutboxEvent(models.TextChoices):
    BOOKING_CREATED = "booking.created", "booking.created"
    BOOKING_CANCELLED = "booking.cancelled", "booking.cancelled"


class OutboxMessage(models.Model):
    """A webhook to a journal system. Marked delivered only after a 2xx; a worker that dies
    while holding it loses its lease and another worker sends it again."""

    integration = models.ForeignKey(JournalIntegration, on_delete=models.PROTECT, related_name="outbox")
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="outbox")
    event = models.CharField(max_length=32, choices=OutboxEvent.choices)
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    payload = EncryptedJSONField()  # carries the patient's national id: encrypted at rest (kvitt.core.fieldcrypto)
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk} ({self.status})"
