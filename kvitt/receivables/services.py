"""Every change to patient invoices: issue, deliver, pay, dun, plan, defer, dispute, credit.

All money moves as ``Entry`` rows; an invoice's ``open_minor`` and ``credit_balance_minor``
are recomputed from its entries after every change, so the books always balance:
invoiced + fees + interest = paid + credited + written off + open.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kvitt.core import audit
from kvitt.core.calendar import add_working_days
from kvitt.core.identifiers.no import kid
from kvitt.core.identifiers.se import ocr
from kvitt.core.models import Role
from kvitt.core.permissions import Actor, PermissionDenied, require_role
from kvitt.ledger.models import CareEvent, Patient
from kvitt.receivables import letters, rates
from kvitt.receivables.models import (
    Component,
    ContactKind,
    ContactLog,
    CreditorSettings,
    Dispute,
    DisputeStatus,
    DunningStage,
    Entry,
    EntryKind,
    Instalment,
    InstalmentPlan,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
    PatientInvoice,
    PlanStatus,
    ReferenceScheme,
    ThirdPartyAuthorisation,
)
from kvitt.receivables.signals import patient_payment_booked

CLINIC_ROLES = (Role.CLINIC_ADMIN, Role.BILLING_CLERK, "system")
COLLECTION_ROLES = (Role.COLLECTION_AGENT, "system")
OWED = (Component.PRINCIPAL, Component.FEE, Component.INTEREST)
# Costs first, then interest, then the claim itself (dekningsloven § 8-? / common practice).
PAYMENT_ORDER = (Component.FEE, Component.INTEREST, Component.PRINCIPAL)


@dataclass(frozen=True)
class NewLine:
    kind: str
    text: str
    amount_minor: int
    service_date: datetime.date | None = None
    care_event: CareEvent | None = None


def today() -> datetime.date:
    return timezone.localdate()


def _label(actor: Actor) -> str:
    return actor.name[:200]


def creditor_settings(organisation) -> CreditorSettings:
    settings = CreditorSettings.objects.filter(organisation=organisation).first()
    if settings is None:
        raise ValidationError(_("%(org)s has no patient invoicing settings yet") % {"org": organisation.name})
    return settings


# --- issuing ---------------------------------------------------------------------------


def make_reference(settings: CreditorSettings, number: int) -> str:
    if settings.reference_scheme in (ReferenceScheme.KID_MOD10, ReferenceScheme.KID_MOD11):
        algorithm = "MOD10" if settings.reference_scheme == ReferenceScheme.KID_MOD10 else "MOD11"
        return kid.make(str(number), algorithm, length=settings.reference_length)
    return ocr.make(str(number).zfill(6), length_digit=settings.reference_scheme == ReferenceScheme.OCR_LENGTH)


def _check_lines(lines: list[NewLine]) -> None:
    if not lines:
        raise ValidationError({"lines": _("An invoice needs at least one line")})
    for i, line in enumerate(lines, 1):
        if line.kind not in LineKind.values:
            raise ValidationError({"lines": _("Line %(n)s: unknown kind %(k)s") % {"n": i, "k": line.kind}})
        if not isinstance(line.amount_minor, int) or line.amount_minor <= 0:
            raise ValidationError({"lines": _("Line %(n)s: the amount must be a positive whole number of øre") % {"n": i}})
        if not line.text.strip():
            raise ValidationError({"lines": _("Line %(n)s: the text is empty") % {"n": i}})


@transaction.atomic
def issue_invoice(
    actor: Actor, patient: Patient, lines: list[NewLine], *, issue_date: datetime.date | None = None, channel: str | None = None
) -> PatientInvoice:
    require_role(actor, *CLINIC_ROLES)
    if patient.organisation_id != actor.organisation.id:
        raise PermissionDenied(_("The patient record belongs to another organisation"))
    _check_lines(lines)
    settings = CreditorSettings.objects.select_for_update().get(pk=creditor_settings(actor.organisation).pk)
    number = settings.next_number
    settings.next_number = number + 1
    settings.save(update_fields=["next_number"])
    issue_date = issue_date or today()
    # The due date never falls on a weekend or holiday: it moves to the next working day.
    due = add_working_days(issue_date + datetime.timedelta(days=settings.payment_terms_days), 0, settings.country)
    total = sum(line.amount_minor for line in lines)
    invoice = PatientInvoice.objects.create(
        organisation=actor.organisation, patient=patient, number=number, reference=make_reference(settings, number),
        country=settings.country, currency=settings.currency, issue_date=issue_date, due_date=due,
        channel=channel or patient.preferred_channel, principal_minor=total, open_minor=total,
        created_by_label=_label(actor),
    )
    InvoiceLine.objects.bulk_create(
        [InvoiceLine(invoice=invoice, kind=l.kind, text=l.text, amount_minor=l.amount_minor, service_date=l.service_date,
                     care_event=l.care_event) for l in lines]
    )
    Entry.objects.create(invoice=invoice, kind=EntryKind.INVOICED, component=Component.PRINCIPAL, amount_minor=total,
                         booked_on=issue_date, created_by_label=_label(actor))
    audit.record(actor, "create", invoice, privacy=["identity", "financial"], fields=["patient", "lines"], patient=patient)
    return invoice


def lines_from_care_events(events: list[CareEvent]) -> list[NewLine]:
    """The patient's part of each event, in plain words; no codes, no diagnoses."""
    lines = []
    for event in events:
        amount = int((event.amounts or {}).get("patient", 0))
        if amount <= 0:
            continue
        kind = LineKind.PATIENT_SHARE if any(r in event.routes for r in ("helfo", "insurer")) else LineKind.UNINSURED
        day = timezone.localtime(event.start).date()
        text = _("Patient share for your appointment on %(day)s") if kind == LineKind.PATIENT_SHARE else _("Appointment on %(day)s")
        lines.append(NewLine(kind, text % {"day": day.strftime("%d.%m.%Y")}, amount, day, event))
    return lines


