"""The access point's webhook: token auth, SBDH or bare UBL, idempotent by content."""

from __future__ import annotations

import pytest

from kvitt.claims.models import InboundInvoice, InboundStatus
from kvitt.core.models import ApiToken, Role

from tests.claims import invoices as f
from tests.claims.world import at, make_world

pytestmark = pytest.mark.django_db
URL = "/api/v1/claims/inbound"


@pytest.fixture
def world():
    return make_world()


def _post(client, data: bytes, token: str | None, content_type="application/xml"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(URL, data=data, content_type=content_type, **headers)


def test_webhook_takes_an_sbdh_envelope_once(client, world):
    token = world.token()
    data = world.envelope(f.line(at(2)))
    first = _post(client, data, token)
    assert first.status_code == 202, first.content
    body = first.json()
    assert body["duplicate"] is False and body["kind"] == "Invoice" and body["number"] == "1001"
    again = _post(client, data, token)
    assert again.status_code == 200 and again.json()["duplicate"] is True and again.json()["id"] == body["id"]
    assert InboundInvoice.objects.count() == 1


def test_webhook_takes_bare_ubl_and_keeps_unreadable_documents(client, world):
    token = world.token()
    assert _post(client, world.invoice_bytes(number="9"), token).status_code == 202
    broken = _post(client, b"<?xml version='1.0'?><Invoice><unclosed></Invoice>", token)
    assert broken.status_code == 202 and broken.json()["status"] == InboundStatus.UNREADABLE
    assert broken.json()["error"]


def test_webhook_refuses_without_token_other_types_and_other_organisations(client, world):
    data = world.invoice_bytes()
    assert _post(client, data, None).status_code == 401
    assert _post(client, data, "kv_wrong").status_code == 401
    assert _post(client, data, world.token(), content_type="application/json").status_code == 415
    clinic_token = ApiToken.issue(world.company.organisation, "journal", Role.BILLING_CLERK)[1]
    assert _post(client, data, clinic_token).status_code == 403
    assert InboundInvoice.objects.count() == 0


def test_detail_shows_the_findings_after_validation(client, world):
    from kvitt.claims import services

    token = world.token()
    created = _post(client, world.invoice_bytes(f.line(at(2), code="B9999")), token).json()
    services.validate_invoice(world.handler, InboundInvoice.objects.get(pk=created["id"]))
    detail = client.get(f"{URL}/{created['id']}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["status"] == "rejected" and [x["code"] for x in body["findings"]] == ["CLM-203"]
    other = make_world()
    assert client.get(f"{URL}/{created['id']}", HTTP_AUTHORIZATION=f"Bearer {other.token()}").status_code == 403


def test_payment_run_over_the_api_returns_each_approved_invoice_once(client, world):
    from kvitt.claims import services

    token = world.token()
    created = _post(client, world.invoice_bytes(f.line(at(2)), number="77"), token).json()
    services.validate_invoice(world.handler, InboundInvoice.objects.get(pk=created["id"]))
    first = client.post("/api/v1/claims/payment-run", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert first.status_code == 200
    rows = first.json()
    assert [(r["invoice_number"], r["amount_ore"], r["account"]) for r in rows] == [("77", 85_000, "86011117947")]
    assert rows[0]["kid"] and rows[0]["message"] == ""
    assert client.post("/api/v1/claims/payment-run", HTTP_AUTHORIZATION=f"Bearer {token}").json() == []
