"""Every change to inbound invoices: receive, validate, override, notify. One function per verb.

Validation takes the assignment's row lock (``kvitt.cases.services.lock``) before it reads the
remaining coverage and holds it until the coverage is consumed, so two invoices racing for the
last covered treatment are decided one after the other. Notices go to an outbox in the same
transaction; a worker delivers them (``deliver_notice``), with retries.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import time
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from kvitt.cases import sakid as sakid_module
from kvitt.cases import services as case_services
from kvitt.cases.models import Assignment
from kvitt.cases.selectors import remaining_coverage
from kvitt.claims import invoice_response as ir
from kvitt.claims import notices, sla
from kvitt.claims.models import (
    ClaimsSettings,
    Finding,
    InboundInvoice,
    InboundLine,
    InboundStatus,
    NoticeOutbox,
    OutboxKind,
    OutboxState,
    Override,
    Source,
    ValidationFrequency,
)
from kvitt.claims.reasons import reason as reason_for
from kvitt.claims.validators import (
    ApprovalSnapshot,
    AssignmentSnapshot,
    PractitionerSnapshot,
    Snapshot,
    amount_in_ore,
    supplier_org_number,
    validate,
)
from kvitt.claims.verdict import APPROVED, REJECTED, decide
from kvitt.core import audit
from kvitt.core.models import OrganisationKind, Role
from kvitt.core.permissions import Actor, PermissionDenied
from kvitt.einvoice import sbdh, transports
from kvitt.einvoice.model import Document
from kvitt.einvoice.parser import parse_document
from kvitt.einvoice.ubl import EInvoiceError
from kvitt.einvoice.validation import validate_document
from kvitt.ledger.models import Patient
from kvitt.network.models import Company, PartnerApproval, Payer, Practitioner

logger = logging.getLogger(__name__)

PAYER_KINDS = (OrganisationKind.INSURER, OrganisationKind.PUBLIC_PAYER)
RETRY_DELAYS = transports.retry_delays(6)
OUTCOME_STATUS = {"approved": InboundStatus.APPROVED, "deviation": InboundStatus.DEVIATION, "rejected": InboundStatus.REJECTED}


class ClaimRefused(Exception):
    """A request the claims service will not carry out; the message says why."""


# --- who may act ---------------------------------------------------------------------------------


def payer_of(actor: Actor) -> Payer:
    """The payer the actor works for: its case handler, the worker, or its access-point token."""
    if actor.organisation.kind not in PAYER_KINDS:
        raise PermissionDenied("only an insurer receives and validates invoices")
    if actor.role not in (Role.INSURER_CASE_HANDLER, "system"):
        raise PermissionDenied(f"role {actor.role!r} may not handle inbound invoices")
    payer = Payer.objects.filter(organisation=actor.organisation).first()
    if payer is None:
        raise PermissionDenied("the organisation is not registered as a payer")
    return payer


def _require_own(actor: Actor, invoice: InboundInvoice) -> None:
    if actor.organisation.kind not in PAYER_KINDS or actor.role not in (Role.INSURER_CASE_HANDLER, "system"):
        raise PermissionDenied("only the receiving insurer handles its inbound invoices")
    if invoice.payer.organisation_id != actor.organisation.pk:
        raise PermissionDenied("not found or not yours")


def _user(actor: Actor):
    return actor.user if getattr(actor.user, "pk", None) else None


def worker_actor(payer: Payer) -> Actor:
    return Actor.system(payer.organisation, label="kvitt-claims-worker")


def settings_for(payer: Payer) -> ClaimsSettings:
    return ClaimsSettings.objects.get_or_create(payer=payer)[0]


def set_validation_frequency(actor: Actor, frequency: str, daily_at: datetime.time | None = None) -> ClaimsSettings:
    """The insurer chooses how often its invoices are validated: immediately, hourly or daily at a time."""
    payer = payer_of(actor)
    if actor.role != Role.INSURER_CASE_HANDLER:
        raise PermissionDenied("only a case handler may change the validation frequency")
    if frequency not in ValidationFrequency.values:
        raise ClaimRefused(f"validation frequency must be one of {', '.join(ValidationFrequency.values)}")
    conf = settings_for(payer)
    conf.frequency = frequency
    if daily_at is not None:
        conf.daily_at = daily_at
    conf.save(update_fields=["frequency", "daily_at"])
    audit.record(actor, "update", conf, fields=("frequency", "daily_at"), reason=f"{frequency} {conf.daily_at:%H:%M}")
    return conf


# --- receive -------------------------------------------------------------------------------------


def _schema_available() -> bool:
    return (Path(settings.KVITT_UBL_XSD_DIR) / "maindoc" / "UBL-Invoice-2.1.xsd").is_file()


def _ore(value) -> int | None:
    try:
        return amount_in_ore(value)
    except (ValueError, TypeError):
        return None


def _fill_parsed(invoice: InboundInvoice, doc: Document) -> None:
    invoice.kind = doc.kind
    invoice.number = doc.id[:100]
    invoice.supplier_org_number = supplier_org_number(doc)[:20]
    invoice.supplier_name = doc.supplier.display_name[:200]
    invoice.company = Company.objects.filter(org_number=invoice.supplier_org_number).first()
    invoice.sak_id = sakid_module.compact(doc.sak_id or "")[:40]
    # Another payer's assignment is not linked: its patient and coverage are not this insurer's to read.
    invoice.assignment = (
        Assignment.objects.filter(sakid=invoice.sak_id, payer=invoice.payer).first() if invoice.sak_id else None
    )
    invoice.issue_date = doc.issue_date
    invoice.currency = doc.currency[:3]
    invoice.payable_amount = _ore(doc.payable_amount)
    invoice.kid = (doc.kid or "")[:25]
    account = next((m.account.id for m in doc.payment_means if m.account), "")
    invoice.account = account[:34]
    invoice.credited_number = next((r.id for r in doc.billing_references), "")[:100]


def receive(actor: Actor, data: bytes, source: str = Source.WEBHOOK, *, now: datetime.datetime | None = None) -> tuple[InboundInvoice, bool]:
    """Store what arrived (untouched, with its hash) and read it. The same bytes twice: one row.

    Returns ``(invoice, created)``. An unreadable document is kept too (status unreadable,
    the error in ``parse_error``), so nothing that arrived is lost.
    """
    payer = payer_of(actor)
    if source not in Source.values:
        raise ClaimRefused(f"unknown source {source!r}")
    if not data:
        raise ClaimRefused("the document is empty")
    digest = hashlib.sha256(data).hexdigest()
    existing = InboundInvoice.objects.filter(payer=payer, sha256=digest).first()
    if existing is not None:
        return existing, False
    now = now or timezone.now()
    invoice = InboundInvoice(payer=payer, source=source, original=data, sha256=digest, document=b"", received_at=now, due_at=sla.due_at(now))
    try:
        header, document = sbdh.unwrap(data)
        invoice.message_id = header.message_id[:100] if header else ""
        invoice.document = document
        doc = parse_document(document)
    except EInvoiceError as exc:
        invoice.status = InboundStatus.UNREADABLE
        invoice.parse_error = str(exc)
        doc = None
    if doc is not None:
        _fill_parsed(invoice, doc)
        report = validate_document(invoice.document, xsd=_schema_available())
        invoice.ehf_valid = report.valid
        invoice.ehf_findings = [f.as_dict() for f in report.findings]
    try:
        with transaction.atomic():
            invoice.save()
            audit.record(
                actor, "receive", invoice, privacy=("identity", "clinical", "financial"),
                fields=("document",), reason=f"{source} {invoice.kind} {invoice.number}".strip(),
                patient=invoice.assignment.patient if invoice.assignment_id else None,
            )
    except IntegrityError:
        # The same bytes arrived at the same moment through another request.
        return InboundInvoice.objects.get(payer=payer, sha256=digest), False
    if invoice.status == InboundStatus.RECEIVED and settings_for(payer).frequency == ValidationFrequency.IMMEDIATELY:
        from kvitt.claims import tasks

        transaction.on_commit(lambda: tasks.enqueue_validation(invoice.pk))
    return invoice, True


def receive_directory(actor: Actor, folder: str | Path) -> list[tuple[str, InboundInvoice, bool]]:
    """Receive every ``*.xml`` in ``folder`` and move it to ``folder/received/`` (idempotent by hash)."""
    folder = Path(folder)
    done = folder / "received"
    done.mkdir(parents=True, exist_ok=True)
    results = []
    for path in sorted(folder.glob("*.xml")):
        invoice, created = receive(actor, path.read_bytes(), Source.DIRECTORY)
        path.replace(done / path.name)
        results.append((path.name, invoice, created))
    return results


# --- the snapshot ----------------------------------------------------------------------------------


def _assignment_snapshot(assignment: Assignment) -> AssignmentSnapshot:
    # Bookings reserve coverage for exactly the treatments that are then invoiced: consuming turns
    # the oldest reservation into use (kvitt.cases), so what an invoice may take is what is not
    # yet consumed.
    left = remaining_coverage(assignment)
    return AssignmentSnapshot(
        sakid=assignment.sakid, payer_org_number=assignment.payer.org_number, state=assignment.state,
        state_label=assignment.state.replace("_", " "), professions=tuple(assignment.professions),
        service_codes=tuple(assignment.service_codes), valid_from=assignment.valid_from, valid_to=assignment.valid_to,
        remaining_treatments=left.max_treatments - left.consumed_treatments,
        remaining_amount=left.max_amount - left.consumed_amount,
        company_org_number=assignment.company.org_number if assignment.company_id else None,
        location_id=assignment.location_id,
    )


def snapshot_for(invoice: InboundInvoice, doc: Document, assignment: Assignment | None, now: datetime.datetime) -> Snapshot:
    """What the insurer knows, read under the assignment's lock."""
    payer = invoice.payer
    company = invoice.company
    others = InboundInvoice.objects.filter(payer=payer).exclude(pk=invoice.pk).exclude(status=InboundStatus.UNREADABLE)
    received = others.filter(pk__lt=invoice.pk, supplier_org_number=invoice.supplier_org_number, number=invoice.number)
    credited = [r.id for r in doc.billing_references]
    known = (others.filter(kind="Invoice", supplier_org_number=invoice.supplier_org_number, number__in=credited)
             if credited else InboundInvoice.objects.none())
    billed = {}
    if invoice.sak_id:
        rows = (
            InboundLine.objects.filter(sak_id=invoice.sak_id, invoice__payer=payer, invoice__kind="Invoice",
                                       outcome__in=(APPROVED, "deviation"))
            .exclude(invoice=invoice).exclude(moment="").select_related("invoice")
        )
        billed = {(r.sak_id, r.moment): f"{r.invoice.number} #{r.line_id}" for r in rows}
    return Snapshot(
        insurer_org_number=payer.org_number,
        now=now,
        assignment=_assignment_snapshot(assignment) if assignment is not None else None,
        company_known=company is not None,
        approvals=tuple(
            ApprovalSnapshot(a.valid_from, a.valid_to, a.revoked_at is not None, a.location_id, tuple(a.professions))
            for a in PartnerApproval.objects.filter(payer=payer, company=company)
        ) if company else (),
        practitioners=tuple(
            PractitionerSnapshot(p.hpr_number, tuple(p.professions))
            for p in Practitioner.objects.filter(company=company, active=True).exclude(hpr_number="")
        ) if company else (),
        received_documents=frozenset((invoice.supplier_org_number, n) for n in received.values_list("number", flat=True)),
        known_invoices=frozenset((invoice.supplier_org_number, n) for n in known.values_list("number", flat=True)),
        billed_treatments=billed,
        ehf_errors=tuple(f["id"] for f in invoice.ehf_findings if f.get("flag") == "fatal"),
        foreign_assignment=assignment is None and bool(invoice.sak_id)
        and Assignment.objects.filter(sakid=invoice.sak_id).exclude(payer=payer).exists(),
    )


