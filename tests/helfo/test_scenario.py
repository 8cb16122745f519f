"""The issue's acceptance story against the local KUHR Krav API server.

bill cards -> settlement -> sign -> send -> statuses -> one bill rejected -> corrected ->
re-sent with the same guid -> approved -> payout recorded; and a late patient payment
that appears as a correction in the next settlement exactly once.
"""

import datetime
import json

import pytest
from django.utils import timezone

from kvitt.helfo import services
from kvitt.helfo.kuhr_client import KuhrClient, StaticTokenProvider
from kvitt.helfo.models import BillStatus, EgenandelReport, Payout, SettlementStatus
from kvitt.helfo.signing import Pkcs12Signer, verify
from tests import factories as f
from tests.helfo.conftest import PRACTICE_ID, helfo_event, local

pytestmark = pytest.mark.django_db


def _bills(settlement):
    return {b["guid"]: b for b in json.loads(settlement.bkm_json)["behandlerkrav"]["regninger"]}


def test_whole_story(clinic, kuhr, p12_bytes):
    clerk, practice = clinic["clerk"], clinic["practice"]
    client = KuhrClient(kuhr.url, StaticTokenProvider(kuhr.issue_token([PRACTICE_ID])))
    signer = Pkcs12Signer(p12_bytes, "pw-for-test")
    sta, munter = f.patient(clinic["company"].organisation, "Sta Tomat"), f.patient(clinic["company"].organisation, "Munter Horisont")

    # Three treatments; the prescription was registered a month ahead by mistake.
    helfo_event(clinic, sta, start=local(2, 13), codes=["2ad", "2cd", "L1"])
    helfo_event(clinic, sta, start=local(1, 9), codes=["2ad"], diagnoses=(("ICPC-2", "R74"),))
    mistake = helfo_event(clinic, munter, start=local(-30, 15), codes=["1i"], diagnoses=(("ICPC-2", "U71"),))

    cards = services.create_bill_cards(clerk, practice)
    assert len(cards) == 3
    by_event = {c.event_id: c for c in cards}
    wrong = by_event[mistake.event_id]
    assert [c.bill_number for c in sorted(cards, key=lambda c: c.treated_at)] == [1, 2, 3]  # ascending with time
    assert all(not c.has_errors for c in cards), [c.findings for c in cards]
    assert services.create_bill_cards(clerk, practice) == []  # idempotent

    # The order list, select all, create the settlement.
    listed = list(services.order_list(practice, practitioner=clinic["gp"]))
    assert {c.pk for c in listed} == {c.pk for c in cards}
    settlement = services.create_settlement(clerk, practice, listed, practitioner=clinic["gp"])
    assert settlement.status == SettlementStatus.UNSIGNED and settlement.total == 1500 + 25500 + 2600 + 1500 + 6400
    assert list(services.order_list(practice)) == []

    # Sign (unsigned settlements stay listed until then), then send.
    settlement = services.sign_settlement(clerk, settlement, signer)
    assert settlement.status == SettlementStatus.SIGNED
    verify(settlement.signed_xml.encode(), signer.certificate())
    bills = _bills(settlement)
    assert bills[str(wrong.guid)]["regningsnummer"] == str(wrong.bill_number)
    with_share = next(c for c in cards if c.patient_share)
    assert bills[str(with_share.guid)]["betaltEgenandel"] is False  # 2ad carries a patient share not yet paid
    settlement = services.send_settlement(clerk, settlement, client=client)
    assert settlement.status == SettlementStatus.SENT and settlement.kuhr_message_id

    # Statuses: received, then controlled with one bill rejected (766: dated in the future).
    services.import_statuses(clerk, practice, client)
    settlement.refresh_from_db()
    assert (settlement.message_status, settlement.control_status, settlement.payout_status) == (
        "mottatt", "ikke_sendt_til_kontroll", "ikke_sendt_til_utbetaling")
    kuhr.run_control()
    services.import_statuses(clerk, practice, client)
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.CONTROLLED
    wrong.refresh_from_db()
    assert wrong.status == BillStatus.REJECTED and wrong.last_result_remarks[0]["number"] == "766"
    assert [e.data["result"] for e in wrong.history.filter(kind="result")] == ["behandles", "avvist"]
    assert "766" in wrong.history.filter(kind="result").last().text
    approved = [c for c in cards if c.pk != wrong.pk]
    for card in approved:
        card.refresh_from_db()
        assert card.status == BillStatus.APPROVED
    # Reconciliation hears it from the Helfo route itself.
    from kvitt.reconciliation.models import EventStatus

    helfo_status = EventStatus.objects.get(event__care_event_id=wrong.care_event.event_id, system__code="HELFO")
    assert (helfo_status.status, helfo_status.code) == ("error", "766")

    # Correct the date and re-send with the same guid and bill number.
    guid, number = wrong.guid, wrong.bill_number
    wrong = services.correct_bill_card(clerk, wrong, reason="registered on the wrong month", treated_at=local(1, 15))
    assert (wrong.guid, wrong.bill_number, wrong.status) == (guid, number, BillStatus.READY)
    resend = services.create_settlement(clerk, practice, services.order_list(practice))
    assert resend.items.get().kind == "resend"
    resend = services.send_settlement(clerk, services.sign_settlement(clerk, resend, signer), client=client)
    assert _bills(resend)[str(guid)]["regningsnummer"] == str(number)
    kuhr.run_control()
    services.import_statuses(clerk, practice, client)
    wrong.refresh_from_db()
    assert wrong.status == BillStatus.APPROVED
    assert EventStatus.objects.get(event__care_event_id=wrong.care_event.event_id, system__code="HELFO").status == "OK"

    # Payout: Helfo gathers the approved bills into one decision and pays it.
    kuhr.run_payout(account="12345678903", kid="2026010612345", paid_on=timezone.localdate())
    services.import_statuses(clerk, practice, client)
    payout = Payout.objects.get(practice=practice)
    assert payout.amount == 1500 + 25500 + 2600 + 1500 + 6400
    assert (payout.account, payout.kid, payout.paid_on) == ("12345678903", "2026010612345", timezone.localdate())
    assert set(payout.settlements.values_list("pk", flat=True)) == {settlement.pk, resend.pk}
    for card in cards:
        card.refresh_from_db()
        assert card.status == BillStatus.PAID
    kinds = list(wrong.history.values_list("kind", flat=True))
    assert kinds == [
        "created", "added", "signed", "sent",
        "status", "result",  # mottatt; the bill is "behandles"
        "status", "result",  # ferdig_kontrollert; avvist 766
        "corrected", "resend", "signed", "sent",
        "status", "result",  # ferdig_kontrollert; godkjent
        "status", "paid",  # utbetalt
    ]
    stages = [e.data["payout"] for e in wrong.history.filter(kind="status")]
    assert stages == ["ikke_sendt_til_utbetaling", "ikke_sendt_til_utbetaling", "ikke_sendt_til_utbetaling", "utbetalt"]
    assert "control ferdig_kontrollert" in wrong.history.filter(kind="status")[1].text
    services.import_statuses(clerk, practice, client)  # nothing open any more; nothing changes
    assert Payout.objects.count() == 1 and wrong.history.count() == len(kinds)


