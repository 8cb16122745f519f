"""The API: a pricing system pushes prices and registrations, then builds and reads the month."""

import datetime as dt
import json

import pytest
from django.test import Client

from kvitt.core.models import ApiToken, Role
from kvitt.interregion.models import CarePricing, PatientRegistration
from kvitt.ledger import services as ledger

from .conftest import SEPT

pytestmark = pytest.mark.django_db


def api(regions, org="a"):
    _, raw = ApiToken.issue(regions[org].organisation, "pricing system", Role.REGION_BILLING_OFFICER)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_pricing_registration_build_and_lists(regions):
    a, unit = regions["a"], regions["unit"]
    patient = ledger.register_patient(a.actor, national_id="191212121212", name="Anna Andersson", county_code="03", country="SE")
    event = ledger.record_care_event(a.actor, patient=patient, start=SEPT + dt.timedelta(days=4), care_unit=unit,
                                     service_codes=["AF012"], routes=["home_region"], amounts={"home_region": 1})
    client = api(regions)
    pricing = {"medical_field_code": "101", "profession_code": "LK", "type_of_visit": "1",
               "items": [{"code": "BES01", "name": "Läkarbesök", "quantity": 1, "unit_price": 185000}], "outpatient_fee_paid": 20000}
    response = client.put(f"/api/v1/interregion/pricing/{event.event_id}", json.dumps(pricing), content_type="application/json")
    assert response.status_code == 200, response.content
    assert CarePricing.objects.get(event_id=event.event_id).items[0]["unit_price"] == 185000
    bad = client.put(f"/api/v1/interregion/patients/{patient.pk}/registration", json.dumps({"municipality_code": "380"}),
                     content_type="application/json")
    assert bad.status_code == 422 and "municipality_code" in bad.json()["errors"]
    ok = client.put(f"/api/v1/interregion/patients/{patient.pk}/registration", json.dumps({"municipality_code": "0380", "gender": "2"}),
                    content_type="application/json")
    assert ok.status_code == 204 and PatientRegistration.objects.get(patient=patient).gender == "2"

    built = client.post("/api/v1/interregion/build", json.dumps({"month": "2026-09"}), content_type="application/json")
    assert built.status_code == 201, built.content
    [spec] = built.json()
    assert spec["status"] == "ready" and spec["payable_amount"] == 165000 and spec["customer_org_number"] == "2321000024"
    listed = client.get("/api/v1/interregion/sent").json()
    assert [s["basis_id"] for s in listed] == [spec["basis_id"]]
    assert "191212121212" not in json.dumps(listed)


def test_pricing_of_another_organisations_event_is_refused(regions):
    a, unit = regions["a"], regions["unit"]
    patient = ledger.register_patient(a.actor, national_id="191212121212", name="Anna Andersson", county_code="03", country="SE")
    event = ledger.record_care_event(a.actor, patient=patient, start=SEPT, care_unit=unit, service_codes=["AF012"],
                                     routes=["home_region"], amounts={"home_region": 1})
    response = api(regions, "b").put(f"/api/v1/interregion/pricing/{event.event_id}", json.dumps({"medical_field_code": "101"}),
                                     content_type="application/json")
    assert response.status_code == 403
    assert api(regions, "b").get("/api/v1/interregion/match").json()["balanced"] is True
