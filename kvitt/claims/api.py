"""/api/v1/claims/: the access point's webhook for inbound EHF documents, and reads for systems."""

from __future__ import annotations

import datetime

from ninja import Router, Schema, Status

from kvitt.claims import selectors, services
from kvitt.claims.models import Source

router = Router(tags=["claims"])

ACCEPTED_TYPES = ("application/xml", "text/xml")


class ReceivedOut(Schema):
    id: int
    status: str
    duplicate: bool
    kind: str
    number: str
    due_at: datetime.datetime
    error: str = ""


class ClaimFindingOut(Schema):
    number: int
    code: str
    severity: str
    line_id: str
    message: str
    waived: bool


class InboundOut(Schema):
    id: int
    status: str
    kind: str
    number: str
    supplier_org_number: str
    sak_id: str
    received_at: datetime.datetime
    due_at: datetime.datetime
    validated_at: datetime.datetime | None
    payable_amount: int | None
    approved_amount: int | None
    findings: list[ClaimFindingOut]


@router.post("/inbound", response={202: ReceivedOut, 200: ReceivedOut, 400: dict, 415: dict})
def inbound(request):
    """The access point delivers one document: an SBDH envelope or a bare UBL Invoice/CreditNote.

    202 when new, 200 when the same bytes were already received (idempotent). A document that
    cannot be read is still stored (status ``unreadable``) and answered 202 with the error.
    """
    content_type = (request.content_type or "").split(";")[0].strip().lower()
    if content_type not in ACCEPTED_TYPES:
        return Status(415, {"detail": f"send the document as application/xml, not {content_type or 'nothing'}"})
    actor = request.auth
    try:
        invoice, created = services.receive(actor, request.body, Source.WEBHOOK)
    except services.ClaimRefused as exc:
        return Status(400, {"detail": str(exc)})
    out = ReceivedOut(
        id=invoice.pk, status=invoice.status, duplicate=not created, kind=invoice.kind, number=invoice.number,
        due_at=invoice.due_at, error=invoice.parse_error,
    )
    return Status(202 if created else 200, out)


@router.get("/inbound/{invoice_id}", response=InboundOut)
def inbound_detail(request, invoice_id: int):
    actor = request.auth
    invoice = selectors.get_invoice(actor, invoice_id)
    language = getattr(getattr(actor, "user", None), "preferred_language", "nb") or "nb"
    findings = [
        ClaimFindingOut(number=f.number, code=f.code, severity=f.severity, line_id=f.line_id, message=f.message(language), waived=f.waived)
        for f in invoice.findings.filter(run=invoice.validation_runs)
    ]
    return InboundOut(
        id=invoice.pk, status=invoice.status, kind=invoice.kind, number=invoice.number,
        supplier_org_number=invoice.supplier_org_number, sak_id=invoice.sak_id, received_at=invoice.received_at,
        due_at=invoice.due_at, validated_at=invoice.validated_at, payable_amount=invoice.payable_amount,
        approved_amount=invoice.approved_amount, findings=findings,
    )


class PaymentRunOut(Schema):
    inbound_id: int
    supplier_org_number: str
    supplier_name: str
    invoice_number: str
    account: str
    kid: str
    message: str
    amount_ore: int
    amount_nok: str
    due_date: str


@router.post("/payment-run", response=list[PaymentRunOut])
def payment_run(request):
    """The approved amounts not yet paid (account and KID from each invoice); each is returned once."""
    return services.payment_run(request.auth)
