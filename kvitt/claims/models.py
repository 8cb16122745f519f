"""Insurer-side inbound invoices: the document as received, its findings, verdict and answers."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kvitt.core.fieldcrypto import EncryptedBinaryField


class ValidationFrequency(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately")
    HOURLY = "hourly", _("Hourly")
    DAILY = "daily", _("Daily")


class ClaimsSettings(models.Model):
    """How often an insurer's invoices are validated, and when the last batch ran."""

    payer = models.OneToOneField("network.Payer", on_delete=models.CASCADE, related_name="claims_settings")
    frequency = models.CharField(max_length=12, choices=ValidationFrequency.choices, default=ValidationFrequency.IMMEDIATELY)
    daily_at = models.TimeField(default=datetime.time(6, 0))
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.payer}: {self.frequency}"


class Source(models.TextChoices):
    WEBHOOK = "webhook", _("Access point")
    UPLOAD = "upload", _("Upload")
    DIRECTORY = "directory", _("Directory")


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("Waiting for validation")
    UNREADABLE = "unreadable", _("Unreadable")
    APPROVED = "approved", _("Approved")
    DEVIATION = "deviation", _("Deviation")
    REJECTED = "rejected", _("Rejected")


DONE_STATUSES = (InboundStatus.UNREADABLE, InboundStatus.APPROVED, InboundStatus.DEVIATION, InboundStatus.REJECTED)


class InboundInvoice(models.Model):
    """One EHF Invoice or CreditNote as the insurer received it. The original bytes never change."""

    payer = models.ForeignKey("network.Payer", on_delete=models.PROTECT, related_name="inbound_invoices")
    source = models.CharField(max_length=10, choices=Source.choices)
    message_id = models.CharField(max_length=100, blank=True, help_text=_("SBDH InstanceIdentifier"))
    # Both carry the patient's national id (PatientId line property): encrypted at rest, read
    # back as the identical bytes, so ``sha256`` (of the untouched original) still matches.
    original = EncryptedBinaryField(help_text=_("The bytes as received (SBDH envelope or bare UBL)"))
    sha256 = models.CharField(max_length=64)
    document = EncryptedBinaryField(help_text=_("The UBL document inside"))
    # Parsed fields (empty when the document could not be read)
    kind = models.CharField(max_length=12, blank=True)
    number = models.CharField(max_length=100, blank=True)
    supplier_org_number = models.CharField(max_length=20, blank=True)
    supplier_name = models.CharField(max_length=200, blank=True)
    company = models.ForeignKey("network.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="inbound_invoices")
    sak_id = models.CharField(max_length=40, blank=True)
    assignment = models.ForeignKey("cases.Assignment", null=True, blank=True, on_delete=models.PROTECT, related_name="inbound_invoices")
    issue_date = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    payable_amount = models.BigIntegerField(null=True, blank=True, help_text=_("øre"))
    kid = models.CharField(max_length=25, blank=True)
    account = models.CharField(max_length=34, blank=True)
    credited_number = models.CharField(max_length=100, blank=True)
    parse_error = models.TextField(blank=True)
    ehf_valid = models.BooleanField(null=True)
    ehf_findings = models.JSONField(default=list, blank=True)
    # Validation
    status = models.CharField(max_length=10, choices=InboundStatus.choices, default=InboundStatus.RECEIVED)
    received_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    validated_at = models.DateTimeField(null=True, blank=True)
    validation_runs = models.PositiveIntegerField(default=0)
    verdict = models.JSONField(null=True, blank=True)
    approved_amount = models.BigIntegerField(null=True, blank=True, help_text=_("øre"))
    notified_at = models.DateTimeField(null=True, blank=True)
    payment_exported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # The same bytes twice from the access point are one invoice.
            models.UniqueConstraint(fields=["payer", "sha256"], name="claims_inbound_unique_bytes"),
        ]
        indexes = [
            models.Index(fields=["payer", "status", "due_at"], name="claims_inbound_queue"),
            models.Index(fields=["payer", "supplier_org_number", "number"], name="claims_inbound_number"),
        ]

    def __str__(self) -> str:
        return f"{self.kind or 'document'} {self.number or '?'} from {self.supplier_org_number or '?'}"

    @property
    def is_credit_note(self) -> bool:
        return self.kind == "CreditNote"

    @property
    def is_done(self) -> bool:
        return self.status in DONE_STATUSES


class InboundLine(models.Model):
    """One line's treatment and outcome: what later invoices are checked against for duplicates."""

    invoice = models.ForeignKey(InboundInvoice, on_delete=models.CASCADE, related_name="lines")
    line_id = models.CharField(max_length=40)
    sak_id = models.CharField(max_length=40, blank=True)
    treatment_id = models.CharField(max_length=40, blank=True)
    moment = models.CharField(max_length=16, blank=True, help_text=_("YYYY-MM-DD HH:MM, Oslo time"))
    count = models.PositiveIntegerField(default=0)
    amount = models.BigIntegerField(default=0, help_text=_("øre"))
    approved_amount = models.BigIntegerField(default=0, help_text=_("øre"))
    outcome = models.CharField(max_length=10, blank=True)
    usage_ref = models.CharField(max_length=120, blank=True, help_text=_("The coverage usage this line consumed"))

    class Meta:
        ordering = ["invoice", "id"]
        constraints = [models.UniqueConstraint(fields=["invoice", "line_id"], name="claims_line_unique")]
        indexes = [models.Index(fields=["sak_id", "moment"], name="claims_line_moment")]


class Finding(models.Model):
    """A numbered finding of one validation run (older runs are kept, not rewritten)."""

    invoice = models.ForeignKey(InboundInvoice, on_delete=models.CASCADE, related_name="findings")
    run = models.PositiveIntegerField()
    number = models.PositiveIntegerField()
    code = models.CharField(max_length=10)
    severity = models.CharField(max_length=10)
    level = models.CharField(max_length=8)
    line_id = models.CharField(max_length=40, blank=True)
    params = models.JSONField(default=dict)
    approved_amount = models.BigIntegerField(null=True, blank=True)
    waived = models.BooleanField(default=False)

    class Meta:
        ordering = ["invoice", "run", "number"]
        constraints = [models.UniqueConstraint(fields=["invoice", "run", "number"], name="claims_finding_unique")]

    def message(self, language: str = "nb") -> str:
        from kvitt.claims.reasons import reason

        return reason(self.code).message(language, self.params)


class Override(models.Model):
    """A case handler sets a finding aside, with a reason. Audit-logged; never deleted."""

    invoice = models.ForeignKey(InboundInvoice, on_delete=models.CASCADE, related_name="overrides")
    code = models.CharField(max_length=10)
    line_id = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    by_label = models.CharField(max_length=200)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["invoice", "code", "line_id"], name="claims_override_unique")]


class OutboxKind(models.TextChoices):
    EMAIL = "email", _("E-mail to the clinic")
    INVOICE_RESPONSE = "invoice_response", _("Invoice Response")


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    DEAD = "dead", _("Given up")


class NoticeOutbox(models.Model):
    """Everything the validation sends out waits here first; a worker delivers with retries."""

    invoice = models.ForeignKey(InboundInvoice, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=20, choices=OutboxKind.choices)
    key = models.CharField(max_length=120, unique=True, help_text=_("Idempotency: one notice per invoice, run and kind"))
    recipient = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    payload = models.BinaryField(null=True, blank=True, help_text=_("The SBDH-wrapped Invoice Response"))
    response_code = models.CharField(max_length=2, blank=True)
    state = models.CharField(max_length=8, choices=OutboxState.choices, default=OutboxState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=6)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="claims_outbox_due")]
