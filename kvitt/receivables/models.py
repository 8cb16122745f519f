"""Patient invoices and their follow-up: entries, dunning (as dated data), plans, collection."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kvitt.core.models import Organisation


class ReferenceScheme(models.TextChoices):
    KID_MOD10 = "kid_mod10", _("KID, MOD10")
    KID_MOD11 = "kid_mod11", _("KID, MOD11")
    OCR = "ocr", _("OCR reference (Luhn)")
    OCR_LENGTH = "ocr_length", _("OCR reference with length digit")


class CreditorSettings(models.Model):
    """How one organisation bills its patients: account, reference scheme, terms, agency."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="creditor_settings")
    country = models.CharField(max_length=2, default="NO")
    currency = models.CharField(max_length=3, default="NOK")
    account = models.CharField(max_length=20, help_text=_("NO account number or SE bankgiro"))
    reference_scheme = models.CharField(max_length=12, choices=ReferenceScheme.choices, default=ReferenceScheme.KID_MOD10)
    reference_length = models.PositiveSmallIntegerField(default=10)
    payment_terms_days = models.PositiveSmallIntegerField(default=14)
    reminder_fee_agreed = models.BooleanField(
        default=False, help_text=_("SE: a reminder fee may only be charged when agreed when the debt arose")
    )
    small_claim_threshold_minor = models.PositiveIntegerField(default=50000)
    collection_agency = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="collection_clients"
    )
    next_number = models.PositiveIntegerField(default=1)


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAID = "paid", _("Paid")
    CREDITED = "credited", _("Credited")
    WRITTEN_OFF = "written_off", _("Written off")


class DunningStage(models.TextChoices):
    NONE = "", _("Not in dunning")
    REMINDER = "reminder", _("Reminder sent")
    NOTICE = "notice", _("Collection notice sent")
    COLLECTION = "collection", _("Handed over to collection")


class PatientInvoice(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="patient_invoices")
    patient = models.ForeignKey("ledger.Patient", on_delete=models.PROTECT, related_name="invoices")
    number = models.PositiveIntegerField()
    reference = models.CharField(max_length=25)
    country = models.CharField(max_length=2)
    currency = models.CharField(max_length=3)
    issue_date = models.DateField()
    due_date = models.DateField()
    channel = models.CharField(max_length=10, default="email")
    status = models.CharField(max_length=12, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN)
    principal_minor = models.BigIntegerField()
    open_minor = models.BigIntegerField(help_text=_("What the patient owes now: principal, fees and interest"))
    credit_balance_minor = models.BigIntegerField(default=0)
    disputed = models.BooleanField(default=False)
    awaiting_insurance = models.BooleanField(default=False)
    deferred_until = models.DateField(null=True, blank=True)
    dunning_stage = models.CharField(max_length=12, choices=DunningStage.choices, default="", blank=True)
    last_letter_on = models.DateField(null=True, blank=True)
    fees_charged = models.PositiveSmallIntegerField(default=0)
    interest_booked_until = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by_label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-issue_date", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="patient_invoice_number_unique"),
            models.UniqueConstraint(fields=["organisation", "reference"], name="patient_invoice_reference_unique"),
        ]
        indexes = [models.Index(fields=["organisation", "status", "due_date"])]

    def __str__(self) -> str:
        return f"Invoice {self.number}"

    @property
    def on_plan(self) -> bool:
        return self.plans.filter(status=PlanStatus.ACTIVE).exists()


class LineKind(models.TextChoices):
    PATIENT_SHARE = "patient_share", _("Patient share")
    UNINSURED = "uninsured", _("Treatment not covered")
    MATERIAL = "material", _("Materials")
    RECORDS = "records", _("Copy of records sent by post")