def test_late_patient_payment_reported_exactly_once(clinic, kuhr, p12_bytes):
    clerk, practice = clinic["clerk"], clinic["practice"]
    client = KuhrClient(kuhr.url, StaticTokenProvider(kuhr.issue_token([PRACTICE_ID])))
    signer = Pkcs12Signer(p12_bytes, "pw-for-test")
    patient = f.patient(clinic["company"].organisation)
    helfo_event(clinic, patient, start=local(3), codes=["2ad"])
    (card,) = services.create_bill_cards(clerk, practice)
    first = services.send_settlement(clerk, services.sign_settlement(clerk, services.create_settlement(clerk, practice, [card]), signer), client=client)
    assert _bills(first)[str(card.guid)]["betaltEgenandel"] is False
    kuhr.run_control()
    services.import_statuses(clerk, practice, client)

    # The patient pays after the claim (from the payments app or by hand).
    report = services.register_patient_payment(clerk, card, paid_on=timezone.localdate(), method="invoice", source="payments")
    assert report is not None and report.kind == "late_payment"
    assert services.register_patient_payment(clerk, card, paid_on=timezone.localdate()) is None  # only once
    assert list(services.order_list(practice)) == []  # reports are not in the visible order list

    # The next settlement (here with another bill) carries the correction automatically.
    other = f.patient(clinic["company"].organisation, "Kari Annen")
    helfo_event(clinic, other, start=local(1), codes=["1i"], diagnoses=(("ICPC-2", "U71"),))
    services.create_bill_cards(clerk, practice)
    second = services.create_settlement(clerk, practice, services.order_list(practice))
    second = services.send_settlement(clerk, services.sign_settlement(clerk, second, signer), client=client)
    correction = _bills(second)[str(card.guid)]
    assert correction == {"guid": str(card.guid), "korrigeringBetaltEgenandel": True, "betaltEgenandel": True,
                          "regningsnummer": str(card.bill_number), "belop": 0}
    kuhr.run_control()
    services.import_statuses(clerk, practice, client)
    assert second.items.get(bill_card=card).result == "godkjent"

    # ... and never again.
    helfo_event(clinic, other, start=local(0.5), codes=["1i"], diagnoses=(("ICPC-2", "U71"),))
    services.create_bill_cards(clerk, practice)
    third = services.create_settlement(clerk, practice, services.order_list(practice))
    third = services.sign_settlement(clerk, third, signer)
    assert str(card.guid) not in _bills(third)
    assert EgenandelReport.objects.get(bill_card=card).settlement_id == second.pk
    history = list(card.history.values_list("kind", flat=True))
    assert history.count("egenandel_reported") == 1 and "payment_registered" in history


