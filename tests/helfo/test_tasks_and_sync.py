import pytest

from kvitt.helfo import services
from kvitt.helfo.kuhr_client import KuhrClient, StaticTokenProvider
from kvitt.helfo.models import BillStatus, SettlementStatus
from kvitt.helfo.signing import Pkcs12Signer
from kvitt.helfo.tasks import poll_helfo_statuses, send_helfo_settlement
from tests import factories as f
from tests.helfo.conftest import PRACTICE_ID, helfo_event, local

pytestmark = pytest.mark.django_db


def test_worker_sends_and_polls(clinic, kuhr_settings, p12_bytes):
    clerk, practice = clinic["clerk"], clinic["practice"]
    helfo_event(clinic, f.patient(clinic["company"].organisation), start=local(2), codes=["2ad"])
    cards = services.create_bill_cards(clerk, practice)
    settlement = services.sign_settlement(clerk, services.create_settlement(clerk, practice, cards), Pkcs12Signer(p12_bytes, "pw-for-test"))
    assert send_helfo_settlement.call(settlement.pk) == SettlementStatus.SENT
    assert send_helfo_settlement.call(settlement.pk) == SettlementStatus.SENT  # already sent: nothing happens
    kuhr_settings.run_control()
    assert poll_helfo_statuses.call() == {PRACTICE_ID: 1}
    cards[0].refresh_from_db()
    assert cards[0].status == BillStatus.APPROVED
    assert cards[0].history.filter(kind="result").last().actor_label == "kvitt-worker (helfo)"


def test_sync_practices_from_kuhr(clinic, kuhr):
    client = KuhrClient(kuhr.url, StaticTokenProvider(kuhr.issue_token()))
    (practice,) = services.sync_practices(clinic["admin"], clinic["company"], client)
    assert practice.pk == clinic["practice"].pk and practice.name == "Kurbadet Helsesenter"
    kuhr.practices.append({"praksisId": "1004326468", "navn": "Sentrum Legevakt", "orgnr": "999999998", "type": "LEVA",
                           "status": "ok", "gyldigePerioder": [{"fraOgMedDato": "2024-01-01", "tilOgMedDato": None}]})
    client = KuhrClient(kuhr.url, StaticTokenProvider(kuhr.issue_token()))
    synced = services.sync_practices(clinic["admin"], clinic["company"], client)
    assert {p.practice_id: p.area for p in synced} == {PRACTICE_ID: "LE", "1004326468": "LE"}
    practice.refresh_from_db()
    assert practice.valid_periods == [["2020-01-01", "2028-07-15"]]

    # A bill dated outside the registered periods is held back.
    helfo_event(clinic, f.patient(clinic["company"].organisation), start=local(2), codes=["1i"], diagnoses=(("ICPC-2", "U71"),))
    practice.valid_periods = [["2020-01-01", "2020-12-31"]]
    practice.save()
    (card,) = services.create_bill_cards(clinic["clerk"], practice)
    assert "PRACTICE_NOT_VALID" in {f["code"] for f in card.findings}


def test_statuses_command(clinic, kuhr_settings, p12_bytes, capsys):
    from django.core.management import call_command

    clerk, practice = clinic["clerk"], clinic["practice"]
    helfo_event(clinic, f.patient(clinic["company"].organisation), start=local(2), codes=["1i"], diagnoses=(("ICPC-2", "U71"),))
    cards = services.create_bill_cards(clerk, practice)
    settlement = services.sign_settlement(clerk, services.create_settlement(clerk, practice, cards), Pkcs12Signer(p12_bytes, "pw-for-test"))
    send_helfo_settlement.call(settlement.pk)
    kuhr_settings.run_control()
    call_command("helfo", "statuses")
    assert f"{PRACTICE_ID}: 1 settlement(s) checked" in capsys.readouterr().out
    cards[0].refresh_from_db()
    assert cards[0].status == BillStatus.APPROVED
