"""Bank files, the transactions they carried and how each was allocated to receivables.

A file is stored once (its SHA-256 is unique) and each transaction once (its format and
the bank's own transaction id are unique together), so importing the same payments again,
in the same file or in a later one, changes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kvitt.core.models import Organisation


class BankFormat(models.TextChoices):
    OCR_GIRO = "ocr_giro", _("Nets OCR giro")
    CAMT054 = "camt054", _("ISO 20022 camt.054")
    BGMAX = "bgmax", _("Bankgirot BgMax")


class MatchOutcome(models.TextChoices):
    FULL = "full", _("Paid in full")
    PARTIAL = "partial", _("Partly paid")
    OVERPAYMENT = "overpayment", _("Overpaid (credit balance)")
    REVERSAL = "reversal", _("Reversed")
    CLOSED_INVOICE = "closed_invoice", _("Paid to a closed invoice (credit balance)")
    UNMATCHED = "unmatched", _("Unmatched (manual queue)")


class MatchMethod(models.TextChoices):
    REFERENCE = "reference", _("KID / OCR reference")
    FREE_TEXT = "free_text", _("Invoice number or KID in the payment text")
    MANUAL = "manual", _("By hand")
    NONE = "none", _("Not matched")


class BankFile(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="bank_files")
    format = models.CharField(max_length=16, choices=BankFormat.choices)
    sha256 = models.CharField(max_length=64, unique=True)
    file_id = models.CharField(max_length=200, help_text=_("the file's own id: Nets transmission, camt MsgId, BgMax timestamp"))
    name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    transaction_count = models.PositiveIntegerField(default=0)
    new_count = models.PositiveIntegerField(default=0)
    matched_count = models.PositiveIntegerField(default=0)
    unmatched_count = models.PositiveIntegerField(default=0)
    amount_minor = models.BigIntegerField(default=0)
    totals = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.get_format_display()} {self.file_id}"


class BankTransaction(models.Model):
    bank_file = models.ForeignKey(BankFile, on_delete=models.PROTECT, related_name="transactions")
    # Always the bank file's organisation (set by the import service). Indexed through
    # (organisation, outcome) below, and without a database constraint: the bank file's own
    # constraint already guards it, and a second row-by-row check would cost an import of a
    # million transactions minutes on PostgreSQL (measured with bench/payments.py).
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="bank_transactions",
                                     db_index=False, db_constraint=False)
    format = models.CharField(max_length=16, choices=BankFormat.choices)
    transaction_id = models.CharField(max_length=200)
    file_line = models.PositiveIntegerField(default=0)
    booking_date = models.DateField(null=True, blank=True)
    value_date = models.DateField(null=True, blank=True)
    amount_minor = models.BigIntegerField(help_text=_("signed: negative for reversals and deductions"))
    currency = models.CharField(max_length=3)
    reference = models.CharField(max_length=35, blank=True)
    extra_references = models.JSONField(default=list, blank=True)
    free_text = models.TextField(blank=True)
    payer_name = models.CharField(max_length=140, blank=True)
    payer_account = models.CharField(max_length=50, blank=True)
    creditor_account = models.CharField(max_length=50, blank=True)
    reversal = models.BooleanField(default=False)
    outcome = models.CharField(max_length=16, choices=MatchOutcome.choices, default=MatchOutcome.UNMATCHED)
    method = models.CharField(max_length=16, choices=MatchMethod.choices, default=MatchMethod.NONE)
    credit_minor = models.BigIntegerField(default=0, help_text=_("not allocated to any receivable: a credit balance"))
    suggestions = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=300, blank=True)
    raw = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["format", "transaction_id"], name="payments_unique_bank_transaction")]
        indexes = [models.Index(fields=["organisation", "outcome"], name="payments_tx_org_outcome")]

    def __str__(self) -> str:
        return f"{self.transaction_id} {self.amount_minor} {self.currency}"


class Payment(models.Model):
    """Money from one bank transaction allocated to one receivable (negative: a reversal)."""

    bank_transaction = models.ForeignKey(BankTransaction, on_delete=models.PROTECT, related_name="allocations")
    # The bank transaction's organisation; unconstrained for the same reason as there.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", db_index=False,
                                     db_constraint=False)
    ledger = models.CharField(max_length=100, help_text=_("which receivable ledger the id belongs to"))
    receivable_id = models.CharField(max_length=64)
    amount_minor = models.BigIntegerField()
    outcome = models.CharField(max_length=16, choices=MatchOutcome.choices)
    method = models.CharField(max_length=16, choices=MatchMethod.choices)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["ledger", "receivable_id"], name="payments_payment_receivable")]

    def __str__(self) -> str:
        return f"{self.amount_minor} to {self.ledger}:{self.receivable_id}"
