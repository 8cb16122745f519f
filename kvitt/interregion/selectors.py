"""Reads of inter-regional billing. Lists carry no patient data; reading a received basis'
patient lines is for the home region's billing officers only and is audit-logged."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kvitt.core import audit
from kvitt.core.models import Role
from kvitt.core.permissions import Actor, PermissionDenied
from kvitt.interregion.models import (
    ClaimLine,
    ClaimSpecification,
    Direction,
    Dispute,
    DisputeStatus,
    InvoiceMatch,
    RegionInvoice,
)

LIST_ROLES = (Role.REGION_BILLING_OFFICER, Role.AUDITOR, "system")
ONE_KRONA = 100


def _require_list_role(actor: Actor) -> None:
    if actor is None or actor.role not in LIST_ROLES:
        raise PermissionDenied(_("Inter-regional billing is for the region's billing officers"))


def sent_specifications(actor: Actor) -> QuerySet[ClaimSpecification]:
    _require_list_role(actor)
    return (
        ClaimSpecification.objects.filter(organisation=actor.organisation, direction=Direction.SENT)
        .select_related("delivery")
        .defer("request_xml")  # encrypted and large: loaded only when a basis is opened
        .order_by("-created_at", "-id")
    )


def received_specifications(actor: Actor) -> QuerySet[ClaimSpecification]:
    _require_list_role(actor)
    return (
        ClaimSpecification.objects.filter(organisation=actor.organisation, direction=Direction.RECEIVED)
        .defer("request_xml")  # encrypted and large: loaded only when a basis is opened
        .order_by("-received_at", "-id")
    )


def received_lines(actor: Actor, row: ClaimSpecification) -> list[ClaimLine]:
    """Patient numbers and clinical codes of a received basis: home region officers only, audited."""
    if actor.role not in (Role.REGION_BILLING_OFFICER, "system") or row.organisation_id != actor.organisation.id:
        raise PermissionDenied(_("Only the home region's billing officers may see the patients of a received basis"))
    if row.direction != Direction.RECEIVED:
        raise PermissionDenied(_("Not a received basis"))
    lines = list(row.lines.all())
    audit.record_many(
        actor, "read", lines, privacy=["identity", "clinical"], fields=["patient_national_id", "diagnoses", "procedures"],
        reason=f"received basis {row.basis_id}",
    )
    return lines


def disputes_for(actor: Actor) -> QuerySet[Dispute]:
    """Both sides see the disputes: the home region that raised them and the care region they concern."""
    _require_list_role(actor)
    org = actor.organisation
    return Dispute.objects.filter(home_organisation=org) | Dispute.objects.filter(care_region_org_number=org.org_number)


def chain(actor: Actor, basis_id: str) -> list[ClaimSpecification]:
    """The basis, the credits that reference it, and the new debit bases its disputes led to."""
    _require_list_role(actor)
    own = ClaimSpecification.objects.filter(organisation=actor.organisation)
    rebills = Dispute.objects.filter(basis_id=basis_id).exclude(rebill_basis_id="").values_list("rebill_basis_id", flat=True)
    rows = own.filter(basis_id=basis_id) | own.filter(reference_basis_id=basis_id) | own.filter(basis_id__in=list(rebills))
    return list(rows.order_by("created_at", "id"))


@dataclass
class MatchRow:
    basis_id: str
    kind: str
    supplier_org_number: str
    basis_amount: int | None  # signed öre: credits negative
    invoice_amount: int | None
    invoice_numbers: list[str]
    open_disputes: int

    @property
    def difference(self) -> int:
        return (self.invoice_amount or 0) - (self.basis_amount or 0)

    @property
    def flagged(self) -> bool:
        return self.basis_amount is None or self.invoice_amount is None or abs(self.difference) > ONE_KRONA


@dataclass
class MatchOverview:
    rows: list[MatchRow] = field(default_factory=list)

    @property
    def basis_total(self) -> int:
        return sum(r.basis_amount or 0 for r in self.rows)

    @property
    def invoice_total(self) -> int:
        return sum(r.invoice_amount or 0 for r in self.rows)

    @property
    def open_disputes(self) -> int:
        return sum(r.open_disputes for r in self.rows)

    @property
    def balanced(self) -> bool:
        return not any(r.flagged for r in self.rows) and self.open_disputes == 0 and abs(self.invoice_total - self.basis_total) <= ONE_KRONA


def _signed(kind: str, amount: int) -> int:
    return -amount if kind == "381" else amount


def match_overview(actor: Actor, supplier_org_number: str | None = None) -> MatchOverview:
    """The home region's view: each received basis next to the invoices that reference it."""
    _require_list_role(actor)
    bases = received_specifications(actor)
    invoices = RegionInvoice.objects.filter(organisation=actor.organisation, direction=Direction.RECEIVED)
    if supplier_org_number:
        bases = bases.filter(supplier_org_number=supplier_org_number)
        invoices = invoices.filter(supplier_org_number=supplier_org_number)
    open_disputes: dict[str, int] = {}
    for basis_id in Dispute.objects.filter(home_organisation=actor.organisation, status=DisputeStatus.OPEN).values_list("basis_id", flat=True):
        open_disputes[basis_id] = open_disputes.get(basis_id, 0) + 1
    rows: dict[str, MatchRow] = {}
    for basis in bases.order_by("received_at", "id"):
        rows[basis.basis_id] = MatchRow(basis.basis_id, basis.type_of_invoice, basis.supplier_org_number,
                                        _signed(basis.type_of_invoice, basis.payable_amount), None, [], open_disputes.get(basis.basis_id, 0))
    for invoice in invoices.order_by("created_at", "id"):
        row = rows.get(invoice.basis_id)
        if row is None:
            row = rows[invoice.basis_id] = MatchRow(invoice.basis_id, invoice.kind, invoice.supplier_org_number, None, None, [], 0)
        row.invoice_amount = (row.invoice_amount or 0) + invoice.signed_amount
        row.invoice_numbers.append(invoice.number)
    return MatchOverview(list(rows.values()))


def flagged_invoices(actor: Actor) -> QuerySet[RegionInvoice]:
    _require_list_role(actor)
    return RegionInvoice.objects.filter(organisation=actor.organisation, direction=Direction.RECEIVED).exclude(match=InvoiceMatch.MATCHED)


__all__ = ["sent_specifications", "received_specifications", "received_lines", "disputes_for", "chain", "match_overview",
           "flagged_invoices"]