# --- the books -------------------------------------------------------------------------


def balances(invoice: PatientInvoice) -> dict[str, int]:
    rows = invoice.entries.values("component").annotate(total=Sum("amount_minor"))
    result = {c: 0 for c in Component.values}
    for row in rows:
        result[row["component"]] = int(row["total"])
    return result


def _refresh(invoice: PatientInvoice, on: datetime.date) -> None:
    b = balances(invoice)
    invoice.open_minor = sum(b[c] for c in OWED)
    invoice.credit_balance_minor = -b[Component.CREDIT]
    if invoice.status == InvoiceStatus.OPEN and invoice.open_minor <= 0:
        invoice.status, invoice.closed_on = InvoiceStatus.PAID, on
    elif invoice.status == InvoiceStatus.PAID and invoice.open_minor > 0:
        invoice.status, invoice.closed_on = InvoiceStatus.OPEN, None
    invoice.save(update_fields=["open_minor", "credit_balance_minor", "status", "closed_on"])


def _entry(invoice, kind, component, amount, on, label, bank_transaction_id=None, note="") -> Entry:
    return Entry.objects.create(
        invoice=invoice, kind=kind, component=component, amount_minor=amount, booked_on=on,
        bank_transaction_id=bank_transaction_id, note=note[:200], created_by_label=label,
    )


def book_payment(invoice: PatientInvoice, amount_minor: int, *, on: datetime.date, label: str,
                 bank_transaction_id: int | None = None, credit_minor: int = 0) -> None:
    """Apply money received (or, negative, taken back) to an invoice."""
    b = balances(invoice)
    if amount_minor > 0:
        left = amount_minor
        for component in PAYMENT_ORDER:
            part = min(left, max(b[component], 0))
            if part:
                _entry(invoice, EntryKind.PAYMENT, component, -part, on, label, bank_transaction_id)
                left -= part
        credit_minor += left  # more than was owed: the rest is the patient's credit balance
    elif amount_minor < 0:
        _entry(invoice, EntryKind.REVERSAL, Component.PRINCIPAL, -amount_minor, on, label, bank_transaction_id)
    if credit_minor < 0:
        # The bank takes back more than the patient has to their good (a payment reversed
        # twice, say): take back only what is there; the rest stays on the bank transaction
        # for someone to look at, rather than becoming a debt the patient never incurred.
        credit_minor = -min(-credit_minor, max(-b[Component.CREDIT], 0))
    if credit_minor:
        kind = EntryKind.OVERPAYMENT if credit_minor > 0 else EntryKind.REVERSAL
        _entry(invoice, kind, Component.CREDIT, -credit_minor, on, label, bank_transaction_id)
    _refresh(invoice, on)
    if amount_minor:
        care_event_ids = list(invoice.lines.exclude(care_event=None).values_list("care_event_id", flat=True))
        transaction.on_commit(lambda: patient_payment_booked.send(
            sender=PatientInvoice, invoice=invoice, amount_minor=amount_minor, booked_on=on, care_event_ids=care_event_ids,
        ))


