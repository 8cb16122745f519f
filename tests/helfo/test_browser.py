"""A billing clerk in Chromium: Helfo orders -> clear all / select all -> create -> sign -> send."""


import pytest

from kvitt.helfo import services
from kvitt.helfo.models import Settlement, SettlementStatus
from tests import factories as f
from tests.helfo.conftest import helfo_event, local


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "helfo browser password 1"


def test_helfo_orders_select_sign_send(live_server, page, clinic, kuhr_settings, p12_bytes):
    clerk, practice = clinic["clerk"], clinic["practice"]
    clerk.user.set_password(PASSWORD)
    clerk.user.save()
    patient = f.patient(clinic["company"].organisation, "Sta Tomat")
    helfo_event(clinic, patient, start=local(3), codes=["2ad", "2cd"])
    helfo_event(clinic, patient, start=local(2), codes=["1i"], diagnoses=(("ICPC-2", "U71"),))
    services.create_bill_cards(clerk, practice)
    services.add_signing_credential(clinic["admin"], label="Lise Fastlege", p12=p12_bytes, password="pw-for-test")

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", clerk.user.username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/helfo/?practice={practice.pk}")
    boxes = page.locator("#order-form input[name=cards]")
    assert boxes.count() == 2
    page.click("#clear-all")
    assert [boxes.nth(i).is_checked() for i in range(2)] == [False, False]
    page.click("#select-all")
    assert [boxes.nth(i).is_checked() for i in range(2)] == [True, True]
    boxes.nth(1).uncheck()
    page.click("#order-form button[type=submit]")
    page.wait_for_selector("#settlement-status")
    settlement = Settlement.objects.get()
    assert settlement.items.count() == 1 and "Not signed" in page.inner_text("#settlement-status")

    page.fill("input[name=password]", "pw-for-test")
    page.click("#sign button[type=submit]")
    page.wait_for_selector("text=Send to Helfo")
    page.click("text=Send to Helfo")
    page.wait_for_selector("#settlement-status")
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.SENT
    assert "Sent" in page.inner_text("#settlement-status")
