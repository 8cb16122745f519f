"""Users, organisations, memberships, API tokens and the audit log."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    preferred_language = models.CharField(max_length=5, choices=settings.LANGUAGES, default="nb")

    def memberships_list(self) -> list["Membership"]:
        return list(self.memberships.select_related("organisation"))


class OrganisationKind(models.TextChoices):
    CLINIC_COMPANY = "clinic_company", _("Clinic company")
    INSURER = "insurer", _("Insurer")
    PUBLIC_PAYER = "public_payer", _("Public payer")
    REGION = "region", _("Region")
    COLLECTION_AGENCY = "collection_agency", _("Collection agency")
    NETWORK_OPERATOR = "network_operator", _("Network operator")


class Country(models.TextChoices):
    NORWAY = "NO", _("Norway")
    SWEDEN = "SE", _("Sweden")


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    country = models.CharField(max_length=2, choices=Country.choices, default=Country.NORWAY)
    org_number = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "org_number", "kind"],
                condition=~models.Q(org_number=""),
                name="organisation_unique_number_per_kind",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CLINIC_ADMIN = "clinic_admin", _("Clinic admin")
    PRACTITIONER = "practitioner", _("Practitioner")
    BILLING_CLERK = "billing_clerk", _("Billing clerk")
    INSURER_CASE_HANDLER = "insurer_case_handler", _("Insurer case handler")
    REGION_BILLING_OFFICER = "region_billing_officer", _("Region billing officer")
    COLLECTION_AGENT = "collection_agent", _("Collection agent")
    AUDITOR = "auditor", _("Auditor")
    NETWORK_OPERATOR = "network_operator", _("Network operator")


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} @ {self.organisation}"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A system integration's credential (journal system, access point): stored only as a hash."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=32, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    @classmethod
    def issue(cls, organisation: Organisation, name: str, role: str, created_by=None) -> tuple["ApiToken", str]:
        raw = "kv_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            organisation=organisation,
            name=name,
            role=role,
            token_hash=_hash_token(raw),
            prefix=raw[:8],
            created_by=created_by,
        )
        return token, raw

    @classmethod
    def lookup(cls, raw: str) -> "ApiToken | None":
        return (
            cls.objects.select_related("organisation")
            .filter(token_hash=_hash_token(raw), revoked_at__isnull=True)
            .first()
        )


class AuditEntry(models.Model):
    """Who looked at or changed what, for whom, and why. Never updated, never deleted."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_label = models.CharField(max_length=200, help_text="user name or API token name at the time")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT)
    role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=32)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    privacy = models.JSONField(default=list)
    fields = models.JSONField(default=list)
    reason = models.CharField(max_length=300, blank=True)
    patient = models.ForeignKey("ledger.Patient", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient", "at"]), models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"
