"""Every change to Helfo state: one function per verb, taking the acting user.

Flow: care events (route "helfo") -> bill cards (checked) -> settlement (select) -> sign ->
send (KUHR API or BKM XML file) -> statuses -> rejected bills corrected and re-sent with
the same guid and bill number -> payout. Egenandel reports ride along with the next
settlement, each exactly once.
"""

from __future__ import annotations

import datetime
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kvitt.core import audit
from kvitt.core.permissions import Actor, PermissionDenied, require_role
from kvitt.core.secretfiles import read_key_file, require_password_protected_p12
from kvitt.helfo import bkm_json, bkm_xml
from kvitt.helfo.apprec import parse_apprec
from kvitt.helfo.checks import BillDraft, run_checks
from kvitt.helfo.kuhr_client import ClaimStatus, KuhrClient, Receipt
from kvitt.helfo.model import Bill, Claim, Diagnosis, Ident, PatientInfo, Referral, TariffLine
from kvitt.helfo.models import (
    BillCard,
    BillCardEvent,
    BillStatus,
    Channel,
    EgenandelReport,
    Payout,
    Practice,
    Settlement,
    SettlementBill,
    SettlementStatus,
    SigningCredential,
    Tariff,
)
from kvitt.helfo.signing import Pkcs12Signer, Signer
from kvitt.helfo.tariffs import PROFESSION_AREA, TariffRow, TariffTable

CLINIC_ROLES = ("clinic_admin", "practitioner", "billing_clerk", "system")
EGENANDEL_REPORT_MAX_AGE_DAYS = 14
CREDIT_MAX_AGE_YEARS = 3
SENDABLE = (BillStatus.READY,)


def _require_clinic(actor: Actor, organisation_id: int | None = None) -> None:
    require_role(actor, *CLINIC_ROLES)
    if organisation_id is not None and organisation_id != actor.organisation.id:
        raise PermissionDenied("object belongs to another organisation")


def _history(card: BillCard, kind: str, text: str, actor: Actor | None = None, settlement=None, **data) -> BillCardEvent:
    return BillCardEvent.objects.create(
        bill_card=card, kind=kind, text=text[:500], data=data, settlement=settlement,
        actor_label=actor.name if actor else "",
    )


def _today() -> datetime.date:
    return timezone.localdate()


# --- tariffs ------------------------------------------------------------------------------


@transaction.atomic
def import_tariffs(rows: list[TariffRow], *, source: str = "") -> tuple[int, int]:
    """Upsert rows on (area, code, valid_from); importing the same file twice changes nothing."""
    TariffTable(rows)
    created = updated = 0
    for row in rows:
        values = {
            "valid_to": row.valid_to,
            "honorar": row.honorar,
            "refusjon": row.refusjon,
            "egenandel": row.egenandel,
            "patient_payment": row.patient_payment,
            "max_repetitions": row.max_repetitions,
            "invalid_combination": row.invalid_combination.to_text(),
            "requires_tariff": ", ".join(row.requires_tariff),
            "requires_diagnosis": row.requires_diagnosis,
            "requires_referral": row.requires_referral,
            "description": row.description[:500],
            "external_id": row.external_id,
            "source": source[:200],
        }
        obj, was_created = Tariff.objects.get_or_create(area=row.area, code=row.code, valid_from=row.valid_from, defaults=values)
        if was_created:
            created += 1
            continue
        changed = [k for k, v in values.items() if k != "source" and getattr(obj, k) != v]
        if changed:
            for k, v in values.items():
                setattr(obj, k, v)
            obj.imported_at = timezone.now()
            obj.save()
            updated += 1
    tariff_table()  # the stored table must still be consistent (no overlapping periods)
    return created, updated


def tariff_table(area: str | None = None) -> TariffTable:
    rows = Tariff.objects.all() if area is None else Tariff.objects.filter(area=area)
    return TariffTable(t.to_row() for t in rows)


# --- practices and credentials ------------------------------------------------------------


def create_practice(actor: Actor, *, company, practice_id: str, name: str, area: str, **fields) -> Practice:
    require_role(actor, "clinic_admin", "system")
    _require_clinic(actor, company.organisation_id)
    return Practice.objects.create(
        organisation=actor.organisation, company=company, practice_id=practice_id, name=name, area=area, **fields
    )


@transaction.atomic
def sync_practices(actor: Actor, company, client: KuhrClient, *, area: str = "") -> list[Practice]:
    """Create or update Practice rows from KUHR's ``GET /data/praksis`` for this company."""
    require_role(actor, "clinic_admin", "system")
    _require_clinic(actor, company.organisation_id)
    synced = []
    for remote in client.practices():
        practice, created = Practice.objects.get_or_create(
            organisation=actor.organisation, practice_id=remote.practice_id,
            defaults={"company": company, "name": remote.name or remote.practice_id, "practice_type": remote.type,
                      "area": area or _AREA_BY_PRACTICE_TYPE.get(remote.type, "")},
        )
        changed = False
        if remote.name and practice.name != remote.name:
            practice.name, changed = remote.name, True
        if remote.type and practice.practice_type != remote.type:
            practice.practice_type, changed = remote.type, True
        active = remote.status == "ok"
        if practice.active != active:
            practice.active, changed = active, True
        periods = [[a.isoformat(), b.isoformat() if b else None] for a, b in remote.periods if a]
        if practice.valid_periods != periods:
            practice.valid_periods, changed = periods, True
        if changed:
            practice.save()
        synced.append(practice)
    return synced


