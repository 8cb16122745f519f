"""Reads of the audit log, for auditors."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kvitt.core import audit
from kvitt.core.models import AuditEntry, Role
from kvitt.core.permissions import Actor, require_role


def audit_entries_for(actor: Actor, *, limit: int = 200) -> list[AuditEntry]:
    """What members of the auditor's organisation did, and what was done to its patients."""
    require_role(actor, Role.AUDITOR)
    qs: QuerySet[AuditEntry] = AuditEntry.objects.filter(
        Q(organisation=actor.organisation) | Q(patient__organisation=actor.organisation)
    ).select_related("organisation")
    return list(qs[:limit])


def patient_access_report(actor: Actor, national_id: str) -> list[AuditEntry]:
    """Pasientjournalloven § 18: who has looked at this patient's data, when and why."""
    require_role(actor, Role.AUDITOR)
    from kvitt.core.identifiers.patient import classify_national_id
    from kvitt.ledger.models import Patient

    try:
        _, compact = classify_national_id(national_id, actor.organisation.country)
    except ValueError:
        compact = national_id.strip()
    patients = list(Patient.objects.with_national_id(compact).filter(organisation=actor.organisation))
    entries = list(
        AuditEntry.objects.filter(patient__in=patients).select_related("organisation").order_by("-at", "-id")
    )
    for patient in patients:
        audit.record(actor, "access_report", patient, privacy=["identity"], fields=["national_id"], patient=patient)
    return entries
