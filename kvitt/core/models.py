"""Users, organisations, memberships, API tokens, the audit log and two-factor devices."""

from __future__ import annotations

import hashlib
import secrets
import time
from base64 import b32encode
from binascii import unhexlify
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import hex_validator, random_hex

from kvitt.core.fieldcrypto import EncryptedCharField


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


def default_totp_key() -> str:
    return random_hex(20)


def totp_key_validator(value: str) -> None:
    hex_validator()(value)


class TOTPDevice(TimestampMixin, ThrottlingMixin, Device):
    """A TOTP authenticator (RFC 6238) whose seed is encrypted at rest.

    The same fields and verification as django-otp's ``otp_totp.TOTPDevice`` (which this
    replaces, see migration 0004), except ``key``: django-otp keeps the seed as clear hex, so a
    database dump would let anyone compute every user's codes. Here it is an
    ``EncryptedCharField`` under KVITT_FIELD_KEYS, re-encrypted by ``kvitt keys rotate``.
    django-otp finds this model like its own (``devices_for_user``, OTPMiddleware, ``login``
    look through every ``Device`` subclass of the installed apps).
    """

    key = EncryptedCharField(
        max_length=80,
        validators=[totp_key_validator],
        default=default_totp_key,
        help_text="A hex-encoded secret key of up to 40 bytes, encrypted at rest.",
    )
    step = models.PositiveSmallIntegerField(default=30, help_text="The time step in seconds.")
    t0 = models.BigIntegerField(default=0, help_text="The Unix time at which to begin counting steps.")
    digits = models.PositiveSmallIntegerField(
        choices=[(6, 6), (8, 8)], default=6, help_text="The number of digits to expect in a token."
    )
    tolerance = models.PositiveSmallIntegerField(
        default=1, help_text="The number of time steps in the past or future to allow."
    )
    drift = models.SmallIntegerField(
        default=0, help_text="The number of time steps the prover is known to deviate from our clock."
    )
    last_t = models.BigIntegerField(
        default=-1,
        help_text="The t value of the latest verified token. The next token must be at a higher time step.",
    )

    class Meta(Device.Meta):
        verbose_name = "TOTP device"

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.key.encode())

    def verify_token(self, token) -> bool:
        """django-otp's TOTPDevice.verify_token, unchanged: a token at a time step after
        ``last_t`` within ``tolerance``; a match moves ``last_t`` (each code once) and, with
        OTP_TOTP_SYNC, the drift; a miss counts towards the throttle."""
        verify_allowed, _info = self.verify_is_allowed()
        if not verify_allowed:
            return False
        try:
            token = int(token)
        except Exception:
            verified = False
        else:
            totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
            totp.time = time.time()
            verified = totp.verify(token, self.tolerance, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
                if getattr(settings, "OTP_TOTP_SYNC", True):
                    self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified

    def get_throttle_factor(self):
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    @property
    def config_url(self) -> str:
        """The otpauth:// URL an authenticator app scans (Key Uri Format), issuer from
        OTP_TOTP_ISSUER, as django-otp builds it."""
        label = str(self.user.get_username())
        params = urlencode(
            {"secret": b32encode(self.bin_key), "algorithm": "SHA1", "digits": self.digits, "period": self.step}
        )
        issuer = getattr(settings, "OTP_TOTP_ISSUER", "")
        if issuer:
            issuer = issuer.replace(":", "")
            label = f"{issuer}:{label}"
            params += f"&issuer={quote(issuer)}"  # RFC 3986, not quote_plus
        return f"otpauth://totp/{quote(label)}?{params}"