# --- validate --------------------------------------------------------------------------------------


def _usage_ref(invoice: InboundInvoice, line_id: str, run: int) -> str:
    return f"claims:{invoice.pk}#{line_id}@{run}"[:120]


def _give_back_previous_run(actor: Actor, invoice: InboundInvoice, assignment: Assignment | None) -> None:
    """A re-run starts from zero: what earlier runs consumed goes back to the coverage first."""
    for line in invoice.lines.exclude(usage_ref=""):
        target = assignment if assignment is not None and line.usage_ref else None
        if target is not None:
            case_services.reverse_consumption(actor, target, line.usage_ref, reason=f"re-validation of {invoice.number}")
    invoice.lines.all().delete()


def _consume(actor: Actor, invoice: InboundInvoice, assignment: Assignment, verdict, run: int, doc: Document) -> dict[str, str]:
    refs = {}
    for line in verdict.lines:
        if line.outcome == REJECTED or line.count <= 0:
            continue
        ref = _usage_ref(invoice, line.line_id, run)
        case_services.consume_coverage(actor, assignment, line.count, line.approved_amount, ref)
        refs[line.line_id] = ref
    return refs


def _reverse_credited(actor: Actor, credit: InboundInvoice, doc: Document, assignment: Assignment | None) -> None:
    """An approved credit note gives back what the credited invoice's matching lines consumed."""
    original = (
        InboundInvoice.objects.filter(payer=credit.payer, kind="Invoice", supplier_org_number=credit.supplier_org_number,
                                      number=credit.credited_number).exclude(pk=credit.pk).first()
    )
    if original is None:
        return
    from kvitt.claims.validators import read_line

    moments = {read_line(line).moment_key for line in doc.lines}
    for line in original.lines.exclude(usage_ref=""):
        if line.moment in moments:
            target = original.assignment or assignment
            if target is not None:
                case_services.reverse_consumption(actor, target, line.usage_ref, reason=f"credit note {credit.number}")
            line.outcome, line.usage_ref = "credited", ""
            line.save(update_fields=["outcome", "usage_ref"])


