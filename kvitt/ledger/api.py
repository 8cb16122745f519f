"""/api/v1/ledger/: patients and care events (journal systems push events here)."""

from __future__ import annotations

import datetime
import uuid

from ninja import Query, Router, Schema

from kvitt.ledger import selectors, services
from kvitt.network import selectors as network_selectors

router = Router(tags=["ledger"])


class PatientIn(Schema):
    national_id: str
    name: str
    birth_date: datetime.date | None = None
    county_code: str = ""
    email: str = ""
    phone: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    country: str | None = None
    preferred_channel: str = "email"


class PatientOut(Schema):
    id: int
    national_id: str
    id_type: str
    name: str
    birth_date: datetime.date | None
    county_code: str
    email: str
    phone: str
    preferred_channel: str


class Diagnosis(Schema):
    system: str
    code: str
    text: str = ""


class CareEventIn(Schema):
    patient_id: int
    start: datetime.datetime
    duration_minutes: int = 30
    location_id: int | None = None
    practitioner_id: int | None = None
    service_codes: list[str]
    diagnoses: list[Diagnosis] = []
    referral: dict | None = None
    routes: list[str]
    amounts: dict[str, int] = {}
    case_ref: str = ""
    external_id: str = ""
    notes: str = ""


class CareEventOut(Schema):
    id: int
    event_id: uuid.UUID
    version: int
    is_current: bool
    voided: bool
    correction_reason: str
    patient_id: int
    start: datetime.datetime
    duration_minutes: int
    location_id: int | None
    practitioner_id: int | None
    service_codes: list[str]
    diagnoses: list[dict]
    referral: dict | None
    routes: list[str]
    amounts: dict[str, int]
    case_ref: str
    external_id: str
    notes: str
    created_by_label: str
    created_at: datetime.datetime


class CorrectionIn(Schema):
    reason: str
    start: datetime.datetime | None = None
    duration_minutes: int | None = None
    service_codes: list[str] | None = None
    diagnoses: list[Diagnosis] | None = None
    referral: dict | None = None
    routes: list[str] | None = None
    amounts: dict[str, int] | None = None
    case_ref: str | None = None
    notes: str | None = None


class VoidIn(Schema):
    reason: str


@router.post("/patients", response={201: PatientOut})
def register_patient(request, payload: PatientIn):
    data = payload.dict(exclude_none=True)
    return 201, services.register_patient(request.auth, **data)


@router.get("/patients/{patient_id}", response=PatientOut)
def get_patient(request, patient_id: int):
    return selectors.get_patient(request.auth, patient_id, reason="api")


def _resolve_refs(actor, data: dict) -> dict:
    location_id = data.pop("location_id", None)
    practitioner_id = data.pop("practitioner_id", None)
    if location_id:
        data["location"] = network_selectors.get_visible(network_selectors.locations_for(actor), location_id)
    if practitioner_id:
        data["practitioner"] = network_selectors.get_visible(network_selectors.practitioners_for(actor), practitioner_id)
    return data


@router.post("/care-events", response={201: CareEventOut})
def record_care_event(request, payload: CareEventIn):
    actor = request.auth
    data = payload.dict()
    patient = selectors.patients_for(actor).filter(pk=data.pop("patient_id")).first()
    if patient is None:
        from kvitt.core.permissions import PermissionDenied

        raise PermissionDenied("patient not found or not yours")
    data = _resolve_refs(actor, data)
    return 201, services.record_care_event(actor, patient=patient, **data)


@router.get("/care-events", response=list[CareEventOut])
def list_care_events(
    request, start_from: datetime.date | None = None, start_to: datetime.date | None = None,
    route: str | None = None, case_ref: str | None = None, limit: int = Query(200, ge=1),
):
    return selectors.list_care_events(
        request.auth, reason="api list", limit=min(limit, 1000), start_from=start_from, start_to=start_to,
        route=route, case_ref=case_ref,
    )


@router.get("/care-events/{event_pk}", response=CareEventOut)
def get_care_event(request, event_pk: int):
    return selectors.get_care_event(request.auth, event_pk, reason="api")


@router.get("/care-events/{event_pk}/history", response=list[CareEventOut])
def care_event_history(request, event_pk: int):
    event = selectors.get_care_event(request.auth, event_pk, reason="api history")
    return selectors.care_event_history(request.auth, event)


@router.post("/care-events/{event_pk}/correct", response=CareEventOut)
def correct_care_event(request, event_pk: int, payload: CorrectionIn):
    event = selectors.get_care_event(request.auth, event_pk, reason="api correct")
    changes = payload.dict(exclude_none=True)
    reason = changes.pop("reason")
    return services.correct_care_event(request.auth, event, reason=reason, **changes)


@router.post("/care-events/{event_pk}/void", response=CareEventOut)
def void_care_event(request, event_pk: int, payload: VoidIn):
    event = selectors.get_care_event(request.auth, event_pk, reason="api void")
    return services.void_care_event(request.auth, event, reason=payload.reason)
