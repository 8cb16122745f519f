"""Every state change of inter-regional billing, one function per verb.

Care region: ``build_month`` (select care events of patients from other counties, price
them, build one basis per home region and month, check it), ``check_specification``,
``queue_for_delivery``, ``deliver_pending`` (the worker: one thread per receiver, resends
with backoff), ``issue_invoice``, ``credit_lines`` and ``rebill_lines``.

Home region: ``receive_claim`` (behind the producer endpoint: validate the same way, store,
answer OK or ERROR naming rule and location), ``receive_invoice`` (match by basis id, flag
a difference above 1 kr) and ``dispute_line``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import threading
import time
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Callable

from django.core.exceptions import ValidationError
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kvitt.core import audit
from kvitt.core.models import Organisation, OrganisationKind, Role
from kvitt.core.permissions import Actor, PermissionDenied, require_role
from kvitt.interregion import invoice as region_invoice
from kvitt.interregion import rules, soap, transport
from kvitt.interregion.model import (
    CREDIT_NOTE,
    INVOICE,
    OID_COUNTY,
    OID_GENDER,
    OID_MUNICIPALITY,
    CarePerformed,
    ClaimSpecification as SpecModel,
    Code,
    PatientLine,
    PatientSpecificItem,
    PaymentCommitment,
    make_basis_id,
    org_party,
    patient_identity,
    with_payable_from_lines,
)
from kvitt.interregion.models import (
    AuthorisedCaller,
    BasisCounter,
    CarePricing,
    ClaimLine,
    ClaimSpecification,
    Delivery,
    DeliveryStatus,
    Direction,
    Dispute,
    DisputeStatus,
    InvoiceMatch,
    PatientRegistration,
    RegionDirectory,
    RegionInvoice,
    RegionLink,
    SpecStatus,
)
from kvitt.ledger.models import CareEvent, Route

log = logging.getLogger(__name__)

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
OFFICER_ROLES = (Role.REGION_BILLING_OFFICER, "system")
ONE_KRONA = 100
ICD_SYSTEMS = {"ICD-10-SE", "ICD-10", "ICD10SE", "ICD10"}
KVA_CODE = re.compile(r"^(?:[A-Z]{2}\d{3}|[A-Z]{3}\d{2})$")
LIVE_SENT = (SpecStatus.READY, SpecStatus.QUEUED, SpecStatus.SENT, SpecStatus.UNDELIVERED)


def _require_region_officer(actor: Actor) -> None:
    require_role(actor, *OFFICER_ROLES)
    if actor.organisation.kind != OrganisationKind.REGION or actor.organisation.country != "SE":
        raise PermissionDenied(_("Only Swedish regions bill each other for care"))


# =============================================================================== building


@dataclass
class BuildReport:
    specifications: list[ClaimSpecification] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (event id, reason)


def next_basis_id(organisation: Organisation, year: int, month: int) -> str:
    """Take the next counter for the organisation and month (inside the caller's transaction)."""
    counter, _created = BasisCounter.objects.select_for_update().get_or_create(organisation=organisation, year=year, month=month)
    counter.last += 1
    counter.save(update_fields=["last"])
    return make_basis_id(organisation.org_number, year, month, counter.last)


def _month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(year, month, 1, tzinfo=STOCKHOLM)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=STOCKHOLM)
    return start, end


def _open_billed_event_ids(organisation: Organisation) -> set:
    """Care events already on a live debit basis and not credited since."""
    lines = ClaimLine.objects.filter(
        specification__organisation=organisation, specification__direction=Direction.SENT, specification__status__in=LIVE_SENT
    ).values_list("specification__basis_id", "specification__type_of_invoice", "specification__reference_basis_id",
                  "line_id", "reference_to_line_id", "care_event__event_id")
    debit, credited = {}, set()
    for basis_id, kind, reference, line_id, reference_line, event_id in lines:
        if kind == CREDIT_NOTE:
            credited.add((reference, reference_line))
        else:
            debit[(basis_id, line_id)] = event_id
    return {event_id for key, event_id in debit.items() if key not in credited}


def _payment_commitment(referral: dict | None) -> PaymentCommitment | None:
    if not referral:
        return None
    return PaymentCommitment(
        remittance_number=referral.get("id") or None,
        payment_commitment_number=referral.get("payment_commitment") or None,
        type_of_agreement=referral.get("agreement_type") or None,
        type_of_chapter=referral.get("chapter") or None,
        agreement_in_riksavtalet=referral.get("riksavtalet") or None,
        type_of_reimbursement=referral.get("reimbursement_type") or None,
    )