def test_pure_patient_share_bill_goes_in_the_background(clinic, kuhr, p12_bytes):
    clerk, admin, company = clinic["clerk"], clinic["admin"], clinic["company"]
    physio = f.practitioner(company, clinic["location"], hpr="9144889", professions=("physiotherapist",))
    fy = services.create_practice(admin, company=company, practice_id="1004326999", name="Fysio", area="FY", practice_type="FYNO")
    patient = f.patient(company.organisation)
    f.care_event(company, patient, start=local(20), practitioner=physio, service_codes=["A9"], diagnoses=[],
                 routes=["helfo", "patient"], amounts={})
    (card,) = services.create_bill_cards(clerk, fy)
    assert card.pure_patient_share and card.status == BillStatus.EGENANDEL_ONLY
    assert list(services.order_list(fy)) == []
    report = EgenandelReport.objects.get(bill_card=card)
    report.created_at = timezone.now() - datetime.timedelta(days=15)
    report.save()
    assert services.egenandel_warnings(fy)  # waited more than 14 days
    settlement = services.create_settlement(clerk, fy, [])
    assert settlement.items.get().kind == "egenandel"
    assert services.egenandel_warnings(fy) == []
    assert "egenandel_reported" in card.history.values_list("kind", flat=True)


def test_credit_whole_bill(clinic, kuhr, p12_bytes):
    clerk, practice = clinic["clerk"], clinic["practice"]
    client = KuhrClient(kuhr.url, StaticTokenProvider(kuhr.issue_token([PRACTICE_ID])))
    signer = Pkcs12Signer(p12_bytes, "pw-for-test")
    helfo_event(clinic, f.patient(clinic["company"].organisation), start=local(3), codes=["1i"], diagnoses=(("ICPC-2", "U71"),))
    (card,) = services.create_bill_cards(clerk, practice)
    with pytest.raises(Exception, match="approved"):
        services.credit_bill_card(clerk, card, reason="too early")
    services.send_settlement(clerk, services.sign_settlement(clerk, services.create_settlement(clerk, practice, [card]), signer), client=client)
    kuhr.run_control()
    services.import_statuses(clerk, practice, client)
    credit = services.credit_bill_card(clerk, card, reason="wrong patient")
    assert credit.kind == "credit" and credit.total == -6400
    credit = services.send_settlement(clerk, services.sign_settlement(clerk, credit, signer), client=client)
    assert _bills(credit)[str(card.guid)] == {"guid": str(card.guid), "kreditering": True, "regningsnummer": str(card.bill_number), "belop": -64}
    kuhr.run_control()
    services.import_statuses(clerk, practice, client)
    card.refresh_from_db()
    assert card.status == BillStatus.CREDITED


def test_receipt_error_puts_bills_back(clinic, kuhr, p12_bytes):
    clerk, practice = clinic["clerk"], clinic["practice"]
    client = KuhrClient(kuhr.url, StaticTokenProvider(kuhr.issue_token(["1000000000"])))  # practice not ours
    helfo_event(clinic, f.patient(clinic["company"].organisation), start=local(3), codes=["1i"], diagnoses=(("ICPC-2", "U71"),))
    (card,) = services.create_bill_cards(clerk, practice)
    signer = Pkcs12Signer(p12_bytes, "pw-for-test")
    settlement = services.send_settlement(clerk, services.sign_settlement(clerk, services.create_settlement(clerk, practice, [card]), signer), client=client)
    assert settlement.status == SettlementStatus.RECEIPT_ERROR
    assert settlement.receipt_errors[0]["code"] == "UKJENT_PRAKSISID"
    card.refresh_from_db()
    assert card.status == BillStatus.READY and "UKJENT_PRAKSISID" in card.history.last().text


