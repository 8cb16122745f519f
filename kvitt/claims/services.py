"""Every change to inbound invoices: receive, validate, override, notify. One function per verb.

Validation takes the assignment's row lock (``kvitt.cases.services.lock``) before it reads the
remaining coverage and holds it until the coverage is consumed, so two invoices racing for the
last covered treatment are decided one after the other. Notices go to an outbox in the same
transaction; a worker delivers them (``deliver_notice``), with retries.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import hashlib
import logging
import time
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from kvitt.cases import sakid as sakid_module
from kvitt.cases import services as case_services
from kvitt.cases.models import Assignment
from kvitt.claims import batch, notices, sla
from kvitt.claims import invoice_response as ir
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
from kvitt.claims.validators import amount_in_ore, supplier_org_number, validate
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
from kvitt.network.models import Company, Payer

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


# --- validate --------------------------------------------------------------------------------------
# The reads go through a batch.ValidationContext (one chunk of invoices or a single one): the
# assignments are locked first and the remaining coverage is read under the lock, so two invoices
# racing for the last covered treatment are decided one after the other.


def _usage_ref(invoice: InboundInvoice, line_id: str, run: int) -> str:
    return f"claims:{invoice.pk}#{line_id}@{run}"[:120]


def _give_back_previous_run(actor: Actor, context: batch.ValidationContext, invoice: InboundInvoice, ledger) -> None:
    """A re-run starts from zero: what earlier runs consumed goes back to the coverage first."""
    refs = [line.usage_ref for line in context.previous_lines.get(invoice.pk, []) if line.usage_ref]
    if refs and ledger is not None:
        case_services.reverse_locked(actor, ledger, refs, reason=f"re-validation of {invoice.number}")
    invoice.lines.all().delete()


def _consumption(invoice: InboundInvoice, verdict, run: int) -> tuple[list[tuple[int, int, str]], dict[str, str]]:
    """(count, approved øre, usage ref) per line that uses the coverage, and the refs by line id."""
    refs, items = {}, []
    for line in verdict.lines:
        if line.outcome == REJECTED or line.count <= 0:
            continue
        ref = _usage_ref(invoice, line.line_id, run)
        items.append((line.count, line.approved_amount, ref))
        refs[line.line_id] = ref
    return items, refs


def _reverse_credited(actor: Actor, context: batch.ValidationContext, credit: InboundInvoice, doc: Document, ledger) -> None:
    """An approved credit note gives back what the credited invoice's matching lines consumed."""
    original = (
        InboundInvoice.objects.filter(payer=credit.payer, kind="Invoice", supplier_org_number=credit.supplier_org_number,
                                      number=credit.credited_number).exclude(pk=credit.pk).first()
    )
    if original is None:
        return
    from kvitt.claims.validators import read_line

    moments = {read_line(line).moment_key for line in doc.lines}
    credited = [line for line in original.lines.exclude(usage_ref="") if line.moment in moments]
    if not credited:
        return
    target_id = original.assignment_id or (ledger.assignment.pk if ledger is not None else None)
    if target_id is not None:
        if target_id not in context.ledgers:
            context.ledgers.update(case_services.lock_ledgers([target_id]))
        case_services.reverse_locked(actor, context.ledgers[target_id], [line.usage_ref for line in credited],
                                     reason=f"credit note {credit.number}")
    for line in credited:
        line.outcome, line.usage_ref = "credited", ""
        line.save(update_fields=["outcome", "usage_ref"])
        context.billed.get(original.sak_id, {}).get(line.moment, {}).pop(original.pk, None)


@dataclasses.dataclass
class _Written:
    """One invoice's validation, decided and its coverage consumed; the rows still to be stored."""

    invoice: InboundInvoice
    run: int
    result: object
    verdict: object
    doc: Document
    findings: list
    lines: list
    audit_reason: str
    patient_id: int | None
    notices: list


