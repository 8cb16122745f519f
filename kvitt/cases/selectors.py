"""Reads of assignments, always through the acting user's eyes."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from kvitt.core import audit
from kvitt.core.fieldcrypto import search_hash
from kvitt.core.models import OrganisationKind, Role
from kvitt.core.permissions import Actor, PermissionDenied, require_privacy
from kvitt.cases import sakid as sakid_module
from kvitt.cases.models import Assignment, UsageEntry, UsageKind

PAYER_KINDS = (OrganisationKind.INSURER, OrganisationKind.PUBLIC_PAYER, OrganisationKind.REGION)
PAYER_ROLES = (Role.INSURER_CASE_HANDLER, Role.REGION_BILLING_OFFICER, "system")
CLINIC_ROLES = (Role.CLINIC_ADMIN, Role.PRACTITIONER, Role.BILLING_CLERK, "system")


def is_payer_actor(actor: Actor) -> bool:
    return actor.organisation.kind in PAYER_KINDS and actor.role in PAYER_ROLES


def is_clinic_actor(actor: Actor) -> bool:
    return actor.organisation.kind == OrganisationKind.CLINIC_COMPANY and actor.role in CLINIC_ROLES


def assignments_for(actor: Actor) -> QuerySet[Assignment]:
    """An insurer sees the assignments it opened; a clinic those given to its company."""
    qs = Assignment.objects.select_related("payer", "company", "location")
    if is_payer_actor(actor):
        return qs.filter(payer__organisation=actor.organisation)
    if is_clinic_actor(actor):
        return qs.filter(company__organisation=actor.organisation)
    return qs.none()


def get_assignment(actor: Actor, sakid: str) -> Assignment:
    """The assignment if the actor may see it; the same refusal whether it is missing or foreign."""
    assignment = assignments_for(actor).filter(sakid=sakid_module.compact(sakid)).first()
    if assignment is None:
        raise PermissionDenied(_("No such assignment, or not yours"))
    return assignment


def patient_identity(actor: Actor, assignment: Assignment, *, reason: str = "view assignment"):
    """The patient behind an assignment; every look is written to the audit log."""
    require_privacy(actor, ["identity"])
    patient = assignment.patient
    audit.record(
        actor, "read", patient, privacy=("identity",), fields=("name", "national_id", "email", "phone"),
        reason=f"{reason} {assignment.sakid}", patient=patient,
    )
    return patient


@dataclass(frozen=True)
class Coverage:
    """What is left on an assignment. Reserved treatments (bookings not yet invoiced) count as used."""

    max_treatments: int
    max_amount: int
    reserved_treatments: int
    reserved_amount: int
    consumed_treatments: int
    consumed_amount: int

    @property
    def remaining_treatments(self) -> int:
        return self.max_treatments - self.reserved_treatments - self.consumed_treatments

    @property
    def remaining_amount(self) -> int:
        return self.max_amount - self.reserved_amount - self.consumed_amount


def _sums(assignment: Assignment) -> dict[str, tuple[int, int]]:
    rows = (
        UsageEntry.objects.filter(assignment=assignment)
        .values("kind")
        .annotate(count=Sum("count"), amount=Sum("amount"))
    )
    return {row["kind"]: (row["count"] or 0, row["amount"] or 0) for row in rows}


def remaining_coverage(assignment: Assignment) -> Coverage:
    return coverage_from_sums(assignment, _sums(assignment))


def coverage_from_entries(assignment: Assignment, entries) -> Coverage:
    """The same balance from usage entries already read (a batch reads them once for many assignments)."""
    sums: dict[str, tuple[int, int]] = {}
    for entry in entries:
        count, amount = sums.get(entry.kind, (0, 0))
        sums[entry.kind] = (count + entry.count, amount + entry.amount)
    return coverage_from_sums(assignment, sums)


def coverage_from_sums(assignment: Assignment, sums: dict[str, tuple[int, int]]) -> Coverage:
    def get(kind):
        return sums.get(kind, (0, 0))

    reserve, release, consume, reverse = (get(k) for k in (UsageKind.RESERVE, UsageKind.RELEASE, UsageKind.CONSUME, UsageKind.REVERSE))
    return Coverage(
        max_treatments=assignment.max_treatments,
        max_amount=assignment.max_amount,
        reserved_treatments=reserve[0] - release[0],
        reserved_amount=reserve[1] - release[1],
        consumed_treatments=consume[0] - reverse[0],
        consumed_amount=consume[1] - reverse[1],
    )


def search_assignments(actor: Actor, text: str) -> QuerySet[Assignment]:
    text = text.strip()
    qs = assignments_for(actor)
    if not text:
        return qs
    return qs.filter(Q(sakid=sakid_module.compact(text)) | Q(patient__national_id_hash=search_hash(text)))