def _waived(invoice: InboundInvoice) -> frozenset:
    return frozenset((o.code, o.line_id or None) for o in invoice.overrides.all())


def validate_invoice(actor: Actor, invoice: InboundInvoice, *, now: datetime.datetime | None = None,
                     enqueue_notices: bool = True) -> InboundInvoice:
    """Run the validation chain on ``invoice`` (again), decide, consume coverage, queue the notices.

    The notices are outbox rows written in the same transaction; ``enqueue_notices`` also queues
    one delivery task per row (a batch queues one sweep per chunk instead).
    """
    _require_own(actor, invoice)
    now = now or timezone.now()
    with transaction.atomic():
        # The assignment first, always in this order, so concurrent runs cannot deadlock.
        assignment = case_services.lock(Assignment(pk=invoice.assignment_id)) if invoice.assignment_id else None
        locked = (
            InboundInvoice.objects.select_for_update(of=("self",)).select_related("payer__organisation", "company")
            .defer("original").get(pk=invoice.pk)
        )
        if locked.status == InboundStatus.UNREADABLE:
            raise ClaimRefused(f"the document could not be read: {locked.parse_error}")
        doc = parse_document(bytes(locked.document))
        first_run = locked.validation_runs == 0
        if not first_run:
            _give_back_previous_run(actor, locked, assignment)
        run = locked.validation_runs + 1
        waived = frozenset() if first_run else _waived(locked)  # overrides only follow a run
        result = validate(doc, snapshot_for(locked, doc, assignment, now), waived)
        verdict = decide(doc, result)
        refs = {}
        if verdict.outcome != REJECTED and not doc.is_credit_note and assignment is not None:
            refs = _consume(actor, locked, assignment, verdict, run, doc)
        if verdict.outcome != REJECTED and doc.is_credit_note:
            _reverse_credited(actor, locked, doc, assignment)
        Finding.objects.bulk_create(
            Finding(invoice=locked, run=run, number=f.number, code=f.code, severity=f.severity, level=f.level,
                    line_id=f.line_id or "", params=f.params, approved_amount=f.approved_amount, waived=f.waived)
            for f in result.findings
        )
        InboundLine.objects.bulk_create(
            InboundLine(invoice=locked, line_id=v.line_id, sak_id=locked.sak_id, treatment_id=v.treatment_id or "",
                        moment=v.moment_key or "", count=v.count, amount=v.invoiced_amount, approved_amount=v.approved_amount,
                        outcome=v.outcome, usage_ref=refs.get(v.line_id, ""))
            for v in verdict.lines
        )
        locked.validation_runs = run
        locked.status = OUTCOME_STATUS[verdict.outcome]
        locked.verdict = verdict.as_dict()
        locked.approved_amount = verdict.approved_amount
        locked.validated_at = now
        locked.save(update_fields=["validation_runs", "status", "verdict", "approved_amount", "validated_at"])
        audit.record(
            actor, "validate", locked, privacy=("clinical", "financial"), fields=("findings", "verdict"),
            reason=f"run {run}: {verdict.outcome}, {len(result.findings)} findings",
            patient=Patient(pk=assignment.patient_id) if assignment is not None else None,
        )
        queued = queue_notices(locked, run, result.findings, verdict, doc)
    if queued and enqueue_notices:
        from kvitt.claims import tasks

        for pk in queued:
            transaction.on_commit(lambda pk=pk: tasks.enqueue_notice(pk))
    for field in ("validation_runs", "status", "verdict", "approved_amount", "validated_at"):
        setattr(invoice, field, getattr(locked, field))
    return invoice


