"""Patients and care events: the one record every billing route bills from."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kvitt.core.fieldcrypto import EncryptedCharField, search_hash
from kvitt.core.models import Organisation


class IdType(models.TextChoices):
    FNR = "fnr", _("Fødselsnummer")
    DNR = "dnr", _("D-number")
    PERSONNUMMER = "personnummer", _("Personnummer")
    SAMORDNINGSNUMMER = "samordningsnummer", _("Samordningsnummer")
    RESERVNUMMER = "reservnummer", _("Reservnummer")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone callback")


class PatientQuerySet(models.QuerySet):
    def with_national_id(self, national_id: str) -> PatientQuerySet:
        """Patients with this national id, found through its keyed hash (the column is encrypted)."""
        return self.filter(national_id_hash=search_hash(national_id))


class Patient(models.Model):
    """A patient as one organisation knows them. Identity fields are privacy class 'identity'.

    ``national_id`` is encrypted at rest (kvitt.core.fieldcrypto); ``national_id_hash`` is its
    keyed hash, set whenever the id is, and carries lookups and the uniqueness per organisation.
    """

    PRIVACY = {
        "national_id": "identity",
        "name": "identity",
        "birth_date": "identity",
        "email": "identity",
        "phone": "identity",
        "street": "identity",
        "postcode": "identity",
        "city": "identity",
    }

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="patients")
    # Declared before national_id: Model.__init__ sets fields in order, and setting the id sets this.
    national_id_hash = models.CharField(max_length=64, editable=False, db_index=True, default="")
    national_id = EncryptedCharField(max_length=13, hash_field="national_id_hash")
    id_type = models.CharField(max_length=20, choices=IdType.choices)
    name = models.CharField(max_length=200)
    birth_date = models.DateField(null=True, blank=True)
    county_code = models.CharField(max_length=2, blank=True, help_text=_("Swedish home county (län) code"))
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    street = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, default="NO")
    preferred_channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)

    objects = PatientQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "national_id_hash"], name="patient_unique_per_organisation"),
        ]

    def __str__(self) -> str:
        return f"Patient #{self.pk}"


class Route(models.TextChoices):
    INSURER = "insurer", _("Insurer")
    HELFO = "helfo", _("Helfo")
    HOME_REGION = "home_region", _("Home region")
    PATIENT = "patient", _("Patient")


class CareEvent(models.Model):
    """One version of a care event. A correction adds a version; old versions stay."""

    PRIVACY = {
        "patient": "identity",
        "diagnoses": "clinical",
        "service_codes": "clinical",
        "referral": "clinical",
        "notes": "clinical",
        "amounts": "financial",
    }

    event_id = models.UUIDField(default=uuid.uuid4, db_index=True)
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    voided = models.BooleanField(default=False)
    correction_reason = models.CharField(max_length=300, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="care_events")
    company = models.ForeignKey("network.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="care_events")
    location = models.ForeignKey("network.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="care_events")
    care_unit = models.ForeignKey("network.CareUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="care_events")
    practitioner = models.ForeignKey(
        "network.Practitioner", null=True, blank=True, on_delete=models.PROTECT, related_name="care_events"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="care_events")
    start = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(default=30)
    service_codes = models.JSONField(default=list)
    diagnoses = models.JSONField(default=list, blank=True)
    referral = models.JSONField(null=True, blank=True)
    routes = models.JSONField(default=list)
    amounts = models.JSONField(default=dict, help_text=_("Amount in øre/öre per route"))
    case_ref = models.CharField(max_length=20, blank=True, db_index=True, help_text=_("Insurer SakID"))
    external_id = models.CharField(max_length=64, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["event_id", "version"], name="care_event_unique_version"),
            models.UniqueConstraint(
                fields=["event_id"], condition=models.Q(is_current=True), name="care_event_one_current_version"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "is_current", "start"])]

    def __str__(self) -> str:
        return f"Care event {self.event_id} v{self.version}"

    @property
    def total_amount(self) -> int:
        return sum(int(v) for v in self.amounts.values())
