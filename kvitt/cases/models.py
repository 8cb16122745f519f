"""Insurer treatment assignments: the SakID, what it covers, its state and its usage ledger."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class AssignmentState(models.TextChoices):
    OPEN = "open", _("Open")
    BOOKED = "booked", _("Booked")
    IN_TREATMENT = "in_treatment", _("In treatment")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", pgettext_lazy("assignment state", "Cancelled")


# Which state may follow which. "booked -> open" happens when the last live booking is cancelled.
TRANSITIONS: dict[str, frozenset[str]] = {
    # open -> in treatment: the clinic booked by phone and the first invoice line arrives.
    AssignmentState.OPEN: frozenset(
        {AssignmentState.BOOKED, AssignmentState.IN_TREATMENT, AssignmentState.CLOSED, AssignmentState.CANCELLED}
    ),
    AssignmentState.BOOKED: frozenset(
        {AssignmentState.OPEN, AssignmentState.IN_TREATMENT, AssignmentState.CLOSED, AssignmentState.CANCELLED}
    ),
    AssignmentState.IN_TREATMENT: frozenset({AssignmentState.COMPLETED, AssignmentState.CLOSED}),
    AssignmentState.COMPLETED: frozenset(),
    AssignmentState.CLOSED: frozenset(),
    AssignmentState.CANCELLED: frozenset(),
}

# States in which the clinic may still book and treat under the assignment.
ACTIVE_STATES = (AssignmentState.OPEN, AssignmentState.BOOKED, AssignmentState.IN_TREATMENT)


class Assignment(models.Model):
    """A treatment assignment (behandlingsoppdrag). The SakID is the patient's coverage confirmation."""

    PRIVACY = {"patient": "identity", "diagnosis_text": "clinical", "notes_for_clinic": "clinical"}

    sakid = models.CharField(max_length=12, unique=True, editable=False)
    payer = models.ForeignKey("network.Payer", on_delete=models.PROTECT, related_name="assignments")
    patient = models.ForeignKey("ledger.Patient", on_delete=models.PROTECT, related_name="assignments")
    company = models.ForeignKey(
        "network.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="assignments",
        help_text=_("Set when the insurer assigns a clinic or a booking is made"),
    )
    location = models.ForeignKey("network.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="assignments")
    state = models.CharField(max_length=16, choices=AssignmentState.choices, default=AssignmentState.OPEN)
    # Coverage
    professions = models.JSONField(default=list, help_text=_("Professions that may treat under this assignment"))
    service_codes = models.JSONField(default=list, blank=True, help_text=_("Allowed service codes; empty means any"))
    max_treatments = models.PositiveIntegerField()
    max_amount = models.BigIntegerField(help_text=_("Maximum amount in øre"))
    valid_from = models.DateField()
    valid_to = models.DateField()
    referral_required = models.BooleanField(default=False)
    diagnosis_text = models.CharField(max_length=300, blank=True)
    notes_for_clinic = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["payer", "state"]), models.Index(fields=["company", "state"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(valid_to__gte=models.F("valid_from")), name="assignment_valid_period"),
            models.CheckConstraint(condition=models.Q(max_amount__gte=0), name="assignment_max_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.sakid

    def clean(self) -> None:
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The coverage cannot end before it starts")})
        if not self.professions:
            raise ValidationError({"professions": _("Name at least one profession")})
        if self.max_treatments < 1:
            raise ValidationError({"max_treatments": _("At least one treatment must be covered")})

    def covers_day(self, day) -> bool:
        return self.valid_from <= day <= self.valid_to

    def covers_service_code(self, code: str) -> bool:
        return not self.service_codes or code in self.service_codes

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES


class StateChange(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="state_changes")
    from_state = models.CharField(max_length=16, choices=AssignmentState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=AssignmentState.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    by_label = models.CharField(max_length=200)
    organisation = models.ForeignKey("core.Organisation", null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]


class UsageKind(models.TextChoices):
    RESERVE = "reserve", _("Reserved by a booking")
    RELEASE = "release", _("Reservation released")
    CONSUME = "consume", _("Consumed by an approved invoice line")
    REVERSE = "reverse", _("Consumption reversed (credit note)")


class UsageEntry(models.Model):
    """One movement on an assignment's coverage. Append-only; the balance is their sum."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="usage")
    kind = models.CharField(max_length=8, choices=UsageKind.choices)
    count = models.PositiveIntegerField()
    amount = models.BigIntegerField(default=0, help_text=_("øre"))
    source_ref = models.CharField(max_length=120, help_text=_("booking:12, invoice:INV-1#line-2 ..."))
    at = models.DateTimeField(default=timezone.now)
    actor_label = models.CharField(max_length=200)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            # Replaying the same source (a re-sent invoice, a retried booking) changes nothing.
            models.UniqueConstraint(fields=["assignment", "kind", "source_ref"], name="usage_unique_source"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="usage_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.kind} {self.count} / {self.amount} øre ({self.source_ref})"