@transaction.atomic
def register_manual_payment(actor: Actor, invoice: PatientInvoice, amount_minor: int, on: datetime.date | None = None) -> PatientInvoice:
    require_role(actor, *CLINIC_ROLES)
    invoice = _locked(actor, invoice)
    book_payment(invoice, amount_minor, on=on or today(), label=_label(actor))
    return invoice


def _locked(actor: Actor, invoice: PatientInvoice) -> PatientInvoice:
    locked = PatientInvoice.objects.select_for_update().get(pk=invoice.pk)
    if actor.role != "system" and locked.organisation_id != actor.organisation.id and not _agency_sees(actor, locked):
        raise PermissionDenied(_("Not found or not yours"))
    return locked


def _agency_sees(actor: Actor, invoice: PatientInvoice) -> bool:
    return (
        actor.role == Role.COLLECTION_AGENT
        and invoice.dunning_stage == DunningStage.COLLECTION
        and CreditorSettings.objects.filter(organisation_id=invoice.organisation_id, collection_agency=actor.organisation).exists()
    )


@transaction.atomic
def credit_invoice(actor: Actor, invoice: PatientInvoice, *, reason: str, amount_minor: int | None = None) -> PatientInvoice:
    """Credit all that is open (default) or part of the principal. Only the clinic credits."""
    require_role(actor, *CLINIC_ROLES)
    invoice = _locked(actor, invoice)
    if invoice.organisation_id != actor.organisation.id:
        raise PermissionDenied(_("Only the clinic can credit its invoice"))
    b = balances(invoice)
    on = today()
    if amount_minor is None:
        for component in OWED:
            if b[component] > 0:
                _entry(invoice, EntryKind.CREDIT_NOTE, component, -b[component], on, _label(actor), note=reason)
        invoice.status = InvoiceStatus.CREDITED
        invoice.closed_on = on
        invoice.save(update_fields=["status", "closed_on"])
    else:
        if not 0 < amount_minor <= b[Component.PRINCIPAL]:
            raise ValidationError({"amount_minor": _("A credit must be positive and at most the open principal")})
        _entry(invoice, EntryKind.CREDIT_NOTE, Component.PRINCIPAL, -amount_minor, on, _label(actor), note=reason)
    _refresh(invoice, on)
    audit.record(actor, "credit", invoice, privacy=["financial"], reason=reason, patient=invoice.patient)
    return invoice


@transaction.atomic
def write_off(actor: Actor, invoice: PatientInvoice, *, reason: str) -> PatientInvoice:
    require_role(actor, *CLINIC_ROLES)
    invoice = _locked(actor, invoice)
    b = balances(invoice)
    on = today()
    for component in OWED:
        if b[component] > 0:
            _entry(invoice, EntryKind.WRITE_OFF, component, -b[component], on, _label(actor), note=reason)
    invoice.status, invoice.closed_on = InvoiceStatus.WRITTEN_OFF, on
    invoice.save(update_fields=["status", "closed_on"])
    _refresh(invoice, on)
    return invoice


@transaction.atomic
def refund_credit_balance(actor: Actor, invoice: PatientInvoice, *, to_account: str) -> PatientInvoice:
    require_role(actor, *CLINIC_ROLES)
    invoice = _locked(actor, invoice)
    if invoice.credit_balance_minor <= 0:
        raise ValidationError(_("There is no credit balance to refund"))
    _entry(invoice, EntryKind.REFUND, Component.CREDIT, invoice.credit_balance_minor, today(), _label(actor),
           note=f"refund to {to_account}")
    _refresh(invoice, today())
    return invoice


# --- dunning ---------------------------------------------------------------------------


def excluded_from_dunning(invoice: PatientInvoice, day: datetime.date) -> str:
    """Why an invoice is not dunned today, or '' when it may be."""
    if invoice.status != InvoiceStatus.OPEN or invoice.open_minor <= 0:
        return "closed"
    if invoice.disputed:
        return "disputed"
    if invoice.awaiting_insurance:
        return "awaiting insurance"
    if invoice.deferred_until and invoice.deferred_until >= day:
        return "deferred"
    if invoice.plans.filter(status=PlanStatus.ACTIVE).exists():
        return "on a plan"
    if invoice.dunning_stage == DunningStage.COLLECTION:
        return "in collection"
    return ""