class InvoiceLine(models.Model):
    """A line in words a patient understands. Never a diagnosis or a tariff code."""

    invoice = models.ForeignKey(PatientInvoice, on_delete=models.PROTECT, related_name="lines")
    care_event = models.ForeignKey("ledger.CareEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=LineKind.choices)
    text = models.CharField(max_length=200)
    service_date = models.DateField(null=True, blank=True)
    amount_minor = models.BigIntegerField()


class Component(models.TextChoices):
    PRINCIPAL = "principal", _("Principal")
    FEE = "fee", _("Fees")
    INTEREST = "interest", _("Interest")
    CREDIT = "credit", _("Credit balance")


class EntryKind(models.TextChoices):
    INVOICED = "invoiced", _("Invoiced")
    FEE = "fee", _("Fee")
    INTEREST = "interest", _("Interest")
    PAYMENT = "payment", _("Payment")
    REVERSAL = "reversal", _("Payment reversed")
    CREDIT_NOTE = "credit_note", _("Credited")
    WRITE_OFF = "write_off", _("Written off")
    OVERPAYMENT = "overpayment", _("Overpayment (credit balance)")
    REFUND = "refund", _("Refunded")


class Entry(models.Model):
    """One movement on an invoice. Positive amounts increase what the patient owes on that
    component; the credit component holds money the patient has to their good (negative)."""

    invoice = models.ForeignKey(PatientInvoice, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    component = models.CharField(max_length=10, choices=Component.choices)
    amount_minor = models.BigIntegerField()
    booked_on = models.DateField()
    bank_transaction_id = models.BigIntegerField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by_label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["booked_on", "id"]
        constraints = [
            # A bank transaction is applied to one invoice component at most once per kind.
            models.UniqueConstraint(
                fields=["invoice", "bank_transaction_id", "kind", "component"],
                condition=Q(bank_transaction_id__isnull=False),
                name="entry_bank_transaction_once",
            )
        ]


class DunningStep(models.Model):
    """One step of the dunning ladder for a country, valid for a period (law changes)."""

    country = models.CharField(max_length=2)
    code = models.CharField(max_length=12, choices=DunningStage.choices[1:])
    order = models.PositiveSmallIntegerField()
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    days_after = models.PositiveSmallIntegerField(help_text=_("Days after the due date (first step) or the previous letter's deadline"))
    days_to_pay = models.PositiveSmallIntegerField(default=14)
    fee_rule = models.CharField(max_length=16, help_text=_("none | inkassosats_20 | fixed"))
    fee_minor = models.PositiveIntegerField(default=0)
    requires_agreement = models.BooleanField(default=False)
    max_fees = models.PositiveSmallIntegerField(default=2)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["country", "order", "valid_from"]


class Rate(models.Model):
    """A dated rate or amount: inkassosats, forsinkelsesrente, referensränta, plan fee."""

    country = models.CharField(max_length=2)
    kind = models.CharField(max_length=24)
    valid_from = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=4)
    verified = models.BooleanField(default=True)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["country", "kind", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["country", "kind", "valid_from"], name="rate_unique")]


class Letter(models.Model):
    """Every step's letter or message, kept as sent."""

    invoice = models.ForeignKey(PatientInvoice, on_delete=models.PROTECT, related_name="letters")
    step = models.CharField(max_length=12)
    sent_on = models.DateField()
    pay_by = models.DateField(null=True, blank=True)
    fee_minor = models.BigIntegerField(default=0)
    interest_minor = models.BigIntegerField(default=0)
    open_minor = models.BigIntegerField()
    channel = models.CharField(max_length=10)
    subject = models.CharField(max_length=200)
    body = models.TextField()

    class Meta:
        ordering = ["sent_on", "id"]


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    BREACHED = "breached", _("Breached")
    COMPLETED = "completed", _("Completed")


class InstalmentPlan(models.Model):
    invoice = models.ForeignKey(PatientInvoice, on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    fee_minor = models.BigIntegerField(default=0)
    grace_days = models.PositiveSmallIntegerField(default=14)
    created_at = models.DateTimeField(default=timezone.now)
    created_by_label = models.CharField(max_length=200)
    breached_on = models.DateField(null=True, blank=True)


class Instalment(models.Model):
    plan = models.ForeignKey(InstalmentPlan, on_delete=models.CASCADE, related_name="instalments")
    due_date = models.DateField()
    amount_minor = models.BigIntegerField()

    class Meta:
        ordering = ["due_date"]


class ContactKind(models.TextChoices):
    CALL = "call", _("Phone call")
    CALLBACK = "callback", _("Callback task")
    NOTE = "note", _("Note")
    DEFERRAL = "deferral", _("Deferral granted")
    PREFERENCE = "preference", _("Contact preference")
    BASIS_QUESTION = "basis", _("Question about the basis (to the clinic)")
    PAYMENT_QUESTION = "payment", _("Question about payment (to collection)")
    REQUEST = "request", _("Patient request")


class ContactLog(models.Model):
    """The collection workspace's log. Free text here must never hold clinical details."""

    invoice = models.ForeignKey(PatientInvoice, on_delete=models.PROTECT, related_name="contacts")
    kind = models.CharField(max_length=12, choices=ContactKind.choices)
    text = models.TextField(blank=True)
    due_date = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)
    routed_to = models.CharField(max_length=12, blank=True, help_text=_("clinic | collection"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by_label = models.CharField(max_length=200)

    class Meta:
        ordering = ["-created_at"]


class ThirdPartyAuthorisation(models.Model):
    patient = models.ForeignKey("ledger.Patient", on_delete=models.PROTECT, related_name="third_party_authorisations")
    name = models.CharField(max_length=200)
    relation = models.CharField(max_length=100)
    document_reference = models.CharField(max_length=200, help_text=_("Where the signed written authorisation is kept"))
    valid_until = models.DateField(null=True, blank=True)
    registered_by_label = models.CharField(max_length=200)
    registered_at = models.DateTimeField(default=timezone.now)


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CREDITED = "credited", _("Credited")
    CONCILIATION = "conciliation", _("Sent to the conciliation board")
    REJECTED = "rejected", _("Claim upheld")


class Dispute(models.Model):
    invoice = models.ForeignKey(PatientInvoice, on_delete=models.PROTECT, related_name="disputes")
    reason = models.TextField()
    status = models.CharField(max_length=14, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    raised_by_label = models.CharField(max_length=200)
    raised_at = models.DateTimeField(default=timezone.now)
    decided_by_label = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