# --- overrides ---------------------------------------------------------------------------------


def override_finding(actor: Actor, invoice: InboundInvoice, code: str, line_id: str | None, reason: str) -> InboundInvoice:
    """Set a finding aside with a written reason, then validate again. Audit-logged."""
    _require_own(actor, invoice)
    if actor.role != Role.INSURER_CASE_HANDLER:
        raise PermissionDenied("only a case handler may override a finding")
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ClaimRefused("give a reason for the override (at least 5 characters)")
    try:
        rule = reason_for(code)
    except KeyError as exc:
        raise ClaimRefused(str(exc)) from None
    if not rule.waivable:
        raise ClaimRefused(f"{code} cannot be overridden; change the assignment or ask for a new invoice")
    current = invoice.findings.filter(run=invoice.validation_runs, code=code, line_id=line_id or "")
    if not current.exists():
        raise ClaimRefused(f"the last validation has no finding {code} on {'line ' + line_id if line_id else 'the invoice'}")
    with transaction.atomic():
        override, created = Override.objects.get_or_create(
            invoice=invoice, code=code, line_id=line_id or "",
            defaults={"reason": reason[:500], "by": _user(actor), "by_label": actor.name[:200]},
        )
        audit.record(actor, "override", invoice, privacy=("financial",), fields=("findings",),
                     reason=f"{code} line {line_id or '-'}: {reason}"[:300])
    return validate_invoice(actor, invoice)


