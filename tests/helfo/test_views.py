"""The Helfo pages through Django's test client: orders -> settlement -> sign -> send -> status."""

import re

import pytest

from kvitt.core.models import AuditEntry, Role
from kvitt.helfo import services
from kvitt.helfo.models import BillCard, BillStatus, Settlement, SettlementStatus
from tests import factories as f
from tests.helfo.conftest import fast_actor, helfo_event, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(clinic, client):
    client.force_login(clinic["clerk"].user)
    return client


def test_orders_page_select_create_sign_send(web, clinic, p12_bytes, kuhr_settings):
    practice = clinic["practice"]
    patient = f.patient(clinic["company"].organisation, "Sta Tomat")
    helfo_event(clinic, patient, start=local(2), codes=["2ad", "2cd"])
    helfo_event(clinic, patient, start=local(1), codes=["1bd", "1i"], diagnoses=(("ICPC-2", "U71"),))
    response = web.post("/helfo/generate/", {"practice": practice.pk})
    assert response.status_code == 302
    page = web.get(f"/helfo/?practice={practice.pk}&mode=period").content.decode()
    assert "Sta Tomat" in page and ("Select all" in page or "Velg alle" in page)
    good = BillCard.objects.get(lines__0__code="2ad")
    bad = BillCard.objects.get(lines__0__code="1bd")
    assert re.search(rf'value="{bad.pk}"[^>]*disabled', page)  # an error holds the bill back
    assert AuditEntry.objects.filter(action="read", object_type="helfo.BillCard").exists()

    response = web.post("/helfo/settlements/new/", {"practice": practice.pk, "cards": [good.pk]})
    settlement = Settlement.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/helfo/settlements/{settlement.pk}/")

    # Not signed yet: listed with a sign link, and a wrong password leaves it unsigned.
    listing = web.get("/helfo/settlements/?status=unsigned").content.decode()
    assert f"/helfo/settlements/{settlement.pk}/#sign" in listing
    credential = services.add_signing_credential(clinic["admin"], label="Lise Fastlege", p12=p12_bytes, password="pw-for-test", practitioner=clinic["gp"])
    web.post(f"/helfo/settlements/{settlement.pk}/sign/", {"credential": credential.pk, "password": "wrong"})
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.UNSIGNED
    web.post(f"/helfo/settlements/{settlement.pk}/sign/", {"credential": credential.pk, "password": "pw-for-test"})
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.SIGNED
    download = web.get(f"/helfo/settlements/{settlement.pk}/file/")
    assert download["Content-Type"] == "application/xml" and b"BehandlerKrav" in download.content

    # Send through the configured KUHR client (Maskinporten token from the local token endpoint).
    web.post(f"/helfo/settlements/{settlement.pk}/send/")
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.SENT and settlement.kuhr_message_id
    kuhr_settings.reject_first_time(str(good.guid), "470", "Ugyldig kombinasjon")
    kuhr_settings.run_control()
    web.post(f"/helfo/practices/{practice.pk}/statuses/")
    good.refresh_from_db()
    assert good.status == BillStatus.REJECTED
    detail = web.get(f"/helfo/bills/{good.pk}/").content.decode()
    assert "470 Ugyldig kombinasjon" in detail

    # Correct (the re-sign flow starts again from the orders page with the same guid).
    web.post(f"/helfo/bills/{good.pk}/correct/", {"codes": "2ad 2cd*2", "diagnoses": "ICPC-2:L73", "reason": "more time"})
    good.refresh_from_db()
    assert good.status == BillStatus.READY and good.lines[1]["count"] == 2
    assert "Correct" in detail or "Rett" in detail


def test_other_organisation_cannot_see_bill(web, clinic):
    helfo_event(clinic, f.patient(clinic["company"].organisation), start=local(2), codes=["2ad"])
    (card,) = services.create_bill_cards(clinic["clerk"], clinic["practice"])
    other = f.company("Annen Klinikk AS")
    outsider = fast_actor(other.organisation, Role.CLINIC_ADMIN)
    web.force_login(outsider.user)
    assert web.get(f"/helfo/bills/{card.pk}/").status_code == 404


def test_payment_and_credit_buttons(web, clinic):
    helfo_event(clinic, f.patient(clinic["company"].organisation), start=local(2), codes=["2ad"])
    (card,) = services.create_bill_cards(clinic["clerk"], clinic["practice"])
    web.post(f"/helfo/bills/{card.pk}/payment/", {"paid_on": "2026-01-07"})
    card.refresh_from_db()
    assert card.egenandel_paid and str(card.egenandel_paid_on) == "2026-01-07"
    response = web.post(f"/helfo/bills/{card.pk}/credit/", {"reason": "x"})
    assert response.status_code == 302 and not Settlement.objects.exists()  # only approved bills can be credited


@pytest.mark.parametrize("language,text", [("nb", "Velg alle"), ("sv", "Välj alla"), ("en", "Select all")])
def test_orders_page_speaks_nb_sv_en(web, clinic, language, text):
    from django.utils import translation

    from kvitt.helfo.checks import BillDraft, run_checks
    from kvitt.helfo.tariffs import load_demo_table

    web.cookies["django_language"] = language
    page = web.get(f"/helfo/?practice={clinic['practice'].pk}", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert text in page
    with translation.override(language):
        findings, _ = run_checks(BillDraft("PS", local(1).date(), [("202b", 1)], diagnoses=[("ICD-10", "F32")]), load_demo_table(), local(1).date())
    expected = {"nb": "krever henvisning", "sv": "kräver remiss", "en": "referral is required"}[language]
    assert expected in findings[0].message


def test_list_pages_do_not_query_per_row(web, clinic):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    practice = clinic["practice"]
    patient = f.patient(clinic["company"].organisation)

    def counts():
        services.create_bill_cards(clinic["clerk"], practice)
        with CaptureQueriesContext(connection) as orders:
            assert web.get(f"/helfo/?practice={practice.pk}").status_code == 200
        with CaptureQueriesContext(connection) as listing:
            assert web.get("/helfo/settlements/").status_code == 200
        return len(orders), len(listing)

    for day in range(2):
        helfo_event(clinic, patient, start=local(day + 1), codes=["1i"], diagnoses=(("ICPC-2", "U71"),))
    few = counts()
    for day in range(8):
        helfo_event(clinic, patient, start=local(day + 3, 14), codes=["1i"], diagnoses=(("ICPC-2", "U71"),))
    many = counts()
    assert few == many