def care_performed(event: CareEvent, pricing: CarePricing, line_id: int) -> CarePerformed:
    """One healthcarePerformed from a care event and its pricing; gross and net by the contract."""
    local_start = timezone.localtime(event.start, STOCKHOLM)
    items = [
        PatientSpecificItem(
            code=item["code"], name=item["name"], quantity=int(item["quantity"]), unit_price=int(item["unit_price"]),
            total=int(item["quantity"]) * int(item["unit_price"]),
        )
        for item in pricing.items
    ]
    no_clinical_codes = pricing.medical_field_code.startswith("9")  # ÖR33
    diagnoses = [] if no_clinical_codes else [d["code"] for d in event.diagnoses if d.get("system") in ICD_SYSTEMS]
    procedures = [] if no_clinical_codes else [c for c in event.service_codes if KVA_CODE.match(c)]
    care = CarePerformed(
        line_id=line_id,
        care_contact_id=event.external_id or str(event.event_id),
        payment_commitment=_payment_commitment(event.referral),
        type_of_care=pricing.type_of_care,
        planned=pricing.planned,
        public_care=pricing.public_care,
        type_of_visit=pricing.type_of_visit or None,
        visit_date=local_start.date(),
        visit_time=local_start.strftime("%H%M%S"),
        discharge_date=pricing.discharge_date,
        days_in_care=pricing.days_in_care,
        days_on_leave=pricing.days_on_leave,
        care_unit_name=event.care_unit.name,
        care_unit_hsa_id=event.care_unit.hsa_id,
        profession_code=pricing.profession_code or None,
        medical_field_code=pricing.medical_field_code,
        care_level=pricing.care_level or None,
        product_category=pricing.product_category or None,
        price_list=pricing.price_list or None,
        drg_present=bool(pricing.drg_code) or pricing.drg_price is not None,
        drg_code=pricing.drg_code or None,
        drg_price=pricing.drg_price,
        outlier_care_time=pricing.outlier_care_time,
        outlier_cost=pricing.outlier_cost,
        patient_specific=items,
        outpatient_fee_paid=pricing.outpatient_fee_paid,
        charge=pricing.charge,
        allowance=pricing.allowance,
        discount=pricing.discount,
        main_diagnosis=diagnoses[0] if diagnoses else None,
        bi_diagnoses=diagnoses[1:],
        procedures=procedures,
        gross=0,
        net=0,
    )
    care.gross = care.expected_gross()
    care.net = care.expected_net()
    return care


def _patient_line(patient, registration: PatientRegistration, care: list[CarePerformed]) -> PatientLine:
    return PatientLine(
        patient_id=patient_identity(patient.national_id, registration.reserve_number_root or None),
        county=Code(patient.county_code, OID_COUNTY),
        municipality=Code(registration.municipality_code, OID_MUNICIPALITY),
        gender=Code(registration.gender, OID_GENDER) if registration.gender else None,
        care=care,
    )


def _eligible_events(organisation: Organisation, year: int, month: int, report: BuildReport) -> dict[str, list[CareEvent]]:
    start, end = _month_bounds(year, month)
    billed = _open_billed_event_ids(organisation)
    by_county: dict[str, list[CareEvent]] = defaultdict(list)
    events = (
        CareEvent.objects.filter(organisation=organisation, is_current=True, voided=False, start__gte=start, start__lt=end)
        .select_related("patient", "care_unit")
        .order_by("start", "id")
    )
    for event in events:
        if Route.HOME_REGION not in event.routes or event.event_id in billed:
            continue
        if event.care_unit is None:
            report.skipped.append((str(event.event_id), _("no care unit (HSA-id) on the care event")))
            continue
        home = event.patient.county_code
        if not home:
            report.skipped.append((str(event.event_id), _("the patient's home county is unknown")))
            continue
        if home != event.care_unit.county_code:
            by_county[home].append(event)
    return by_county


def _lines_for(events: list[CareEvent], organisation: Organisation, report: BuildReport, first_line_id: int = 1):
    pricing = {p.event_id: p for p in CarePricing.objects.filter(organisation=organisation, event_id__in=[e.event_id for e in events])}
    registrations = {r.patient_id: r for r in PatientRegistration.objects.filter(patient__in={e.patient_id for e in events})}
    per_patient: dict[int, list[tuple[CareEvent, CarePerformed]]] = defaultdict(list)
    line_id = first_line_id
    for event in events:
        if event.event_id not in pricing:
            report.skipped.append((str(event.event_id), _("the care event is not priced for inter-regional billing")))
            continue
        if event.patient_id not in registrations:
            report.skipped.append((str(event.event_id), _("the patient's municipality (folkbokföring) is unknown")))
            continue
        per_patient[event.patient_id].append((event, care_performed(event, pricing[event.event_id], line_id)))
        line_id += 1
    lines, sources = [], []
    for patient_id, pairs in per_patient.items():
        patient = pairs[0][0].patient
        lines.append(_patient_line(patient, registrations[patient_id], [c for _, c in pairs]))
        sources.extend(pairs)
    return lines, sources


