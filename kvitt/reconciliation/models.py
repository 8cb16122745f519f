"""Reconciliation state: which systems each care event passes through and what each said.

``TrackedEvent`` is the reconciliation's own row per care event (by its care event number):
the few facts the status matrix filters and totals on, kept here so a month of a million
events is one indexed table, not a scan of the ledger's JSON columns. It carries no patient
identity; ``care_event_id`` leads back to the ledger when the event is Kvitt's own.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kvitt.core.models import Organisation
from kvitt.reconciliation.statuses import STATUS_CHOICES


class DownstreamSystem(models.Model):
    """A system a care event passes on its way to the money (GVR, Ersmo, HEJ, Vårdfaktura,
    Helfo, an insurer, patient invoicing, collection), registered per organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="downstream_systems")
    code = models.CharField(max_length=32, help_text=_("Short code used in files and the API, e.g. VF"))
    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0, help_text=_("Column order in the matrix"))
    route = models.CharField(
        max_length=16, blank=True,
        help_text=_("Ledger route whose amount this system invoices (insurer, helfo, home_region, patient)"),
    )
    payer = models.ForeignKey("network.Payer", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kvitt_route = models.BooleanField(default=False, help_text=_("Kvitt itself reports this system's statuses"))
    invoicing = models.BooleanField(default=False, help_text=_("The last system before the invoice"))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "code"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="downstream_system_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} ({self.name})"


class TrackedEvent(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    number = models.CharField(max_length=64, help_text=_("Care event number (vårdhändelsenummer)"))
    care_event_id = models.UUIDField(null=True, blank=True, db_index=True, help_text=_("Ledger event_id"))
    start = models.DateTimeField()
    period = models.DateField(help_text=_("First day of the event's month"))
    unit_code = models.CharField(max_length=64, blank=True)
    unit_name = models.CharField(max_length=200, blank=True)
    practitioner_code = models.CharField(max_length=64, blank=True)
    practitioner_name = models.CharField(max_length=200, blank=True)
    product_code = models.CharField(max_length=32, blank=True, help_text=_("The product code the provider expects"))
    product_codes = models.JSONField(default=list, blank=True)
    amounts = models.JSONField(default=dict, blank=True, help_text=_("Expected amount in öre per route"))
    amount_ore = models.BigIntegerField(default=0, help_text=_("Expected total in öre"))
    voided = models.BooleanField(default=False)
    origin = models.CharField(max_length=16, default="ledger")  # ledger | ersmo | import
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["period", "number"]
        constraints = [models.UniqueConstraint(fields=["organisation", "number"], name="tracked_event_unique_number")]
        indexes = [
            models.Index(fields=["organisation", "period", "number"]),
            models.Index(fields=["organisation", "product_code"]),
            models.Index(fields=["organisation", "unit_code"]),
            models.Index(fields=["organisation", "practitioner_code"]),
            models.Index(fields=["organisation", "unit_name"]),
            models.Index(fields=["organisation", "practitioner_name"]),
        ]

    def __str__(self) -> str:
        return self.number


class ImportRun(models.Model):
    """One file (or API batch) read: its hash, who sent it, and what it changed."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Applied")
        UNCHANGED = "unchanged", _("Nothing changed")
        FAILED = "failed", _("Failed; nothing stored")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)  # csv | xlsx | ersmo-xml | api | kvitt
    file_name = models.CharField(max_length=255, blank=True)
    file_hash = models.CharField(max_length=64, blank=True, db_index=True)
    size = models.BigIntegerField(default=0)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    error = models.TextField(blank=True)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    stale = models.PositiveIntegerField(default=0, help_text=_("Rows older than the status already held"))
    changes = models.JSONField(default=dict, blank=True, help_text=_("Counts per system and status"))

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} {self.outcome}"


class EventStatus(models.Model):
    """The current word of one system on one care event."""

    event = models.ForeignKey(TrackedEvent, on_delete=models.CASCADE, related_name="statuses")
    system = models.ForeignKey(DownstreamSystem, on_delete=models.PROTECT, related_name="statuses")
    status = models.CharField(max_length=8, choices=STATUS_CHOICES)
    code = models.CharField(max_length=32, blank=True)
    text = models.CharField(max_length=500, blank=True)
    status_time = models.DateTimeField()
    source = models.CharField(max_length=120, blank=True)
    product_code = models.CharField(max_length=32, blank=True, help_text=_("The product code the system assigned"))
    amount_ore = models.BigIntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    import_run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "system"], name="event_status_one_per_system")]
        indexes = [models.Index(fields=["system", "status"])]


class StatusHistory(models.Model):
    """Every status ever recorded, in order; never updated."""

    event = models.ForeignKey(TrackedEvent, on_delete=models.CASCADE, related_name="history")
    system = models.ForeignKey(DownstreamSystem, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=STATUS_CHOICES)
    code = models.CharField(max_length=32, blank=True)
    text = models.CharField(max_length=500, blank=True)
    status_time = models.DateTimeField()
    source = models.CharField(max_length=120, blank=True)
    product_code = models.CharField(max_length=32, blank=True)
    amount_ore = models.BigIntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.CharField(max_length=200, blank=True)
    import_run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["event", "system", "status_time", "id"]
        indexes = [models.Index(fields=["event", "system", "status_time"])]


class ReportDefinition(models.Model):
    """A user's saved view: columns, filters, grouping and sort (see reports.py for the keys)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_definitions")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    columns = models.JSONField(default=list)
    filters = models.JSONField(default=dict, blank=True)
    group_by = models.JSONField(default=list, blank=True)
    sort = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "organisation", "name"], name="report_definition_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ScheduledReport(models.Model):
    """A daily e-mail with the Excel export of one or more of a user's report definitions."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scheduled_reports")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    definitions = models.ManyToManyField(ReportDefinition, related_name="schedules")
    email = models.EmailField()
    hour = models.PositiveSmallIntegerField(default=6, help_text=_("Local hour of day to send (0-23)"))
    active = models.BooleanField(default=True)
    last_sent_on = models.DateField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)


class Export(models.Model):
    """A requested Excel export; the worker writes it and reports progress here."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    role = models.CharField(max_length=32)
    definitions = models.JSONField(default=list, help_text=_("Report definitions as saved when requested"))
    title = models.CharField(max_length=200)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    file_path = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
