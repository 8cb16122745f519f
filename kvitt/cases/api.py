"""/api/v1/cases/: treatment assignments for insurers (and the clinics they are given to).

An insurer sees only the assignments it opened; a clinic only those given to its company.
Reading an assignment shows the patient's identity, so every read is audit-logged.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from ninja import Router, Schema, Status

from kvitt.cases import selectors, services
from kvitt.cases.models import Assignment
from kvitt.core.permissions import PermissionDenied
from kvitt.network.models import Location, PartnerApproval

router = Router(tags=["cases"])


class InsuredIn(Schema):
    national_id: str
    name: str
    email: str = ""
    phone: str = ""


class AssignmentIn(Schema):
    patient: InsuredIn
    professions: list[str]
    service_codes: list[str] = []
    max_treatments: int
    max_amount_ore: int
    valid_from: datetime.date
    valid_to: datetime.date
    referral_required: bool = False
    diagnosis_text: str = ""
    notes_for_clinic: str = ""
    location_id: int | None = None


class CoverageOut(Schema):
    max_treatments: int
    max_amount_ore: int
    reserved_treatments: int
    consumed_treatments: int
    remaining_treatments: int
    reserved_amount_ore: int
    consumed_amount_ore: int
    remaining_amount_ore: int


class InsuredOut(Schema):
    national_id: str
    name: str
    birth_date: datetime.date | None


class AssignmentOut(Schema):
    sakid: str
    state: str
    payer: str
    company_id: int | None
    location_id: int | None
    professions: list[str]
    service_codes: list[str]
    valid_from: datetime.date
    valid_to: datetime.date
    referral_required: bool
    notes_for_clinic: str
    patient: InsuredOut
    coverage: CoverageOut
    confirmation_url: str


class AssignmentListOut(Schema):
    sakid: str
    state: str
    company_id: int | None
    location_id: int | None
    valid_from: datetime.date
    valid_to: datetime.date
    max_treatments: int


class TransitionIn(Schema):
    to_state: str
    reason: str = ""


class UsageIn(Schema):
    count: int
    amount_ore: int
    source_ref: str
    on_date: datetime.date | None = None
    service_code: str | None = None


class UsageOut(Schema):
    kind: str
    count: int
    amount_ore: int
    source_ref: str


def _coverage_out(assignment: Assignment) -> CoverageOut:
    c = selectors.remaining_coverage(assignment)
    return CoverageOut(
        max_treatments=c.max_treatments, max_amount_ore=c.max_amount, reserved_treatments=c.reserved_treatments,
        consumed_treatments=c.consumed_treatments, remaining_treatments=c.remaining_treatments,
        reserved_amount_ore=c.reserved_amount, consumed_amount_ore=c.consumed_amount, remaining_amount_ore=c.remaining_amount,
    )


def _assignment_out(actor, assignment: Assignment) -> AssignmentOut:
    patient = selectors.patient_identity(actor, assignment, reason="api read")
    return AssignmentOut(
        sakid=assignment.sakid, state=assignment.state, payer=assignment.payer.name, company_id=assignment.company_id,
        location_id=assignment.location_id, professions=assignment.professions, service_codes=assignment.service_codes,
        valid_from=assignment.valid_from, valid_to=assignment.valid_to, referral_required=assignment.referral_required,
        notes_for_clinic=assignment.notes_for_clinic,
        patient=InsuredOut(national_id=patient.national_id, name=patient.name, birth_date=patient.birth_date),
        coverage=_coverage_out(assignment), confirmation_url=services.confirmation_url(assignment),
    )


@router.get("/assignments", response=list[AssignmentListOut])
def list_assignments(request, state: str = ""):
    qs = selectors.assignments_for(request.auth)
    if state:
        qs = qs.filter(state=state)
    return list(qs[:500])


@router.post("/assignments", response={201: AssignmentOut})
def open_assignment(request, payload: AssignmentIn):
    actor = request.auth
    location = None
    if payload.location_id is not None:
        # Only a location the insurer approves today can be given an assignment directly.
        location = Location.objects.select_related("company").filter(pk=payload.location_id).first()
        approved = location is not None and PartnerApproval.objects.active_on(timezone.localdate()).filter(
            payer__organisation=actor.organisation
        ).covering_location(location).exists()
        if not approved:
            raise PermissionDenied("No such location in your network")
    patient = services.register_insured(actor, **payload.patient.dict())
    assignment = services.open_assignment(
        actor, patient=patient, professions=payload.professions, service_codes=payload.service_codes,
        max_treatments=payload.max_treatments, max_amount=payload.max_amount_ore, valid_from=payload.valid_from,
        valid_to=payload.valid_to, referral_required=payload.referral_required, diagnosis_text=payload.diagnosis_text,
        notes_for_clinic=payload.notes_for_clinic, location=location,
    )
    return Status(201, _assignment_out(actor, assignment))


@router.get("/assignments/{sakid}", response=AssignmentOut)
def get_assignment(request, sakid: str):
    return _assignment_out(request.auth, selectors.get_assignment(request.auth, sakid))


@router.get("/assignments/{sakid}/coverage", response=CoverageOut)
def get_coverage(request, sakid: str):
    return _coverage_out(selectors.get_assignment(request.auth, sakid))


@router.post("/assignments/{sakid}/state", response=AssignmentListOut)
def change_state(request, sakid: str, payload: TransitionIn):
    assignment = selectors.get_assignment(request.auth, sakid)
    return services.transition(request.auth, assignment, payload.to_state, payload.reason)


@router.post("/assignments/{sakid}/usage", response={201: UsageOut})
def consume(request, sakid: str, payload: UsageIn):
    """The payer's invoice validation consumes coverage (also callable in-process)."""
    assignment = selectors.get_assignment(request.auth, sakid)
    entry = services.consume_coverage(
        request.auth, assignment, payload.count, payload.amount_ore, payload.source_ref,
        on_date=payload.on_date, service_code=payload.service_code,
    )
    return Status(201, UsageOut(kind=entry.kind, count=entry.count, amount_ore=entry.amount, source_ref=entry.source_ref))
