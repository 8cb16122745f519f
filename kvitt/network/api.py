"""/api/v1/network/: companies, locations, practitioners, payers, approvals, invitations."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Router, Schema

from kvitt.network import selectors, services

router = Router(tags=["network"])


class CompanyOut(Schema):
    id: int
    name: str
    org_number: str
    foretaksregisteret: bool
    vat_category: str
    email: str
    invoice_email: str
    bank_account: str
    kid_algorithm: str
    kid_length: int
    language: str
    street: str
    postcode: str
    city: str


class CompanyIn(Schema):
    name: str
    org_number: str
    foretaksregisteret: bool = True
    vat_category: str = "E"
    email: str = ""
    invoice_email: str = ""
    bank_account: str = ""
    kid_algorithm: str = "MOD10"
    kid_length: int = 10
    language: str = "nb"
    street: str = ""
    postcode: str = ""
    city: str = ""


class CompanyPatch(Schema):
    name: str | None = None
    foretaksregisteret: bool | None = None
    vat_category: str | None = None
    email: str | None = None
    invoice_email: str | None = None
    bank_account: str | None = None
    kid_algorithm: str | None = None
    kid_length: int | None = None
    language: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None


class LocationOut(Schema):
    id: int
    company_id: int
    name: str
    street: str
    postcode: str
    city: str
    latitude: Decimal | None
    longitude: Decimal | None
    her_id: str


class LocationIn(Schema):
    name: str
    street: str = ""
    postcode: str = ""
    city: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    her_id: str = ""


class PractitionerOut(Schema):
    id: int
    company_id: int
    name: str
    hpr_number: str
    professions: list[str]
    competences: list[str]
    location_ids: list[int]


class PractitionerIn(Schema):
    name: str
    hpr_number: str = ""
    professions: list[str]
    competences: list[str] = []
    email: str = ""
    location_ids: list[int] = []


class PayerOut(Schema):
    id: int
    name: str
    kind: str
    org_number: str
    peppol_id: str


class ApprovalOut(Schema):
    id: int
    payer_id: int
    payer: str
    company_id: int
    location_id: int | None
    professions: list[str]
    valid_from: datetime.date
    valid_to: datetime.date | None
    revoked: bool


class ApprovalIn(Schema):
    company_id: int
    location_id: int | None = None
    professions: list[str] = []
    valid_from: datetime.date
    valid_to: datetime.date | None = None


class InvitationIn(Schema):
    email: str
    name: str
    professions: list[str]
    hpr_number: str = ""


class InvitationOut(Schema):
    id: int
    location_id: int
    email: str
    name: str
    status: str


def _practitioner_out(p) -> PractitionerOut:
    return PractitionerOut(
        id=p.id, company_id=p.company_id, name=p.name, hpr_number=p.hpr_number, professions=p.professions,
        competences=p.competences, location_ids=[loc.id for loc in p.locations.all()],
    )


def _approval_out(a) -> ApprovalOut:
    return ApprovalOut(
        id=a.id, payer_id=a.payer_id, payer=a.payer.name, company_id=a.company_id, location_id=a.location_id,
        professions=a.professions, valid_from=a.valid_from, valid_to=a.valid_to, revoked=a.revoked_at is not None,
    )


@router.get("/companies", response=list[CompanyOut])
def list_companies(request):
    return list(selectors.companies_for(request.auth))


@router.post("/companies", response={201: CompanyOut})
def create_company(request, payload: CompanyIn):
    data = payload.dict()
    return 201, services.create_company(request.auth, **data)


@router.get("/companies/{company_id}", response=CompanyOut)
def get_company(request, company_id: int):
    return selectors.get_visible(selectors.companies_for(request.auth), company_id)


@router.patch("/companies/{company_id}", response=CompanyOut)
def update_company(request, company_id: int, payload: CompanyPatch):
    company = selectors.get_visible(selectors.companies_for(request.auth), company_id)
    return services.update_company(request.auth, company, **payload.dict(exclude_none=True))


@router.get("/locations", response=list[LocationOut])
def list_locations(request):
    return list(selectors.locations_for(request.auth))


@router.post("/companies/{company_id}/locations", response={201: LocationOut})
def create_location(request, company_id: int, payload: LocationIn):
    company = selectors.get_visible(selectors.companies_for(request.auth), company_id)
    return 201, services.create_location(request.auth, company, **payload.dict())


@router.get("/locations/{location_id}", response=LocationOut)
def get_location(request, location_id: int):
    return selectors.get_visible(selectors.locations_for(request.auth), location_id)


@router.get("/practitioners", response=list[PractitionerOut])
def list_practitioners(request):
    return [_practitioner_out(p) for p in selectors.practitioners_for(request.auth).prefetch_related("locations")]


@router.post("/companies/{company_id}/practitioners", response={201: PractitionerOut})
def create_practitioner(request, company_id: int, payload: PractitionerIn):
    company = selectors.get_visible(selectors.companies_for(request.auth), company_id)
    data = payload.dict()
    location_ids = data.pop("location_ids")
    locations = list(selectors.locations_for(request.auth).filter(id__in=location_ids))
    return 201, _practitioner_out(services.add_practitioner(request.auth, company, locations=locations, **data))


@router.get("/payers", response=list[PayerOut])
def list_payers(request):
    return list(selectors.payers_for(request.auth))


@router.get("/approvals", response=list[ApprovalOut])
def list_approvals(request):
    return [_approval_out(a) for a in selectors.approvals_for(request.auth)]


@router.post("/approvals", response={201: ApprovalOut})
def create_approval(request, payload: ApprovalIn):
    from kvitt.network.models import Company, Location

    company = selectors.get_visible(Company.objects.all(), payload.company_id)
    location = None
    if payload.location_id:
        location = selectors.get_visible(Location.objects.filter(company=company), payload.location_id)
    approval = services.approve_partner(
        request.auth, company, location=location, professions=payload.professions,
        valid_from=payload.valid_from, valid_to=payload.valid_to,
    )
    return 201, _approval_out(approval)


@router.post("/approvals/{approval_id}/revoke", response=ApprovalOut)
def revoke_approval(request, approval_id: int):
    approval = selectors.get_visible(selectors.approvals_for(request.auth), approval_id)
    return _approval_out(services.revoke_approval(request.auth, approval))


@router.post("/locations/{location_id}/invitations", response={201: InvitationOut})
def invite(request, location_id: int, payload: InvitationIn):
    location = selectors.get_visible(selectors.locations_for(request.auth), location_id)
    return 201, services.invite_practitioner(request.auth, location, **payload.dict())


@router.get("/invitations", response=list[InvitationOut])
def list_invitations(request):
    return list(selectors.invitations_for(request.auth))
