"""Reads of the provider network, always through the acting user's eyes."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from kvitt.core.models import OrganisationKind, Role
from kvitt.core.permissions import Actor, PermissionDenied
from kvitt.network.models import Company, Invitation, Location, PartnerApproval, Payer, Practitioner

PAYER_ORGANISATION_KINDS = (OrganisationKind.INSURER, OrganisationKind.PUBLIC_PAYER, OrganisationKind.REGION)


def today() -> datetime.date:
    return timezone.localdate()


def visible_locations(day: datetime.date | None = None) -> QuerySet[Location]:
    """Locations at least one partner approves on ``day``: the only ones insurers and patients see."""
    day = day or today()
    active = PartnerApproval.objects.active_on(day).filter(company_id=OuterRef("company_id")).filter(
        Q(location__isnull=True) | Q(location_id=OuterRef("pk"))
    )
    return Location.objects.filter(Exists(active))


def _is_network_operator(actor: Actor) -> bool:
    return actor.role == Role.NETWORK_OPERATOR


def _is_payer(actor: Actor) -> bool:
    return actor.organisation.kind in PAYER_ORGANISATION_KINDS


def companies_for(actor: Actor) -> QuerySet[Company]:
    if _is_network_operator(actor):
        return Company.objects.all()
    if actor.organisation.kind == OrganisationKind.CLINIC_COMPANY and actor.role in (
        Role.CLINIC_ADMIN, Role.BILLING_CLERK, Role.PRACTITIONER,
    ):
        return Company.objects.filter(organisation=actor.organisation)
    if _is_payer(actor) and actor.role in (Role.INSURER_CASE_HANDLER, Role.REGION_BILLING_OFFICER):
        return Company.objects.filter(locations__in=visible_locations()).distinct()
    return Company.objects.none()


def locations_for(actor: Actor) -> QuerySet[Location]:
    if _is_network_operator(actor):
        return Location.objects.all()
    if actor.organisation.kind == OrganisationKind.CLINIC_COMPANY and actor.role in (
        Role.CLINIC_ADMIN, Role.BILLING_CLERK, Role.PRACTITIONER,
    ):
        return Location.objects.filter(company__organisation=actor.organisation)
    if _is_payer(actor) and actor.role in (Role.INSURER_CASE_HANDLER, Role.REGION_BILLING_OFFICER):
        return visible_locations()
    return Location.objects.none()


def practitioners_for(actor: Actor) -> QuerySet[Practitioner]:
    if _is_network_operator(actor):
        return Practitioner.objects.all()
    if actor.organisation.kind == OrganisationKind.CLINIC_COMPANY and actor.role in (
        Role.CLINIC_ADMIN, Role.BILLING_CLERK, Role.PRACTITIONER,
    ):
        return Practitioner.objects.filter(company__organisation=actor.organisation)
    if _is_payer(actor) and actor.role in (Role.INSURER_CASE_HANDLER, Role.REGION_BILLING_OFFICER):
        return Practitioner.objects.filter(locations__in=visible_locations(), active=True).distinct()
    return Practitioner.objects.none()


def approvals_for(actor: Actor) -> QuerySet[PartnerApproval]:
    qs = PartnerApproval.objects.select_related("payer", "company", "location")
    if _is_network_operator(actor):
        return qs
    if actor.organisation.kind == OrganisationKind.CLINIC_COMPANY:
        return qs.filter(company__organisation=actor.organisation)
    if _is_payer(actor):
        return qs.filter(payer__organisation=actor.organisation)
    return qs.none()


def payers_for(actor: Actor) -> QuerySet[Payer]:
    if actor.role in (Role.COLLECTION_AGENT, Role.AUDITOR):
        return Payer.objects.filter(organisation=actor.organisation)
    return Payer.objects.all()


def invitations_for(actor: Actor) -> QuerySet[Invitation]:
    if actor.role == Role.CLINIC_ADMIN:
        return Invitation.objects.filter(location__company__organisation=actor.organisation)
    if _is_network_operator(actor):
        return Invitation.objects.all()
    return Invitation.objects.none()


def get_visible(queryset: QuerySet, pk: int):
    """The object if the actor may see it; the same refusal whether it is missing or foreign."""
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise PermissionDenied("not found or not yours")
    return obj


def approval_status(location: Location, day: datetime.date | None = None) -> list[dict]:
    """Each payer's approval of a location on ``day``, for the clinic's own status page."""
    day = day or today()
    rows = []
    for approval in PartnerApproval.objects.covering_location(location).select_related("payer").order_by("payer__name"):
        rows.append(
            {
                "payer": approval.payer.name,
                "professions": approval.professions,
                "valid_from": approval.valid_from,
                "valid_to": approval.valid_to,
                "active": approval.is_active_on(day),
                "revoked": approval.revoked_at is not None,
            }
        )
    return rows


def is_visible(location: Location, day: datetime.date | None = None) -> bool:
    return visible_locations(day).filter(pk=location.pk).exists()
