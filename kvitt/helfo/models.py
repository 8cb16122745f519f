"""Helfo direct settlement: tariffs, practices, bill cards with history, settlements, egenandel
reports and payouts. Money is integer øre."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kvitt.core.fieldcrypto import EncryptedTextField
from kvitt.core.models import Organisation
from kvitt.helfo.tariffs import TariffRow, parse_invalid_combination


class Tariff(models.Model):
    """One tariff code in one professional area for one validity period."""

    code = models.CharField(max_length=20)
    area = models.CharField(max_length=8, help_text=_("Helfo fagområde, e.g. FY, PS, LE"))
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    honorar = models.IntegerField(help_text=_("øre"))
    refusjon = models.IntegerField(help_text=_("øre"))
    egenandel = models.IntegerField(help_text=_("øre"))
    patient_payment = models.IntegerField(default=0, help_text=_("øre"))
    max_repetitions = models.PositiveIntegerField(null=True, blank=True)
    invalid_combination = models.CharField(max_length=500, blank=True)
    requires_tariff = models.CharField(max_length=200, blank=True)
    requires_diagnosis = models.BooleanField(default=False)
    requires_referral = models.BooleanField(default=False)
    description = models.CharField(max_length=500, blank=True)
    external_id = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=200, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["area", "code", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["area", "code", "valid_from"], name="helfo_tariff_period")]

    def __str__(self) -> str:
        return f"{self.code} ({self.area}) {self.valid_from}..{self.valid_to or ''}"

    def to_row(self) -> TariffRow:
        return TariffRow(
            code=self.code,
            area=self.area,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            honorar=self.honorar,
            refusjon=self.refusjon,
            egenandel=self.egenandel,
            patient_payment=self.patient_payment,
            max_repetitions=self.max_repetitions,
            invalid_combination=parse_invalid_combination(self.invalid_combination, str(self)),
            requires_diagnosis=self.requires_diagnosis,
            requires_referral=self.requires_referral,
            requires_tariff=tuple(c for c in self.requires_tariff.replace(",", " ").split() if c),
            description=self.description,
            external_id=self.external_id,
        )


class Channel(models.TextChoices):
    KUHR_API = "kuhr_api", _("KUHR Krav API")
    BKM_XML = "bkm_xml", _("BKM XML file (upload in Helfo's portal)")


class AuthKind(models.TextChoices):
    MASKINPORTEN = "maskinporten", _("Maskinporten (company)")
    HELSEID = "helseid", _("HelseID (practitioner)")


class Practice(models.Model):
    """An accounting unit registered at Helfo (praksis), with its channel."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="helfo_practices")
    company = models.ForeignKey("network.Company", on_delete=models.PROTECT, related_name="helfo_practices")
    practice_id = models.CharField(max_length=20, help_text=_("KUHR praksisId"))
    name = models.CharField(max_length=200)
    practice_type = models.CharField(max_length=4, blank=True, help_text=_("Praksistype, e.g. FYNO, PSNO, FALE"))
    area = models.CharField(max_length=8, help_text=_("Tariff area (fagområde): FY, PS, LE ..."))
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.KUHR_API)
    auth = models.CharField(max_length=14, choices=AuthKind.choices, default=AuthKind.MASKINPORTEN)
    account = models.CharField(max_length=11, blank=True)
    her_id = models.CharField(max_length=12, blank=True)
    message_type = models.CharField(max_length=10, default="LOM", help_text=_("MsgHead type (kodeverk 8279)"))
    valid_periods = models.JSONField(
        default=list, blank=True, help_text=_("[[from, to or null], ...] as registered at Helfo (from KUHR's praksis list)")
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "practice_id"], name="helfo_practice_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.practice_id})"


class SigningCredential(models.Model):
    """A PKCS#12 file for a practitioner or the company (enterprise certificate).

    The file stays encrypted with its own password, which Kvitt never stores; the signer
    asks for it at signing time. Smartcards need no row here (see signing.Pkcs11Signer).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="helfo_credentials")
    practitioner = models.ForeignKey("network.Practitioner", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(max_length=200)
    p12 = models.BinaryField()
    subject = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.label


class BillStatus(models.TextChoices):
    READY = "ready", _("Ready")
    IN_SETTLEMENT = "in_settlement", _("In a settlement")
    SENT = "sent", _("Sent")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid")
    CREDITED = "credited", _("Credited")
    EGENANDEL_ONLY = "egenandel_only", _("Patient share only (reported)")
    WITHDRAWN = "withdrawn", _("Withdrawn (care event voided)")


class BillCard(models.Model):
    """A regningskort: one bill to Helfo, from one care event. Its guid and bill number
    never change, so a rejected bill is corrected and re-sent as the same bill."""

    PRIVACY = {"patient": "identity", "diagnoses": "clinical", "lines": "clinical", "referral": "clinical"}

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="helfo_bill_cards")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="bill_cards")
    practitioner = models.ForeignKey("network.Practitioner", on_delete=models.PROTECT, related_name="helfo_bill_cards")
    patient = models.ForeignKey("ledger.Patient", on_delete=models.PROTECT, related_name="helfo_bill_cards")
    care_event = models.ForeignKey("ledger.CareEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    event_id = models.UUIDField(null=True, blank=True, db_index=True)
    guid = models.UUIDField(default=uuid.uuid4, unique=True)
    bill_number = models.PositiveIntegerField()
    treated_at = models.DateTimeField()
    area = models.CharField(max_length=8)
    lines = models.JSONField(default=list, help_text=_("[{code, count, refusjon, egenandel, honorar}] in øre"))
    diagnoses = models.JSONField(default=list, blank=True)
    referral = models.JSONField(null=True, blank=True)
    exemption_code = models.CharField(max_length=2, blank=True, help_text=_("Kodeverk 7461, e.g. B, F"))
    frikort_checked_at = models.DateTimeField(null=True, blank=True)
    refund_amount = models.IntegerField(default=0, help_text=_("øre claimed from Helfo"))
    patient_share = models.IntegerField(default=0, help_text=_("øre the patient pays"))
    egenandel_paid = models.BooleanField(default=False)
    egenandel_paid_on = models.DateField(null=True, blank=True)
    egenandel_payment_method = models.CharField(max_length=20, blank=True)
    egenandel_reported_unpaid = models.BooleanField(
        default=False, help_text=_("Helfo was told the patient share was not paid; a later payment needs a report")
    )
    pure_patient_share = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=BillStatus.choices, default=BillStatus.READY, db_index=True)
    findings = models.JSONField(default=list, blank=True)
    last_result_remarks = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["treated_at", "bill_number"]
        constraints = [
            models.UniqueConstraint(fields=["practitioner", "bill_number"], name="helfo_bill_number_per_practitioner"),
        ]
        indexes = [models.Index(fields=["practice", "status", "treated_at"])]

    def __str__(self) -> str:
        return f"Regningskort {self.bill_number}"

    @property
    def has_errors(self) -> bool:
        return any(f.get("level") == "error" for f in self.findings)

    @property
    def codes(self) -> str:
        return ", ".join(f"{line['code']}×{line['count']}" if line.get("count", 1) > 1 else line["code"] for line in self.lines)


class BillCardEvent(models.Model):
    """The bill card's history: what happened to it, when, by whom."""

    bill_card = models.ForeignKey(BillCard, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=32)
    text = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    settlement = models.ForeignKey("Settlement", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]


