"""A small insurer world in the database: an insurer, an approved clinic, a practitioner and an assignment."""

from __future__ import annotations

import dataclasses
import datetime

from kvitt.core.models import ApiToken, Role
from kvitt.einvoice import sbdh
from kvitt.einvoice.builder import BuyerInput

from tests.cases import factories as cf
from tests.claims import invoices as f


@dataclasses.dataclass
class World:
    payer: object
    company: object
    location: object
    handler: object  # Actor
    assignment: object
    patient: object

    @property
    def seller(self):
        return dataclasses.replace(f.SELLER, org_number=self.company.org_number, name=self.company.name)

    @property
    def buyer(self):
        return BuyerInput(name=self.payer.name, org_number=self.payer.org_number)

    def invoice_bytes(self, *lines, number="1001", sak_id=None, **kw) -> bytes:
        return f.invoice_bytes(*lines, number=number, sak_id=sak_id or self.assignment.sakid, seller=self.seller,
                               buyer=self.buyer, **kw)

    def envelope(self, *lines, **kw) -> bytes:
        return sbdh.wrap(self.invoice_bytes(*lines, **kw))

    def credit_note_bytes(self, credited: str, number: str, *lines) -> bytes:
        from kvitt.einvoice.builder import CreditedInvoice, build_credit_note

        inp = f.invoice_input(*lines, number=number, sak_id=self.assignment.sakid, seller=self.seller, buyer=self.buyer)
        return build_credit_note(dataclasses.replace(inp, credited_invoice=CreditedInvoice(credited)))

    def token(self) -> str:
        return ApiToken.issue(self.payer.organisation, "access point", Role.INSURER_CASE_HANDLER)[1]


def make_world(*, max_treatments=6, max_amount=600_000, language="nb", invoice_email="faktura@fysio.example") -> World:
    payer = cf.payer()
    company = cf.company(language=language, invoice_email=invoice_email, bank_account="86011117947")
    location = cf.location(company)
    cf.practitioner(company, locations=[location], hpr_number=f.HPR)
    cf.approval(payer, company, valid_from=datetime.date(2020, 1, 1))
    handler = cf.case_handler(payer)
    patient = cf.patient(payer.organisation)
    from kvitt.cases import services as case_services

    assignment = cf.assignment(handler, patient, max_treatments=max_treatments, max_amount=max_amount)
    case_services.assign_location(handler, assignment, location)
    assignment.refresh_from_db()
    return World(payer, company, location, handler, assignment, patient)


def at(day: int, hour: int = 9, month: int = 3) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=f.OSLO)
