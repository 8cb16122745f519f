"""Every state change of outgoing EHF invoices: build, credit, queue, deliver, record responses.

Each verb takes the acting ``Actor``, checks the role, writes the audit log and runs in one
transaction. Delivery follows the house rule: the envelope goes into an outbox row first; a
worker sends it through the configured access-point transport with retries and backoff.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import os
import socket
import uuid
from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.db.models import F, OuterRef, Q
from django.utils import timezone, translation

from kvitt.core import audit
from kvitt.core.money import from_decimal, to_decimal
from kvitt.core.models import OrganisationKind, Role
from kvitt.core.permissions import Actor, PermissionDenied, require_kind, require_role
from kvitt.einvoice import sbdh, transports
from kvitt.einvoice.builder import (
    BuyerInput,
    CreditedInvoice,
    InvoiceInput,
    LineInput,
    SellerInput,
    build_credit_note,
    build_invoice,
    make_kid,
)
from kvitt.einvoice.models import (
    DeliveryOutbox,
    DocumentKind,
    InvoiceCounter,
    InvoiceStatus,
    OutboxStatus,
    OutgoingInvoice,
    OutgoingInvoiceLine,
    ReceiverResponse,
)
from kvitt.einvoice.parser import parse_document
from kvitt.einvoice.ubl import EInvoiceError
from kvitt.ledger.models import CareEvent, Route
from kvitt.ops import ordering
from kvitt.network.models import Company, Payer, Profession

logger = logging.getLogger(__name__)

BILLING_ROLES = (Role.CLINIC_ADMIN, Role.BILLING_CLERK, "system")
DEFAULT_DUE_DAYS = 14
# Who records the buyer's Invoice Response: the payer's case handlers and the clinic's billing
# staff (auditors, practitioners and the rest of the parties' members have no business there).
RESPONSE_ROLES = (Role.CLINIC_ADMIN, Role.BILLING_CLERK, Role.INSURER_CASE_HANDLER, "system")
LEASE = datetime.timedelta(seconds=120)
FIRST_POLL = datetime.timedelta(minutes=1)
MAX_POLL_INTERVAL = datetime.timedelta(hours=6)


class InvoiceRefused(ValueError):
    """The service will not do this; ``message`` says why in words a billing clerk understands."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- who may act -----------------------------------------------------------------------------


def company_of(actor: Actor) -> Company:
    require_kind(actor, OrganisationKind.CLINIC_COMPANY)
    require_role(actor, *BILLING_ROLES)
    company = getattr(actor.organisation, "company", None)
    if company is None:
        raise PermissionDenied("the acting organisation has no company")
    return company


def _require_own(actor: Actor, invoice: OutgoingInvoice) -> Company:
    company = company_of(actor)
    if invoice.company_id != company.pk:
        raise PermissionDenied("the invoice belongs to another company")
    return company


def _user(actor: Actor):
    return actor.user if getattr(actor.user, "pk", None) else None


# --- which events are still to invoice ---------------------------------------------------------


def _insurer_amount(event: CareEvent) -> int:
    amount = (event.amounts or {}).get(Route.INSURER, 0)
    return amount if isinstance(amount, int) and not isinstance(amount, bool) else 0


def invoiced_event_ids(company: Company, sak_id: str) -> set[uuid.UUID]:
    """Events on an invoice of the case that no credit note has taken back."""
    lines = OutgoingInvoiceLine.objects.filter(invoice__company=company, invoice__sak_id=sak_id)
    invoiced = Counter(lines.filter(invoice__kind=DocumentKind.INVOICE).values_list("event_id", flat=True))
    credited = Counter(lines.filter(invoice__kind=DocumentKind.CREDIT_NOTE).values_list("event_id", flat=True))
    return {event_id for event_id, n in invoiced.items() if n > credited.get(event_id, 0)}


def uninvoiced_events(company: Company, sak_id: str) -> list[CareEvent]:
    """Current, not voided care events of the company on this SakID, routed to the insurer."""
    events = (
        CareEvent.objects.filter(company=company, case_ref=sak_id, is_current=True, voided=False)
        .select_related("practitioner", "patient")
        .order_by("start", "pk")
    )
    done = invoiced_event_ids(company, sak_id)
    return [e for e in events if e.event_id not in done and Route.INSURER in (e.routes or []) and _insurer_amount(e) > 0]