def _validate_in(actor: Actor, context: batch.ValidationContext, pk: int, now: datetime.datetime) -> _Written:
    """One invoice of the context: validate, decide, consume coverage; the other rows are returned
    for the caller to store (at once for one invoice, set-wise for a chunk).

    Coverage is consumed last, in one guarded statement: until then nothing of a first run is
    written, so an invoice that fails before it leaves the database untouched.
    """
    locked = context.invoices[pk]
    _require_own(actor, locked)
    if locked.status == InboundStatus.UNREADABLE:
        raise ClaimRefused(f"the document could not be read: {locked.parse_error}")
    doc = parse_document(bytes(locked.document))
    ledger = context.ledger(locked)
    first_run = locked.validation_runs == 0
    if not first_run:
        _give_back_previous_run(actor, context, locked, ledger)
    run = locked.validation_runs + 1
    waived = frozenset() if first_run else context.overrides.get(locked.pk, frozenset())  # overrides only follow a run
    ehf_errors = tuple(f["id"] for f in locked.ehf_findings if f.get("flag") == "fatal")
    result = validate(doc, context.snapshot(locked, doc, now, ehf_errors), waived)
    verdict = decide(doc, result)
    consuming = verdict.outcome != REJECTED and not doc.is_credit_note and ledger is not None
    items, refs = _consumption(locked, verdict, run) if consuming else ([], {})
    findings = [
        Finding(invoice=locked, run=run, number=f.number, code=f.code, severity=f.severity, level=f.level,
                line_id=f.line_id or "", params=f.params, approved_amount=f.approved_amount, waived=f.waived)
        for f in result.findings
    ]
    lines = [
        InboundLine(invoice=locked, line_id=v.line_id, sak_id=locked.sak_id, treatment_id=v.treatment_id or "",
                    moment=v.moment_key or "", count=v.count, amount=v.invoiced_amount, approved_amount=v.approved_amount,
                    outcome=v.outcome, usage_ref=refs.get(v.line_id, ""))
        for v in verdict.lines
    ]
    notice_rows = _notice_rows(locked, run, result.findings, verdict, doc)
    if items:
        case_services.consume_locked(actor, ledger, items)
    if verdict.outcome != REJECTED and doc.is_credit_note:
        _reverse_credited(actor, context, locked, doc, ledger)
    context.record_lines(locked, lines)
    context.previous_lines[locked.pk] = lines
    locked.validation_runs = run
    locked.status = OUTCOME_STATUS[verdict.outcome]
    locked.verdict = verdict.as_dict()
    locked.approved_amount = verdict.approved_amount
    locked.validated_at = now
    return _Written(locked, run, result, verdict, doc, findings, lines,
                    f"run {run}: {verdict.outcome}, {len(result.findings)} findings",
                    ledger.assignment.patient_id if ledger is not None else None, notice_rows)


VALIDATED_FIELDS = ("validation_runs", "status", "verdict", "approved_amount", "validated_at")


def _update_verdicts(invoices: list[InboundInvoice]) -> None:
    """One prepared UPDATE run for every invoice (``executemany``): Django's bulk_update builds a
    CASE per field and row, which costs more to compile than the statement costs to run."""
    qn = connection.ops.quote_name
    sql = (f"UPDATE {qn(InboundInvoice._meta.db_table)} SET "
           + ", ".join(f"{qn(name)} = %s" for name in VALIDATED_FIELDS) + f" WHERE {qn('id')} = %s")
    fields = [InboundInvoice._meta.get_field(name) for name in VALIDATED_FIELDS]
    rows = [[f.get_db_prep_save(getattr(invoice, f.attname), connection) for f in fields] + [invoice.pk] for invoice in invoices]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _store(actor: Actor, written: list[_Written]) -> None:
    """The findings, lines, verdicts and audit rows of validated invoices, a few statements for all."""
    if not written:
        return
    Finding.objects.bulk_create([f for w in written for f in w.findings])
    InboundLine.objects.bulk_create([line for w in written for line in w.lines])
    _update_verdicts([w.invoice for w in written])
    by_reason: dict[str, list[_Written]] = {}
    for w in written:
        by_reason.setdefault(w.audit_reason, []).append(w)
    patients = {w.invoice.pk: w.patient_id for w in written}
    for reason, group in by_reason.items():
        audit.record_many(
            actor, "validate", [w.invoice for w in group], privacy=("clinical", "financial"), fields=("findings", "verdict"),
            reason=reason, patient_of=lambda invoice: Patient(pk=patients[invoice.pk]) if patients[invoice.pk] else None,
        )


def validate_invoice(actor: Actor, invoice: InboundInvoice, *, now: datetime.datetime | None = None,
                     enqueue_notices: bool = True) -> InboundInvoice:
    """Run the validation chain on ``invoice`` (again), decide, consume coverage, queue the notices.

    The notices are outbox rows written in the same transaction; ``enqueue_notices`` also queues
    one delivery task per row (a batch queues one sweep per chunk instead).
    """
    _require_own(actor, invoice)
    now = now or timezone.now()
    with transaction.atomic():
        context = batch.load(invoice.payer, [invoice.pk])
        written = _validate_in(actor, context, invoice.pk, now)
        _store(actor, [written])
        locked = written.invoice
        queued = _queue(written.notices)
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