def next_step_date(invoice: PatientInvoice, step, previous_pay_by: datetime.date | None) -> datetime.date:
    base = invoice.due_date if previous_pay_by is None else previous_pay_by
    day = base + datetime.timedelta(days=step.days_after + (1 if previous_pay_by else 0))
    if invoice.deferred_until and invoice.deferred_until >= day:
        day = invoice.deferred_until + datetime.timedelta(days=1)
    return add_working_days(day, 0, invoice.country)


def _next_step(invoice: PatientInvoice, day: datetime.date):
    ladder = rates.steps_for(invoice.country, day)
    done = {letter.step for letter in invoice.letters.all()}
    for step in ladder:
        if step.code not in done:
            return step
    return None


def _take_step(invoice: PatientInvoice, step, day: datetime.date, settings: CreditorSettings) -> None:
    label = "dunning run"
    fee = 0
    if step.fee_rule != "none" and invoice.fees_charged < step.max_fees and (not step.requires_agreement or settings.reminder_fee_agreed):
        fee = rates.step_fee(step, day)
    interest_from = invoice.interest_booked_until or invoice.due_date
    principal_open = balances(invoice)[Component.PRINCIPAL]
    interest = rates.late_interest(principal_open, invoice.country, interest_from, day)
    if fee:
        _entry(invoice, EntryKind.FEE, Component.FEE, fee, day, label, note=step.code)
        invoice.fees_charged += 1
    if interest:
        _entry(invoice, EntryKind.INTEREST, Component.INTEREST, interest, day, label,
               note=f"{interest_from.isoformat()}..{day.isoformat()}")
    invoice.interest_booked_until = day
    _refresh(invoice, day)
    pay_by = add_working_days(day + datetime.timedelta(days=step.days_to_pay), 0, invoice.country) if step.days_to_pay else None
    subject, body = letters.render(invoice, step.code, fee=fee, interest=interest, pay_by=pay_by, settings=settings)
    invoice.letters.create(step=step.code, sent_on=day, pay_by=pay_by, fee_minor=fee, interest_minor=interest,
                           open_minor=invoice.open_minor, channel=invoice.channel, subject=subject, body=body)
    invoice.dunning_stage = step.code
    invoice.last_letter_on = day
    invoice.save(update_fields=["dunning_stage", "last_letter_on", "fees_charged", "interest_booked_until"])
    if step.code == DunningStage.COLLECTION:
        from kvitt.reconciliation import routes

        routes.collection_handover(invoice)


@dataclass
class DunningReport:
    day: datetime.date
    steps: dict[str, int]
    skipped: dict[str, int]
    plans_breached: int


@transaction.atomic
def run_dunning(day: datetime.date | None = None, organisation=None) -> DunningReport:
    """The daily run: breaches of plans first (they resume dunning), then each invoice's next step."""
    day = day or today()
    breached = check_plans(day, organisation)
    steps: dict[str, int] = {}
    skipped: dict[str, int] = {}
    invoices = PatientInvoice.objects.select_for_update().filter(status=InvoiceStatus.OPEN, due_date__lt=day)
    if organisation is not None:
        invoices = invoices.filter(organisation=organisation)
    settings_by_org = {s.organisation_id: s for s in CreditorSettings.objects.all()}
    for invoice in invoices.order_by("id"):
        why = excluded_from_dunning(invoice, day)
        if why:
            skipped[why] = skipped.get(why, 0) + 1
            continue
        step = _next_step(invoice, day)
        if step is None:
            continue
        previous = invoice.letters.order_by("-sent_on", "-id").first()
        if day < next_step_date(invoice, step, previous.pay_by if previous else None):
            continue
        _take_step(invoice, step, day, settings_by_org[invoice.organisation_id])
        steps[step.code] = steps.get(step.code, 0) + 1
    return DunningReport(day, steps, skipped, breached)


# --- plans, deferrals, contact ----------------------------------------------------------


def _require_payment_handler(actor: Actor, invoice: PatientInvoice) -> None:
    if actor.role in COLLECTION_ROLES and (actor.role == "system" or _agency_sees(actor, invoice)):
        return
    if actor.role in CLINIC_ROLES and invoice.organisation_id == actor.organisation.id:
        return
    raise PermissionDenied(_("Not found or not yours"))


