"""The audit log: every read or change of patient identity or clinical data leaves a row.

Services call ``record`` inside their transaction, so a change and its audit row commit
together. The request id ties a row to the web request or job that caused it.
"""

from __future__ import annotations

import contextvars
from typing import Iterable

from kvitt.core.models import AuditEntry

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("kvitt_request_id", default="")

PRIVACY_CLASSES = ("identity", "clinical", "financial")


def record(
    actor,
    action: str,
    obj,
    *,
    privacy: Iterable[str] = (),
    fields: Iterable[str] = (),
    reason: str = "",
    patient=None,
) -> AuditEntry:
    privacy = sorted(set(privacy))
    unknown = set(privacy) - set(PRIVACY_CLASSES)
    if unknown:
        raise ValueError(f"unknown privacy class {sorted(unknown)}")
    user = actor.user if getattr(actor.user, "pk", None) else None
    return AuditEntry.objects.create(
        user=user,
        actor_label=actor.name[:200],
        organisation=actor.organisation,
        role=actor.role,
        action=action,
        object_type=obj._meta.label if hasattr(obj, "_meta") else type(obj).__name__,
        object_id=str(getattr(obj, "pk", "") or ""),
        privacy=privacy,
        fields=sorted(set(fields)),
        reason=reason[:300],
        patient=patient,
        request_id=current_request_id.get(),
    )


def record_many(actor, action: str, objects, *, privacy, fields=(), reason: str = "", patient_of=None) -> int:
    """One row per object; for list views that show identity or clinical data."""
    rows = []
    user = actor.user if getattr(actor.user, "pk", None) else None
    privacy = sorted(set(privacy))
    for obj in objects:
        rows.append(
            AuditEntry(
                user=user,
                actor_label=actor.name[:200],
                organisation=actor.organisation,
                role=actor.role,
                action=action,
                object_type=obj._meta.label,
                object_id=str(obj.pk),
                privacy=privacy,
                fields=sorted(set(fields)),
                reason=reason[:300],
                patient=patient_of(obj) if patient_of else None,
                request_id=current_request_id.get(),
            )
        )
    AuditEntry.objects.bulk_create(rows)
    return len(rows)