def payer_for_case(company: Company, sak_id: str) -> Payer:
    from kvitt.cases.models import Assignment

    assignment = Assignment.objects.select_related("payer").filter(sakid=sak_id).first()
    if assignment is None:
        raise InvoiceRefused(f"no treatment assignment has SakID {sak_id}")
    if assignment.company_id and assignment.company_id != company.pk:
        raise PermissionDenied("the assignment is given to another company")
    return assignment.payer


# --- from the database to builder input --------------------------------------------------------


def seller_input(company: Company) -> SellerInput:
    return SellerInput(
        name=company.name,
        legal_name=company.organisation.name if company.organisation_id else "",
        org_number=company.org_number,
        vat_category=company.vat_category,
        foretaksregisteret=company.foretaksregisteret,
        vat_number=company.vat_number,
        bank_account=company.bank_account,
        iban=company.iban,
        bic=company.bic,
        kid_algorithm=company.kid_algorithm,
        kid_length=company.kid_length,
        street=company.street,
        postcode=company.postcode,
        city=company.city,
        country=company.country or "NO",
        email=company.invoice_email or company.email,
    )


def buyer_input(payer: Payer) -> BuyerInput:
    return BuyerInput(
        name=payer.name,
        legal_name=payer.organisation.name if payer.organisation_id else "",
        org_number=payer.org_number,
        peppol_id=payer.peppol_id,
    )


def _diagnose(event: CareEvent) -> str:
    for diagnosis in event.diagnoses or []:
        text = f"{diagnosis.get('code', '')} {diagnosis.get('text', '')}".strip()
        if text:
            return text
    return ""


def _profession(event: CareEvent) -> str:
    practitioner = event.practitioner
    if practitioner is None or not practitioner.professions:
        return ""
    code = practitioner.professions[0]
    return str(Profession(code).label) if code in Profession.values else code


def line_input(event: CareEvent, *, include_patient_id: bool = True) -> LineInput:
    codes = [str(c) for c in event.service_codes]
    practitioner = event.practitioner
    return LineInput(
        treatment_id=codes[0],
        description=f"Behandling {', '.join(codes)}",
        quantity=Decimal("1"),  # one care event is one treatment
        unit_price=to_decimal(_insurer_amount(event)),
        treatment_datetime=event.start,
        duration_minutes=event.duration_minutes or None,
        therapist_hpr=practitioner.hpr_number if practitioner else "",
        therapist_name=practitioner.name if practitioner else "",
        profession=_profession(event),
        diagnose=_diagnose(event),
        patient_id=event.patient.national_id if include_patient_id else "",
    )


def exemption_reason_code(company: Company) -> str | None:
    """A VATEX code for category E when the operator configures one (the text alone satisfies
    BR-E-10); category O always carries VATEX-EU-O from the builder."""
    from django.conf import settings

    if company.vat_category != "E":
        return None
    return getattr(settings, "KVITT_EHF_VAT_E_REASON_CODE", None) or None


# --- numbering ---------------------------------------------------------------------------------