@transaction.atomic
def create_plan(actor: Actor, invoice: PatientInvoice, *, instalments: int, first_due: datetime.date,
                interval_days: int = 30) -> InstalmentPlan:
    invoice = PatientInvoice.objects.select_for_update().get(pk=invoice.pk)
    _require_payment_handler(actor, invoice)
    if invoice.status != InvoiceStatus.OPEN or invoice.open_minor <= 0:
        raise ValidationError(_("Only an open invoice can be paid by instalments"))
    if not 2 <= instalments <= 24:
        raise ValidationError({"instalments": _("A plan has 2 to 24 instalments")})
    if invoice.plans.filter(status=PlanStatus.ACTIVE).exists():
        raise ValidationError(_("The invoice already has an active plan"))
    fee = rates.plan_fee(invoice.country, today())
    if fee:
        _entry(invoice, EntryKind.FEE, Component.FEE, fee, today(), _label(actor), note="plan fee")
        _refresh(invoice, today())
    plan = InstalmentPlan.objects.create(invoice=invoice, fee_minor=fee, created_by_label=_label(actor))
    from kvitt.core.money import split_evenly

    for i, amount in enumerate(split_evenly(invoice.open_minor, instalments)):
        Instalment.objects.create(plan=plan, due_date=first_due + datetime.timedelta(days=interval_days * i), amount_minor=amount)
    ContactLog.objects.create(invoice=invoice, kind=ContactKind.NOTE, text=f"instalment plan: {instalments} instalments from {first_due}",
                              created_by_label=_label(actor))
    return plan


def _paid_since(invoice: PatientInvoice, since: datetime.datetime) -> int:
    paid = invoice.entries.filter(kind__in=[EntryKind.PAYMENT, EntryKind.REVERSAL], component__in=OWED, created_at__gte=since)
    return -int(paid.aggregate(s=Sum("amount_minor"))["s"] or 0)


def check_plans(day: datetime.date, organisation=None) -> int:
    """A plan is breached when what fell due (plus grace) is not paid; dunning then resumes."""
    plans = InstalmentPlan.objects.select_related("invoice").filter(status=PlanStatus.ACTIVE)
    if organisation is not None:
        plans = plans.filter(invoice__organisation=organisation)
    breached = 0
    for plan in plans:
        invoice = plan.invoice
        if invoice.status != InvoiceStatus.OPEN:
            plan.status = PlanStatus.COMPLETED
            plan.save(update_fields=["status"])
            continue
        due = plan.instalments.filter(due_date__lt=day - datetime.timedelta(days=plan.grace_days))
        required = int(due.aggregate(s=Sum("amount_minor"))["s"] or 0)
        if required > _paid_since(invoice, plan.created_at):
            plan.status, plan.breached_on = PlanStatus.BREACHED, day
            plan.save(update_fields=["status", "breached_on"])
            ContactLog.objects.create(invoice=invoice, kind=ContactKind.NOTE, text="instalment plan breached; dunning resumes",
                                      created_by_label="dunning run")
            breached += 1
    return breached


@transaction.atomic
def defer(actor: Actor, invoice: PatientInvoice, *, until: datetime.date, reason: str = "") -> PatientInvoice:
    invoice = PatientInvoice.objects.select_for_update().get(pk=invoice.pk)
    _require_payment_handler(actor, invoice)
    if until <= today():
        raise ValidationError({"until": _("A deferral must end in the future")})
    invoice.deferred_until = until
    invoice.save(update_fields=["deferred_until"])
    ContactLog.objects.create(invoice=invoice, kind=ContactKind.DEFERRAL, text=f"deferred until {until}. {reason}".strip(),
                              created_by_label=_label(actor))
    return invoice


def log_contact(actor: Actor, invoice: PatientInvoice, *, kind: str, text: str = "", due_date=None, routed_to: str = "") -> ContactLog:
    _require_payment_handler(actor, invoice)
    if kind not in ContactKind.values:
        raise ValidationError({"kind": _("Unknown contact kind")})
    return ContactLog.objects.create(invoice=invoice, kind=kind, text=text, due_date=due_date, routed_to=routed_to,
                                     created_by_label=_label(actor))


