"""Reads of care events and patients; every read of identity or clinical data is audit-logged."""

from __future__ import annotations

from django.db.models import QuerySet

from kvitt.core import audit
from kvitt.core.models import Role
from kvitt.core.permissions import Actor, PermissionDenied
from kvitt.ledger.models import CareEvent, Patient

CLINICAL_READERS = (Role.CLINIC_ADMIN, Role.PRACTITIONER, Role.BILLING_CLERK, Role.REGION_BILLING_OFFICER, "system")


def _require_clinical_reader(actor: Actor) -> None:
    if actor.role not in CLINICAL_READERS:
        raise PermissionDenied("role may not see care events")


def care_events_for(actor: Actor, *, include_history: bool = False) -> QuerySet[CareEvent]:
    _require_clinical_reader(actor)
    qs = CareEvent.objects.filter(organisation=actor.organisation).select_related(
        "patient", "practitioner", "location", "company"
    )
    return qs if include_history else qs.filter(is_current=True)


def list_care_events(actor: Actor, *, reason: str = "list", limit: int = 200, **filters) -> list[CareEvent]:
    """A page of current care events; each row shows the patient, so each is audit-logged."""
    qs = care_events_for(actor)
    if filters.get("start_from"):
        qs = qs.filter(start__date__gte=filters["start_from"])
    if filters.get("start_to"):
        qs = qs.filter(start__date__lte=filters["start_to"])
    if filters.get("route"):
        qs = qs.filter(routes__contains=[filters["route"]]) if _json_contains_supported() else qs
    if filters.get("case_ref"):
        qs = qs.filter(case_ref=filters["case_ref"])
    events = list(qs.order_by("-start")[:limit])
    if filters.get("route") and not _json_contains_supported():
        events = [e for e in events if filters["route"] in e.routes]
    audit.record_many(actor, "read", events, privacy=["identity"], fields=["patient"], reason=reason, patient_of=lambda e: e.patient)
    return events


def _json_contains_supported() -> bool:
    from django.db import connection

    return connection.features.supports_json_field_contains


def get_care_event(actor: Actor, pk: int, *, reason: str = "view") -> CareEvent:
    event = care_events_for(actor, include_history=True).filter(pk=pk).first()
    if event is None:
        raise PermissionDenied("not found or not yours")
    audit.record(
        actor, "read", event, privacy=["identity", "clinical"],
        fields=["patient", "diagnoses", "service_codes", "referral", "notes"], reason=reason, patient=event.patient,
    )
    return event


def care_event_history(actor: Actor, event: CareEvent) -> list[CareEvent]:
    if event.organisation_id != actor.organisation.id:
        raise PermissionDenied("not found or not yours")
    return list(CareEvent.objects.filter(event_id=event.event_id).order_by("version"))


def patients_for(actor: Actor) -> QuerySet[Patient]:
    if actor.role not in (*CLINICAL_READERS, Role.COLLECTION_AGENT):
        raise PermissionDenied("role may not see patients")
    return Patient.objects.filter(organisation=actor.organisation)


def get_patient(actor: Actor, pk: int, *, reason: str = "view") -> Patient:
    patient = patients_for(actor).filter(pk=pk).first()
    if patient is None:
        raise PermissionDenied("not found or not yours")
    audit.record(actor, "read", patient, privacy=["identity"], fields=list(Patient.PRIVACY), reason=reason, patient=patient)
    return patient
