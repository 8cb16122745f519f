"""Outgoing EHF invoices and credit notes, their numbering and their delivery outbox.

Numbers come from one counter row per company, taken with ``select_for_update`` in the same
transaction that stores the invoice: a failed build rolls the counter back with it, so the
series has no gaps, and since invoices are never deleted (PROTECT everywhere) no number is
ever reused.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kvitt.core.fieldcrypto import EncryptedBinaryField, EncryptedTextField


class InvoiceCounter(models.Model):
    company = models.OneToOneField("network.Company", on_delete=models.PROTECT, related_name="einvoice_counter")
    last_number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.company_id}: {self.last_number}"


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class InvoiceStatus(models.TextChoices):
    CREATED = "created", _("Created")  # built; validation found fatal errors, so it cannot be sent
    VALIDATED = "validated", _("Validated")
    QUEUED = "queued", _("Queued for delivery")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Delivery failed")


class ReceiverResponse(models.TextChoices):
    """Peppol Invoice Response 3.1 codes (UNCL 4343 subset)."""

    AB = "AB", _("Received")
    IP = "IP", _("In process")
    UQ = "UQ", _("Under query")
    CA = "CA", _("Conditionally accepted")
    RE = "RE", _("Rejected")
    AP = "AP", _("Accepted")
    PD = "PD", _("Paid")


class OutgoingInvoice(models.Model):
    """An Invoice (380) or CreditNote (381) a clinic company issued through Kvitt."""

    PRIVACY = {"document_xml": "clinical", "lines": "clinical"}

    company = models.ForeignKey("network.Company", on_delete=models.PROTECT, related_name="einvoices")
    payer = models.ForeignKey("network.Payer", on_delete=models.PROTECT, related_name="einvoices")
    kind = models.CharField(max_length=12, choices=DocumentKind.choices, default=DocumentKind.INVOICE)
    number = models.PositiveBigIntegerField()
    sak_id = models.CharField(max_length=20, db_index=True)
    issue_date = models.DateField()
    due_date = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="NOK")
    kid = models.CharField(max_length=25, blank=True)
    total_amount = models.BigIntegerField(help_text=_("Payable amount in øre"))
    credited_invoice = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes"
    )
    reason = models.CharField(max_length=300, blank=True)
    document_xml = EncryptedTextField()  # holds the PatientId: encrypted at rest (kvitt.core.fieldcrypto)
    status = models.CharField(max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.CREATED)
    validation_findings = models.JSONField(default=list, blank=True)
    message_id = models.CharField(max_length=64, unique=True)
    receiver_response = models.CharField(max_length=2, choices=ReceiverResponse.choices, blank=True)
    receiver_response_note = models.CharField(max_length=500, blank=True)
    receiver_response_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="einvoice_number_unique_per_company"),
            models.CheckConstraint(
                condition=models.Q(kind="invoice", credited_invoice__isnull=True)
                | models.Q(kind="credit_note", credited_invoice__isnull=False),
                name="einvoice_credit_note_names_invoice",
            ),
        ]
        indexes = [models.Index(fields=["company", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number} ({self.company_id})"

    @property
    def is_credit_note(self) -> bool:
        return self.kind == DocumentKind.CREDIT_NOTE

    @property
    def can_send(self) -> bool:
        return self.status == InvoiceStatus.VALIDATED

    @property
    def fatal_findings(self) -> list[dict]:
        return [f for f in self.validation_findings if f.get("flag") == "fatal"]


class OutgoingInvoiceLine(models.Model):
    """One care event on an invoice (the version that was invoiced)."""

    invoice = models.ForeignKey(OutgoingInvoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveIntegerField()
    care_event = models.ForeignKey("ledger.CareEvent", on_delete=models.PROTECT, related_name="einvoice_lines")
    event_id = models.UUIDField(db_index=True, help_text=_("The care event's stable id across versions"))
    treatment_id = models.CharField(max_length=20)
    description = models.CharField(max_length=300)
    treatment_at = models.DateTimeField()
    amount = models.BigIntegerField(help_text=_("øre"))

    class Meta:
        ordering = ["invoice", "position"]
        constraints = [models.UniqueConstraint(fields=["invoice", "position"], name="einvoice_line_position_unique")]


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    IN_FLIGHT = "in_flight", _("Being sent")
    ACCEPTED = "accepted", _("Taken by the access point")
    DELIVERED = "delivered", _("Delivered")
    DEAD = "dead", _("Given up")


class DeliveryOutbox(models.Model):
    """The invoice's envelope waiting for (or done with) the access point.

    A worker claims the row with a lease; a worker that dies loses the lease and another one
    sends again under the same message id, which the access point de-duplicates.
    """

    invoice = models.OneToOneField(OutgoingInvoice, on_delete=models.PROTECT, related_name="outbox")
    message_id = models.CharField(max_length=64, unique=True)
    envelope = EncryptedBinaryField()  # the SBDH-wrapped invoice, PatientId inside: encrypted at rest
    transport = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=6)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    polls = models.PositiveIntegerField(default=0)
    remote_id = models.CharField(max_length=200, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="einvoice_outbox_due")]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.status})"