def test_voided_event_withdraws_its_ready_card_and_other_areas_stay_out(clinic):
    from kvitt.ledger import services as ledger

    clerk = clinic["clerk"]
    patient = f.patient(clinic["company"].organisation)
    event = helfo_event(clinic, patient, start=local(2), codes=["2ad"])
    physio = f.practitioner(clinic["company"], clinic["location"], hpr="9144889", professions=("physiotherapist",))
    f.care_event(clinic["company"], patient, start=local(2), practitioner=physio, service_codes=["A1a"], routes=["helfo"], amounts={})
    (card,) = services.create_bill_cards(clerk, clinic["practice"])  # the physiotherapy event belongs to another area
    assert card.lines[0]["code"] == "2ad"
    ledger.void_care_event(clerk, event, reason="did not happen")
    assert services.create_bill_cards(clerk, clinic["practice"]) == []
    card.refresh_from_db()
    assert card.status == BillStatus.WITHDRAWN and card.history.last().kind == "withdrawn"
    assert list(services.order_list(clinic["practice"])) == []


def test_lost_answer_then_resend_adopts_the_stored_message(clinic, kuhr, p12_bytes):
    clerk, practice = clinic["clerk"], clinic["practice"]
    client = KuhrClient(kuhr.url, StaticTokenProvider(kuhr.issue_token([PRACTICE_ID])))
    helfo_event(clinic, f.patient(clinic["company"].organisation), start=local(3), codes=["1i"], diagnoses=(("ICPC-2", "U71"),))
    (card,) = services.create_bill_cards(clerk, practice)
    settlement = services.sign_settlement(clerk, services.create_settlement(clerk, practice, [card]), Pkcs12Signer(p12_bytes, "pw-for-test"))
    first = client.send(settlement.bkm_json.encode())  # this attempt's answer never reached Kvitt
    settlement = services.send_settlement(clerk, settlement, client=client)
    assert settlement.status == SettlementStatus.SENT and settlement.kuhr_message_id == first.message_id
    card.refresh_from_db()
    assert card.status == BillStatus.SENT


def test_settlement_for_one_practitioner_and_their_certificate(clinic, p12_bytes):
    clerk, practice = clinic["clerk"], clinic["practice"]
    other_gp = f.practitioner(clinic["company"], clinic["location"], hpr="9144901", professions=("gp",))
    patient = f.patient(clinic["company"].organisation)
    helfo_event(clinic, patient, start=local(3), codes=["1i"], diagnoses=(("ICPC-2", "U71"),))
    f.care_event(clinic["company"], patient, start=local(2), practitioner=other_gp, service_codes=["1i"],
                 diagnoses=[{"system": "ICPC-2", "code": "U71"}], routes=["helfo"], amounts={})
    cards = services.create_bill_cards(clerk, practice)
    with pytest.raises(Exception, match="another practitioner"):
        services.create_settlement(clerk, practice, cards, practitioner=clinic["gp"])
    mine = [c for c in cards if c.practitioner_id == clinic["gp"].pk]
    settlement = services.create_settlement(clerk, practice, mine, practitioner=clinic["gp"])
    theirs = services.add_signing_credential(clinic["admin"], label="other", p12=p12_bytes, password="pw-for-test", practitioner=other_gp)
    with pytest.raises(Exception, match="another practitioner"):
        services.sign_with_credential(clerk, settlement, theirs, "pw-for-test")
    company_cert = services.add_signing_credential(clinic["admin"], label="enterprise", p12=p12_bytes, password="pw-for-test")
    assert services.sign_with_credential(clerk, settlement, company_cert, "pw-for-test").status == SettlementStatus.SIGNED


def test_cancel_unsent_settlement_releases_bills_and_reports(clinic, p12_bytes):
    clerk, practice = clinic["clerk"], clinic["practice"]
    helfo_event(clinic, f.patient(clinic["company"].organisation), start=local(2), codes=["2ad"])
    (card,) = services.create_bill_cards(clerk, practice)
    card.egenandel_reported_unpaid = True
    card.save()
    services.register_patient_payment(clerk, card, paid_on=local(1).date())
    settlement = services.create_settlement(clerk, practice, [card])
    assert EgenandelReport.objects.get().settlement_id == settlement.pk
    settlement = services.sign_settlement(clerk, settlement, Pkcs12Signer(p12_bytes, "pw-for-test"))
    services.cancel_settlement(clerk, settlement, reason="wrong period")
    card.refresh_from_db()
    assert card.status == BillStatus.READY and card.history.last().kind == "cancelled"
    assert EgenandelReport.objects.get().settlement_id is None
    again = services.create_settlement(clerk, practice, [card])
    assert EgenandelReport.objects.get().settlement_id == again.pk
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.CANCELLED
    with pytest.raises(Exception, match="not been sent"):
        services.cancel_settlement(clerk, settlement)
