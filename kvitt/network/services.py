"""Every change to the provider network: one function per verb, with the acting user."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _

from kvitt.core.models import Membership, Organisation, OrganisationKind, Role
from kvitt.core.permissions import Actor, PermissionDenied, require_role
from kvitt.network.models import (
    Company,
    Invitation,
    InvitationStatus,
    Location,
    PartnerApproval,
    Payer,
    PayerKind,
    Practitioner,
)

COMPANY_EDITABLE = (
    "name", "foretaksregisteret", "vat_category", "vat_number", "email", "invoice_email", "bank_account",
    "iban", "bic", "kid_algorithm", "kid_length", "language", "street", "postcode", "city",
)
LOCATION_EDITABLE = ("name", "street", "postcode", "city", "latitude", "longitude", "her_id")


def _require_company_admin(actor: Actor, company: Company) -> None:
    if actor.role == Role.NETWORK_OPERATOR:
        return
    if actor.role != Role.CLINIC_ADMIN or company.organisation_id != actor.organisation.id:
        raise PermissionDenied(_("Only the company's clinic admin may change it"))


def _save(instance) -> None:
    instance.full_clean()
    instance.save()


@transaction.atomic
def create_company(actor: Actor, *, name: str, org_number: str, **fields) -> Company:
    """A network operator registers a clinic company; its organisation is made with it."""
    require_role(actor, Role.NETWORK_OPERATOR)
    organisation = Organisation.objects.create(
        name=name, kind=OrganisationKind.CLINIC_COMPANY, country="NO", org_number=org_number, email=fields.get("email", "")
    )
    company = Company(organisation=organisation, name=name, org_number=org_number, **fields)
    _save(company)
    return company


@transaction.atomic
def update_company(actor: Actor, company: Company, **changes) -> Company:
    _require_company_admin(actor, company)
    unknown = set(changes) - set(COMPANY_EDITABLE)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed here") for field in unknown})
    for field, value in changes.items():
        setattr(company, field, value)
    _save(company)
    if "name" in changes:
        Organisation.objects.filter(pk=company.organisation_id).update(name=company.name)
    return company


@transaction.atomic
def create_location(actor: Actor, company: Company, **fields) -> Location:
    _require_company_admin(actor, company)
    location = Location(company=company, **fields)
    _save(location)
    return location


@transaction.atomic
def update_location(actor: Actor, location: Location, **changes) -> Location:
    _require_company_admin(actor, location.company)
    unknown = set(changes) - set(LOCATION_EDITABLE)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed here") for field in unknown})
    for field, value in changes.items():
        setattr(location, field, value)
    _save(location)
    return location


@transaction.atomic
def add_practitioner(actor: Actor, company: Company, *, locations=(), **fields) -> Practitioner:
    _require_company_admin(actor, company)
    practitioner = Practitioner(company=company, **fields)
    _save(practitioner)
    practitioner.locations.set([loc for loc in locations if loc.company_id == company.id])
    return practitioner


@transaction.atomic
def invite_practitioner(
    actor: Actor, location: Location, *, email: str, name: str, professions: list[str], hpr_number: str = ""
) -> Invitation:
    """The company admin invites a practitioner to a location; the invitation goes by e-mail."""
    _require_company_admin(actor, location.company)
    # Validate what the practitioner will become before sending anything.
    Practitioner(company=location.company, name=name, professions=professions, hpr_number=hpr_number).clean()
    if Invitation.objects.filter(location=location, email__iexact=email, status=InvitationStatus.SENT).exists():
        raise ValidationError({"email": _("%(email)s already has an open invitation to this location") % {"email": email}})
    invitation = Invitation.objects.create(
        location=location,
        email=email,
        name=name,
        professions=professions,
        hpr_number=hpr_number,
        invited_by=actor.user if getattr(actor.user, "pk", None) else None,
    )
    transaction.on_commit(lambda: _send_invitation(invitation))
    return invitation


def invitation_url(invitation: Invitation) -> str:
    return settings.KVITT_BASE_URL.rstrip("/") + reverse("network:accept_invitation", args=[invitation.token])


def _send_invitation(invitation: Invitation) -> None:
    company = invitation.location.company
    with translation.override(company.language):
        subject = _("Invitation to %(location)s on Kvitt") % {"location": invitation.location.name}
        body = _(
            "Hello %(name)s,\n\n%(company)s invites you to work at %(location)s through Kvitt.\n"
            "Accept the invitation and choose your password here:\n%(url)s\n"
        ) % {
            "name": invitation.name,
            "company": company.name,
            "location": invitation.location.name,
            "url": invitation_url(invitation),
        }
    send_mail(subject, body, None, [invitation.email])


@transaction.atomic
def accept_invitation(token: str, *, username: str, password: str) -> Practitioner:
    """The invited practitioner creates their login; they join the location as a practitioner."""
    invitation = Invitation.objects.select_for_update().select_related("location__company").filter(token=token).first()
    if invitation is None or invitation.status != InvitationStatus.SENT:
        raise ValidationError(_("This invitation is not valid any more"))
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("That username is taken")})
    user = User(username=username, email=invitation.email, first_name=invitation.name)
    from django.contrib.auth.password_validation import validate_password

    validate_password(password, user)
    user.set_password(password)
    user.save()
    company = invitation.location.company
    practitioner = Practitioner.objects.filter(company=company, email__iexact=invitation.email, user__isnull=True).first()
    if practitioner is None:
        practitioner = Practitioner(
            company=company, name=invitation.name, professions=invitation.professions, hpr_number=invitation.hpr_number,
            email=invitation.email,
        )
        _save(practitioner)
    practitioner.user = user
    practitioner.save(update_fields=["user"])
    practitioner.locations.add(invitation.location)
    Membership.objects.create(user=user, organisation=company.organisation, role=Role.PRACTITIONER)
    invitation.status = InvitationStatus.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.practitioner = practitioner
    invitation.save(update_fields=["status", "accepted_at", "practitioner"])
    return practitioner


def _require_payer_actor(actor: Actor) -> Payer:
    payer = Payer.objects.filter(organisation=actor.organisation).first()
    if payer is None or actor.role not in (Role.INSURER_CASE_HANDLER, Role.REGION_BILLING_OFFICER):
        raise PermissionDenied(_("Only a payer's case handler may approve partners"))
    return payer


@transaction.atomic
def approve_partner(
    actor: Actor,
    company: Company,
    *,
    location: Location | None = None,
    professions: list[str] | None = None,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
) -> PartnerApproval:
    payer = _require_payer_actor(actor)
    approval = PartnerApproval(
        payer=payer,
        company=company,
        location=location,
        professions=professions or [],
        valid_from=valid_from,
        valid_to=valid_to,
        approved_by=actor.user if getattr(actor.user, "pk", None) else None,
    )
    _save(approval)
    return approval


@transaction.atomic
def revoke_approval(actor: Actor, approval: PartnerApproval) -> PartnerApproval:
    payer = _require_payer_actor(actor)
    if approval.payer_id != payer.id:
        raise PermissionDenied(_("The approval belongs to another payer"))
    approval.revoked_at = timezone.now()
    approval.save(update_fields=["revoked_at"])
    return approval


@transaction.atomic
def create_payer(actor: Actor, *, name: str, kind: str, org_number: str, country: str = "NO", **fields) -> Payer:
    require_role(actor, Role.NETWORK_OPERATOR)
    organisation_kind = {
        PayerKind.INSURER: OrganisationKind.INSURER,
        PayerKind.PUBLIC_PAYER: OrganisationKind.PUBLIC_PAYER,
        PayerKind.REGION: OrganisationKind.REGION,
    }[kind]
    organisation = Organisation.objects.create(name=name, kind=organisation_kind, country=country, org_number=org_number)
    payer = Payer(organisation=organisation, name=name, kind=kind, org_number=org_number, **fields)
    _save(payer)
    return payer