# --- notices -----------------------------------------------------------------------------------


def _response_party_for_payer(payer: Payer) -> ir.ResponseParty:
    scheme, _, value = (payer.peppol_id or f"0192:{payer.org_number}").partition(":")
    return ir.ResponseParty(value, scheme, payer.organisation.name or payer.name, payer.org_number, "0192")


def _response_party_for_supplier(invoice: InboundInvoice, doc: Document) -> ir.ResponseParty:
    endpoint = doc.supplier.endpoint
    name = (doc.supplier.legal_entity.registration_name if doc.supplier.legal_entity else None) or doc.supplier.display_name
    return ir.ResponseParty(endpoint.value if endpoint else invoice.supplier_org_number, endpoint.scheme if endpoint else "0192",
                            name or invoice.supplier_org_number)


def _language(invoice: InboundInvoice) -> str:
    return notices.language_of(invoice.company.language if invoice.company_id else "nb")


def response_envelope(invoice: InboundInvoice, run: int, outcome: str, findings, doc: Document, now) -> tuple[str, bytes, str]:
    """The Invoice Response for one run, in its SBDH envelope: (message id, bytes, response code)."""
    sender = _response_party_for_payer(invoice.payer)
    receiver = _response_party_for_supplier(invoice, doc)
    response = ir.response_for(
        response_id=f"IR-{invoice.pk}-{run}", issue_date=timezone.localdate(now), sender=sender, receiver=receiver,
        verdict_outcome=outcome, findings=findings, document_id=invoice.number,
        document_type_code=doc.type_code or ("381" if doc.is_credit_note else "380"), document_issue_date=doc.issue_date,
        language=_language(invoice),
    )
    root = ir.build_element(response)
    sender_id = f"{sender.endpoint_scheme}:{sender.endpoint_id}"
    message_id = sbdh.message_id_for(sender_id, "ApplicationResponse", f"{invoice.pk}-{run}")
    header = sbdh.SbdhHeader(
        sender=sender_id, receiver=f"{receiver.endpoint_scheme}:{receiver.endpoint_id}",
        standard=ir.APPLICATION_RESPONSE_NS, type_version="2.1", instance_identifier=message_id,
        document_type="ApplicationResponse", created=now.replace(microsecond=0),
        document_id=f"{ir.APPLICATION_RESPONSE_NS}::ApplicationResponse##{ir.CUSTOMIZATION_ID}::2.1",
        process_id=ir.PROFILE_ID, country_c1="NO",
    )
    return message_id, sbdh.wrap_with_header(root, header), response.response_code


