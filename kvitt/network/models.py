"""The provider network: companies and their locations, practitioners, payers and approvals."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.no import kontonr, orgnr

from kvitt.core.models import Organisation


def validate_no_orgnr(value: str) -> None:
    if not orgnr.is_valid(value):
        raise ValidationError(_("%(value)s is not a valid Norwegian organisation number (9 digits, MOD11)"), params={"value": value})


def validate_no_account(value: str) -> None:
    if value and not kontonr.is_valid(value):
        raise ValidationError(_("%(value)s is not a valid Norwegian account number (11 digits, MOD11)"), params={"value": value})


class Profession(models.TextChoices):
    PHYSIOTHERAPIST = "physiotherapist", _("Physiotherapist")
    MANUAL_THERAPIST = "manual_therapist", _("Manual therapist")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    CHIROPRACTOR = "chiropractor", _("Chiropractor")
    GP = "gp", _("General practitioner")
    PHYSICIAN = "physician", _("Physician")
    NURSE = "nurse", _("Nurse")
    ACUPUNCTURIST = "acupuncturist", _("Acupuncturist")
    MASSEUR = "masseur", _("Masseur")
    NAPRAPATH = "naprapath", _("Naprapath")
    OSTEOPATH = "osteopath", _("Osteopath")


# Professions outside the authorisation scheme of helsepersonelloven: no HPR number.
PROFESSIONS_WITHOUT_HPR = frozenset(
    {Profession.ACUPUNCTURIST, Profession.MASSEUR, Profession.NAPRAPATH, Profession.OSTEOPATH}
)


def requires_hpr(professions) -> bool:
    return any(p not in PROFESSIONS_WITHOUT_HPR for p in professions)


class VatCategory(models.TextChoices):
    EXEMPT = "E", _("Exempt (merverdiavgiftsloven § 3-2)")
    OUTSIDE = "O", _("Outside the scope of VAT")


class KidAlgorithm(models.TextChoices):
    MOD10 = "MOD10", "MOD10"
    MOD11 = "MOD11", "MOD11"


class Company(models.Model):
    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="company")
    name = models.CharField(max_length=200)
    org_number = models.CharField(max_length=9, unique=True, validators=[validate_no_orgnr])
    foretaksregisteret = models.BooleanField(default=True, help_text=_("Registered in Foretaksregisteret (AS/ASA/NUF)"))
    vat_category = models.CharField(max_length=1, choices=VatCategory.choices, default=VatCategory.EXEMPT)
    vat_number = models.CharField(max_length=16, blank=True)
    email = models.EmailField(blank=True)
    invoice_email = models.EmailField(blank=True, help_text=_("Where invoice notifications go"))
    bank_account = models.CharField(max_length=11, blank=True, validators=[validate_no_account])
    iban = models.CharField(max_length=34, blank=True)
    bic = models.CharField(max_length=11, blank=True)
    kid_algorithm = models.CharField(max_length=5, choices=KidAlgorithm.choices, default=KidAlgorithm.MOD10)
    kid_length = models.PositiveSmallIntegerField(default=10)
    language = models.CharField(max_length=5, choices=settings.LANGUAGES, default="nb")
    street = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, default="NO")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not 2 <= self.kid_length <= 25:
            raise ValidationError({"kid_length": _("A KID has 2 to 25 digits")})

    @property
    def notification_email(self) -> str:
        return self.invoice_email or self.email


class Location(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="locations")
    name = models.CharField(max_length=200)
    street = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, default="NO")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    her_id = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["company__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.company.name})"


class Practitioner(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="practitioners")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="practitioner"
    )
    name = models.CharField(max_length=200)
    hpr_number = models.CharField(max_length=9, blank=True)
    professions = models.JSONField(default=list)
    competences = models.JSONField(default=list, blank=True)
    locations = models.ManyToManyField(Location, related_name="practitioners", blank=True)
    email = models.EmailField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = [p for p in self.professions if p not in Profession.values]
        if unknown:
            raise ValidationError({"professions": _("Unknown profession: %(p)s") % {"p": ", ".join(unknown)}})
        if not self.professions:
            raise ValidationError({"professions": _("At least one profession is required")})
        if requires_hpr(self.professions) and not self.hpr_number:
            raise ValidationError({"hpr_number": _("An HPR number is required for authorised professions")})
        if self.hpr_number:
            from kvitt.core.identifiers.no import hpr

            if not hpr.is_valid(self.hpr_number):
                raise ValidationError({"hpr_number": _("%(v)s is not a valid HPR number") % {"v": self.hpr_number}})


class InvitationStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")


def _invitation_token() -> str:
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField()
    name = models.CharField(max_length=200)
    professions = models.JSONField(default=list)
    hpr_number = models.CharField(max_length=9, blank=True)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    status = models.CharField(max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.SENT)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    practitioner = models.ForeignKey(Practitioner, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-invited_at"]


class PayerKind(models.TextChoices):
    INSURER = "insurer", _("Insurer")
    PUBLIC_PAYER = "public_payer", _("Public payer")
    REGION = "region", _("Region")


class Payer(models.Model):
    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="payer")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=PayerKind.choices)
    org_number = models.CharField(max_length=12)
    peppol_id = models.CharField(max_length=40, blank=True, help_text=_("e.g. 0192:123456785"))
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=5, choices=settings.LANGUAGES, default="nb")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnerApprovalQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date):
        return self.filter(revoked_at__isnull=True, valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def covering_location(self, location: Location):
        return self.filter(company_id=location.company_id).filter(Q(location__isnull=True) | Q(location=location))


class PartnerApproval(models.Model):
    """A payer approves a company (all its locations) or one location for some professions."""

    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="approvals")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="approvals")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="approvals")
    professions = models.JSONField(default=list)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = PartnerApprovalQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from"]

    def clean(self) -> None:
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The approval cannot end before it starts")})
        if self.location_id and self.location.company_id != self.company_id:
            raise ValidationError({"location": _("The location belongs to another company")})

    def is_active_on(self, day: datetime.date) -> bool:
        if self.revoked_at is not None or day < self.valid_from:
            return False
        return self.valid_to is None or day <= self.valid_to

    def covers_profession(self, profession: str) -> bool:
        return not self.professions or profession in self.professions


class CareUnit(models.Model):
    """A Swedish region's care unit (vårdenhet), identified by its HSA-id."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="care_units")
    name = models.CharField(max_length=200)
    hsa_id = models.CharField(max_length=31, unique=True)
    county_code = models.CharField(max_length=2, help_text=_("Län code of the region, e.g. 01 Stockholm"))

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
