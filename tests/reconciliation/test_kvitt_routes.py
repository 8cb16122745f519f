"""Kvitt's own routes (Norway): record_status on ledger care events, insurer systems, invoice."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from kvitt.core.models import Membership, Organisation, User
from kvitt.core.permissions import Actor, PermissionDenied
from kvitt.ledger import services as ledger
from kvitt.network.models import Payer
from kvitt.reconciliation import services
from kvitt.reconciliation.invoice import NOT_INVOICED, InvoiceLine, explain_invoice
from kvitt.reconciliation.models import StatusHistory, TrackedEvent
from kvitt.reconciliation.selectors import status_matrix

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


@pytest.fixture
def clinic(db):
    organisation = Organisation.objects.create(name="Fysio AS", kind="clinic_company", country="NO", org_number="923609016")
    user = User.objects.create_user("admin", password="x" * 12)
    return Actor.for_membership(Membership.objects.create(user=user, organisation=organisation, role="clinic_admin"))


@pytest.fixture
def insurer(db):
    organisation = Organisation.objects.create(name="Forsikring ASA", kind="insurer", country="NO", org_number="995568217")
    return Payer.objects.create(organisation=organisation, name="Forsikring ASA", kind="insurer", org_number="995568217")


def care_event(actor, day, amounts):
    patient = ledger.register_patient(actor, national_id="15076500565", name="Kari Nordmann")
    return ledger.record_care_event(
        actor, patient=patient, start=datetime.datetime(2026, 10, day, 10, tzinfo=OSLO), service_codes=["B1010"],
        routes=list(amounts), amounts=amounts, case_ref="6QPTR",
    )


@pytest.mark.django_db
def test_record_status_tracks_the_ledger_event_registers_route_systems_and_keeps_history(clinic, insurer):
    first = care_event(clinic, 5, {"insurer": 65000, "patient": 0})
    second = care_event(clinic, 6, {"insurer": 65000})
    insurer_code = services.insurer_system_code(insurer)
    at = datetime.datetime(2026, 10, 7, 9, tzinfo=OSLO)
    services.record_status(clinic, first, insurer_code, "pending", status_time=at, source="ehf:AB")
    status = services.record_status(clinic, first, insurer_code, "OK", status_time=at + datetime.timedelta(days=1), source="ehf:AP")
    services.record_status(clinic, first, insurer_code, "OK", status_time=at + datetime.timedelta(days=1), source="ehf:AP")
    services.record_status(clinic, second, insurer_code, "error", code="RE-QTY", text="Antall over dekning", status_time=at)
    services.record_status(clinic, first, "PATIENT", "OK", status_time=at)

    assert status.system.code == "INS-995568217" and status.system.route == "insurer" and status.system.kvitt_route
    tracked = TrackedEvent.objects.get(care_event_id=first.event_id)
    assert (tracked.number, tracked.product_code, tracked.amounts) == (str(first.event_id), "B1010", {"insurer": 65000, "patient": 0})
    assert list(StatusHistory.objects.filter(event=tracked, system=status.system).values_list("status", flat=True)) == ["pending", "OK"]
    matrix = status_matrix(clinic, {"period_from": "2026-10"})
    assert matrix.totals[insurer_code] == {"OK": 1, "BeEj": 0, "error": 1, "remark": 0, "pending": 0, "none": 0}

    with pytest.raises(ValidationError):
        services.record_status(clinic, first, insurer_code, "error")  # an error needs its code
    with pytest.raises(ValidationError):
        services.record_status(clinic, first, "NOWHERE", "OK")

    corrected = ledger.correct_care_event(clinic, first, reason="feil takst", service_codes=["B1020"])
    services.record_status(clinic, corrected, insurer_code, "OK", status_time=at + datetime.timedelta(days=1), source="ehf:AP")
    tracked.refresh_from_db()
    assert tracked.product_code == "B1020"

    explanation = explain_invoice(clinic, system=insurer_code, month=datetime.date(2026, 10, 1),
                                  lines=[InvoiceLine("EHF-1", str(first.event_id), 65000)])
    assert explanation.reported_total == 130000 and explanation.invoice_total == 65000
    assert explanation.balances() and explanation.subtotal(NOT_INVOICED, "error") == -65000


@pytest.mark.django_db
def test_other_organisations_and_roles_are_refused(clinic, insurer):
    event = care_event(clinic, 5, {"insurer": 65000})
    stranger_org = Organisation.objects.create(name="Annen AS", kind="clinic_company", country="NO", org_number="974760673")
    stranger = Actor(user=None, organisation=stranger_org, role="clinic_admin")
    with pytest.raises(PermissionDenied):
        services.record_status(stranger, event, "PATIENT", "OK")
    collector = Actor(user=None, organisation=clinic.organisation, role="collection_agent")
    with pytest.raises(PermissionDenied):
        services.record_status(collector, event, "PATIENT", "OK")
    with pytest.raises(PermissionDenied):
        status_matrix(collector, {})