def queue_notices(invoice: InboundInvoice, run: int, findings, verdict, doc: Document) -> list[int]:
    """Outbox rows for this run: always the Invoice Response; the e-mail on deviation or rejection."""
    now = timezone.now()
    rows = []
    message_id, envelope, code = response_envelope(invoice, run, verdict.outcome, findings, doc, now)
    rows.append(NoticeOutbox(invoice=invoice, kind=OutboxKind.INVOICE_RESPONSE, key=message_id, payload=envelope,
                             response_code=code, recipient=f"{doc.supplier.endpoint}" if doc.supplier.endpoint else ""))
    recipient = invoice.company.notification_email if invoice.company_id else ""
    if verdict.outcome != APPROVED and recipient:
        subject, body = notices.email_for(
            language=_language(invoice), insurer=invoice.payer.name, kind=invoice.kind, number=invoice.number,
            sakid=invoice.sak_id, received=timezone.localtime(invoice.received_at).strftime("%Y-%m-%d"),
            outcome=verdict.outcome, invoiced=verdict.invoiced_amount, approved=verdict.approved_amount, findings=findings,
        )
        rows.append(NoticeOutbox(invoice=invoice, kind=OutboxKind.EMAIL, key=f"email:{invoice.pk}:{run}",
                                 recipient=recipient, subject=subject[:300], body=body))
    # Keys are per invoice and run, so a row exists already only when a run is replayed.
    existing = set(NoticeOutbox.objects.filter(key__in=[r.key for r in rows]).values_list("key", flat=True))
    fresh = [r for r in rows if r.key not in existing]
    NoticeOutbox.objects.bulk_create(fresh)
    return list(NoticeOutbox.objects.filter(key__in=[r.key for r in fresh]).values_list("pk", flat=True)) if fresh else []


def _access_point():
    config = getattr(settings, "KVITT_CLAIMS_ACCESS_POINT", None)
    return transports.get_transport(config)