def allocate_number(company: Company) -> int:
    """The company's next invoice number. Call inside the transaction that stores the invoice."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_number must run inside transaction.atomic")
    InvoiceCounter.objects.get_or_create(company=company)
    counter = InvoiceCounter.objects.select_for_update().get(company=company)
    counter.last_number = F("last_number") + 1
    counter.save(update_fields=["last_number"])
    counter.refresh_from_db(fields=["last_number"])
    return counter.last_number


def start_numbering_at(actor: Actor, next_number: int) -> InvoiceCounter:
    """A clinic coming from another invoicing system continues its own series: set the next
    number once, before Kvitt has issued any invoice for the company."""
    company = company_of(actor)
    require_role(actor, Role.CLINIC_ADMIN)
    if not isinstance(next_number, int) or isinstance(next_number, bool) or next_number < 1:
        raise InvoiceRefused("the next invoice number must be a whole number from 1")
    with transaction.atomic():
        InvoiceCounter.objects.get_or_create(company=company)
        counter = InvoiceCounter.objects.select_for_update().get(company=company)
        if OutgoingInvoice.objects.filter(company=company).exists():
            raise InvoiceRefused("invoices are already issued; the series cannot be moved")
        counter.last_number = next_number - 1
        counter.save(update_fields=["last_number"])
        audit.record(actor, "start_numbering", counter, privacy=("financial",), reason=f"next invoice number {next_number}")
        return counter


# --- validation --------------------------------------------------------------------------------


def validate_xml(data: bytes) -> tuple[bool, list[dict]]:
    """XSD + EN16931 + Peppol rules (the native validator); returns (valid, findings as dicts)."""
    from kvitt.einvoice.validation import validate_document

    report = validate_document(data)
    return report.valid, [f.as_dict() for f in report.findings]


def _store(
    actor: Actor,
    *,
    company: Company,
    payer: Payer,
    kind: str,
    number: int,
    inp: InvoiceInput,
    data: bytes,
    events: list[CareEvent],
    credited: OutgoingInvoice | None = None,
    reason: str = "",
) -> OutgoingInvoice:
    valid, findings = validate_xml(data)
    doc = parse_document(data)
    kind_name = "CreditNote" if kind == DocumentKind.CREDIT_NOTE else "Invoice"
    invoice = OutgoingInvoice.objects.create(
        company=company,
        payer=payer,
        kind=kind,
        number=number,
        sak_id=inp.sak_id,
        issue_date=inp.issue_date,
        due_date=inp.due_date,
        currency=inp.currency,
        kid=doc.kid or "",
        total_amount=from_decimal(doc.payable_amount),
        credited_invoice=credited,
        reason=reason,
        document_xml=data.decode("utf-8"),
        status=InvoiceStatus.VALIDATED if valid else InvoiceStatus.CREATED,
        validation_findings=findings,
        message_id=sbdh.message_id_for(f"0192:{company.org_number}", kind_name, str(number)),
        created_by=_user(actor),
        created_by_label=actor.name[:200],
    )
    OutgoingInvoiceLine.objects.bulk_create(
        OutgoingInvoiceLine(
            invoice=invoice,
            position=position,
            care_event=event,
            event_id=event.event_id,
            treatment_id=line.treatment_id,
            description=line.description,
            treatment_at=event.start,
            amount=from_decimal(line.unit_price * line.quantity),
        )
        for position, (event, line) in enumerate(zip(events, inp.lines), start=1)
    )
    patients = {e.patient_id for e in events}
    audit.record(
        actor,
        "create",
        invoice,
        privacy=("identity", "clinical", "financial"),
        fields=("patient.national_id", "diagnoses", "service_codes", "amounts"),
        reason=f"EHF {kind_name} {number} for SakID {inp.sak_id}",
        patient=events[0].patient if len(patients) == 1 else None,
    )
    return invoice


# --- build and credit --------------------------------------------------------------------------


def build_case_invoice(
    actor: Actor,
    sak_id: str,
    *,
    issue_date: datetime.date | None = None,
    due_days: int = DEFAULT_DUE_DAYS,
    event_ids: list[uuid.UUID] | None = None,
    include_patient_id: bool = True,
) -> OutgoingInvoice:
    """Invoice the case's uninvoiced care events (or the chosen ones) to the case's payer.

    The invoice is validated at once; one with fatal findings is stored as ``created`` and can
    never be sent. Raises :class:`InvoiceRefused` when there is nothing to invoice.
    """
    company = company_of(actor)
    sak_id = sak_id.strip()
    payer = payer_for_case(company, sak_id)
    issue_date = issue_date or timezone.localdate()
    with transaction.atomic():
        # Lock the counter first: two clerks invoicing the same case serialise here, and the
        # second one then sees the first one's lines as invoiced.
        InvoiceCounter.objects.get_or_create(company=company)
        InvoiceCounter.objects.select_for_update().get(company=company)
        events = uninvoiced_events(company, sak_id)
        if event_ids is not None:
            wanted = {uuid.UUID(str(e)) for e in event_ids}
            events = [e for e in events if e.event_id in wanted]
        if not events:
            raise InvoiceRefused(f"SakID {sak_id} has no uninvoiced care events for {company.name}")
        if len({e.patient_id for e in events}) > 1:
            raise InvoiceRefused(f"the care events on SakID {sak_id} belong to different patients")
        number = allocate_number(company)
        with translation.override(company.language or "nb"):
            inp = InvoiceInput(
                number=str(number),
                issue_date=issue_date,
                due_date=issue_date + datetime.timedelta(days=due_days),
                sak_id=sak_id,
                seller=seller_input(company),
                buyer=buyer_input(payer),
                lines=tuple(line_input(e, include_patient_id=include_patient_id) for e in events),
                exemption_reason_code=exemption_reason_code(company),
            )
        make_kid(inp)  # a KID agreement the number no longer fits is an error, not a silent change
        data = build_invoice(inp)
        return _store(actor, company=company, payer=payer, kind=DocumentKind.INVOICE, number=number, inp=inp, data=data, events=events)


def credit_invoice(
    actor: Actor,
    invoice: OutgoingInvoice,
    *,
    reason: str,
    event_ids: list[uuid.UUID] | None = None,
    issue_date: datetime.date | None = None,
) -> OutgoingInvoice:
    """A credit note (381) taking back all lines of ``invoice`` or the chosen care events."""
    company = _require_own(actor, invoice)
    if invoice.is_credit_note:
        raise InvoiceRefused("a credit note cannot be credited")
    if not reason.strip():
        raise InvoiceRefused("say why the invoice is credited")
    issue_date = issue_date or timezone.localdate()
    with transaction.atomic():
        InvoiceCounter.objects.get_or_create(company=company)
        InvoiceCounter.objects.select_for_update().get(company=company)
        still_invoiced = invoiced_event_ids(company, invoice.sak_id)
        lines = [line for line in invoice.lines.select_related("care_event__practitioner", "care_event__patient") if line.event_id in still_invoiced]
        if event_ids is not None:
            wanted = {uuid.UUID(str(e)) for e in event_ids}
            lines = [line for line in lines if line.event_id in wanted]
        if not lines:
            raise InvoiceRefused(f"nothing on invoice {invoice.number} is left to credit")
        number = allocate_number(company)
        events = [line.care_event for line in lines]
        with translation.override(company.language or "nb"):
            line_inputs = tuple(
                dataclasses.replace(line_input(event), unit_price=to_decimal(line.amount)) for event, line in zip(events, lines)
            )
            inp = InvoiceInput(
                number=str(number),
                issue_date=issue_date,
                sak_id=invoice.sak_id,
                seller=seller_input(company),
                buyer=buyer_input(invoice.payer),
                lines=line_inputs,
                note=reason.strip()[:300],
                credited_invoice=CreditedInvoice(number=str(invoice.number), issue_date=invoice.issue_date),
                exemption_reason_code=exemption_reason_code(company),
            )
        data = build_credit_note(inp)
        return _store(
            actor, company=company, payer=invoice.payer, kind=DocumentKind.CREDIT_NOTE, number=number, inp=inp,
            data=data, events=events, credited=invoice, reason=reason.strip()[:300],
        )


# --- delivery ----------------------------------------------------------------------------------


def queue_for_delivery(actor: Actor, invoice: OutgoingInvoice, *, max_attempts: int = 6) -> DeliveryOutbox:
    """Wrap the invoice in its SBDH and put it in the outbox. Only validated documents go."""
    _require_own(actor, invoice)
    with transaction.atomic():
        locked = OutgoingInvoice.objects.select_for_update().get(pk=invoice.pk)
        existing = DeliveryOutbox.objects.filter(invoice=locked).first()
        if existing is not None:
            return existing
        if locked.status != InvoiceStatus.VALIDATED:
            raise InvoiceRefused(
                f"invoice {locked.number} is {locked.get_status_display().lower()}; only a validated invoice is sent"
            )
        envelope = sbdh.wrap(locked.document_xml.encode("utf-8"), locked.message_id)
        outbox = DeliveryOutbox.objects.create(
            invoice=locked, message_id=locked.message_id, envelope=envelope, max_attempts=max_attempts,
            transport=str(transports.default_config().get("transport", "")),
        )
        locked.status = InvoiceStatus.QUEUED
        locked.queued_at = timezone.now()
        locked.save(update_fields=["status", "queued_at"])
        audit.record(actor, "queue", locked, privacy=("financial",), reason=f"message {locked.message_id}")
    from kvitt.einvoice import tasks

    transaction.on_commit(lambda: tasks.enqueue_delivery(outbox.pk))
    return outbox


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _due_to_send(now) -> Q:
    return Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now) | Q(status=OutboxStatus.IN_FLIGHT, lease_until__lt=now)


# Returned by deliver_one for a due envelope that waits for an earlier one to the same buyer.
WAITING = "waiting_for_earlier"


def _unsent() -> Q:
    return Q(status__in=(OutboxStatus.PENDING, OutboxStatus.IN_FLIGHT))


def _first_in_line(payer_id=None) -> Q:
    """No earlier envelope to the same buyer is still unsent (kvitt.ops.ordering): an invoice
    reaches its buyer before its credit note. Taken by the access point (accepted) counts as sent."""
    receiver = {"invoice__payer_id": OuterRef("invoice__payer_id") if payer_id is None else payer_id}
    return ordering.first_in_line(DeliveryOutbox, _unsent(), receiver)


def claim(outbox_id: int, worker_id: str, now: datetime.datetime | None = None) -> DeliveryOutbox | None:
    """Take the row if it is due and first in line for its buyer (conditional UPDATE: exactly one worker wins)."""
    now = now or timezone.now()
    payer_id = DeliveryOutbox.objects.filter(pk=outbox_id).values_list("invoice__payer_id", flat=True).first()
    if payer_id is None:
        return None
    won = (
        DeliveryOutbox.objects.filter(pk=outbox_id)
        .filter(_due_to_send(now))
        .filter(_first_in_line(payer_id))
        .update(status=OutboxStatus.IN_FLIGHT, lease_until=now + LEASE, claimed_by=worker_id, attempts=F("attempts") + 1)
    )
    return DeliveryOutbox.objects.select_related("invoice").get(pk=outbox_id) if won else None


def next_retry_at(row: DeliveryOutbox, now: datetime.datetime, retry_after: float | None = None) -> datetime.datetime:
    delays = transports.retry_delays(row.max_attempts)
    wait = delays[min(row.attempts, len(delays)) - 1] if delays else datetime.timedelta(0)
    if retry_after:
        wait = max(wait, datetime.timedelta(seconds=retry_after))
    return now + wait


def _finish_invoice(row: DeliveryOutbox, status: str, now: datetime.datetime, error: str = "") -> None:
    invoice = row.invoice
    invoice.status = status
    invoice.last_error = error[:500]
    if status == InvoiceStatus.DELIVERED:
        invoice.delivered_at = now
    invoice.save(update_fields=["status", "last_error", "delivered_at"])
    audit.record(
        Actor.system(invoice.company.organisation, "einvoice-delivery"), status, invoice, privacy=("financial",),
        reason=(error or row.message_id)[:300],
    )


def _record_send(row_id: int, worker_id: str, receipt=None, error: transports.TransportError | None = None, now=None) -> str:
    now = now or timezone.now()
    with transaction.atomic():
        row = DeliveryOutbox.objects.select_for_update().select_related("invoice__company__organisation").filter(
            pk=row_id, status=OutboxStatus.IN_FLIGHT, claimed_by=worker_id
        ).first()
        if row is None:
            return "lost_lease"  # another worker took over after our lease ran out; its result counts
        row.lease_until = None
        if receipt is not None:
            row.remote_id = (receipt.remote_id or "")[:200]
            row.last_error = ""
            row.accepted_at = now
            if receipt.status == transports.DELIVERED:
                row.status, row.delivered_at = OutboxStatus.DELIVERED, now
                row.save()
                _finish_invoice(row, InvoiceStatus.DELIVERED, now)
            else:
                row.status, row.next_attempt_at = OutboxStatus.ACCEPTED, now + FIRST_POLL
                row.save()
            return row.status
        row.last_error = str(error)[:500]
        if not error.transient or row.attempts >= row.max_attempts:
            row.status = OutboxStatus.DEAD
            row.save()
            _finish_invoice(row, InvoiceStatus.FAILED, now, str(error))
            return row.status
        row.status = OutboxStatus.PENDING
        row.next_attempt_at = next_retry_at(row, now, error.retry_after)
        row.save()
        return row.status


def deliver_one(outbox_id: int, *, worker_id: str | None = None, now=None, transport=None) -> str:
    """Claim the row, send the envelope (outside any transaction), record the outcome."""
    worker_id = worker_id or default_worker_id()
    row = claim(outbox_id, worker_id, now)
    if row is None:
        current = DeliveryOutbox.objects.filter(pk=outbox_id).values_list("status", flat=True).first()
        if current == OutboxStatus.PENDING and DeliveryOutbox.objects.filter(pk=outbox_id).filter(_due_to_send(now or timezone.now())).exists():
            return WAITING  # next_in_line() hands it on when the earlier envelope is sent
        return current or "missing"
    try:
        transport = transport or transports.get_transport()
        receipt = transport.send(row.message_id, bytes(row.envelope))
    except transports.TransportError as exc:
        return _record_send(row.pk, worker_id, error=exc, now=now)
    except Exception as exc:  # a broken configuration must not kill the worker; retry later
        logger.exception("einvoice outbox %s: transport failed", row.pk)
        return _record_send(row.pk, worker_id, error=transports.TransientTransportError(f"{type(exc).__name__}: {exc}"), now=now)
    return _record_send(row.pk, worker_id, receipt=receipt, now=now)


def poll_one(outbox_id: int, *, now=None, transport=None) -> str:
    """Ask the access point how an accepted envelope is doing; record delivered or failed."""
    now = now or timezone.now()
    row = DeliveryOutbox.objects.filter(pk=outbox_id, status=OutboxStatus.ACCEPTED, next_attempt_at__lte=now).first()
    if row is None:
        return DeliveryOutbox.objects.filter(pk=outbox_id).values_list("status", flat=True).first() or "missing"
    try:
        receipt = (transport or transports.get_transport()).status(row.message_id)
        error = ""
    except transports.TransportError as exc:
        receipt, error = None, str(exc)
    with transaction.atomic():
        row = DeliveryOutbox.objects.select_for_update().select_related("invoice__company__organisation").get(pk=outbox_id)
        if row.status != OutboxStatus.ACCEPTED:
            return row.status
        row.polls += 1
        if receipt is not None and receipt.status == transports.DELIVERED:
            row.status, row.delivered_at, row.last_error = OutboxStatus.DELIVERED, now, ""
            row.save()
            _finish_invoice(row, InvoiceStatus.DELIVERED, now)
            return row.status
        if receipt is not None and receipt.status == transports.FAILED:
            row.status, row.last_error = OutboxStatus.DEAD, receipt.detail[:500] or "access point reports failure"
            row.save()
            _finish_invoice(row, InvoiceStatus.FAILED, now, row.last_error)
            return row.status
        row.last_error = error[:500]
        row.next_attempt_at = now + min(FIRST_POLL * 2**row.polls, MAX_POLL_INTERVAL)
        row.save()
        return row.status


def next_in_line(outbox_id: int, now=None) -> int | None:
    """The envelope to the same buyer that may go now that this one is done with, if any."""
    now = now or timezone.now()
    payer_id = DeliveryOutbox.objects.filter(pk=outbox_id).values_list("invoice__payer_id", flat=True).first()
    following = DeliveryOutbox.objects.filter(invoice__payer_id=payer_id).filter(_due_to_send(now)).filter(_first_in_line(payer_id))
    return following.order_by("created_at", "pk").values_list("pk", flat=True).first()


def process_due(*, now=None, transport=None, limit: int = 100) -> dict[str, int]:
    """The sweep: send everything due (including rows abandoned by dead workers), poll accepted ones."""
    now = now or timezone.now()
    outcomes: Counter = Counter()
    sent = 0
    # Rounds of heads of line (one per buyer): sending one makes the buyer's next envelope the head.
    while sent < limit:
        heads = DeliveryOutbox.objects.filter(_due_to_send(now)).filter(_first_in_line())
        send_ids = list(heads.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[: limit - sent])
        if not send_ids:
            break
        for pk in send_ids:
            outcomes[deliver_one(pk, now=now, transport=transport)] += 1
            sent += 1
    poll_ids = list(
        DeliveryOutbox.objects.filter(status=OutboxStatus.ACCEPTED, next_attempt_at__lte=now).values_list("pk", flat=True)[:limit]
    )
    for pk in poll_ids:
        outcomes[poll_one(pk, now=now, transport=transport)] += 1
    return dict(outcomes)


def record_access_point_status(message_id: str, payload: dict, *, now=None) -> OutgoingInvoice:
    """A webhook from the access point: the same meaning as a poll answer."""
    now = now or timezone.now()
    receipt = transports.receipt_from_payload(message_id, payload)
    with transaction.atomic():
        row = DeliveryOutbox.objects.select_for_update().select_related("invoice__company__organisation").get(message_id=message_id)
        if row.status in (OutboxStatus.DELIVERED, OutboxStatus.DEAD):
            return row.invoice
        if receipt.status == transports.DELIVERED:
            row.status, row.delivered_at = OutboxStatus.DELIVERED, now
            row.save()
            _finish_invoice(row, InvoiceStatus.DELIVERED, now)
        elif receipt.status == transports.FAILED:
            row.status, row.last_error = OutboxStatus.DEAD, receipt.detail[:500] or "access point reports failure"
            row.save()
            _finish_invoice(row, InvoiceStatus.FAILED, now, row.last_error)
        elif row.status in (OutboxStatus.PENDING, OutboxStatus.IN_FLIGHT):
            row.status, row.accepted_at, row.next_attempt_at = OutboxStatus.ACCEPTED, now, now + FIRST_POLL
            row.save()
        return row.invoice


def record_receiver_response(actor: Actor, invoice: OutgoingInvoice, code: str, note: str = "") -> OutgoingInvoice:
    """The buyer's Invoice Response (AB, IP, UQ, CA, RE, AP, PD) as it arrived."""
    if code not in ReceiverResponse.values:
        raise InvoiceRefused(f"{code!r} is not an Invoice Response code ({', '.join(ReceiverResponse.values)})")
    require_role(actor, *RESPONSE_ROLES)
    parties = {invoice.company.organisation_id, invoice.payer.organisation_id}
    if actor.role != "system" and actor.organisation.pk not in parties:
        raise PermissionDenied("not a party to this invoice")
    with transaction.atomic():
        locked = OutgoingInvoice.objects.select_for_update().get(pk=invoice.pk)
        locked.receiver_response = code
        locked.receiver_response_note = note[:500]
        locked.receiver_response_at = timezone.now()
        locked.save(update_fields=["receiver_response", "receiver_response_note", "receiver_response_at"])
        audit.record(actor, "receiver_response", locked, privacy=("financial",), reason=f"{code} {note}"[:300])
        from kvitt.reconciliation import routes

        routes.insurer_response(locked, code, note)
        return locked