def _store_sent(actor, spec: SpecModel, sources, period: dt.date | None, home_county: str, reference=None) -> ClaimSpecification:
    logical_address = spec.customer_org_number
    row = ClaimSpecification.objects.create(
        organisation=actor.organisation,
        direction=Direction.SENT,
        basis_id=spec.id,
        type_of_invoice=spec.type_of_invoice,
        supplier_org_number=spec.supplier_org_number,
        customer_org_number=logical_address,
        home_county_code=home_county,
        period=period,
        issue_date=spec.issue_date,
        payable_amount=spec.payable_amount,
        reference_basis_id=spec.reference_to_specification_id or "",
        reference_to=reference,
        status=SpecStatus.READY,
        request_xml=soap.build_request(spec, logical_address).decode("utf-8"),
    )
    by_line = {care.line_id: (event, care) for event, care in sources}
    rows = []
    for _p, _c, patient_line, care in spec.care_lines():
        event = by_line.get(care.line_id, (None, None))[0]
        rows.append(_line_row(row, patient_line, care, event))
    ClaimLine.objects.bulk_create(rows)
    return row


def _line_row(spec_row, patient_line: PatientLine, care: CarePerformed, event: CareEvent | None) -> ClaimLine:
    return ClaimLine(
        specification=spec_row,
        line_id=care.line_id,
        patient=event.patient if event is not None else None,
        care_event=event,
        patient_id_root=patient_line.patient_id.root,
        patient_national_id=patient_line.patient_id.extension,
        care_contact_id=care.care_contact_id or "",
        type_of_care=care.type_of_care,
        visit_date=care.visit_date,
        care_unit_hsa_id=care.care_unit_hsa_id or "",
        gross=care.gross,
        net=care.net,
        diagnoses=[d for d in [care.main_diagnosis, *care.bi_diagnoses] if d],
        procedures=list(care.procedures),
        reference_to_line_id=care.reference_to_line_id,
        reason_for_credit=care.reason_for_credit or "",
    )


def build_month(actor: Actor, year: int, month: int, *, issue_date: dt.date | None = None) -> BuildReport:
    """Build and check this month's bases: one per home region, split at 5 MB by patient lines."""
    _require_region_officer(actor)
    report = BuildReport()
    issue_date = issue_date or timezone.localdate()
    with transaction.atomic():
        for county, events in sorted(_eligible_events(actor.organisation, year, month, report).items()):
            home = RegionDirectory.objects.filter(county_code=county).first()
            if home is None:
                report.skipped.extend((str(e.event_id), _("no region is known for county %(c)s") % {"c": county}) for e in events)
                continue
            lines, sources = _lines_for(events, actor.organisation, report)
            if not lines:
                continue
            spec = with_payable_from_lines(
                SpecModel(
                    id=next_basis_id(actor.organisation, year, month),
                    issue_date=issue_date,
                    type_of_invoice=INVOICE,
                    payable_amount=0,
                    supplier=org_party(actor.organisation.org_number),
                    customer=org_party(home.org_number),
                    lines=lines,
                )
            )
            parts = transport.split_for_payload(spec, home.org_number, lambda: next_basis_id(actor.organisation, year, month))
            for part in parts:
                row = _store_sent(actor, part, sources, dt.date(year, month, 1), county)
                report.specifications.append(row)
            audit.record_many(
                actor, "read", [e for e, _ in sources], privacy=["identity", "clinical"],
                fields=["patient", "diagnoses", "service_codes", "referral"], reason="inter-regional invoice basis",
                patient_of=lambda e: e.patient,
            )
        for row in report.specifications:
            _check_row(row)
            _withdraw_rejected_predecessors(row)
    return report


def _withdraw_rejected_predecessors(row: ClaimSpecification) -> None:
    """A rejected basis whose care events are billed again is replaced by the new basis."""
    event_ids = list(row.lines.exclude(care_event=None).values_list("care_event__event_id", flat=True))
    rejected = ClaimSpecification.objects.filter(
        organisation=row.organisation, direction=Direction.SENT, status=SpecStatus.REJECTED,
        lines__care_event__event_id__in=event_ids,
    ).distinct()
    for old in rejected:
        old.status, old.replaced_by = SpecStatus.WITHDRAWN, row
        old.save(update_fields=["status", "replaced_by"])


# =============================================================================== checking


def specification_of(row: ClaimSpecification) -> SpecModel:
    return soap.parse_request(row.request_xml.encode("utf-8")).specification


def _check_row(row: ClaimSpecification, today: dt.date | None = None) -> list[rules.Finding]:
    findings = rules.check(specification_of(row), today=today or timezone.localdate())
    row.findings = [{"rule": f.rule, "location": f.location, "message": f.message, "message_en": f.message_en} for f in findings]
    if row.status in (SpecStatus.READY, SpecStatus.FAILED_CHECK):
        row.status = SpecStatus.FAILED_CHECK if findings else SpecStatus.READY
    row.save(update_fields=["findings", "status"])
    return findings


def check_specification(actor: Actor, row: ClaimSpecification, *, today: dt.date | None = None) -> list[rules.Finding]:
    """Run the contract's rules on exactly the request that would be sent; a failing basis is held."""
    _require_region_officer(actor)
    if row.organisation_id != actor.organisation.id or row.direction != Direction.SENT:
        raise PermissionDenied(_("This basis is not one of your sent bases"))
    return _check_row(row, today)


# =============================================================================== sending