def deliver_notice(outbox_id: int, *, transport=None, now: datetime.datetime | None = None) -> str:
    """One delivery attempt of one outbox row; failures are retried later (6 attempts over 2 days)."""
    now = now or timezone.now()
    with transaction.atomic():
        row = NoticeOutbox.objects.select_for_update(of=("self",)).select_related("invoice").filter(pk=outbox_id).first()
        if row is None or row.state != OutboxState.PENDING:
            return row.state if row else "missing"
        row.attempts += 1
        try:
            if row.kind == OutboxKind.EMAIL:
                EmailMessage(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.recipient]).send()
            else:
                (transport or _access_point()).send(row.key, bytes(row.payload))
        except (OSError, transports.TransientTransportError) as exc:
            row.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if row.attempts >= row.max_attempts:
                row.state = OutboxState.DEAD
            else:
                row.next_attempt_at = now + RETRY_DELAYS[min(row.attempts - 1, len(RETRY_DELAYS) - 1)]
        except transports.PermanentTransportError as exc:
            row.state, row.last_error = OutboxState.DEAD, str(exc)[:500]
        else:
            row.state, row.sent_at, row.last_error = OutboxState.SENT, now, ""
            if row.kind == OutboxKind.EMAIL:
                InboundInvoice.objects.filter(pk=row.invoice_id).update(notified_at=now)
        row.save()
        return row.state


def deliver_due_notices(*, now: datetime.datetime | None = None, transport=None, limit: int = 200) -> dict[str, int]:
    now = now or timezone.now()
    ids = list(NoticeOutbox.objects.filter(state=OutboxState.PENDING, next_attempt_at__lte=now).values_list("pk", flat=True)[:limit])
    outcomes: dict[str, int] = {}
    for pk in ids:
        state = deliver_notice(pk, transport=transport, now=now)
        outcomes[state] = outcomes.get(state, 0) + 1
    return outcomes


# --- batches -----------------------------------------------------------------------------------


BATCH_CHUNK = 50


def validate_many(actor: Actor, ids, *, now: datetime.datetime | None = None, chunk: int = BATCH_CHUNK):
    """Validate invoices by id, yielding ``(id, status, seconds)``.

    ``chunk`` invoices share one outer transaction (one commit, one fsync) and each runs in its
    own savepoint, so a failing invoice rolls back alone and is reported as ``error``. The
    notices of a chunk go out when it commits.
    """
    from kvitt.claims import tasks

    ids = list(ids)
    for start in range(0, len(ids), chunk):
        with transaction.atomic():
            transaction.on_commit(tasks.enqueue_notice_sweep)
            part = ids[start:start + chunk]
            heads = {
                row.pk: row for row in
                InboundInvoice.objects.filter(pk__in=part).select_related("payer").only("pk", "assignment_id", "payer")
            }
            for pk in part:
                began = time.perf_counter()
                try:
                    invoice = heads[pk]
                    status = validate_invoice(actor, invoice, now=now, enqueue_notices=False).status
                except Exception:
                    logger.exception("claims: validation of inbound invoice %s failed", pk)
                    status = "error"
                yield pk, status, time.perf_counter() - began


def run_batch(payer: Payer, *, now: datetime.datetime | None = None, limit: int | None = None,
              chunk: int = BATCH_CHUNK) -> dict[str, int]:
    """Validate the payer's waiting invoices, oldest first."""
    now = now or timezone.now()
    actor = worker_actor(payer)
    pending = InboundInvoice.objects.filter(payer=payer, status=InboundStatus.RECEIVED).order_by("received_at", "id")
    ids = list(pending.values_list("pk", flat=True)[:limit] if limit else pending.values_list("pk", flat=True))
    outcomes: dict[str, int] = {}
    for _pk, status, _seconds in validate_many(actor, ids, now=now, chunk=chunk):
        outcomes[status] = outcomes.get(status, 0) + 1
    ClaimsSettings.objects.filter(payer=payer).update(last_run_at=now)
    return outcomes


