"""Kvitt's own routes report their statuses without anyone importing a file."""

import datetime

import pytest

from kvitt.reconciliation.models import EventStatus
from kvitt.receivables import services as receivables
from kvitt.receivables.models import CreditorSettings, InvoiceStatus
from tests import factories as f

pytestmark = pytest.mark.django_db


def _status(event, system):
    return EventStatus.objects.get(event__care_event_id=event.event_id, system__code=system)


def test_patient_payment_and_collection_hand_over_are_reported(django_capture_on_commit_callbacks):
    company = f.company()
    clerk = f.actor(company.organisation, "billing_clerk")
    CreditorSettings.objects.create(organisation=company.organisation, account=company.bank_account)
    patient = f.patient(company.organisation)
    paid_event = f.care_event(company, patient, routes=["patient"], amounts={"patient": 30000})
    late_event = f.care_event(company, patient, routes=["patient"], amounts={"patient": 20000})
    paid = receivables.issue_invoice(clerk, patient, receivables.lines_from_care_events([paid_event]), issue_date=datetime.date(2026, 3, 5))
    receivables.issue_invoice(clerk, patient, receivables.lines_from_care_events([late_event]), issue_date=datetime.date(2026, 3, 5))
    with django_capture_on_commit_callbacks(execute=True):
        receivables.register_manual_payment(clerk, paid, 10000)
    assert _status(paid_event, "PATIENT").status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        receivables.register_manual_payment(clerk, paid, 20000)
    paid.refresh_from_db()
    assert paid.status == InvoiceStatus.PAID and _status(paid_event, "PATIENT").status == "OK"
    for day in (datetime.date(2026, 4, 7), datetime.date(2026, 4, 22), datetime.date(2026, 5, 7)):
        receivables.run_dunning(day)
    assert _status(late_event, "COLLECTION").status == "pending"