class SettlementStatus(models.TextChoices):
    UNSIGNED = "unsigned", _("Not signed")
    SIGNED = "signed", _("Signed, not sent")
    SENT = "sent", _("Sent")
    RECEIPT_ERROR = "receipt_error", _("Refused on receipt")
    PROCESSING = "processing", _("Being processed")
    CONTROLLED = "controlled", _("Controlled")
    PAID = "paid", _("Paid")
    NO_PAYOUT = "no_payout", _("No payout")
    CANCELLED = "cancelled", _("Cancelled before sending")


class Settlement(models.Model):
    """A Helfo order: the bills of one practice sent (or to be sent) as one BKM."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="helfo_settlements")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="settlements")
    practitioner = models.ForeignKey("network.Practitioner", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, default="claim", choices=[("claim", _("Claim")), ("credit", _("Credit"))])
    period_from = models.DateField(null=True, blank=True)
    period_to = models.DateField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=16, choices=SettlementStatus.choices, default=SettlementStatus.UNSIGNED, db_index=True)
    msg_id = models.UUIDField(default=uuid.uuid4, unique=True)
    total = models.IntegerField(default=0, help_text=_("øre"))
    # The BKM as sent (patients' fødselsnummer inside): encrypted at rest (kvitt.core.fieldcrypto).
    bkm_json = EncryptedTextField(blank=True)
    signed_xml = EncryptedTextField(blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signer = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    file_path = models.CharField(max_length=500, blank=True)
    kuhr_message_id = models.CharField(max_length=64, blank=True, db_index=True)
    message_status = models.CharField(max_length=32, blank=True)
    control_status = models.CharField(max_length=32, blank=True)
    payout_status = models.CharField(max_length=32, blank=True)
    receipt_errors = models.JSONField(default=list, blank=True)
    apprec_status = models.CharField(max_length=2, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    status_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Helfo-oppgjør {self.pk} ({self.practice.practice_id})"


class SettlementBill(models.Model):
    """A bill card's line in one settlement and Helfo's result for it there."""

    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="items")
    bill_card = models.ForeignKey(BillCard, on_delete=models.PROTECT, related_name="settlement_items")
    kind = models.CharField(
        max_length=20,
        choices=[("claim", _("Claim")), ("resend", _("Corrected re-send")), ("credit", _("Credit")), ("egenandel", _("Egenandel report"))],
    )
    amount = models.IntegerField(default=0, help_text=_("øre claimed in this settlement"))
    result = models.CharField(max_length=12, blank=True)
    remarks = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["settlement", "bill_card"], name="helfo_bill_once_per_settlement")]


class EgenandelReport(models.Model):
    """A patient share to report to Helfo's egenandel register with the next settlement."""

    KINDS = [("patient_share", _("Pure patient-share bill")), ("late_payment", _("Patient paid after the claim"))]

    bill_card = models.ForeignKey(BillCard, on_delete=models.PROTECT, related_name="egenandel_reports")
    kind = models.CharField(max_length=16, choices=KINDS)
    paid_on = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=20, default="manual")
    created_at = models.DateTimeField(default=timezone.now)
    settlement = models.ForeignKey(Settlement, null=True, blank=True, on_delete=models.PROTECT, related_name="egenandel_reports")
    attached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bill_card", "kind"], condition=models.Q(kind="late_payment"), name="helfo_one_late_payment_report"
            ),
        ]


class Payout(models.Model):
    """Money Helfo paid for a decision (vedtak), from the status endpoint or entered by hand."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="helfo_payouts")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="payouts")
    decision_id = models.CharField(max_length=40, blank=True)
    amount = models.IntegerField(help_text=_("øre"))
    paid_on = models.DateField()
    account = models.CharField(max_length=11, blank=True)
    kid = models.CharField(max_length=25, blank=True)
    source = models.CharField(max_length=10, default="kuhr")
    settlements = models.ManyToManyField(Settlement, related_name="payouts", blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "decision_id"], condition=~models.Q(decision_id=""), name="helfo_payout_per_decision"
            ),
        ]