@transaction.atomic
def set_contact_preference(actor: Actor | None, invoice: PatientInvoice, channel: str, *, label: str = "") -> None:
    from kvitt.ledger.models import Channel

    if channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown channel")})
    if actor is not None:
        _require_payment_handler(actor, invoice)
    patient = invoice.patient
    patient.preferred_channel = channel
    patient.save(update_fields=["preferred_channel"])
    ContactLog.objects.create(invoice=invoice, kind=ContactKind.PREFERENCE, text=channel,
                              created_by_label=label or (_label(actor) if actor else "patient"))


@transaction.atomic
def register_authorisation(actor: Actor, invoice: PatientInvoice, *, name: str, relation: str, document_reference: str,
                           valid_until=None) -> ThirdPartyAuthorisation:
    _require_payment_handler(actor, invoice)
    if not document_reference.strip():
        raise ValidationError({"document_reference": _("Register where the signed written authorisation is kept")})
    return ThirdPartyAuthorisation.objects.create(
        patient=invoice.patient, name=name, relation=relation, document_reference=document_reference, valid_until=valid_until,
        registered_by_label=_label(actor),
    )


def may_disclose_to(patient: Patient, name: str, day: datetime.date | None = None) -> bool:
    day = day or today()
    return ThirdPartyAuthorisation.objects.filter(patient=patient, name__iexact=name.strip()).exclude(valid_until__lt=day).exists()


# --- disputes ----------------------------------------------------------------------------


@transaction.atomic
def raise_dispute(actor: Actor | None, invoice: PatientInvoice, *, reason: str, label: str = "") -> Dispute:
    """The patient (through the patient page) or the collection agent records a disagreement:
    dunning stops and the clinic decides."""
    invoice = PatientInvoice.objects.select_for_update().get(pk=invoice.pk)
    if actor is not None:
        _require_payment_handler(actor, invoice)
    invoice.disputed = True
    invoice.save(update_fields=["disputed"])
    return Dispute.objects.create(invoice=invoice, reason=reason, raised_by_label=label or (_label(actor) if actor else "patient"))


@transaction.atomic
def decide_dispute(actor: Actor, dispute: Dispute, *, decision: str, note: str = "") -> Dispute:
    require_role(actor, *CLINIC_ROLES)
    dispute = Dispute.objects.select_for_update().select_related("invoice").get(pk=dispute.pk)
    invoice = dispute.invoice
    if invoice.organisation_id != actor.organisation.id:
        raise PermissionDenied(_("Not found or not yours"))
    if dispute.status != DisputeStatus.OPEN:
        raise ValidationError(_("The dispute is already decided"))
    if decision == DisputeStatus.CREDITED:
        credit_invoice(actor, invoice, reason=f"dispute {dispute.pk}: {note}".strip())
    elif decision not in (DisputeStatus.CONCILIATION, DisputeStatus.REJECTED):
        raise ValidationError({"decision": _("Unknown decision")})
    dispute.status, dispute.decided_by_label, dispute.decided_at, dispute.decision_note = decision, _label(actor), timezone.now(), note
    dispute.save()
    if decision == DisputeStatus.REJECTED:
        PatientInvoice.objects.filter(pk=invoice.pk).update(disputed=False)
    return dispute


def credit_small_claim(actor: Actor, dispute: Dispute) -> Dispute:
    """One click for claims under the clinic's threshold."""
    settings = creditor_settings(actor.organisation)
    if dispute.invoice.open_minor > settings.small_claim_threshold_minor:
        raise ValidationError(_("The claim is above the small-claim threshold; decide it in full"))
    return decide_dispute(actor, dispute, decision=DisputeStatus.CREDITED, note="small claim credited")


def conciliation_summary(actor: Actor, dispute: Dispute) -> str:
    """The case summary for forliksrådet: parties, claim, history of letters and payments."""
    require_role(actor, *CLINIC_ROLES)
    invoice = dispute.invoice
    if invoice.organisation_id != actor.organisation.id:
        raise PermissionDenied(_("Not found or not yours"))
    audit.record(actor, "read", invoice.patient, privacy=["identity"], fields=["name", "address"], reason="conciliation summary",
                 patient=invoice.patient)
    return letters.conciliation_summary(invoice, dispute)


# --- delivery and the patient page --------------------------------------------------------

PATIENT_LINK_SALT = "kvitt.receivables.patient-page"
PATIENT_LINK_MAX_AGE = 400 * 24 * 3600