# Praksistype -> fagområde (Helserefusjon-apne-data, "Praksistyper"), for the areas Kvitt bills.
_AREA_BY_PRACTICE_TYPE = {
    "FYNO": "FY", "FYMT": "FY", "FYPM": "FY", "FYKO": "FY", "FAFY": "FY", "FYRT": "FY",
    "KINO": "KI", "PSNO": "PS", "PSNE": "PS", "PSUT": "PS",
    "FALE": "LE", "FALO": "LE", "LEVA": "LE", "LEKO": "LE", "SPES": "LE",
}


def add_signing_credential(actor: Actor, *, label: str, p12: bytes, password: str, practitioner=None) -> SigningCredential:
    _require_clinic(actor)
    require_password_protected_p12(p12)  # the file is stored as given: never a key in clear
    signer = Pkcs12Signer(p12, password)  # refuses a file that does not open
    credential = SigningCredential.objects.create(
        organisation=actor.organisation, practitioner=practitioner, label=label, p12=p12,
        subject=signer.certificate().subject.rfc4514_string()[:300],
    )
    audit.record(actor, "create", credential, privacy=[], fields=["label", "subject"])
    return credential


def signer_for(credential: SigningCredential, password: str) -> Signer:
    return Pkcs12Signer(bytes(credential.p12), password)


def sign_with_credential(actor: Actor, settlement: Settlement, credential: SigningCredential, password: str) -> Settlement:
    """Sign with a stored .p12: the practitioner's own certificate, or the company's (enterprise)."""
    _require_clinic(actor, credential.organisation_id)
    if credential.practitioner_id and settlement.practitioner_id and credential.practitioner_id != settlement.practitioner_id:
        raise ValidationError(_("This certificate belongs to another practitioner"))
    return sign_settlement(actor, settlement, signer_for(credential, password))


# --- bill cards -----------------------------------------------------------------------------


def _parse_service_codes(codes) -> list[tuple[str, int]]:
    """Care-event service codes: "A1a" or {"code": "A2a", "count": 2}; repeats add up."""
    counts: dict[str, int] = {}
    for item in codes or []:
        if isinstance(item, str):
            code, count = item.strip(), 1
        elif isinstance(item, dict) and item.get("code"):
            code, count = str(item["code"]).strip(), int(item.get("count", 1))
        else:
            raise ValidationError(_("Unreadable service code %(v)r") % {"v": item})
        counts[code] = counts.get(code, 0) + count
    return list(counts.items())


def _area_for(practice: Practice, practitioner) -> str:
    if practice.area:
        return practice.area
    for profession in practitioner.professions:
        if profession in PROFESSION_AREA:
            return PROFESSION_AREA[profession]
    raise ValidationError(_("No tariff area for this practice"))


def _price(card: BillCard, table: TariffTable) -> None:
    """Fill line amounts from the tariff table valid on the treatment day."""
    day = timezone.localtime(card.treated_at).date()
    refund = share = 0
    pure = bool(card.lines)
    for line in card.lines:
        row = table.lookup(card.area, line["code"], day)
        count = int(line.get("count", 1))
        if row is None:
            line.update(honorar=0, refusjon=0, egenandel=0)
            pure = False
            continue
        line.update(honorar=row.honorar, refusjon=row.refusjon, egenandel=row.egenandel)
        refund += row.refusjon * count
        share += row.egenandel * count
        pure = pure and row.is_pure_patient_share
    if card.exemption_code:
        # Free of egenandel: Helfo refunds the patient share too (belop includes "refusjon for fri egenandel").
        refund, share = refund + share, 0
    card.refund_amount = refund
    card.patient_share = share
    card.pure_patient_share = pure and not card.exemption_code


def _draft(card: BillCard) -> BillDraft:
    return BillDraft(
        area=card.area,
        treated_on=timezone.localtime(card.treated_at).date(),
        lines=[(line["code"], int(line.get("count", 1))) for line in card.lines],
        diagnoses=[(d.get("system", ""), d.get("code", "")) for d in card.diagnoses],
        has_referral=bool(card.referral),
        exemption_code=card.exemption_code,
        frikort_checked=card.frikort_checked_at is not None,
        patient_birth_date=card.patient.birth_date,
        practice_periods=_periods(card.practice.valid_periods),
    )


def _periods(raw) -> list[tuple[datetime.date, datetime.date | None]]:
    return [
        (datetime.date.fromisoformat(start), datetime.date.fromisoformat(end) if end else None)
        for start, end in raw or []
        if start
    ]


def check_bill_card(card: BillCard, table: TariffTable | None = None, today: datetime.date | None = None) -> list[dict]:
    table = table or tariff_table(card.area)
    findings, _rows = run_checks(_draft(card), table, today or _today())
    card.findings = [f.as_dict() for f in findings]
    return card.findings


def _next_bill_number(practitioner) -> int:
    """Ascending per practitioner; the row lock keeps two writers from taking the same number."""
    from kvitt.network.models import Practitioner

    Practitioner.objects.select_for_update().filter(pk=practitioner.pk).first()
    current = BillCard.objects.filter(practitioner=practitioner).aggregate(m=Max("bill_number"))["m"]
    return (current or 0) + 1


