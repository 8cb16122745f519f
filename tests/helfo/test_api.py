import pytest

from kvitt.core.models import ApiToken, Role
from kvitt.helfo import services
from kvitt.helfo.models import BillCard, EgenandelReport
from tests import factories as f
from tests.helfo.conftest import helfo_event, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(clinic, client):
    token = ApiToken.issue(clinic["company"].organisation, "payments", Role.BILLING_CLERK)[1]
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def test_bill_cards_payments_and_settlements(api, clinic):
    practice = clinic["practice"]
    helfo_event(clinic, f.patient(clinic["company"].organisation), start=local(2), codes=["2ad"])
    made = api.post(f"/api/v1/helfo/practices/{practice.pk}/bill-cards")
    assert made.status_code == 201 and made.json()[0]["lines"][0]["code"] == "2ad"
    card_id = made.json()[0]["id"]
    listed = api.get(f"/api/v1/helfo/bill-cards?practice_id={practice.pk}&status=ready").json()
    assert [c["id"] for c in listed] == [card_id]
    settlement = api.post("/api/v1/helfo/settlements", {"practice_id": practice.pk, "bill_card_ids": [card_id]},
                          content_type="application/json")
    assert settlement.status_code == 201 and settlement.json()["status"] == "unsigned"
    card = BillCard.objects.get(pk=card_id)
    card.egenandel_reported_unpaid = True  # as after sending with the patient share unpaid
    card.save()
    paid = api.post(f"/api/v1/helfo/bill-cards/{card_id}/payments", {"paid_on": "2026-01-09", "source": "payments"},
                    content_type="application/json").json()
    assert paid["egenandel_paid"] is True and paid["egenandel_report_id"] == EgenandelReport.objects.get().pk
    detail = api.get(f"/api/v1/helfo/bill-cards/{card_id}").json()
    assert [h["kind"] for h in detail["history"]] == ["created", "added", "payment_registered"]
    again = api.post("/api/v1/helfo/settlements", {"practice_id": practice.pk, "bill_card_ids": [card_id]},
                     content_type="application/json")
    assert again.status_code == 422


def test_other_organisation_gets_404(api, clinic):
    helfo_event(clinic, f.patient(clinic["company"].organisation), start=local(2), codes=["2ad"])
    (card,) = services.create_bill_cards(clinic["clerk"], clinic["practice"])
    other = f.company("Annen AS")
    token = ApiToken.issue(other.organisation, "x", Role.BILLING_CLERK)[1]
    response = api.get(f"/api/v1/helfo/bill-cards/{card.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 404