def run_due_batches(*, now: datetime.datetime | None = None) -> dict[int, dict[str, int]]:
    """For the worker's schedule: every payer whose validation frequency says it is time."""
    now = now or timezone.now()
    results = {}
    payer_ids = InboundInvoice.objects.filter(status=InboundStatus.RECEIVED).values_list("payer_id", flat=True).distinct()
    for payer in Payer.objects.filter(pk__in=list(payer_ids)):
        conf = settings_for(payer)
        if sla.is_run_due(conf.frequency, conf.last_run_at, now, conf.daily_at):
            results[payer.pk] = run_batch(payer, now=now)
    return results


# --- later exceptions --------------------------------------------------------------------------


def raise_exception(actor: Actor, invoice: InboundInvoice, text: str) -> NoticeOutbox:
    """A problem found after approval (e.g. in a later audit): the clinic is told by e-mail."""
    _require_own(actor, invoice)
    text = (text or "").strip()
    if len(text) < 5:
        raise ClaimRefused("describe the exception (at least 5 characters)")
    if invoice.status not in (InboundStatus.APPROVED, InboundStatus.DEVIATION):
        raise ClaimRefused("exceptions are raised on approved invoices")
    recipient = invoice.company.notification_email if invoice.company_id else ""
    if not recipient:
        raise ClaimRefused("the company has no e-mail address for notices")
    lang = _language(invoice)
    subject = {"nb": "Avvik funnet i etterkant: faktura {n}", "sv": "Avvikelse upptäckt i efterhand: faktura {n}",
               "en": "Exception raised after approval: invoice {n}"}[lang].format(n=invoice.number)
    with transaction.atomic():
        count = invoice.notices.filter(kind=OutboxKind.EMAIL, key__startswith=f"exception:{invoice.pk}:").count()
        row = NoticeOutbox.objects.create(invoice=invoice, kind=OutboxKind.EMAIL, key=f"exception:{invoice.pk}:{count + 1}",
                                          recipient=recipient, subject=subject, body=text + "\n")
        audit.record(actor, "raise_exception", invoice, privacy=("financial",), reason=text[:300])
    from kvitt.claims import tasks

    transaction.on_commit(lambda: tasks.enqueue_notice(row.pk))
    return row


# --- payment run -----------------------------------------------------------------------------

PAYMENT_COLUMNS = ("inbound_id", "supplier_org_number", "supplier_name", "invoice_number", "account", "kid", "message",
                   "amount_ore", "amount_nok", "due_date")


def payment_run(actor: Actor, *, now: datetime.datetime | None = None) -> list[dict]:
    """The approved amounts not yet paid, for the insurer's payment run; marks them exported.

    Each row pays the approved amount to the account on the invoice with its KID (or, without a
    KID, the invoice number as the message). One transaction: a row is exported exactly once.
    """
    payer = payer_of(actor)
    now = now or timezone.now()
    with transaction.atomic():
        invoices = list(
            InboundInvoice.objects.select_for_update(of=("self",)).select_related("payer")
            .filter(payer=payer, kind="Invoice", status__in=(InboundStatus.APPROVED, InboundStatus.DEVIATION),
                    approved_amount__gt=0, payment_exported_at__isnull=True)
            .defer("original").order_by("validated_at", "id")
        )
        rows = []
        for invoice in invoices:
            doc = parse_document(bytes(invoice.document))
            rows.append({
                "inbound_id": invoice.pk, "supplier_org_number": invoice.supplier_org_number,
                "supplier_name": invoice.supplier_name, "invoice_number": invoice.number, "account": invoice.account,
                "kid": invoice.kid, "message": "" if invoice.kid else f"Faktura {invoice.number}",
                "amount_ore": invoice.approved_amount, "amount_nok": f"{invoice.approved_amount // 100}.{invoice.approved_amount % 100:02d}",
                "due_date": doc.payable_due_date.isoformat() if doc.payable_due_date else "",
            })
        InboundInvoice.objects.filter(pk__in=[i.pk for i in invoices]).update(payment_exported_at=now)
        for invoice in invoices:
            audit.record(actor, "payment_export", invoice, privacy=("financial",), reason=f"{invoice.approved_amount} øre")
    return rows


def payment_csv(rows: list[dict]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=PAYMENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