def apply_invoice_response(data: bytes) -> OutgoingInvoice:
    """An inbound Peppol Invoice Response (bare or in its SBDH) sets the invoice's receiver response.

    The response names the invoice by number and type code and the issuer by its 0192 endpoint;
    the sender must be the invoice's payer. The status reasons become the response note.
    """
    from kvitt.claims import invoice_response as ir

    try:
        root_is_envelope = b"StandardBusinessDocument" in data[:2000]
        payload = ir.unwrap_response(data)[1] if root_is_envelope else data
        response = ir.parse_invoice_response(payload)
    except ir.InvoiceResponseError as exc:
        raise InvoiceRefused(f"unreadable Invoice Response: {exc}") from None
    kind = DocumentKind.CREDIT_NOTE if response.document_type_code == "381" else DocumentKind.INVOICE
    receiver = response.receiver
    if receiver.endpoint_scheme != "0192":
        raise InvoiceRefused(f"the Invoice Response is addressed to {receiver.endpoint_scheme}:{receiver.endpoint_id}, not a 0192 org number")
    invoice = (
        OutgoingInvoice.objects.select_related("company__organisation", "payer__organisation")
        .filter(company__org_number=receiver.endpoint_id, kind=kind, number=int(response.document_id) if response.document_id.isascii() and response.document_id.isdigit() else -1)
        .first()
    )
    if invoice is None:
        raise InvoiceRefused(f"no {kind} {response.document_id} of {receiver.endpoint_id} is known")
    sender = response.sender
    payer_ids = {invoice.payer.org_number, invoice.payer.peppol_id.partition(":")[2]}
    if sender.endpoint_id not in payer_ids:
        raise PermissionDenied(f"{sender.endpoint_scheme}:{sender.endpoint_id} is not the payer of invoice {invoice.number}")
    note = "; ".join(filter(None, [response.note, *(f"{s.reason_code}: {s.reason}" if s.reason else s.reason_code for s in response.statuses)]))
    actor = Actor.system(invoice.payer.organisation, label=f"Invoice Response {response.id}")
    return record_receiver_response(actor, invoice, response.response_code, note)


def build_error_message(exc: Exception) -> str:
    if isinstance(exc, (InvoiceRefused, EInvoiceError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
