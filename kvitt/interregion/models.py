"""Inter-regional billing state: invoice bases sent and received, their delivery, invoices,
matches, disputes, and the pricing and directory data the bases are built from.

Money is integer öre. A received basis carries patient identity and clinical codes
(privacy classes 'identity' and 'clinical'); only the home region's billing officers read
them, through ``selectors.py``, which writes the audit log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kvitt.core.fieldcrypto import EncryptedCharField, EncryptedTextField
from kvitt.core.models import Organisation
from kvitt.core.secretfiles import validate_key_path

CONTRACT = "urn:riv:financial:billing:claim:ProcessClaimSpecificationResponder:1"


class RegionDirectory(models.Model):
    """County (län) code -> the region that pays for its residents' care elsewhere."""

    county_code = models.CharField(max_length=2, unique=True)
    name = models.CharField(max_length=100)
    org_number = models.CharField(max_length=10)

    class Meta:
        ordering = ["county_code"]

    def __str__(self) -> str:
        return f"{self.county_code} {self.name}"


class PatientRegistration(models.Model):
    """Population-register details the basis needs and the ledger's patient does not hold."""

    patient = models.OneToOneField("ledger.Patient", on_delete=models.PROTECT, related_name="se_registration")
    municipality_code = models.CharField(max_length=4, help_text=_("SCB kommunkod, e.g. 0380"))
    gender = models.CharField(max_length=1, blank=True, help_text=_("0 unknown, 1 man, 2 woman, 9 undetermined"))
    reserve_number_root = models.CharField(max_length=64, blank=True, help_text=_("OID of the region's reserve numbers"))


class TypeOfCare(models.TextChoices):
    OUTPATIENT = "01", _("Outpatient care")
    INPATIENT = "02", _("Inpatient care")


class CarePricing(models.Model):
    """How the care region prices one care event for the home region (stable across versions)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    event_id = models.UUIDField()
    type_of_care = models.CharField(max_length=2, choices=TypeOfCare.choices, default=TypeOfCare.OUTPATIENT)
    planned = models.BooleanField(default=True)
    type_of_visit = models.CharField(max_length=1, blank=True)
    public_care = models.BooleanField(null=True, blank=True)
    profession_code = models.CharField(max_length=2, blank=True)
    medical_field_code = models.CharField(max_length=3)
    care_level = models.CharField(max_length=1, blank=True)
    product_category = models.CharField(max_length=2, blank=True)
    price_list = models.CharField(max_length=1, blank=True)
    drg_code = models.CharField(max_length=8, blank=True)
    drg_price = models.BigIntegerField(null=True, blank=True)
    outlier_care_time = models.BigIntegerField(null=True, blank=True)
    outlier_cost = models.BigIntegerField(null=True, blank=True)
    items = models.JSONField(default=list, blank=True, help_text=_('[{"code","name","quantity","unit_price"}], öre'))
    outpatient_fee_paid = models.BigIntegerField(null=True, blank=True)
    charge = models.BigIntegerField(null=True, blank=True)
    allowance = models.BigIntegerField(null=True, blank=True)
    discount = models.BigIntegerField(null=True, blank=True)
    discharge_date = models.DateField(null=True, blank=True)
    days_in_care = models.PositiveIntegerField(null=True, blank=True)
    days_on_leave = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "event_id"], name="interregion_pricing_per_event")]


class RegionLink(models.Model):
    """The sending region's way to one home region's producer (mutual TLS)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="interregion_links")
    receiver_org_number = models.CharField(max_length=10)
    url = models.URLField(max_length=300)
    # Paths to files outside the repository (kvitt.core.secretfiles), never the PEM text.
    ca_file = models.CharField(max_length=300, validators=[validate_key_path])
    cert_file = models.CharField(max_length=300, validators=[validate_key_path])
    key_file = models.CharField(max_length=300, validators=[validate_key_path])
    pause_ms = models.PositiveIntegerField(default=5000)
    max_attempts = models.PositiveSmallIntegerField(default=6)
    timeout_s = models.PositiveSmallIntegerField(default=30)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "receiver_org_number"], name="interregion_one_link")]


class AuthorisedCaller(models.Model):
    """Producer side: which caller (HSA-id of its certificate) may call which logical address."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="interregion_callers")
    hsa_id = models.CharField(max_length=31)
    logical_address = models.CharField(max_length=10)
    contract = models.CharField(max_length=120, default=CONTRACT)
    caller_org_number = models.CharField(max_length=10, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hsa_id", "logical_address", "contract"], name="interregion_caller_once")
        ]


class BasisCounter(models.Model):
    """The 6-digit counter of ``ZVF`` ids, per issuing organisation and month."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year", "month"], name="interregion_counter_once")]


class Direction(models.TextChoices):
    SENT = "sent", _("Sent")
    RECEIVED = "received", _("Received")


