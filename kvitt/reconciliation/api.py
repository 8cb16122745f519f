"""/api/v1/reconciliation/: post statuses, read the matrix, explain an invoice, support payloads."""

from __future__ import annotations

import datetime


from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema

from kvitt.reconciliation import invoice, selectors, services, support
from kvitt.reconciliation.formats.records import FeedError, StatusRecord
from kvitt.reconciliation.formats.tabular import MAX_TEXT
from kvitt.reconciliation.statuses import parse_status

router = Router(tags=["reconciliation"])


class SystemIn(Schema):
    # The bounds are the columns' (a PositiveSmallIntegerField, CharFields): past them the
    # database refused the row and the client got a 500 instead of a 422.
    code: str
    name: str = Field(max_length=120)
    position: int | None = Field(None, ge=0, le=32767)
    route: str = Field("", max_length=16)
    invoicing: bool = False


class SystemOut(Schema):
    code: str
    name: str
    position: int
    route: str
    kvitt_route: bool
    invoicing: bool


class StatusIn(Schema):
    event_number: str
    system: str
    status: str
    status_time: datetime.datetime
    code: str = ""
    text: str = ""
    source: str = ""
    product_code: str = ""
    amount_ore: int | None = None


class StatusBatchIn(Schema):
    source: str = ""
    statuses: list[StatusIn]


class ImportRunOut(Schema):
    id: int
    kind: str
    file_name: str
    outcome: str
    rows: int
    created: int
    changed: int
    unchanged: int
    stale: int
    changes: dict


class StatusCell(Schema):
    status: str
    code: str
    text: str
    time: datetime.datetime
    product_code: str
    amount_ore: int | None


class MatrixRowOut(Schema):
    event_number: str
    start: datetime.datetime
    period: str
    unit: str
    practitioner: str
    product_code: str
    amount_ore: int
    statuses: dict[str, StatusCell]


class MatrixOut(Schema):
    systems: list[str]
    event_count: int
    amount_ore: int
    totals: dict[str, dict[str, int]]
    page: int
    pages: int
    rows: list[MatrixRowOut]


class InvoiceLineIn(Schema):
    invoice_number: str
    event_number: str
    amount_ore: int
    product_code: str = ""
    description: str = ""


class ExplainIn(Schema):
    system: str
    month: str
    lines: list[InvoiceLineIn]


class SupportIn(Schema):
    system: str
    filters: dict = {}
    event_numbers: list[str] = []
    examples: int = 10
    language: str = "sv"


def _feed_error(exc: FeedError) -> ValidationError:
    return ValidationError({"statuses": [str(exc)]})


def _records(batch: StatusBatchIn):
    """API rows become the same records a file gives; ``line`` is the 1-based item number."""
    seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(batch.statuses, start=1):
        def fail(field: str, message: str) -> FeedError:
            return FeedError(message, line=index, column=field)

        try:
            status = parse_status(item.status)
        except ValueError as exc:
            raise fail("status", str(exc)) from None
        for field, limit in MAX_TEXT.items():
            if len(getattr(item, field, "") or "") > limit:
                raise fail(field, f"longer than {limit} characters")
        if not item.event_number.strip() or not item.system.strip():
            raise fail("event_number" if not item.event_number.strip() else "system", "is empty")
        if item.status_time.tzinfo is None:
            raise fail("status_time", "needs a UTC offset")
        if status.value == "error" and not item.code:
            raise fail("code", "an error status needs an error code")
        key = (item.event_number, item.system.casefold())
        if key in seen:
            raise fail("event_number", f"event {item.event_number} in system {item.system} already given in item {seen[key]}")
        seen[key] = index
        yield StatusRecord(
            line=index, event_number=item.event_number.strip(), system=item.system.strip(), status=status,
            status_time=item.status_time, code=item.code, text=item.text,
            source=item.source or batch.source or "api", product_code=item.product_code, amount_ore=item.amount_ore,
        )


@router.get("/systems", response=list[SystemOut])
def list_systems(request):
    from kvitt.reconciliation.reports import systems_for

    return systems_for(request.auth)


@router.post("/systems", response={201: SystemOut})
def register_system(request, payload: SystemIn):
    return 201, services.register_system(request.auth, **payload.dict())


@router.post("/statuses", response={200: ImportRunOut})
def post_statuses(request, payload: StatusBatchIn):
    """Post a batch of statuses; the whole batch is applied or none of it (idempotent)."""
    body = request.body or b""
    try:
        return services.import_statuses(
            request.auth, _records(payload), kind="api", file_name=payload.source or "api", data=body,
        )
    except FeedError as exc:
        raise _feed_error(exc) from None


@router.get("/matrix", response=MatrixOut)
def matrix(
    request, period_from: str = "", period_to: str = "", status: str = "", system: str = "", unit: str = "",
    practitioner: str = "", product_code: str = "", voided: str = "exclude", page: int = 1, page_size: int = 100,
):
    filters = {
        "period_from": period_from, "period_to": period_to,
        "status": [s for s in status.split(",") if s], "system": [s for s in system.split(",") if s],
        "unit": unit, "practitioner": practitioner, "product_code": product_code, "voided": voided,
    }
    result = selectors.status_matrix(request.auth, filters, page=page, page_size=min(max(page_size, 1), 1000))
    rows = []
    for row in result.rows:
        event = row.event
        rows.append({
            "event_number": event["number"], "start": event["start"], "period": event["period"].strftime("%Y-%m"),
            "unit": event["unit_name"] or event["unit_code"], "practitioner": event["practitioner_name"] or event["practitioner_code"],
            "product_code": event["product_code"], "amount_ore": event["amount_ore"],
            "statuses": {
                code: {"status": s[2], "code": s[3], "text": s[4], "time": s[5], "product_code": s[6], "amount_ore": s[7]}
                for code, s in row.statuses.items()
            },
        })
    return {
        "systems": [s.code for s in result.systems], "event_count": result.event_count, "amount_ore": result.amount_ore,
        "totals": result.totals, "page": result.page, "pages": result.pages, "rows": rows,
    }


@router.get("/imports", response=list[ImportRunOut])
def imports(request):
    return selectors.import_runs(request.auth)


@router.post("/invoice-explanation")
def explain_invoice(request, payload: ExplainIn):
    from kvitt.reconciliation.reports import parse_period

    month = parse_period(payload.month, "month")
    lines = [invoice.InvoiceLine(**line.dict()) for line in payload.lines]
    result = invoice.explain_invoice(request.auth, system=payload.system, month=month, lines=lines)
    return {
        "system": result.system, "month": payload.month, "reported_total_ore": result.reported_total,
        "reported_events": result.reported_events, "invoice_total_ore": result.invoice_total,
        "difference_ore": result.difference, "explained_ore": result.explained, "balances": result.balances(),
        "summary": result.summary(),
        "items": [item.__dict__ for item in result.items],
    }


@router.post("/support-request")
def support_request(request, payload: SupportIn):
    return support.support_request(request.auth, **payload.dict())



