"""Builders for patient-invoice tests: a Norwegian and a Swedish creditor with an agency."""

from __future__ import annotations

import datetime

from kvitt.core.models import Organisation, OrganisationKind, Role
from kvitt.ledger.models import Patient
from kvitt.receivables import services
from kvitt.receivables.models import CreditorSettings, LineKind
from kvitt.web.demo import valid_orgnr, valid_personnummer
from tests import factories as f


def agency() -> Organisation:
    return Organisation.objects.create(name="Trygg Inkasso AS", kind=OrganisationKind.COLLECTION_AGENCY, org_number=valid_orgnr("96789012"))


# The account the test bank files (tests/payments builders) are made out to.
ACCOUNT, IBAN = "86011117947", "NO9386011117947"


def norwegian_creditor(collection: Organisation | None = None, **overrides):
    company = f.company("Fjordbyen Fysio AS", bank_account=ACCOUNT, iban=IBAN)
    settings = CreditorSettings.objects.create(
        organisation=company.organisation, country="NO", currency="NOK", account=company.bank_account,
        reference_scheme="kid_mod10", reference_length=10, collection_agency=collection, **overrides,
    )
    return company.organisation, settings


def swedish_creditor(collection: Organisation | None = None, **overrides):
    org = Organisation.objects.create(name="Södermalms Fysioterapi AB", kind=OrganisationKind.CLINIC_COMPANY, country="SE",
                                      org_number="5560360793")
    settings = CreditorSettings.objects.create(
        organisation=org, country="SE", currency="SEK", account="9912346", reference_scheme="ocr_length",
        reminder_fee_agreed=True, collection_agency=collection, **overrides,
    )
    return org, settings


def swedish_patient(org: Organisation, name: str = "Alva Andersson") -> Patient:
    pnr = valid_personnummer(datetime.date(1985, 4, 12), 321)
    return Patient.objects.create(organisation=org, national_id=pnr, id_type="personnummer", name=name, country="SE")


def clerk(org: Organisation):
    return f.actor(org, Role.BILLING_CLERK)


def invoice(actor, patient, amount: int, issue_date: datetime.date):
    return services.issue_invoice(
        actor, patient, [services.NewLine(LineKind.UNINSURED, "Appointment on 05.03.2026", amount, issue_date)],
        issue_date=issue_date,
    )