class SpecStatus(models.TextChoices):
    FAILED_CHECK = "failed_check", _("Failed the contract rules")
    READY = "ready", _("Checked, ready to send")
    QUEUED = "queued", _("Queued for delivery")
    SENT = "sent", _("Sent, accepted")
    REJECTED = "rejected", _("Rejected by the home region, back for correction")
    UNDELIVERED = "undelivered", _("Not delivered")
    WITHDRAWN = "withdrawn", _("Withdrawn (replaced by a corrected basis)")
    RECEIVED = "received", _("Received")


class ClaimSpecification(models.Model):
    """One invoice basis (fakturaunderlag), as the care region sent it or the home region got it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="claim_specifications")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    basis_id = models.CharField(max_length=23)
    type_of_invoice = models.CharField(max_length=3, default="380")
    supplier_org_number = models.CharField(max_length=10)
    customer_org_number = models.CharField(max_length=10)
    home_county_code = models.CharField(max_length=2, blank=True)
    period = models.DateField(null=True, blank=True, help_text=_("First day of the billed month"))
    issue_date = models.DateField()
    payable_amount = models.BigIntegerField()
    reference_basis_id = models.CharField(max_length=23, blank=True)
    reference_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="credits")
    status = models.CharField(max_length=16, choices=SpecStatus.choices)
    findings = models.JSONField(default=list, blank=True)
    result_comment = models.TextField(blank=True)
    request_xml = EncryptedTextField()  # the basis with every patient's personnummer: encrypted at rest
    caller_hsa_id = models.CharField(max_length=31, blank=True)
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "direction", "basis_id"], name="interregion_basis_once"),
        ]

    def __str__(self) -> str:
        return self.basis_id

    @property
    def is_credit(self) -> bool:
        return self.type_of_invoice == "381"


class ClaimLine(models.Model):
    """One care contact of a basis (healthcarePerformed) with its patient's number."""

    PRIVACY = {"patient_national_id": "identity", "patient": "identity", "diagnoses": "clinical", "procedures": "clinical"}

    specification = models.ForeignKey(ClaimSpecification, on_delete=models.CASCADE, related_name="lines")
    line_id = models.PositiveIntegerField()
    patient = models.ForeignKey("ledger.Patient", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    care_event = models.ForeignKey("ledger.CareEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    patient_id_root = models.CharField(max_length=64)
    patient_national_id = EncryptedCharField(max_length=20)  # encrypted at rest (kvitt.core.fieldcrypto)
    care_contact_id = models.CharField(max_length=64, blank=True)
    type_of_care = models.CharField(max_length=2)
    visit_date = models.DateField()
    care_unit_hsa_id = models.CharField(max_length=31, blank=True)
    gross = models.BigIntegerField()
    net = models.BigIntegerField()
    diagnoses = models.JSONField(default=list, blank=True)
    procedures = models.JSONField(default=list, blank=True)
    reference_to_line_id = models.PositiveIntegerField(null=True, blank=True)
    reason_for_credit = models.CharField(max_length=1, blank=True)

    class Meta:
        ordering = ["specification_id", "line_id"]
        constraints = [models.UniqueConstraint(fields=["specification", "line_id"], name="interregion_line_once")]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """The outbox row for one basis: the worker delivers it, resending on technical errors."""

    specification = models.OneToOneField(ClaimSpecification, on_delete=models.PROTECT, related_name="delivery")
    receiver_org_number = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]


class InvoiceMatch(models.TextChoices):
    MATCHED = "matched", _("Matches its basis")
    DIFFERENCE = "difference", _("Differs from its basis by more than 1 kr")
    NO_BASIS = "no_basis", _("No basis with this id received")
    SENT = "sent", _("Sent")


class RegionInvoice(models.Model):
    """An invoice between regions (Peppol BIS 3.0): no patient data, only the basis id."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="region_invoices")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    number = models.CharField(max_length=30)
    kind = models.CharField(max_length=3, default="380")
    issue_date = models.DateField()
    basis_id = models.CharField(max_length=23, db_index=True)
    amount = models.BigIntegerField()
    supplier_org_number = models.CharField(max_length=10)
    customer_org_number = models.CharField(max_length=10)
    credited_invoice = models.CharField(max_length=30, blank=True)
    xml = models.TextField()
    specification = models.ForeignKey(ClaimSpecification, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices")
    match = models.CharField(max_length=10, choices=InvoiceMatch.choices)
    difference = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "direction", "number", "supplier_org_number"], name="interregion_invoice_once")
        ]

    @property
    def signed_amount(self) -> int:
        return -self.amount if self.kind == "381" else self.amount


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CREDITED = "credited", _("Credited")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Dispute(models.Model):
    """The home region disputes a line; both regions see it by basis id and line id.

    No patient data here: the basis id and line id point to the line on each side.
    """

    basis_id = models.CharField(max_length=23, db_index=True)
    line_id = models.PositiveIntegerField()
    home_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    care_region_org_number = models.CharField(max_length=10, db_index=True)
    reason_code = models.CharField(max_length=1, help_text=_("Suggested reasonForCredit 1-9"))
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    credit_basis_id = models.CharField(max_length=23, blank=True)
    rebill_basis_id = models.CharField(max_length=23, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