def _apply_event(card: BillCard, event) -> None:
    card.care_event = event
    card.event_id = event.event_id
    card.patient = event.patient
    card.treated_at = event.start
    card.lines = [{"code": code, "count": count} for code, count in _parse_service_codes(event.service_codes)]
    card.diagnoses = [{"system": d.get("system", ""), "code": d.get("code", "")} for d in event.diagnoses or []]
    card.referral = event.referral or None


@transaction.atomic
def create_bill_cards(
    actor: Actor, practice: Practice, *, date_from: datetime.date | None = None, date_to: datetime.date | None = None,
    today: datetime.date | None = None,
) -> list[BillCard]:
    """Bill cards for the practice's care events on the Helfo route that have none yet.

    A card not yet sent follows a corrected care event; a sent card is left alone (it is
    corrected through ``correct_bill_card``).
    """
    from kvitt.ledger.models import CareEvent

    _require_clinic(actor, practice.organisation_id)
    events = CareEvent.objects.filter(
        organisation=actor.organisation, company=practice.company, is_current=True, voided=False, practitioner__isnull=False
    ).select_related("patient", "practitioner").order_by("start", "id")  # bill numbers follow treatment time
    if date_from:
        events = events.filter(start__date__gte=date_from)
    if date_to:
        events = events.filter(start__date__lte=date_to)
    events = [e for e in events if "helfo" in (e.routes or []) and _fits_practice(practice, e.practitioner)]
    _withdraw_voided(actor, practice)
    existing = {c.event_id: c for c in BillCard.objects.filter(practice=practice, event_id__in=[e.event_id for e in events])}
    table = tariff_table()
    touched = []
    for event in events:
        card = existing.get(event.event_id)
        if card is not None:
            if card.care_event_id == event.id or card.status != BillStatus.READY or card.settlement_items.exists():
                continue
            _apply_event(card, event)
            _price(card, table)
            check_bill_card(card, table, today)
            card.updated_at = timezone.now()
            card.save()
            _history(card, "updated", _("Updated from care event version %(v)s") % {"v": event.version}, actor)
            touched.append(card)
            continue
        card = BillCard(
            organisation=actor.organisation,
            practice=practice,
            practitioner=event.practitioner,
            area=_area_for(practice, event.practitioner),
            bill_number=_next_bill_number(event.practitioner),
        )
        _apply_event(card, event)
        _price(card, table)
        check_bill_card(card, table, today)
        if card.pure_patient_share:
            card.status = BillStatus.EGENANDEL_ONLY
        card.save()
        _history(card, "created", _("Created from care event version %(v)s") % {"v": event.version}, actor)
        if card.pure_patient_share:
            EgenandelReport.objects.create(bill_card=card, kind="patient_share", source="bill")
            _history(card, "egenandel_queued", _("Patient share queued for the egenandel register"), actor)
        audit.record(actor, "create", card, privacy=["identity", "clinical", "financial"], fields=["lines", "diagnoses"], patient=card.patient)
        touched.append(card)
    return touched


def _fits_practice(practice: Practice, practitioner) -> bool:
    """A company may hold practices in several areas; each takes its own professions' events."""
    areas = {PROFESSION_AREA[p] for p in practitioner.professions if p in PROFESSION_AREA}
    return not practice.area or not areas or practice.area in areas


def _withdraw_voided(actor: Actor, practice: Practice) -> None:
    """A care event voided before its bill went to Helfo takes its ready bill card with it."""
    from kvitt.ledger.models import CareEvent

    ready = BillCard.objects.filter(practice=practice, status=BillStatus.READY, event_id__isnull=False)
    voided = set(
        CareEvent.objects.filter(event_id__in=ready.values("event_id"), is_current=True, voided=True).values_list("event_id", flat=True)
    )
    for card in ready.filter(event_id__in=voided):
        if card.settlement_items.exists():
            continue
        card.status = BillStatus.WITHDRAWN
        card.save(update_fields=["status"])
        _history(card, "withdrawn", _("Withdrawn: the care event was voided"), actor)


EDITABLE = {"treated_at", "lines", "diagnoses", "referral", "exemption_code"}


@transaction.atomic
def update_bill_card(actor: Actor, card: BillCard, *, frikort_checked: bool | None = None, reason: str = "", **changes) -> BillCard:
    """Change a bill card that is not with Helfo. A rejected card becomes ready again with
    the same guid and bill number (the correction Helfo expects)."""
    card = BillCard.objects.select_for_update().get(pk=card.pk)
    _require_clinic(actor, card.organisation_id)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if card.status not in (BillStatus.READY, BillStatus.REJECTED):
        raise ValidationError(_("Only a ready or rejected bill card can be changed (this one is %(s)s)") % {"s": card.get_status_display()})
    was_rejected = card.status == BillStatus.REJECTED
    for key, value in changes.items():
        if key == "lines":
            value = [{"code": c, "count": n} for c, n in _parse_service_codes(value)]
        setattr(card, key, value)
    if frikort_checked is True:
        card.frikort_checked_at = timezone.now()
    elif frikort_checked is False:
        card.frikort_checked_at = None
    table = tariff_table()
    _price(card, table)
    check_bill_card(card, table)
    if was_rejected:
        card.status = BillStatus.READY
    card.updated_at = timezone.now()
    card.save()
    kind = "corrected" if was_rejected else "updated"
    text = (_("Corrected after rejection") if was_rejected else _("Changed")) + (f": {reason}" if reason else "")
    _history(card, kind, text, actor, fields=sorted(changes) + (["frikort_checked"] if frikort_checked is not None else []))
    audit.record(actor, "correct" if was_rejected else "update", card, privacy=["clinical", "financial"], fields=list(changes), reason=reason, patient=card.patient)
    return card