@transaction.atomic
def queue_for_delivery(actor: Actor, row: ClaimSpecification) -> Delivery:
    """Put a checked basis in the outbox; the worker delivers it."""
    _require_region_officer(actor)
    row = ClaimSpecification.objects.select_for_update().get(pk=row.pk)
    if row.organisation_id != actor.organisation.id or row.direction != Direction.SENT:
        raise PermissionDenied(_("This basis is not one of your sent bases"))
    if row.status != SpecStatus.READY:
        raise ValidationError(_("Only a checked basis without findings can be sent (status: %(s)s)") % {"s": row.get_status_display()})
    row.status = SpecStatus.QUEUED
    row.save(update_fields=["status"])
    delivery = Delivery.objects.create(specification=row, receiver_org_number=row.customer_org_number)
    audit.record(actor, "queue", row, privacy=["financial"], reason="inter-regional basis queued for delivery")
    transaction.on_commit(_wake_worker)
    return delivery


def _wake_worker() -> None:
    from kvitt.interregion.tasks import deliver_outbox

    deliver_outbox.enqueue()


def _client_for(link: RegionLink) -> transport.ConsumerClient:
    context = transport.client_ssl_context(link.ca_file, link.cert_file, link.key_file)
    return transport.ConsumerClient(link.url, context, timeout_s=link.timeout_s)


def _record_attempt(delivery_id: int, attempt: int, error: str | None) -> None:
    """Progress for the outbox page; a busy database must not stop the delivery itself."""
    try:
        Delivery.objects.filter(pk=delivery_id).update(attempts=attempt, last_attempt_at=timezone.now(), last_error=error or "")
    except DatabaseError:
        log.warning("could not record attempt %s of delivery %s", attempt, delivery_id, exc_info=True)


@transaction.atomic
def _finish(delivery: Delivery, outcome: transport.Outcome) -> None:
    row = ClaimSpecification.objects.select_for_update().get(pk=delivery.specification_id)
    delivery.refresh_from_db()
    delivery.finished_at = timezone.now()
    if outcome.delivered:
        delivery.status = DeliveryStatus.DELIVERED
        if outcome.response.result_code == "ERROR":
            # The home region did not take it: the basis goes back for correction.
            row.status = SpecStatus.REJECTED
            row.result_comment = outcome.response.comment
        else:
            row.status = SpecStatus.SENT
            row.result_comment = outcome.response.comment
            row.sent_at = timezone.now()
    else:
        delivery.status = DeliveryStatus.FAILED
        row.status = SpecStatus.UNDELIVERED
        row.result_comment = outcome.errors[-1] if outcome.errors else ""
    delivery.save()
    row.save(update_fields=["status", "result_comment", "sent_at"])
    audit.record(Actor.system(row.organisation, "interregion-delivery"), "deliver", row, privacy=["financial"],
                 reason=f"{row.get_status_display()} after {outcome.attempts} attempt(s)")


def _pending_to(organisation_id: int, receiver: str, tried: set[int]) -> list[int]:
    pending = Delivery.objects.filter(
        status=DeliveryStatus.PENDING, specification__organisation_id=organisation_id, receiver_org_number=receiver
    ).exclude(pk__in=tried)
    return list(pending.order_by("created_at", "id").values_list("pk", flat=True))


def _deliver_to_receiver(organisation_id: int, receiver: str, sleep: Callable[[float], None]) -> None:
    """One receiver's deliveries, in order, in this thread (contract section 4.2.1).

    Only the process holding the receiver's lock sends to it (kvitt.ops.ordering), so with many
    workers a receiver still gets its bases one at a time, in order; under the lock the pending
    rows are read afresh, so a row another process delivered meanwhile is not sent again."""
    from kvitt.ops import ordering

    tried: set[int] = set()
    try:
        with ordering.receiver_lock("interregion", f"{organisation_id}:{receiver}") as mine:
            if not mine:
                return  # another process is delivering to this receiver and reads its pending rows itself
            while batch := _pending_to(organisation_id, receiver, tried):
                for delivery_id in batch:
                    tried.add(delivery_id)
                    try:
                        _deliver_one(delivery_id, sleep)
                    except Exception:
                        # The row stays pending; the next worker run picks it up again.
                        log.exception("delivery %s failed; it stays in the outbox", delivery_id)
    finally:
        connection.close()


def _deliver_one(delivery_id: int, sleep: Callable[[float], None]) -> None:
    """Send one basis with resends, then record the answer on the basis."""
    delivery = Delivery.objects.select_related("specification__organisation").get(pk=delivery_id)
    row = delivery.specification
    link = RegionLink.objects.filter(organisation=row.organisation, receiver_org_number=delivery.receiver_org_number).first()
    if link is None:
        _finish(delivery, transport.Outcome(None, 0, [_("no address configured for region %(r)s") % {"r": delivery.receiver_org_number}]))
        return
    policy = transport.RetryPolicy(pause_ms=link.pause_ms, max_attempts=link.max_attempts, timeout_s=link.timeout_s)
    body = row.request_xml.encode("utf-8")
    try:
        client = _client_for(link)
    except (OSError, ValueError) as exc:
        _finish(delivery, transport.Outcome(None, 0, [f"client certificate or address: {exc}"], refused=True))
        return
    outcome = transport.send_with_retry(
        lambda: client.post(body), policy, sleep=sleep,
        on_attempt=lambda attempt, error, pk=delivery_id: _record_attempt(pk, attempt, error),
    )
    _finish(delivery, outcome)