def _notice_rows(invoice: InboundInvoice, run: int, findings, verdict, doc: Document) -> list[NoticeOutbox]:
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
    return rows


def _queue(rows: list[NoticeOutbox]) -> list[int]:
    """Store outbox rows; returns the ids of the new ones (for one delivery task each)."""
    # Keys are per invoice and run, so a row exists already only when a run is replayed.
    existing = set(NoticeOutbox.objects.filter(key__in=[r.key for r in rows]).values_list("key", flat=True))
    fresh = [r for r in rows if r.key not in existing]
    NoticeOutbox.objects.bulk_create(fresh)
    return list(NoticeOutbox.objects.filter(key__in=[r.key for r in fresh]).values_list("pk", flat=True)) if fresh else []


def queue_notices(invoice: InboundInvoice, run: int, findings, verdict, doc: Document) -> list[int]:
    return _queue(_notice_rows(invoice, run, findings, verdict, doc))


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


class _ChunkFailed(Exception):
    """A database error inside a chunk: its transaction is lost, the chunk goes one by one."""


def validate_many(actor: Actor, ids, *, now: datetime.datetime | None = None, chunk: int = BATCH_CHUNK):
    """Validate invoices by id, yielding ``(id, status, seconds)`` once each chunk is committed.

    ``chunk`` invoices share one transaction (one commit) and one :class:`batch.ValidationContext`
    (their assignments locked, everything the validators read fetched set-wise). Each invoice
    consumes its coverage in one guarded statement; its findings, lines, verdict, audit row and
    notices are stored with the rest of the chunk in a few bulk statements. An invoice that fails
    before its coverage statement has written nothing: the pending rows are stored, the context is
    read again and the invoice is tried once more, then reported as ``error``. A re-run or a credit
    note (which write more, and read lines) runs in a savepoint after the pending rows are stored. A database error loses the chunk's transaction:
    the chunk is then validated one invoice at a time (``validate_invoice``). ``seconds`` is the
    invoice's own time plus its share of the chunk's bulk statements.
    """
    from kvitt.claims import tasks

    payer = payer_of(actor)
    ids = list(ids)
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        try:
            with transaction.atomic():
                transaction.on_commit(tasks.enqueue_notice_sweep)
                results = list(_validate_chunk(actor, payer, part, now))
        except _ChunkFailed:
            logger.warning("claims: a chunk of %s invoices failed in the database; validating them one by one", len(part))
            results = list(_validate_one_by_one(actor, part, now))
        yield from results


def _validate_chunk(actor: Actor, payer: Payer, part: list[int], now):
    context = batch.load(payer, part)
    pending: list[_Written] = []
    timings: dict[int, tuple[str, float]] = {}

    def flush():
        began = time.perf_counter()
        _store(actor, pending)
        NoticeOutbox.objects.bulk_create([n for w in pending for n in w.notices], ignore_conflicts=True)
        share = (time.perf_counter() - began) / max(len(pending), 1)
        for w in pending:
            status, seconds = timings[w.invoice.pk]
            timings[w.invoice.pk] = (status, seconds + share)
        pending.clear()

    for index, pk in enumerate(part):
        began = time.perf_counter()
        status = "error"
        for attempt in (1, 2):
            if pk not in context.invoices:
                logger.error("claims: inbound invoice %s is not %s's to validate", pk, payer)
                break
            row = context.invoices[pk]
            risky = row.validation_runs > 0 or row.kind == "CreditNote"
            if risky:
                flush()  # a credit note reads its invoice's lines from the database: they must be there
            try:
                with transaction.atomic() if risky else contextlib.nullcontext():
                    written = _validate_in(actor, context, pk, now or timezone.now())
            except DatabaseError as exc:
                if not risky:  # outside a savepoint the chunk's transaction is lost
                    raise _ChunkFailed(str(exc)) from exc
            except Exception:
                pass
            else:
                pending.append(written)
                status = written.invoice.status
                break
            logger.log(logging.ERROR if attempt == 2 else logging.INFO,
                       "claims: validation of inbound invoice %s failed (attempt %s)", pk, attempt, exc_info=True)
            flush()
            context = batch.load(payer, part[index:])
        timings[pk] = (status, time.perf_counter() - began)
    flush()
    for pk in part:
        yield (pk, *timings[pk])


def _validate_one_by_one(actor: Actor, part: list[int], now):
    for pk in part:
        began = time.perf_counter()
        try:
            invoice = InboundInvoice.objects.select_related("payer").defer("original", "document").get(pk=pk)
            status = validate_invoice(actor, invoice, now=now, enqueue_notices=True).status
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
