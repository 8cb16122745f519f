"""/api/v1/einvoice/: build, credit, send and follow EHF invoices; the access point's webhook."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import uuid

from django.http import HttpResponse
from ninja import Router, Schema, Status

from kvitt.einvoice import selectors, services, transports
from kvitt.einvoice.models import OutboxStatus
from kvitt.einvoice.ubl import EInvoiceError

router = Router(tags=["einvoice"])


class FindingOut(Schema):
    id: str
    flag: str
    location: str
    message: str


class InvoiceOut(Schema):
    id: int
    kind: str
    number: int
    company_id: int
    payer_id: int
    sak_id: str
    issue_date: datetime.date
    due_date: datetime.date | None
    currency: str
    kid: str
    total_amount: int
    credited_invoice_id: int | None
    status: str
    message_id: str
    receiver_response: str
    receiver_response_note: str
    validation_findings: list[FindingOut]
    last_error: str
    created_at: datetime.datetime
    delivered_at: datetime.datetime | None


class CaseToInvoiceOut(Schema):
    sak_id: str
    count: int
    amount: int
    first: datetime.datetime | None
    last: datetime.datetime | None


class UninvoicedEventOut(Schema):
    id: int
    event_id: uuid.UUID
    start: datetime.datetime
    service_codes: list[str]
    amount: int


class BuildIn(Schema):
    issue_date: datetime.date | None = None
    due_days: int = services.DEFAULT_DUE_DAYS
    event_ids: list[uuid.UUID] | None = None


class CreditIn(Schema):
    reason: str
    event_ids: list[uuid.UUID] | None = None
    issue_date: datetime.date | None = None


class ResponseIn(Schema):
    code: str
    note: str = ""


class ErrorOut(Schema):
    detail: str


class UnprocessableOut(Schema):
    # Our own refusal is a sentence; ninja's request validation answers 422 with a list of field errors.
    detail: str | list[dict]


@router.get("/invoices", response=list[InvoiceOut])
def list_invoices(request, status: str | None = None, sak_id: str | None = None):
    invoices = selectors.invoices_for(request.auth)
    if status:
        invoices = invoices.filter(status=status)
    if sak_id:
        invoices = invoices.filter(sak_id=sak_id)
    return list(invoices[:500])


@router.get("/invoices/{invoice_id}", response=InvoiceOut)
def get_invoice(request, invoice_id: int):
    return selectors.get_invoice(request.auth, invoice_id)


@router.get("/invoices/{invoice_id}/xml")
def invoice_xml(request, invoice_id: int):
    invoice = selectors.get_invoice(request.auth, invoice_id)
    data = selectors.invoice_document(request.auth, invoice, reason="api download")
    response = HttpResponse(data, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ehf-{invoice.kind}-{invoice.number}.xml"'
    return response


@router.get("/cases", response=list[CaseToInvoiceOut])
def cases_to_invoice(request):
    return selectors.cases_to_invoice(request.auth)


@router.get("/cases/{sak_id}/uninvoiced", response=list[UninvoicedEventOut])
def uninvoiced(request, sak_id: str):
    events = selectors.uninvoiced_for_case(request.auth, sak_id, reason="api")
    return [
        {"id": e.pk, "event_id": e.event_id, "start": e.start, "service_codes": e.service_codes, "amount": e.amounts.get("insurer", 0)}
        for e in events
    ]


@router.post("/cases/{sak_id}/invoice", response={201: InvoiceOut, 409: ErrorOut, 422: UnprocessableOut})
def build(request, sak_id: str, payload: BuildIn):
    try:
        invoice = services.build_case_invoice(
            request.auth, sak_id, issue_date=payload.issue_date, due_days=payload.due_days, event_ids=payload.event_ids
        )
    except services.InvoiceRefused as exc:
        return Status(409, {"detail": exc.message})
    except EInvoiceError as exc:
        return Status(422, {"detail": str(exc)})
    return Status(201, invoice)


@router.post("/invoices/{invoice_id}/credit", response={201: InvoiceOut, 409: ErrorOut, 422: UnprocessableOut})
def credit(request, invoice_id: int, payload: CreditIn):
    invoice = selectors.get_invoice(request.auth, invoice_id)
    try:
        note = services.credit_invoice(request.auth, invoice, reason=payload.reason, event_ids=payload.event_ids, issue_date=payload.issue_date)
    except services.InvoiceRefused as exc:
        return Status(409, {"detail": exc.message})
    except EInvoiceError as exc:
        return Status(422, {"detail": str(exc)})
    return Status(201, note)


@router.post("/invoices/{invoice_id}/send", response={202: InvoiceOut, 409: ErrorOut})
def send(request, invoice_id: int):
    invoice = selectors.get_invoice(request.auth, invoice_id)
    try:
        services.queue_for_delivery(request.auth, invoice)
    except services.InvoiceRefused as exc:
        return Status(409, {"detail": exc.message})
    invoice.refresh_from_db()
    return Status(202, invoice)


@router.post("/invoices/{invoice_id}/response", response={200: InvoiceOut, 422: UnprocessableOut})
def receiver_response(request, invoice_id: int, payload: ResponseIn):
    invoice = selectors.get_invoice(request.auth, invoice_id)
    try:
        return Status(200, services.record_receiver_response(request.auth, invoice, payload.code, payload.note))
    except services.InvoiceRefused as exc:
        return Status(422, {"detail": exc.message})


def _webhook_secret() -> str:
    return str(transports.default_config().get("webhook_secret") or "")


def signature_for(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@router.post("/access-point/status", auth=None, response={200: dict, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def access_point_status(request):
    """The access point's status webhook: ``{"message_id", "status", "detail"}`` signed with
    ``X-Kvitt-Signature: sha256=<HMAC of the body with KVITT_ACCESS_POINT['webhook_secret']>``."""
    secret = _webhook_secret()
    if not secret:
        return Status(404, {"detail": "no access-point webhook is configured"})
    given = request.headers.get("X-Kvitt-Signature", "")
    if not hmac.compare_digest(given, signature_for(request.body, secret)):
        return Status(403, {"detail": "bad signature"})
    try:
        payload = json.loads(request.body)
        message_id = transports.check_message_id(str(payload["message_id"]))
        invoice = services.record_access_point_status(message_id, payload)
    except (ValueError, KeyError, TypeError) as exc:
        return Status(400, {"detail": f"unreadable status: {exc}"})
    except services.DeliveryOutbox.DoesNotExist:
        return Status(404, {"detail": "unknown message id"})
    return Status(200, {"message_id": message_id, "invoice_status": invoice.status, "outbox": getattr(invoice.outbox, "status", OutboxStatus.PENDING)})


@router.post("/access-point/inbound", auth=None, response={200: dict, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def access_point_inbound(request):
    """Documents the access point received for a Kvitt clinic; today: Invoice Responses (bare or
    in their SBDH), signed like the status webhook."""
    secret = _webhook_secret()
    if not secret:
        return Status(404, {"detail": "no access-point webhook is configured"})
    if not hmac.compare_digest(request.headers.get("X-Kvitt-Signature", ""), signature_for(request.body, secret)):
        return Status(403, {"detail": "bad signature"})
    try:
        invoice = services.apply_invoice_response(request.body)
    except services.InvoiceRefused as exc:
        return Status(400, {"detail": exc.message})
    return Status(200, {"invoice_id": invoice.pk, "receiver_response": invoice.receiver_response})