def deliver_pending(*, sleep: Callable[[float], None] = time.sleep, organisation: Organisation | None = None) -> int:
    """The outbox worker: start one delivery thread per receiver and wait for them. Returns deliveries handled."""
    pending = Delivery.objects.filter(status=DeliveryStatus.PENDING).select_related("specification")
    if organisation is not None:
        pending = pending.filter(specification__organisation=organisation)
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for delivery in pending.order_by("created_at", "id"):
        groups[(delivery.specification.organisation_id, delivery.receiver_org_number)].append(delivery.pk)
    threads = [
        threading.Thread(target=_deliver_to_receiver, args=(organisation_id, receiver, sleep), name=f"interregion-to-{receiver}")
        for (organisation_id, receiver) in groups
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    return sum(len(ids) for ids in groups.values())


# =============================================================================== receiving


class DatabaseAuthoriser:
    """Callers come from ``AuthorisedCaller``: HSA-id + contract + logical address, active."""

    def is_authorised(self, hsa_id: str, contract: str, logical_address: str) -> bool:
        return AuthorisedCaller.objects.filter(
            hsa_id=hsa_id, contract=contract, logical_address=logical_address, active=True,
            organisation__org_number=logical_address,
        ).exists()


def _canonical(spec: SpecModel, logical_address: str) -> str:
    return soap.build_request(spec, logical_address).decode("utf-8")


def receive_claim(request: soap.ClaimRequest, caller_hsa_id: str, *, today: dt.date | None = None) -> soap.ClaimResponse:
    """The home region's producer: validate as the sender must have, store, answer OK or ERROR."""
    home = Organisation.objects.filter(kind=OrganisationKind.REGION, country="SE", org_number=request.logical_address).first()
    if home is None:
        return soap.ClaimResponse("ERROR", f"Error: no region with logical address {request.logical_address} Location: /Header/LogicalAddress")
    spec = request.specification
    findings = rules.check(spec, today=today or timezone.localdate())
    if spec.customer_org_number != request.logical_address:
        findings.append(rules.Finding("LogicalAddress", f"{rules.ROOT}/customerParty/identification",
                                      "Köparen är inte mottagaren (LogicalAddress).", "The customer is not the addressed region."))
    if findings:
        return soap.ClaimResponse("ERROR", rules.error_comment(findings))
    canonical = _canonical(spec, request.logical_address)
    with transaction.atomic():
        existing = ClaimSpecification.objects.filter(organisation=home, direction=Direction.RECEIVED, basis_id=spec.id).first()
        if existing is not None:
            if hashlib.sha256(existing.request_xml.encode()).digest() == hashlib.sha256(canonical.encode()).digest():
                return soap.ClaimResponse("OK")  # a resend of what we already hold
            return soap.ClaimResponse("ERROR", f"Error: id {spec.id} has already been received with other content Location: {rules.ROOT}/id")
        original = None
        if spec.reference_to_specification_id:
            original = ClaimSpecification.objects.filter(
                organisation=home, direction=Direction.RECEIVED, basis_id=spec.reference_to_specification_id
            ).first()
        row = ClaimSpecification.objects.create(
            organisation=home,
            direction=Direction.RECEIVED,
            basis_id=spec.id,
            type_of_invoice=spec.type_of_invoice,
            supplier_org_number=spec.supplier_org_number,
            customer_org_number=spec.customer_org_number,
            issue_date=spec.issue_date,
            payable_amount=spec.payable_amount,
            reference_basis_id=spec.reference_to_specification_id or "",
            reference_to=original,
            status=SpecStatus.RECEIVED,
            request_xml=canonical,
            caller_hsa_id=caller_hsa_id,
            received_at=timezone.now(),
        )
        ClaimLine.objects.bulk_create([_line_row(row, line, care, None) for _, _, line, care in spec.care_lines()])
        audit.record(Actor.system(home, f"producer:{caller_hsa_id}"), "receive", row, privacy=["identity", "clinical", "financial"],
                     reason="ProcessClaimSpecification received")
        _rematch(row)
    return soap.ClaimResponse("OK")


def producer_endpoint() -> transport.ProducerEndpoint:
    return transport.ProducerEndpoint(DatabaseAuthoriser(), receive_claim)


# =============================================================================== invoices


def _party(org_number: str) -> region_invoice.RegionParty:
    organisation = Organisation.objects.filter(kind=OrganisationKind.REGION, country="SE", org_number=org_number).first()
    directory = RegionDirectory.objects.filter(org_number=org_number).first()
    name = organisation.name if organisation else (directory.name if directory else org_number)
    return region_invoice.RegionParty(name=name, org_number=org_number)


def _next_invoice_number(organisation: Organisation, issue_date: dt.date) -> str:
    prefix = f"UTL{issue_date:%Y%m}"
    count = RegionInvoice.objects.filter(organisation=organisation, direction=Direction.SENT, number__startswith=prefix).count()
    return f"{prefix}{count + 1:05d}"


@transaction.atomic
def issue_invoice(actor: Actor, row: ClaimSpecification, *, issue_date: dt.date | None = None, due_days: int = 30) -> RegionInvoice:
    """The invoice (or credit note) for an accepted basis; it carries no patient data."""
    _require_region_officer(actor)
    row = ClaimSpecification.objects.select_for_update().get(pk=row.pk)
    if row.organisation_id != actor.organisation.id or row.direction != Direction.SENT:
        raise PermissionDenied(_("This basis is not one of your sent bases"))
    if row.status != SpecStatus.SENT:
        # The contract recommends invoicing only after the home region answered OK.
        raise ValidationError(_("Invoice a basis only after the home region accepted it"))
    if RegionInvoice.objects.filter(organisation=actor.organisation, direction=Direction.SENT, basis_id=row.basis_id).exists():
        raise ValidationError(_("This basis has already been invoiced"))
    issue_date = issue_date or timezone.localdate()
    credited = None
    if row.is_credit:
        original = RegionInvoice.objects.filter(organisation=actor.organisation, direction=Direction.SENT, basis_id=row.reference_basis_id).first()
        credited = original.number if original else row.reference_basis_id
    number = _next_invoice_number(actor.organisation, issue_date)
    period_end = None
    if row.period:
        period_end = _month_bounds(row.period.year, row.period.month)[1].date() - dt.timedelta(days=1)
    xml = region_invoice.build_region_invoice(
        region_invoice.RegionInvoiceInput(
            number=number,
            issue_date=issue_date,
            due_date=None if row.is_credit else issue_date + dt.timedelta(days=due_days),
            basis_id=row.basis_id,
            amount=row.payable_amount,
            seller=_party(row.supplier_org_number),
            buyer=_party(row.customer_org_number),
            credited_invoice=credited,
            period_start=row.period,
            period_end=period_end,
        )
    )
    invoice_row = RegionInvoice.objects.create(
        organisation=actor.organisation, direction=Direction.SENT, number=number, kind=row.type_of_invoice,
        issue_date=issue_date, basis_id=row.basis_id, amount=row.payable_amount, supplier_org_number=row.supplier_org_number,
        customer_org_number=row.customer_org_number, credited_invoice=credited or "", xml=xml.decode("utf-8"),
        specification=row, match=InvoiceMatch.SENT,
    )
    audit.record(actor, "create", invoice_row, privacy=["financial"], reason="invoice to home region")
    return invoice_row


def _match(invoice_row: RegionInvoice) -> None:
    basis = ClaimSpecification.objects.filter(
        organisation=invoice_row.organisation, direction=Direction.RECEIVED, basis_id=invoice_row.basis_id
    ).first()
    invoice_row.specification = basis
    if basis is None:
        invoice_row.match, invoice_row.difference = InvoiceMatch.NO_BASIS, 0
        return
    invoice_row.difference = invoice_row.amount - basis.payable_amount
    same_kind = invoice_row.kind == basis.type_of_invoice
    ok = same_kind and abs(invoice_row.difference) <= ONE_KRONA
    invoice_row.match = InvoiceMatch.MATCHED if ok else InvoiceMatch.DIFFERENCE


def _rematch(basis: ClaimSpecification) -> None:
    """A basis that arrives after its invoice completes the match."""
    for invoice_row in RegionInvoice.objects.filter(organisation=basis.organisation, direction=Direction.RECEIVED, basis_id=basis.basis_id):
        _match(invoice_row)
        invoice_row.save(update_fields=["specification", "match", "difference"])


@transaction.atomic
def receive_invoice(organisation: Organisation, data: bytes) -> RegionInvoice:
    """Store an invoice that reached the home region (via Peppol) and match it to its basis."""
    read = region_invoice.read_region_invoice(data)
    if read.buyer_org_number != organisation.org_number:
        raise ValidationError(_("The invoice is addressed to %(o)s, not to this region") % {"o": read.buyer_org_number})
    invoice_row, _created = RegionInvoice.objects.get_or_create(
        organisation=organisation, direction=Direction.RECEIVED, number=read.number, supplier_org_number=read.seller_org_number,
        defaults=dict(
            kind=read.kind, issue_date=read.issue_date, basis_id=read.basis_id, amount=read.amount,
            customer_org_number=read.buyer_org_number, credited_invoice=read.credited_invoice or "",
            xml=data.decode("utf-8"), match=InvoiceMatch.NO_BASIS,
        ),
    )
    _match(invoice_row)
    invoice_row.save()
    audit.record(Actor.system(organisation, "invoice-intake"), "receive", invoice_row, privacy=["financial"],
                 reason=f"invoice {read.number}: {invoice_row.get_match_display()}")
    return invoice_row


# =============================================================================== disputes and credits


@transaction.atomic
def dispute_line(actor: Actor, row: ClaimSpecification, line_id: int, *, reason_code: str, reason: str) -> Dispute:
    """The home region disputes one line of a received basis (settled between the regions)."""
    _require_region_officer(actor)
    if row.organisation_id != actor.organisation.id or row.direction != Direction.RECEIVED:
        raise PermissionDenied(_("Only the receiving region can dispute a basis"))
    if row.is_credit:
        raise ValidationError(_("A credit basis is not disputed; dispute the line of the debit basis"))
    if not row.lines.filter(line_id=line_id).exists():
        raise ValidationError({"line_id": _("The basis has no line %(n)s") % {"n": line_id}})
    if reason_code not in "123456789" or len(reason_code) != 1:
        raise ValidationError({"reason_code": _("Reason must be one of the contract's credit reasons 1-9")})
    dispute = Dispute.objects.create(
        basis_id=row.basis_id, line_id=line_id, home_organisation=actor.organisation,
        care_region_org_number=row.supplier_org_number, reason_code=reason_code, reason=reason,
        raised_by=actor.user if getattr(actor.user, "pk", None) else None,
    )
    audit.record(actor, "dispute", row, privacy=["financial"], fields=["line_id"], reason=reason[:300])
    return dispute


def _sent_basis(actor: Actor, row: ClaimSpecification) -> SpecModel:
    _require_region_officer(actor)
    row.refresh_from_db()
    if row.organisation_id != actor.organisation.id or row.direction != Direction.SENT:
        raise PermissionDenied(_("This basis is not one of your sent bases"))
    if row.status != SpecStatus.SENT or row.is_credit:
        raise ValidationError(_("Only an accepted debit basis can be credited or re-billed"))
    return specification_of(row)


def _select_lines(spec: SpecModel, line_ids: set[int]) -> list[tuple[PatientLine, list[CarePerformed]]]:
    chosen = []
    for line in spec.lines:
        cares = [c for c in line.care if c.line_id in line_ids]
        if cares:
            chosen.append((line, cares))
    found = {c.line_id for _, cares in chosen for c in cares}
    if found != line_ids:
        raise ValidationError({"line_ids": _("Unknown line(s): %(l)s") % {"l": sorted(line_ids - found)}})
    return chosen


@transaction.atomic
def credit_lines(actor: Actor, row: ClaimSpecification, line_ids, *, reason_for_credit: str, issue_date: dt.date | None = None) -> ClaimSpecification:
    """A credit basis (381) for some lines of an accepted basis, each pointing at its original line."""
    original = _sent_basis(actor, row)
    line_ids = set(line_ids)
    issue_date = issue_date or timezone.localdate()
    chosen = _select_lines(original, line_ids)
    already = ClaimLine.objects.filter(
        specification__organisation=actor.organisation, specification__direction=Direction.SENT,
        specification__reference_basis_id=row.basis_id, specification__status__in=LIVE_SENT, reference_to_line_id__in=line_ids,
    ).values_list("reference_to_line_id", flat=True)
    if already:
        raise ValidationError({"line_ids": _("Line(s) already credited: %(l)s") % {"l": sorted(set(already))}})
    events = {line.line_id: line.care_event for line in row.lines.select_related("care_event__patient")}
    next_line = 1
    lines, sources = [], []
    for patient_line, cares in chosen:
        credited = []
        for care in cares:
            copy = replace(care, line_id=next_line, reference_to_line_id=care.line_id, reason_for_credit=reason_for_credit)
            credited.append(copy)
            sources.append((events.get(care.line_id), copy))
            next_line += 1
        lines.append(replace(patient_line, care=credited))
    invoice_row = RegionInvoice.objects.filter(organisation=actor.organisation, direction=Direction.SENT, basis_id=row.basis_id).first()
    spec = with_payable_from_lines(
        replace(
            original,
            id=next_basis_id(actor.organisation, issue_date.year, issue_date.month),
            issue_date=issue_date,
            type_of_invoice=CREDIT_NOTE,
            reference_to_specification_id=row.basis_id,
            reference_to_invoice=invoice_row.number if invoice_row else None,
            lines=lines,
        )
    )
    credit = _store_sent(actor, spec, [(e, c) for e, c in sources if e is not None], row.period, row.home_county_code, reference=row)
    _check_row(credit)
    Dispute.objects.filter(
        care_region_org_number=actor.organisation.org_number, basis_id=row.basis_id, line_id__in=line_ids, status=DisputeStatus.OPEN
    ).update(status=DisputeStatus.CREDITED, credit_basis_id=credit.basis_id)
    audit.record(actor, "credit", credit, privacy=["financial"], fields=["line_ids"], reason=f"credit of {row.basis_id}")
    return credit


@transaction.atomic
def rebill_lines(actor: Actor, row: ClaimSpecification, line_ids, *, issue_date: dt.date | None = None) -> ClaimSpecification:
    """A new debit basis for credited lines, priced from the care events' current pricing."""
    _sent_basis(actor, row)
    line_ids = set(line_ids)
    issue_date = issue_date or timezone.localdate()
    old_lines = list(row.lines.filter(line_id__in=line_ids).select_related("care_event"))
    if {line.line_id for line in old_lines} != line_ids:
        raise ValidationError({"line_ids": _("Unknown line(s)")})
    credited = set(ClaimLine.objects.filter(
        specification__organisation=actor.organisation, specification__direction=Direction.SENT,
        specification__reference_basis_id=row.basis_id, specification__status__in=LIVE_SENT, reference_to_line_id__in=line_ids,
    ).values_list("reference_to_line_id", flat=True))
    if credited != line_ids:
        # Billing a care contact again before its first billing is credited would bill it twice.
        raise ValidationError({"line_ids": _("Credit line(s) %(l)s before billing them again") % {"l": sorted(line_ids - credited)}})
    event_ids = [line.care_event.event_id for line in old_lines if line.care_event is not None]
    events = list(CareEvent.objects.filter(event_id__in=event_ids, is_current=True, voided=False).select_related("patient", "care_unit"))
    report = BuildReport()
    lines, sources = _lines_for(events, actor.organisation, report)
    if not lines:
        raise ValidationError(_("Nothing to re-bill: %(r)s") % {"r": "; ".join(r for _, r in report.skipped) or "no care events"})
    spec = with_payable_from_lines(
        SpecModel(
            id=next_basis_id(actor.organisation, issue_date.year, issue_date.month),
            issue_date=issue_date, type_of_invoice=INVOICE, payable_amount=0,
            supplier=org_party(actor.organisation.org_number), customer=org_party(row.customer_org_number), lines=lines,
        )
    )
    rebill = _store_sent(actor, spec, sources, row.period, row.home_county_code)
    _check_row(rebill)
    Dispute.objects.filter(
        care_region_org_number=actor.organisation.org_number, basis_id=row.basis_id, line_id__in=line_ids,
    ).exclude(status=DisputeStatus.WITHDRAWN).update(rebill_basis_id=rebill.basis_id)
    audit.record_many(actor, "read", events, privacy=["identity", "clinical"], reason="inter-regional re-billing",
                      patient_of=lambda e: e.patient)
    return rebill


# =============================================================================== pricing and registration data

PRICING_FIELDS = (
    "type_of_care", "planned", "type_of_visit", "public_care", "profession_code", "medical_field_code", "care_level",
    "product_category", "price_list", "drg_code", "drg_price", "outlier_care_time", "outlier_cost", "items",
    "outpatient_fee_paid", "charge", "allowance", "discount", "discharge_date", "days_in_care", "days_on_leave",
)


def _check_items(items) -> None:
    for index, item in enumerate(items or [], start=1):
        missing = [k for k in ("code", "name", "quantity", "unit_price") if item.get(k) in (None, "")]
        if missing:
            raise ValidationError({"items": _("Item %(n)s lacks %(f)s") % {"n": index, "f": ", ".join(missing)}})
        for key in ("quantity", "unit_price"):
            if not isinstance(item[key], int) or isinstance(item[key], bool) or item[key] < 0:
                raise ValidationError({"items": _("Item %(n)s: %(k)s must be a whole number (öre for prices)") % {"n": index, "k": key}})


@transaction.atomic
def set_pricing(actor: Actor, event_id, **values) -> CarePricing:
    """Record how the care region prices a care event for the home region (creates or replaces)."""
    _require_region_officer(actor)
    unknown = set(values) - set(PRICING_FIELDS)
    if unknown:
        raise ValidationError({f: _("Unknown field") for f in unknown})
    if not CareEvent.objects.filter(organisation=actor.organisation, event_id=event_id).exists():
        raise PermissionDenied(_("No such care event in your organisation"))
    _check_items(values.get("items"))
    # Checked before the first write: a new row saved unchecked fails on PostgreSQL's column
    # lengths as a server error instead of naming the field.
    pricing = CarePricing.objects.filter(organisation=actor.organisation, event_id=event_id).first()
    pricing = pricing or CarePricing(organisation=actor.organisation, event_id=event_id)
    for key, value in values.items():
        setattr(pricing, key, value)
    pricing.updated_at = timezone.now()
    pricing.full_clean(exclude=["organisation"])
    pricing.save()
    audit.record(actor, "update", pricing, privacy=["financial", "clinical"], fields=list(values), reason="inter-regional pricing")
    return pricing


@transaction.atomic
def set_registration(actor: Actor, patient, *, municipality_code: str, gender: str = "", reserve_number_root: str = "") -> PatientRegistration:
    """The patient's municipality (and gender) from the population register, needed on the basis."""
    _require_region_officer(actor)
    if patient.organisation_id != actor.organisation.id:
        raise PermissionDenied(_("The patient record belongs to another organisation"))
    if not re.fullmatch(r"\d{4}", municipality_code or ""):
        raise ValidationError({"municipality_code": _("A municipality code is four digits (SCB kommunkod)")})
    if gender not in ("", "0", "1", "2", "9"):
        raise ValidationError({"gender": _("Gender is 0, 1, 2 or 9 (ISO 5218)")})
    registration, _created = PatientRegistration.objects.update_or_create(
        patient=patient, defaults={"municipality_code": municipality_code, "gender": gender, "reserve_number_root": reserve_number_root}
    )
    audit.record(actor, "update", patient, privacy=["identity"], fields=["municipality_code", "gender"], patient=patient)
    return registration
