"""A patient share paid by bank after the refund was claimed becomes an egenandel report, once."""

import pytest
from stdnum.no import kontonr

from kvitt.helfo import services
from kvitt.helfo.models import BillCard, EgenandelReport
from kvitt.payments.services import import_bank_files
from kvitt.receivables import services as receivables
from kvitt.receivables.models import CreditorSettings, InvoiceStatus
from tests import factories as f
from tests.helfo.conftest import local
from tests.payments import camt_builder

pytestmark = pytest.mark.django_db


def _camt(amount_minor: int, kid: str, account_iban: str, ref: str) -> bytes:
    entry = camt_builder.Entry([camt_builder.Tx(f"{amount_minor / 100:.2f}", kid=kid, acct_svcr_ref=ref)])
    return camt_builder.build([camt_builder.Notification([entry], account=account_iban, id=ref)], message_id=ref)


def test_late_patient_payment_reported_once(clinic, django_capture_on_commit_callbacks):
    company = clinic["company"]
    event = f.care_event(company, f.patient(company.organisation), start=local(3), practitioner=clinic["gp"],
                         location=clinic["location"], service_codes=["2ad"],
                         diagnoses=[{"system": "ICPC-2", "code": "L73", "text": ""}],
                         routes=["helfo", "patient"], amounts={"helfo": 20000, "patient": 17300})
    (card,) = services.create_bill_cards(clinic["clerk"], clinic["practice"])
    assert card.care_event_id == event.pk
    card.egenandel_reported_unpaid = True  # the settlement went with the patient share unpaid
    card.save()
    CreditorSettings.objects.create(organisation=company.organisation, account=company.bank_account)
    invoice = receivables.issue_invoice(clinic["clerk"], event.patient, receivables.lines_from_care_events([event]))
    iban = kontonr.to_iban(company.bank_account).replace(" ", "")
    company.iban = iban  # bank files name the account by IBAN
    company.save(update_fields=["iban"])
    with django_capture_on_commit_callbacks(execute=True):
        report = import_bank_files(clinic["clerk"], [("p.xml", _camt(17300, invoice.reference, iban, "P1"))])[0]
    assert report.matched == 1
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    card = BillCard.objects.get(pk=card.pk)
    assert card.egenandel_paid
    assert EgenandelReport.objects.filter(bill_card=card, kind="late_payment").count() == 1
    # A second payment (an overpayment) reports nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        import_bank_files(clinic["clerk"], [("p2.xml", _camt(17300, invoice.reference, iban, "P2"))])
    assert EgenandelReport.objects.filter(bill_card=card).count() == 1
