"""The Helfo pages: orders (pick, select, create), settlements (sign, send, statuses), bill cards."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kvitt.core.xmlsafe import XmlError
from kvitt.helfo import selectors, services
from kvitt.helfo.kuhr_client import KuhrError
from kvitt.helfo.models import BillStatus, SettlementStatus
from kvitt.helfo.signing import SigningError
from kvitt.web.decorators import actor_required


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


@actor_required
def orders(request):
    """Economy -> Helfo orders: practice, actor, date or period -> bill cards to select."""
    actor = request.actor
    practices = list(selectors.practices_for(actor))
    practice = None
    if practices:
        chosen = request.GET.get("practice")
        practice = next((p for p in practices if str(p.pk) == chosen), practices[0])
    practitioners = list(practice.company.practitioners.filter(active=True)) if practice else []
    practitioner = next((p for p in practitioners if str(p.pk) == request.GET.get("practitioner")), None)
    mode = request.GET.get("mode", "period")
    if mode == "date":
        date_from = date_to = _date(request.GET.get("date")) or timezone.localdate()
    else:
        date_from, date_to = _date(request.GET.get("from")), _date(request.GET.get("to"))
    cards, warnings, pending = [], [], 0
    if practice:
        cards = list(services.order_list(practice, practitioner=practitioner, date_from=date_from, date_to=date_to))
        warnings = services.egenandel_warnings(practice)
        pending = services.pending_egenandel_reports(practice).count()
        if cards:
            from kvitt.core import audit

            audit.record_many(actor, "read", cards, privacy=["identity", "financial"], fields=["patient", "lines"], patient_of=lambda c: c.patient)
    select = request.GET.get("select", "all")
    return render(request, "helfo/orders.html", {
        "practices": practices, "practice": practice, "practitioners": practitioners, "practitioner": practitioner,
        "mode": mode, "date_from": date_from, "date_to": date_to, "cards": cards, "warnings": warnings,
        "pending_reports": pending, "select_all": select != "none",
        "unsigned": selectors.settlements_for(actor).filter(status=SettlementStatus.UNSIGNED).count(),
    })


@actor_required
@require_POST
def generate(request):
    practice = selectors.practice_for(request.actor, int(request.POST.get("practice", 0) or 0))
    try:
        made = services.create_bill_cards(request.actor, practice)
        messages.success(request, _("%(n)s bill card(s) made from care events") % {"n": len(made)})
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect(f"{reverse('helfo:orders')}?practice={practice.pk}")


@actor_required
@require_POST
def create_settlement(request):
    actor = request.actor
    practice = selectors.practice_for(actor, int(request.POST.get("practice", 0) or 0))
    ids = [int(v) for v in request.POST.getlist("cards") if v.isascii() and v.isdigit()]
    practitioner = practice.company.practitioners.filter(pk=request.POST.get("practitioner") or 0).first()
    try:
        settlement = services.create_settlement(
            actor, practice, ids, practitioner=practitioner,
            date_from=_date(request.POST.get("from")), date_to=_date(request.POST.get("to")),
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect(f"{reverse('helfo:orders')}?practice={practice.pk}")
    messages.success(request, _("Settlement created. Sign it to send it."))
    return redirect("helfo:settlement", settlement_id=settlement.pk)


@actor_required
def settlement_list(request):
    settlements = selectors.settlements_for(request.actor)
    status = request.GET.get("status")
    if status:
        settlements = settlements.filter(status=status)
    return render(request, "helfo/settlements.html", {
        "settlements": settlements[:500], "statuses": SettlementStatus.choices, "status": status,
    })


@actor_required
def settlement_detail(request, settlement_id: int):
    settlement = selectors.settlement_for(request.actor, settlement_id)
    return render(request, "helfo/settlement.html", {
        "settlement": settlement,
        "items": settlement.items.select_related("bill_card__patient", "bill_card__practitioner"),
        "credentials": selectors.credentials_for(request.actor),
        "can_sign": settlement.status in (SettlementStatus.UNSIGNED, SettlementStatus.SIGNED),
        "can_send": settlement.status == SettlementStatus.SIGNED,
        "payouts": settlement.payouts.all(),
    })


@actor_required
@require_POST
def sign(request, settlement_id: int):
    settlement = selectors.settlement_for(request.actor, settlement_id)
    credential = selectors.credentials_for(request.actor).filter(pk=request.POST.get("credential") or 0).first()
    if credential is None:
        messages.error(request, _("Choose a certificate to sign with"))
        return redirect("helfo:settlement", settlement_id=settlement.pk)
    try:
        services.sign_with_credential(request.actor, settlement, credential, request.POST.get("password", ""))
        messages.success(request, _("Signed with %(c)s") % {"c": credential.label})
    except (SigningError, ValidationError) as exc:
        messages.error(request, _("Not signed: %(e)s") % {"e": _error_text(exc)})
    return redirect("helfo:settlement", settlement_id=settlement.pk)


@actor_required
@require_POST
def send(request, settlement_id: int):
    settlement = selectors.settlement_for(request.actor, settlement_id)
    try:
        settlement = services.send_settlement(request.actor, settlement)
        if settlement.status == SettlementStatus.RECEIPT_ERROR:
            messages.error(request, _("Helfo refused the message on receipt"))
        else:
            messages.success(request, _("Sent"))
    except (ValidationError, KuhrError, OSError) as exc:
        messages.error(request, _("Not sent: %(e)s") % {"e": _error_text(exc)})
    return redirect("helfo:settlement", settlement_id=settlement.pk)


@actor_required
@require_POST
def cancel(request, settlement_id: int):
    settlement = selectors.settlement_for(request.actor, settlement_id)
    try:
        services.cancel_settlement(request.actor, settlement, reason=request.POST.get("reason", "")[:200])
        messages.success(request, _("Settlement cancelled; its bill cards are ready again"))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("helfo:settlement", settlement_id=settlement.pk)


@actor_required
def download(request, settlement_id: int):
    settlement = selectors.settlement_for(request.actor, settlement_id)
    if not settlement.signed_xml:
        messages.error(request, _("The settlement is not signed yet"))
        return redirect("helfo:settlement", settlement_id=settlement.pk)
    response = HttpResponse(settlement.signed_xml.encode("utf-8"), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="BKM-{settlement.practice.practice_id}-{settlement.msg_id}.xml"'
    return response


@actor_required
@require_POST
def upload_apprec(request, settlement_id: int):
    settlement = selectors.settlement_for(request.actor, settlement_id)
    upload = request.FILES.get("apprec")
    if upload is None:
        messages.error(request, _("Choose the AppRec file"))
    else:
        try:
            services.import_apprec(request.actor, upload.read())
            messages.success(request, _("AppRec imported"))
        except (ValidationError, XmlError) as exc:
            messages.error(request, _error_text(exc))
    return redirect("helfo:settlement", settlement_id=settlement.pk)


@actor_required
@require_POST
def import_statuses(request, practice_id: int):
    practice = selectors.practice_for(request.actor, practice_id)
    try:
        count = services.import_statuses(request.actor, practice)
        messages.success(request, _("Statuses fetched for %(n)s settlement(s)") % {"n": count})
    except (ValidationError, KuhrError) as exc:
        messages.error(request, _error_text(exc))
    return redirect("helfo:settlements")


@actor_required
def bill_detail(request, card_id: int):
    card = selectors.bill_card_for(request.actor, card_id)
    return render(request, "helfo/bill.html", {
        "card": card,
        "history": card.history.select_related("settlement"),
        "items": card.settlement_items.select_related("settlement"),
        "can_correct": card.status in (BillStatus.REJECTED, BillStatus.READY),
        "can_credit": card.status in (BillStatus.APPROVED, BillStatus.PAID),
        "codes_text": " ".join(f"{line['code']}*{line['count']}" if line.get("count", 1) > 1 else line["code"] for line in card.lines),
        "diagnoses_text": " ".join(f"{d['system']}:{d['code']}" for d in card.diagnoses),
        "treated_local": timezone.localtime(card.treated_at).strftime("%Y-%m-%dT%H:%M"),
    })


def _parse_codes(text: str) -> list[dict]:
    out = []
    for token in text.replace(",", " ").split():
        code, _, count = token.partition("*")
        out.append({"code": code, "count": int(count) if count.isascii() and count.isdigit() else 1})
    return out


def _parse_diagnoses(text: str) -> list[dict]:
    out = []
    for token in text.replace(",", " ").split():
        system, _, code = token.rpartition(":")
        out.append({"system": system or "ICPC-2", "code": code})
    return out


@actor_required
@require_POST
def correct(request, card_id: int):
    card = selectors.bill_card_for(request.actor, card_id)
    changes = {}
    if request.POST.get("treated_at"):
        try:
            naive = datetime.datetime.fromisoformat(request.POST["treated_at"])
        except ValueError:
            messages.error(request, _("Unreadable treatment time"))
            return redirect("helfo:bill", card_id=card.pk)
        changes["treated_at"] = timezone.make_aware(naive) if timezone.is_naive(naive) else naive
    if "codes" in request.POST:
        changes["lines"] = _parse_codes(request.POST["codes"])
    if "diagnoses" in request.POST:
        changes["diagnoses"] = _parse_diagnoses(request.POST["diagnoses"])
    if "exemption_code" in request.POST:
        changes["exemption_code"] = request.POST["exemption_code"].strip().upper()[:2]
    frikort = request.POST.get("frikort_checked")
    try:
        services.update_bill_card(
            request.actor, card, reason=request.POST.get("reason", ""),
            frikort_checked=True if frikort == "on" else None, **changes,
        )
        messages.success(request, _("Bill card saved"))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("helfo:bill", card_id=card.pk)


@actor_required
@require_POST
def register_payment(request, card_id: int):
    card = selectors.bill_card_for(request.actor, card_id)
    paid_on = _date(request.POST.get("paid_on")) or timezone.localdate()
    report = services.register_patient_payment(request.actor, card, paid_on=paid_on, method=request.POST.get("method", "manual"))
    if report is not None:
        messages.success(request, _("Payment registered; it will be reported with the next settlement"))
    else:
        messages.success(request, _("Payment registered"))
    return redirect("helfo:bill", card_id=card.pk)


@actor_required
@require_POST
def credit(request, card_id: int):
    card = selectors.bill_card_for(request.actor, card_id)
    try:
        settlement = services.credit_bill_card(request.actor, card, reason=request.POST.get("reason", "")[:200] or "-")
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("helfo:bill", card_id=card.pk)
    messages.success(request, _("Credit settlement created. Sign it to send it."))
    return redirect("helfo:settlement", settlement_id=settlement.pk)