def patient_link_token(invoice: PatientInvoice) -> str:
    from django.core import signing

    return signing.dumps({"invoice": invoice.pk}, salt=PATIENT_LINK_SALT)


def invoice_for_token(token: str) -> PatientInvoice | None:
    from django.core import signing

    try:
        data = signing.loads(token, salt=PATIENT_LINK_SALT, max_age=PATIENT_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    return PatientInvoice.objects.select_related("patient", "organisation").filter(pk=data.get("invoice")).first()


def patient_link(invoice: PatientInvoice) -> str:
    from django.conf import settings as django_settings
    from django.urls import reverse

    return django_settings.KVITT_BASE_URL.rstrip("/") + reverse("receivables:patient_page", args=[patient_link_token(invoice)])


def deliver_invoice(actor: Actor, invoice: PatientInvoice) -> str:
    """Send the invoice by the patient's preferred channel; returns what was done."""
    from django.template.loader import render_to_string

    from kvitt.notify import channels

    require_role(actor, *CLINIC_ROLES)
    settings = creditor_settings(invoice.organisation)
    patient = invoice.patient
    link = patient_link(invoice)
    text = letters.invoice_text(invoice, settings)
    with translation.override(letters.language_of(invoice)):
        subject = _("Invoice %(number)s from %(creditor)s") % {"number": invoice.number, "creditor": invoice.organisation.name}
    html = render_to_string("receivables/invoice_letter.html", {"invoice": invoice, "settings": settings, "link": link,
                                                                 "lines": invoice.lines.all(), "notes": letters.INVOICE_NOTES})
    channel = invoice.channel
    if channel == "sms":
        channels.send_sms(patient.phone, f"{subject}: {letters.money(invoice, invoice.open_minor)}. {link}")
    elif channel == "letter" or (channel == "email" and not patient.email):
        channel = "letter"
        pdf = channels.render_pdf(html)
        folder = django_settings.VAR_DIR / "letters" / str(invoice.organisation_id)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"invoice-{invoice.number}.pdf").write_bytes(pdf)
    else:
        channels.send_email(patient.email, subject, f"{text}\n\n{link}\n",
                            [(f"invoice-{invoice.number}.pdf", channels.render_pdf(html), "application/pdf")])
    ContactLog.objects.create(invoice=invoice, kind=ContactKind.NOTE, text=f"invoice sent by {channel}", created_by_label=_label(actor))
    audit.record(actor, "send", invoice, privacy=["identity", "financial"], fields=["email", "phone", "address"], patient=patient)
    return channel


@transaction.atomic
def invoice_patient_shares(actor: Actor, *, until: datetime.date | None = None) -> list[PatientInvoice]:
    """One invoice per patient for every care event with a patient share not yet invoiced."""
    require_role(actor, *CLINIC_ROLES)
    invoiced = InvoiceLine.objects.filter(invoice__organisation=actor.organisation).exclude(care_event=None).values("care_event_id")
    # The route is checked in Python below: SQLite has no JSON containment lookup.
    events = CareEvent.objects.filter(organisation=actor.organisation, is_current=True, voided=False)
    events = events.exclude(pk__in=invoiced).select_related("patient").order_by("patient_id", "start")
    if until:
        events = events.filter(start__date__lte=until)
    by_patient: dict[int, list[CareEvent]] = {}
    for event in events:
        if "patient" in event.routes:
            by_patient.setdefault(event.patient_id, []).append(event)
    created = []
    for patient_events in by_patient.values():
        lines = lines_from_care_events(patient_events)
        if lines:
            created.append(issue_invoice(actor, patient_events[0].patient, lines))
    return created


def patient_request(invoice: PatientInvoice, *, kind: str, text: str) -> ContactLog:
    """What a patient asks through the patient page: questions about the basis go to the
    clinic; about payment (deferral, plan, arrangements) to whoever follows the claim up."""
    if kind not in (ContactKind.BASIS_QUESTION, ContactKind.PAYMENT_QUESTION, ContactKind.REQUEST):
        raise ValidationError({"kind": _("Unknown request")})
    if not text.strip():
        raise ValidationError({"text": _("Write your question or request")})
    routed_to = "clinic" if kind == ContactKind.BASIS_QUESTION or invoice.dunning_stage != DunningStage.COLLECTION else "collection"
    return ContactLog.objects.create(invoice=invoice, kind=kind, text=text[:2000], routed_to=routed_to, created_by_label="patient")