def correct_bill_card(actor: Actor, card: BillCard, *, reason: str, **changes) -> BillCard:
    if card.status != BillStatus.REJECTED:
        raise ValidationError(_("Only a rejected bill card can be corrected"))
    return update_bill_card(actor, card, reason=reason, **changes)


@transaction.atomic
def register_patient_payment(
    actor: Actor, card: BillCard, *, paid_on: datetime.date, method: str = "manual", source: str = "manual"
) -> EgenandelReport | None:
    """The patient paid the patient share. If Helfo was already told it was unpaid, a
    correction (betaltEgenandel true, korrigering true) goes with the next settlement."""
    card = BillCard.objects.select_for_update().get(pk=card.pk)
    _require_clinic(actor, card.organisation_id)
    if card.egenandel_paid:
        return None  # egenandel paid only goes from false to true; a second payment changes nothing
    card.egenandel_paid = True
    card.egenandel_paid_on = paid_on
    card.egenandel_payment_method = method[:20]
    card.updated_at = timezone.now()
    card.save()
    report = None
    if card.egenandel_reported_unpaid:
        report, _created = EgenandelReport.objects.get_or_create(
            bill_card=card, kind="late_payment", defaults={"paid_on": paid_on, "source": source}
        )
        _history(card, "payment_registered", _("Patient paid %(day)s after the claim; reported with the next settlement") % {"day": paid_on.isoformat()}, actor)
    else:
        _history(card, "payment_registered", _("Patient paid %(day)s") % {"day": paid_on.isoformat()}, actor)
    audit.record(actor, "update", card, privacy=["financial"], fields=["egenandel_paid"], patient=card.patient)
    return report


# --- the order list ---------------------------------------------------------------------------


def order_list(practice: Practice, *, practitioner=None, date_from=None, date_to=None):
    """Bill cards that can go into a settlement (pure patient-share cards never show here)."""
    qs = BillCard.objects.filter(practice=practice, status__in=SENDABLE, pure_patient_share=False)
    if practitioner is not None:
        qs = qs.filter(practitioner=practitioner)
    if date_from:
        qs = qs.filter(treated_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(treated_at__date__lte=date_to)
    return qs.select_related("patient", "practitioner").order_by("treated_at", "bill_number")


def pending_egenandel_reports(practice: Practice):
    return EgenandelReport.objects.filter(bill_card__practice=practice, settlement__isnull=True).select_related("bill_card")


def egenandel_warnings(practice: Practice, now: datetime.datetime | None = None) -> list[str]:
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=EGENANDEL_REPORT_MAX_AGE_DAYS)
    old = pending_egenandel_reports(practice).filter(created_at__lt=limit).count()
    if not old:
        return []
    return [
        _("%(n)s egenandel report(s) have waited more than %(d)s days; send a settlement so they reach Helfo")
        % {"n": old, "d": EGENANDEL_REPORT_MAX_AGE_DAYS}
    ]


# --- settlements ----------------------------------------------------------------------------


