"""/api/v1/core/: who am I, the audit log and the per-patient access report."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema

from kvitt.core import selectors
from kvitt.core.permissions import Actor

router = Router(tags=["core"])


class MeOut(Schema):
    user: str
    organisation_id: int
    organisation: str
    organisation_kind: str
    role: str


class AuditEntryOut(Schema):
    at: datetime.datetime
    actor: str
    organisation: str | None
    role: str
    action: str
    object_type: str
    object_id: str
    privacy: list[str]
    fields: list[str]
    reason: str


def _actor(request: HttpRequest) -> Actor:
    return request.auth


def _entry_out(entry) -> AuditEntryOut:
    return AuditEntryOut(
        at=entry.at, actor=entry.actor_label, organisation=entry.organisation.name if entry.organisation else None,
        role=entry.role, action=entry.action, object_type=entry.object_type, object_id=entry.object_id,
        privacy=entry.privacy, fields=entry.fields, reason=entry.reason,
    )


@router.get("/me", response=MeOut)
def me(request):
    actor = _actor(request)
    return MeOut(
        user=actor.name, organisation_id=actor.organisation.id, organisation=actor.organisation.name,
        organisation_kind=actor.organisation.kind, role=actor.role,
    )


@router.get("/audit", response=list[AuditEntryOut])
def audit_log(request, limit: int = Query(200, ge=1)):
    return [_entry_out(e) for e in selectors.audit_entries_for(_actor(request), limit=min(limit, 1000))]


@router.get("/audit/patient-report", response=list[AuditEntryOut])
def patient_access_report(request, national_id: str):
    return [_entry_out(e) for e in selectors.patient_access_report(_actor(request), national_id)]
