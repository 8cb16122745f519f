"""/api/v1/helfo/: practices, bill cards (with history), patient payments, settlements.

The payments app (or a journal system) reports a patient's payment of the patient share
with ``POST /bill-cards/{id}/payments``; a payment that arrives after the claim becomes an
egenandel report in the next settlement.
"""

from __future__ import annotations

import datetime
import uuid

from ninja import Router, Schema, Status

from kvitt.core import audit
from kvitt.helfo import selectors, services

router = Router(tags=["helfo"])


class PracticeOut(Schema):
    id: int
    practice_id: str
    name: str
    practice_type: str
    area: str
    channel: str
    auth: str
    active: bool


class HistoryOut(Schema):
    at: datetime.datetime
    kind: str
    text: str
    settlement_id: int | None
    actor_label: str


class BillCardOut(Schema):
    id: int
    guid: uuid.UUID
    bill_number: int
    practice_id: int
    practitioner_id: int
    patient_id: int
    event_id: uuid.UUID | None
    treated_at: datetime.datetime
    area: str
    lines: list[dict]
    diagnoses: list[dict]
    referral: dict | None
    exemption_code: str
    refund_amount: int
    patient_share: int
    egenandel_paid: bool
    egenandel_paid_on: datetime.date | None
    pure_patient_share: bool
    status: str
    findings: list[dict]
    last_result_remarks: list[dict]


class BillCardDetailOut(BillCardOut):
    history: list[HistoryOut]


class PaymentIn(Schema):
    paid_on: datetime.date
    method: str = "manual"
    source: str = "api"


class PaymentOut(Schema):
    egenandel_report_id: int | None
    egenandel_paid: bool


class SettlementIn(Schema):
    practice_id: int
    bill_card_ids: list[int]
    practitioner_id: int | None = None


class SettlementOut(Schema):
    id: int
    practice_id: int
    kind: str
    channel: str
    status: str
    msg_id: uuid.UUID
    total: int
    kuhr_message_id: str
    message_status: str
    control_status: str
    payout_status: str
    receipt_errors: list[dict]
    created_at: datetime.datetime
    signed_at: datetime.datetime | None
    sent_at: datetime.datetime | None


@router.get("/practices", response=list[PracticeOut])
def list_practices(request):
    return list(selectors.practices_for(request.auth))


@router.post("/practices/{practice_id}/bill-cards", response={201: list[BillCardOut]})
def make_bill_cards(request, practice_id: int):
    practice = selectors.practice_for(request.auth, practice_id)
    return Status(201, services.create_bill_cards(request.auth, practice))


@router.get("/bill-cards", response=list[BillCardOut])
def list_bill_cards(request, practice_id: int | None = None, status: str | None = None, limit: int = 200):
    actor = request.auth
    cards = selectors.bill_cards_for(actor)
    if practice_id:
        cards = cards.filter(practice_id=practice_id)
    if status:
        cards = cards.filter(status=status)
    cards = list(cards.order_by("-treated_at")[: max(1, min(limit, 1000))])
    audit.record_many(actor, "read", cards, privacy=["identity", "clinical", "financial"], fields=["lines", "diagnoses"],
                      patient_of=lambda c: c.patient, reason="api")
    return cards


@router.get("/bill-cards/{card_id}", response=BillCardDetailOut)
def get_bill_card(request, card_id: int):
    card = selectors.bill_card_for(request.auth, card_id)
    return {**BillCardOut.from_orm(card).dict(), "history": list(card.history.all())}


@router.post("/bill-cards/{card_id}/payments", response=PaymentOut)
def register_payment(request, card_id: int, payload: PaymentIn):
    card = selectors.bill_card_for(request.auth, card_id)
    report = services.register_patient_payment(
        request.auth, card, paid_on=payload.paid_on, method=payload.method, source=payload.source
    )
    card.refresh_from_db()
    return {"egenandel_report_id": report.pk if report else None, "egenandel_paid": card.egenandel_paid}


@router.get("/settlements", response=list[SettlementOut])
def list_settlements(request, status: str | None = None):
    settlements = selectors.settlements_for(request.auth)
    if status:
        settlements = settlements.filter(status=status)
    return list(settlements[:500])


@router.post("/settlements", response={201: SettlementOut})
def create_settlement(request, payload: SettlementIn):
    practice = selectors.practice_for(request.auth, payload.practice_id)
    practitioner = practice.company.practitioners.filter(pk=payload.practitioner_id).first() if payload.practitioner_id else None
    return Status(201, services.create_settlement(request.auth, practice, payload.bill_card_ids, practitioner=practitioner))