@transaction.atomic
def create_settlement(
    actor: Actor,
    practice: Practice,
    bill_cards,
    *,
    practitioner=None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> Settlement:
    """A new, unsigned settlement of the selected cards plus every pending egenandel report."""
    _require_clinic(actor, practice.organisation_id)
    ids = [c.pk if isinstance(c, BillCard) else int(c) for c in bill_cards]
    cards = list(BillCard.objects.select_for_update().filter(pk__in=ids).select_related("patient"))
    if len(cards) != len(set(ids)):
        raise ValidationError(_("Some selected bill cards do not exist"))
    table = tariff_table()
    problems = []
    for card in cards:
        if card.practice_id != practice.pk:
            raise PermissionDenied("bill card belongs to another practice")
        if practitioner is not None and card.practitioner_id != practitioner.pk:
            problems.append(_("Bill %(n)s belongs to another practitioner") % {"n": card.bill_number})
            continue
        if card.status not in SENDABLE or card.pure_patient_share:
            problems.append(_("Bill %(n)s is %(s)s") % {"n": card.bill_number, "s": card.get_status_display()})
            continue
        check_bill_card(card, table)
        card.save(update_fields=["findings"])
        if card.has_errors:
            problems.append(_("Bill %(n)s has errors: %(e)s") % {
                "n": card.bill_number, "e": "; ".join(f["message"] for f in card.findings if f["level"] == "error")})
    if problems:
        raise ValidationError(problems)
    reports = list(pending_egenandel_reports(practice).select_for_update())
    if not cards and not reports:
        raise ValidationError(_("Select at least one bill card"))
    settlement = Settlement.objects.create(
        organisation=actor.organisation,
        practice=practice,
        practitioner=practitioner,
        period_from=date_from,
        period_to=date_to,
        channel=practice.channel,
        created_by=actor.user if getattr(actor.user, "pk", None) else None,
    )
    total = 0
    for card in cards:
        resend = SettlementBill.objects.filter(bill_card=card, result="avvist").exists()
        SettlementBill.objects.create(settlement=settlement, bill_card=card, kind="resend" if resend else "claim", amount=card.refund_amount)
        total += card.refund_amount
        card.status = BillStatus.IN_SETTLEMENT
        card.save(update_fields=["status"])
        text = _("Re-sent with the same guid and bill number in settlement %(s)s") if resend else _("Added to settlement %(s)s")
        _history(card, "resend" if resend else "added", text % {"s": settlement.pk}, actor, settlement)
    attach_egenandel_reports(actor, settlement, reports)
    settlement.total = total
    settlement.save(update_fields=["total"])
    audit.record_many(actor, "create", cards, privacy=["identity", "clinical", "financial"], fields=["settlement"], patient_of=lambda c: c.patient)
    return settlement


def attach_egenandel_reports(actor: Actor, settlement: Settlement, reports) -> int:
    """Attach pending reports to ``settlement``; a report is attached exactly once even when
    two settlements are made at the same time (the update only takes unattached rows)."""
    attached = 0
    in_settlement = set(settlement.items.values_list("bill_card_id", flat=True))
    for report in reports:
        taken = EgenandelReport.objects.filter(pk=report.pk, settlement__isnull=True).update(
            settlement=settlement, attached_at=timezone.now()
        )
        if not taken:
            continue
        attached += 1
        card = report.bill_card
        if card.pk not in in_settlement:
            SettlementBill.objects.create(settlement=settlement, bill_card=card, kind="egenandel", amount=0)
            in_settlement.add(card.pk)
        text = (_("Late patient payment reported to the egenandel register with settlement %(s)s")
                if report.kind == "late_payment" else _("Patient share reported to the egenandel register with settlement %(s)s"))
        _history(card, "egenandel_reported", text % {"s": settlement.pk}, actor, settlement, report=report.pk)
    return attached


def _ident_type(patient) -> str:
    return {"fnr": "FNR", "dnr": "DNR"}.get(patient.id_type, "FNR")


def _referral(data) -> Referral | None:
    if not data:
        return None
    referred_by = None
    if data.get("referred_by_hpr"):
        referred_by = Ident(str(data["referred_by_hpr"]), "HPR")
    day = data.get("date")
    return Referral(
        date=datetime.date.fromisoformat(day) if day else None,
        id=data.get("id") or None,
        diagnoses=tuple(Diagnosis(d["system"], d["code"]) for d in data.get("diagnoses", [])),
        referred_by=referred_by,
    )


def _full_bill(card: BillCard) -> Bill:
    exempt = bool(card.exemption_code)
    lines = tuple(
        TariffLine(line["code"], int(line.get("refusjon", 0)) + (int(line.get("egenandel", 0)) if exempt else 0), int(line.get("count", 1)))
        for line in card.lines
    )
    return Bill(
        guid=str(card.guid),
        bill_number=str(card.bill_number),
        time=timezone.localtime(card.treated_at),
        patient=PatientInfo(ident=Ident(card.patient.national_id, _ident_type(card.patient))),
        tariffs=lines,
        amount=card.refund_amount,
        egenandel_paid=card.egenandel_paid if card.patient_share else None,
        egenandel_correction=False if card.patient_share else None,
        exemption_code=card.exemption_code or None,
        diagnoses=tuple(Diagnosis(d["system"], d["code"]) for d in card.diagnoses),
        referral=_referral(card.referral),
        performing_practitioner=Ident(card.practitioner.hpr_number, "HPR") if card.practitioner.hpr_number else None,
        egenandel_amount=card.patient_share,
    )


def _bill_for(item: SettlementBill) -> Bill:
    card = item.bill_card
    if item.kind == "credit":
        # The guid points at the original bill, so patient and treatment may be left out.
        return Bill(guid=str(card.guid), bill_number=str(card.bill_number), credit=True, amount=-card.refund_amount)
    if item.kind == "egenandel":
        report = card.egenandel_reports.filter(settlement=item.settlement).order_by("-id").first()
        if report is not None and report.kind == "late_payment":
            return Bill(guid=str(card.guid), bill_number=str(card.bill_number), egenandel_paid=True, egenandel_correction=True, amount=0)
        bill = _full_bill(card)
        bill.egenandel_paid = card.egenandel_paid
        bill.egenandel_correction = False
        return bill
    return _full_bill(card)


def claim_for(settlement: Settlement) -> Claim:
    items = settlement.items.select_related("bill_card__patient", "bill_card__practitioner", "settlement")
    return Claim(
        practice_id=settlement.practice.practice_id,
        epj_name="Kvitt",
        epj_version=getattr(settings, "KVITT_VERSION", "0.1"),
        account=settlement.practice.account or None,
        bills=[_bill_for(item) for item in items],
    )


def _sender(settlement: Settlement) -> bkm_xml.Party:
    company = settlement.practice.company
    practitioner = settlement.practitioner
    if practitioner is None:
        first = settlement.items.select_related("bill_card__practitioner").first()
        practitioner = first.bill_card.practitioner if first else None
    return bkm_xml.Party(
        name=company.name,
        org_number=company.org_number,
        her_id=settlement.practice.her_id,
        practitioner_name=practitioner.name if practitioner else "",
        practitioner_hpr=practitioner.hpr_number if practitioner else "",
    )


@transaction.atomic
def sign_settlement(actor: Actor, settlement: Settlement, signer: Signer) -> Settlement:
    """Build the BKM (JSON and XML) and sign the XML with the practitioner's certificate."""
    settlement = Settlement.objects.select_for_update().select_related("practice__company").get(pk=settlement.pk)
    _require_clinic(actor, settlement.organisation_id)
    if settlement.status not in (SettlementStatus.UNSIGNED, SettlementStatus.SIGNED):
        raise ValidationError(_("This settlement has been sent and cannot be signed again"))
    claim = claim_for(settlement)
    settlement.bkm_json = bkm_json.to_bytes(claim).decode("utf-8")
    head = bkm_xml.build_msghead(
        claim,
        sender=_sender(settlement),
        message_type=bkm_xml.MessageType(settlement.practice.message_type, _message_type_name(settlement.practice.message_type)),
        msg_id=str(settlement.msg_id),
    )
    signed = signer.sign(head)
    settlement.signed_xml = bkm_xml.to_bytes(signed).decode("utf-8")
    settlement.signed_at = timezone.now()
    settlement.signer = signer.describe()[:300]
    settlement.status = SettlementStatus.SIGNED
    settlement.save()
    for item in settlement.items.select_related("bill_card"):
        _history(item.bill_card, "signed", _("Signed by %(who)s") % {"who": settlement.signer}, actor, settlement)
    audit.record(actor, "sign", settlement, privacy=["identity", "clinical", "financial"], fields=["signed_xml"])
    return settlement


@transaction.atomic
def cancel_settlement(actor: Actor, settlement: Settlement, *, reason: str = "") -> Settlement:
    """Undo a settlement that has not been sent: its bills are ready again, its egenandel
    reports wait for the next settlement."""
    settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
    _require_clinic(actor, settlement.organisation_id)
    if settlement.status not in (SettlementStatus.UNSIGNED, SettlementStatus.SIGNED):
        raise ValidationError(_("Only a settlement that has not been sent can be cancelled"))
    text = _("Settlement %(s)s cancelled") % {"s": settlement.pk} + (f": {reason}" if reason else "")
    for item in settlement.items.select_related("bill_card"):
        card = item.bill_card
        if item.kind in ("claim", "resend") and card.status == BillStatus.IN_SETTLEMENT:
            card.status = BillStatus.READY
            card.save(update_fields=["status"])
        _history(card, "cancelled", text, actor, settlement)
    EgenandelReport.objects.filter(settlement=settlement).update(settlement=None, attached_at=None)
    settlement.status = SettlementStatus.CANCELLED
    settlement.save(update_fields=["status"])
    audit.record(actor, "cancel", settlement, privacy=["financial"], fields=["status"], reason=reason)
    return settlement


def _message_type_name(code: str) -> str:
    return {"LOM": "Legeoppgjørsmelding", "POM": "Poliklinisk oppgjørsmelding"}.get(code, "Behandlerkravmelding")


def outbox_dir() -> Path:
    path = Path(getattr(settings, "KVITT_HELFO_OUTBOX", settings.VAR_DIR / "helfo" / "outbox"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def kuhr_client_for(practice: Practice) -> KuhrClient:
    """The configured KUHR client (settings.KVITT_HELFO); tests pass their own client."""
    from kvitt.helfo.kuhr_client import HelseIdTokenProvider, MaskinportenTokenProvider

    config = getattr(settings, "KVITT_HELFO", {})
    if not config.get("KUHR_BASE_URL"):
        raise ValidationError(_("The KUHR Krav API is not configured (settings.KVITT_HELFO)"))
    key = read_key_file(config.get("CLIENT_KEY_FILE", ""), what="KVITT_HELFO_CLIENT_KEY_FILE")
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    private_key = load_pem_private_key(key, password=None)
    common = dict(
        token_endpoint=config["TOKEN_ENDPOINT"], client_id=config["CLIENT_ID"], private_key=private_key,
        audience=config["AUDIENCE"], key_id=config.get("KEY_ID"),
    )
    provider = HelseIdTokenProvider(**common) if practice.auth == "helseid" else MaskinportenTokenProvider(**common)
    return KuhrClient(config["KUHR_BASE_URL"], provider, jwk_path=config.get("JWK_PATH", "/kuhr/krav/v1/jwk"))


@transaction.atomic
def send_settlement(actor: Actor, settlement: Settlement, *, client: KuhrClient | None = None, directory: Path | None = None) -> Settlement:
    settlement = Settlement.objects.select_for_update().select_related("practice").get(pk=settlement.pk)
    _require_clinic(actor, settlement.organisation_id)
    if settlement.status != SettlementStatus.SIGNED:
        raise ValidationError(_("Only a signed settlement can be sent"))
    items = list(settlement.items.select_related("bill_card"))
    if settlement.channel == Channel.KUHR_API:
        client = client or kuhr_client_for(settlement.practice)
        receipt = client.send(settlement.bkm_json.encode("utf-8"))
        if not receipt.accepted and {e.number for e in receipt.errors} == {"DUPLIKAT_KRAV"}:
            # An earlier attempt reached KUHR but its answer was lost: adopt the stored message.
            stored = _find_stored_message(client, {str(i.bill_card.guid) for i in items})
            if stored:
                receipt = Receipt(stored, "mottatt")
        settlement.kuhr_message_id = receipt.message_id
        settlement.message_status = receipt.status
        settlement.receipt_errors = [{"code": e.number, "text": e.text} for e in receipt.errors]
        settlement.sent_at = timezone.now()
        if not receipt.accepted:
            settlement.status = SettlementStatus.RECEIPT_ERROR
            settlement.save()
            text = _("Refused on receipt: %(e)s") % {"e": "; ".join(f"{e.number} {e.text}" for e in receipt.errors)}
            for item in items:
                _unsend(item, text, actor, settlement)
            return settlement
        text = _("Sent to Helfo (KUHR message %(id)s)") % {"id": receipt.message_id}
    else:
        directory = directory or outbox_dir()
        path = Path(directory) / f"BKM-{settlement.practice.practice_id}-{settlement.msg_id}.xml"
        path.write_text(settlement.signed_xml, encoding="utf-8")
        settlement.file_path = str(path)
        settlement.sent_at = timezone.now()
        text = _("Written to %(f)s for upload in Helfo's portal") % {"f": path.name}
    settlement.status = SettlementStatus.SENT
    settlement.save()
    for item in items:
        card = item.bill_card
        if item.kind in ("claim", "resend"):
            card.status = BillStatus.SENT
            if card.patient_share and not card.egenandel_paid:
                card.egenandel_reported_unpaid = True
            card.save(update_fields=["status", "egenandel_reported_unpaid"])
        _history(card, "sent", text, actor, settlement)
    return settlement


def _find_stored_message(client: KuhrClient, guids: set[str], look_at: int = 20) -> str:
    for summary in client.statuses()[:look_at]:
        detail = client.status(summary.message_id)
        if {b.guid for b in detail.bills} == guids:
            return detail.message_id
    return ""


def _unsend(item: SettlementBill, text: str, actor, settlement) -> None:
    """A message refused on receipt was never stored at Helfo: its bills can be sent again."""
    card = item.bill_card
    if item.kind in ("claim", "resend"):
        card.status = BillStatus.READY
        card.save(update_fields=["status"])
    elif item.kind == "egenandel":
        EgenandelReport.objects.filter(bill_card=card, settlement=settlement).update(settlement=None, attached_at=None)
    elif item.kind == "credit":
        pass
    _history(card, "receipt_error", text, actor, settlement)


# --- statuses, receipts, payouts --------------------------------------------------------------

_RESULT_TEXT = {"godkjent": gettext_lazy("approved"), "avvist": gettext_lazy("rejected"), "behandles": gettext_lazy("being processed")}


def _settlement_status(status: ClaimStatus) -> str:
    if status.message_status == "feil_i_melding":
        return SettlementStatus.RECEIPT_ERROR
    if status.payout_status == "utbetalt":
        return SettlementStatus.PAID
    if status.payout_status == "ingen_utbetaling":
        return SettlementStatus.NO_PAYOUT
    if status.control_status == "ferdig_kontrollert":
        return SettlementStatus.CONTROLLED
    if status.control_status in ("kontrolleres", "kontrolleres_manuelt") or status.message_status == "sendt_til_behandling":
        return SettlementStatus.PROCESSING
    return SettlementStatus.SENT


@transaction.atomic
def apply_status(actor: Actor, settlement: Settlement, status: ClaimStatus) -> list[BillCard]:
    """Write KUHR's three-stage status and per-bill results into the settlement and bill
    card history. Importing the same status twice adds nothing."""
    settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
    _require_clinic(actor, settlement.organisation_id)
    before = (settlement.message_status, settlement.control_status, settlement.payout_status)
    stages = (status.message_status, status.control_status, status.payout_status)
    settlement.message_status, settlement.control_status, settlement.payout_status = stages
    settlement.status = _settlement_status(status)
    settlement.status_checked_at = timezone.now()
    settlement.save()
    changed = []
    items = {str(i.bill_card.guid): i for i in settlement.items.select_related("bill_card")}
    if stages != before:
        text = _("Helfo status: message %(m)s, control %(c)s, payout %(p)s") % {
            "m": stages[0] or "–", "c": stages[1] or "–", "p": stages[2] or "–"}
        for item in items.values():
            if item.result == "avvist":
                continue  # a rejected bill has left this settlement; its re-send reports on
            _history(item.bill_card, "status", text, actor, settlement, message=stages[0], control=stages[1], payout=stages[2])
    for result in status.bills:
        item = items.get(result.guid)
        if item is None or not result.status:
            continue
        remarks = [{"number": r.number, "text": r.text} for r in result.remarks]
        if item.result == result.status and item.remarks == remarks:
            continue
        item.result, item.remarks = result.status, remarks
        item.save(update_fields=["result", "remarks"])
        card = BillCard.objects.select_for_update().get(pk=item.bill_card_id)
        text = _("Helfo: %(r)s") % {"r": _RESULT_TEXT.get(result.status, result.status)}
        if remarks:
            text += " – " + "; ".join(f"{r['number']} {r['text']}" for r in remarks)
        if item.kind == "credit":
            if result.status == "godkjent":
                card.status = BillStatus.CREDITED
        elif item.kind in ("claim", "resend"):
            card.status = {"godkjent": BillStatus.APPROVED, "avvist": BillStatus.REJECTED}.get(result.status, card.status)
            card.last_result_remarks = remarks
        card.updated_at = timezone.now()
        card.save()
        _history(card, "result", text, actor, settlement, result=result.status, remarks=remarks)
        from kvitt.reconciliation import routes

        routes.helfo_result(card, result.status, remarks)
        changed.append(card)
    if status.payout is not None and status.payout.paid_on and status.payout.amount is not None:
        record_payout(
            actor, settlement.practice, amount=status.payout.amount, paid_on=status.payout.paid_on,
            account=status.payout.account, kid=status.payout.kid, decision_id=status.decision_id,
            settlements=[settlement], source="kuhr",
        )
    return changed


def import_statuses(actor: Actor, practice: Practice, client: KuhrClient | None = None) -> int:
    """Poll KUHR for every open settlement of the practice."""
    _require_clinic(actor, practice.organisation_id)
    client = client or kuhr_client_for(practice)
    open_states = (SettlementStatus.SENT, SettlementStatus.PROCESSING, SettlementStatus.CONTROLLED)
    count = 0
    for settlement in practice.settlements.filter(status__in=open_states).exclude(kuhr_message_id=""):
        apply_status(actor, settlement, client.status(settlement.kuhr_message_id))
        count += 1
    return count


@transaction.atomic
def import_apprec(actor: Actor, data: bytes) -> Settlement:
    """Read an AppRec for a BKM XML file and record it on its settlement."""
    _require_clinic(actor)
    rec = parse_apprec(data)
    try:
        settlement = Settlement.objects.select_for_update().get(msg_id=uuid.UUID(rec.original_msg_id), organisation=actor.organisation)
    except (ValueError, Settlement.DoesNotExist):
        raise ValidationError(_("No settlement has message id %(id)s") % {"id": rec.original_msg_id}) from None
    settlement.apprec_status = rec.status
    errors = "; ".join(f"{e.code} {e.text}".strip() for e in rec.errors)
    if rec.status == "2":
        settlement.status = SettlementStatus.RECEIPT_ERROR
        settlement.receipt_errors = [{"code": e.code, "text": e.text} for e in rec.errors]
        for item in settlement.items.select_related("bill_card"):
            _unsend(item, _("AppRec: rejected – %(e)s") % {"e": errors}, actor, settlement)
    else:
        settlement.status = SettlementStatus.PROCESSING
        settlement.receipt_errors = [{"code": e.code, "text": e.text} for e in rec.errors]
        text = _("AppRec: received") if rec.status == "1" else _("AppRec: received with errors in part – %(e)s") % {"e": errors}
        for item in settlement.items.select_related("bill_card"):
            _history(item.bill_card, "apprec", text, actor, settlement)
    settlement.save()
    return settlement


@transaction.atomic
def record_payout(
    actor: Actor, practice: Practice, *, amount: int, paid_on: datetime.date, account: str = "", kid: str = "",
    decision_id: str = "", settlements=(), source: str = "manual",
) -> Payout:
    _require_clinic(actor, practice.organisation_id)
    payout = None
    if decision_id:
        payout = Payout.objects.filter(practice=practice, decision_id=decision_id).first()
    if payout is None:
        try:
            with transaction.atomic():
                payout = Payout.objects.create(
                    organisation=practice.organisation, practice=practice, decision_id=decision_id, amount=amount,
                    paid_on=paid_on, account=account, kid=kid, source=source,
                )
        except IntegrityError:
            payout = Payout.objects.get(practice=practice, decision_id=decision_id)
    for settlement in settlements:
        if payout.settlements.filter(pk=settlement.pk).exists():
            continue
        payout.settlements.add(settlement)
        for item in settlement.items.select_related("bill_card").filter(kind__in=("claim", "resend"), result="godkjent"):
            card = item.bill_card
            if card.status == BillStatus.APPROVED:
                card.status = BillStatus.PAID
                card.save(update_fields=["status"])
            _history(card, "paid", _("Paid %(day)s (decision %(d)s, account %(a)s, KID %(k)s)") % {
                "day": paid_on.isoformat(), "d": decision_id or "-", "a": account or "-", "k": kid or "-"}, actor, settlement)
    return payout


@transaction.atomic
def credit_bill_card(actor: Actor, card: BillCard, *, reason: str, today: datetime.date | None = None) -> Settlement:
    """Credit a whole approved bill: a new (unsigned) credit settlement with the same guid."""
    card = BillCard.objects.select_for_update().get(pk=card.pk)
    _require_clinic(actor, card.organisation_id)
    today = today or _today()
    if card.status not in (BillStatus.APPROVED, BillStatus.PAID):
        raise ValidationError(_("Only an approved bill can be credited"))
    treated = timezone.localtime(card.treated_at).date()
    try:
        limit = treated.replace(year=treated.year + CREDIT_MAX_AGE_YEARS)
    except ValueError:  # 29 February
        limit = treated.replace(year=treated.year + CREDIT_MAX_AGE_YEARS, day=28)
    if today > limit:
        raise ValidationError(_("Bills older than three years cannot be credited"))
    if SettlementBill.objects.filter(bill_card=card, kind="credit").exclude(result="avvist").exists():
        raise ValidationError(_("This bill already has a credit"))
    settlement = Settlement.objects.create(
        organisation=card.organisation, practice=card.practice, practitioner=card.practitioner, kind="credit",
        channel=card.practice.channel, total=-card.refund_amount,
        created_by=actor.user if getattr(actor.user, "pk", None) else None,
    )
    SettlementBill.objects.create(settlement=settlement, bill_card=card, kind="credit", amount=-card.refund_amount)
    _history(card, "credit_requested", _("Credit requested: %(r)s") % {"r": reason}, actor, settlement)
    audit.record(actor, "credit", card, privacy=["financial"], fields=["status"], reason=reason, patient=card.patient)
    return settlement
