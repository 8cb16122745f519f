"""Every change to patients and care events. Corrections add versions; nothing is deleted."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kvitt.core import audit
from kvitt.core.identifiers.patient import classify_national_id
from kvitt.core.models import Role
from kvitt.core.permissions import Actor, PermissionDenied, require_role
from kvitt.ledger.models import CareEvent, Patient, Route

RECORDING_ROLES = (Role.CLINIC_ADMIN, Role.PRACTITIONER, Role.BILLING_CLERK, Role.REGION_BILLING_OFFICER, "system")
EVENT_FIELDS = (
    "company", "location", "care_unit", "practitioner", "start", "duration_minutes", "service_codes", "diagnoses",
    "referral", "routes", "amounts", "case_ref", "external_id", "notes",
)
CORRECTABLE_FIELDS = tuple(f for f in EVENT_FIELDS if f not in ("company", "care_unit"))


@transaction.atomic
def register_patient(actor: Actor, *, national_id: str, name: str, **fields) -> Patient:
    """Find or create the organisation's patient record for a national identity number."""
    require_role(actor, *RECORDING_ROLES)
    country = fields.get("country") or actor.organisation.country
    try:
        id_type, compact = classify_national_id(national_id, country)
    except ValueError as exc:
        raise ValidationError({"national_id": str(exc)}) from None
    patient = Patient.objects.with_national_id(compact).filter(organisation=actor.organisation).first()
    created = patient is None
    if created:
        patient = Patient(organisation=actor.organisation, national_id=compact, id_type=id_type, name=name, **fields)
        patient.full_clean()
        patient.save()
    audit.record(
        actor, "create" if created else "read", patient, privacy=["identity"],
        fields=["national_id", "name", *fields], patient=patient,
    )
    return patient


def _validate_event(event: CareEvent) -> None:
    errors = {}
    unknown_routes = [r for r in event.routes if r not in Route.values]
    if unknown_routes:
        errors["routes"] = _("Unknown route: %(r)s") % {"r": ", ".join(unknown_routes)}
    for route, amount in (event.amounts or {}).items():
        if route not in event.routes:
            errors["amounts"] = _("Amount given for route %(r)s, which the event does not take") % {"r": route}
        elif not isinstance(amount, int) or isinstance(amount, bool):
            errors["amounts"] = _("Amounts are whole øre (integers); got %(v)r for %(r)s") % {"v": amount, "r": route}
    if not event.service_codes:
        errors["service_codes"] = _("At least one service or tariff code is required")
    for diagnosis in event.diagnoses or []:
        if not isinstance(diagnosis, dict) or not diagnosis.get("system") or not diagnosis.get("code"):
            errors["diagnoses"] = _("Each diagnosis needs a code system and a code")
    if event.company_id and event.company.organisation_id != event.organisation_id:
        errors["company"] = _("The company belongs to another organisation")
    if event.location_id and event.location.company_id != event.company_id:
        errors["location"] = _("The location belongs to another company")
    if event.practitioner_id and event.practitioner.company_id != event.company_id:
        errors["practitioner"] = _("The practitioner belongs to another company")
    if event.patient.organisation_id != event.organisation_id:
        errors["patient"] = _("The patient record belongs to another organisation")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_care_event(actor: Actor, *, patient: Patient, start: datetime.datetime, **fields) -> CareEvent:
    require_role(actor, *RECORDING_ROLES)
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise ValidationError({f: _("Unknown field") for f in unknown})
    if patient.organisation_id != actor.organisation.id:
        raise PermissionDenied(_("The patient record belongs to another organisation"))
    if "company" not in fields and hasattr(actor.organisation, "company"):
        fields["company"] = actor.organisation.company
    event = CareEvent(
        organisation=actor.organisation,
        patient=patient,
        start=start,
        created_by=actor.user if getattr(actor.user, "pk", None) else None,
        created_by_label=actor.name,
        **fields,
    )
    _validate_event(event)
    event.save()
    audit.record(actor, "create", event, privacy=["identity", "clinical"], fields=list(fields), patient=patient)
    return event


def _lock_current(actor: Actor, event: CareEvent) -> CareEvent:
    current = CareEvent.objects.select_for_update().filter(event_id=event.event_id, is_current=True).first()
    if current is None or current.organisation_id != actor.organisation.id:
        raise PermissionDenied(_("Not found or not yours"))
    if current.voided:
        raise ValidationError(_("The care event is voided and cannot be changed"))
    return current


def _new_version(actor: Actor, current: CareEvent, reason: str, **changes) -> CareEvent:
    if not reason.strip():
        raise ValidationError({"reason": _("A correction needs a reason")})
    current.is_current = False
    current.save(update_fields=["is_current"])
    new = CareEvent.objects.get(pk=current.pk)
    new.pk = None
    new.id = None
    new.version = current.version + 1
    new.is_current = True
    new.correction_reason = reason
    new.created_by = actor.user if getattr(actor.user, "pk", None) else None
    new.created_by_label = actor.name
    from django.utils import timezone

    new.created_at = timezone.now()
    for field, value in changes.items():
        setattr(new, field, value)
    _validate_event(new)
    new.save()
    return new


@transaction.atomic
def correct_care_event(actor: Actor, event: CareEvent, *, reason: str, **changes) -> CareEvent:
    require_role(actor, *RECORDING_ROLES)
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be corrected") for f in unknown})
    current = _lock_current(actor, event)
    new = _new_version(actor, current, reason, **changes)
    audit.record(actor, "correct", new, privacy=["identity", "clinical"], fields=list(changes), reason=reason, patient=new.patient)
    return new


@transaction.atomic
def void_care_event(actor: Actor, event: CareEvent, *, reason: str) -> CareEvent:
    require_role(actor, *RECORDING_ROLES)
    current = _lock_current(actor, event)
    new = _new_version(actor, current, reason, voided=True)
    audit.record(actor, "void", new, privacy=["identity", "clinical"], reason=reason, patient=new.patient)
    return new
