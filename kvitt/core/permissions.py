"""Who is acting, for which organisation, in which role; and the checks services make.

Every service takes an ``Actor`` so that permission checks and audit records always know
the user, the organisation they act for and their role there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

from kvitt.core.models import Membership, Organisation, OrganisationKind, Role


class PermissionDenied(DjangoPermissionDenied):
    """Raised by services when the actor may not do or see something."""


@dataclass(frozen=True)
class Actor:
    user: object | None
    organisation: Organisation
    role: str
    label: str = ""

    @property
    def name(self) -> str:
        if self.label:
            return self.label
        return getattr(self.user, "username", "") or "system"

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role in Role.values else self.role

    def is_role(self, *roles: str) -> bool:
        return self.role in roles

    @classmethod
    def system(cls, organisation: Organisation, label: str = "kvitt-worker") -> "Actor":
        """The worker acting on an organisation's behalf (deliveries, scheduled runs)."""
        return cls(user=None, organisation=organisation, role="system", label=label)

    @classmethod
    def for_membership(cls, membership: Membership) -> "Actor":
        return cls(user=membership.user, organisation=membership.organisation, role=membership.role)


def require_role(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise PermissionDenied(f"role {actor.role!r} may not do this")


def require_same_organisation(actor: Actor, organisation_id: int | None) -> None:
    if organisation_id != actor.organisation.id:
        raise PermissionDenied("object belongs to another organisation")


def require_kind(actor: Actor, *kinds: str) -> None:
    if actor.organisation.kind not in kinds:
        raise PermissionDenied(f"organisation kind {actor.organisation.kind!r} may not do this")


# Which roles may see which privacy classes of patient data. Collection agents see identity
# (to contact the debtor) and financial data, never clinical data.
ROLE_PRIVACY: dict[str, frozenset[str]] = {
    Role.CLINIC_ADMIN: frozenset({"identity", "clinical", "financial"}),
    Role.PRACTITIONER: frozenset({"identity", "clinical", "financial"}),
    Role.BILLING_CLERK: frozenset({"identity", "clinical", "financial"}),
    Role.INSURER_CASE_HANDLER: frozenset({"identity", "clinical", "financial"}),
    Role.REGION_BILLING_OFFICER: frozenset({"identity", "clinical", "financial"}),
    Role.COLLECTION_AGENT: frozenset({"identity", "financial"}),
    Role.AUDITOR: frozenset(),
    Role.NETWORK_OPERATOR: frozenset(),
    "system": frozenset({"identity", "clinical", "financial"}),
}


def may_see(actor: Actor, privacy_class: str) -> bool:
    return privacy_class in ROLE_PRIVACY.get(actor.role, frozenset())


def require_privacy(actor: Actor, classes: Iterable[str]) -> None:
    missing = [c for c in classes if not may_see(actor, c)]
    if missing:
        raise PermissionDenied(f"role {actor.role!r} may not see {', '.join(missing)} data")


CLINIC_ROLES = (Role.CLINIC_ADMIN, Role.PRACTITIONER, Role.BILLING_CLERK)
CLINIC_KINDS = (OrganisationKind.CLINIC_COMPANY,)
PAYER_KINDS = (OrganisationKind.INSURER, OrganisationKind.PUBLIC_PAYER, OrganisationKind.REGION)
