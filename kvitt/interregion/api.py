"""/api/v1/interregion/: pricing and registration data in, bases and the match out.

Lists carry no patient data; patient numbers of received bases are on the web page for
billing officers only (audited), not in the API.
"""

from __future__ import annotations

import datetime
import re
import uuid

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from kvitt.interregion import selectors, services
from kvitt.interregion.models import ClaimSpecification, Direction
from kvitt.ledger import selectors as ledger_selectors

router = Router(tags=["interregion"])


class Item(Schema):
    code: str
    name: str
    quantity: int
    unit_price: int  # öre


class PricingIn(Schema):
    type_of_care: str = "01"
    planned: bool = True
    type_of_visit: str = ""
    public_care: bool | None = None
    profession_code: str = ""
    medical_field_code: str
    care_level: str = ""
    product_category: str = ""
    price_list: str = ""
    drg_code: str = ""
    drg_price: int | None = None
    outlier_care_time: int | None = None
    outlier_cost: int | None = None
    items: list[Item] = []
    outpatient_fee_paid: int | None = None
    charge: int | None = None
    allowance: int | None = None
    discount: int | None = None
    discharge_date: datetime.date | None = None
    days_in_care: int | None = None
    days_on_leave: int | None = None


class PricingOut(PricingIn):
    event_id: uuid.UUID


class RegistrationIn(Schema):
    municipality_code: str
    gender: str = ""
    reserve_number_root: str = ""


class BuildMonthIn(Schema):
    month: str  # YYYY-MM


class SpecOut(Schema):
    id: int
    basis_id: str
    type_of_invoice: str
    supplier_org_number: str
    customer_org_number: str
    issue_date: datetime.date
    payable_amount: int
    reference_basis_id: str
    status: str
    findings: list[dict]
    result_comment: str


class MatchRowOut(Schema):
    basis_id: str
    kind: str
    supplier_org_number: str
    basis_amount: int | None
    invoice_amount: int | None
    difference: int
    flagged: bool
    invoice_numbers: list[str]
    open_disputes: int


class MatchOut(Schema):
    rows: list[MatchRowOut]
    basis_total: int
    invoice_total: int
    balanced: bool


@router.put("/pricing/{event_id}", response=PricingOut)
def put_pricing(request, event_id: uuid.UUID, payload: PricingIn):
    return services.set_pricing(request.auth, event_id, **payload.dict())


@router.put("/patients/{patient_id}/registration", response={204: None})
def put_registration(request, patient_id: int, payload: RegistrationIn):
    patient = get_object_or_404(ledger_selectors.patients_for(request.auth), pk=patient_id)
    services.set_registration(request.auth, patient, **payload.dict())
    return Status(204, None)


@router.post("/build", response={201: list[SpecOut]})
def build(request, payload: BuildMonthIn):
    match = re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", payload.month)
    if not match:
        raise ValidationError({"month": "YYYY-MM"})
    return Status(201, services.build_month(request.auth, int(match[1]), int(match[2])).specifications)


@router.get("/sent", response=list[SpecOut])
def sent(request):
    return list(selectors.sent_specifications(request.auth)[:500])


@router.post("/sent/{spec_id}/send", response={202: SpecOut})
def send(request, spec_id: int):
    row = get_object_or_404(ClaimSpecification, pk=spec_id, organisation=request.auth.organisation, direction=Direction.SENT)
    services.queue_for_delivery(request.auth, row)
    row.refresh_from_db()
    return Status(202, row)


@router.get("/received", response=list[SpecOut])
def received(request):
    return list(selectors.received_specifications(request.auth)[:500])


@router.get("/match", response=MatchOut)
def match(request, supplier: str | None = None):
    overview = selectors.match_overview(request.auth, supplier)
    return {"rows": overview.rows, "basis_total": overview.basis_total, "invoice_total": overview.invoice_total,
            "balanced": overview.balanced}


class DisputeIn(Schema):
    line_id: int
    reason_code: str
    reason: str


class DisputeOut(Schema):
    id: int
    basis_id: str
    line_id: int
    reason_code: str
    reason: str
    status: str
    credit_basis_id: str
    rebill_basis_id: str


class CreditLinesIn(Schema):
    line_ids: list[int]
    reason_for_credit: str


class LinesIn(Schema):
    line_ids: list[int]


class RegionInvoiceOut(Schema):
    number: str
    kind: str
    basis_id: str
    amount: int
    match: str
    difference: int


def _sent(request, spec_id: int) -> ClaimSpecification:
    return get_object_or_404(ClaimSpecification, pk=spec_id, organisation=request.auth.organisation, direction=Direction.SENT)


@router.post("/received/{spec_id}/disputes", response={201: DisputeOut})
def dispute(request, spec_id: int, payload: DisputeIn):
    row = get_object_or_404(ClaimSpecification, pk=spec_id, organisation=request.auth.organisation, direction=Direction.RECEIVED)
    return Status(201, services.dispute_line(request.auth, row, payload.line_id, reason_code=payload.reason_code, reason=payload.reason))


@router.get("/disputes", response=list[DisputeOut])
def disputes(request):
    return list(selectors.disputes_for(request.auth)[:500])


@router.post("/sent/{spec_id}/credit", response={201: SpecOut})
def credit(request, spec_id: int, payload: CreditLinesIn):
    return Status(201, services.credit_lines(request.auth, _sent(request, spec_id), payload.line_ids,
                                             reason_for_credit=payload.reason_for_credit))


@router.post("/sent/{spec_id}/rebill", response={201: SpecOut})
def rebill(request, spec_id: int, payload: LinesIn):
    return Status(201, services.rebill_lines(request.auth, _sent(request, spec_id), payload.line_ids))


@router.post("/sent/{spec_id}/invoice", response={201: RegionInvoiceOut})
def invoice(request, spec_id: int):
    return Status(201, services.issue_invoice(request.auth, _sent(request, spec_id)))
