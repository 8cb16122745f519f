"""Minimal, valid insurer invoices and the snapshot that approves them, for the claims tests.

Built with the EHF builder and read back with the EHF parser, so the validators see exactly what
an access point would deliver.
"""

from __future__ import annotations

import dataclasses
import datetime
import zoneinfo
from decimal import Decimal

from kvitt.claims.validators import ApprovalSnapshot, AssignmentSnapshot, PractitionerSnapshot, Snapshot
from kvitt.einvoice.builder import BuyerInput, CreditedInvoice, InvoiceInput, LineInput, SellerInput, build_credit_note, build_invoice
from kvitt.einvoice.model import ItemProperty
from kvitt.einvoice.parser import parse_document

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
SUPPLIER = "923609016"
INSURER = "995568217"
OTHER_INSURER = "982463718"
SAKID = "6QPTR"
HPR = "9144889"

SELLER = SellerInput(
    name="Fysio Bjørvika AS", org_number=SUPPLIER, vat_category="E", foretaksregisteret=True,
    bank_account="86011117947", kid_algorithm="MOD10", kid_length=10, street="Dronning Eufemias gate 16",
    postcode="0191", city="Oslo", email="faktura@fysiobjorvika.example",
)
BUYER = BuyerInput(name="Trygg Forsikring ASA", org_number=INSURER, street="Postboks 7070", postcode="5020", city="Bergen")


def line(at: datetime.datetime | None = None, *, code: str = "B1010", price: str = "850.00", quantity: str = "1",
         profession: str = "Fysioterapeut", hpr: str = HPR, diagnose: str = "L92 Skulder lidelse uspesifisert") -> LineInput:
    return LineInput(
        treatment_id=code, description="Fysioterapi", quantity=Decimal(quantity), unit_price=Decimal(price),
        treatment_datetime=at or datetime.datetime(2026, 3, 2, 9, 0, tzinfo=OSLO), duration_minutes=45,
        therapist_hpr=hpr, therapist_name="Ola Hansen", profession=profession, diagnose=diagnose,
    )


def invoice_input(*lines: LineInput, number: str = "1001", sak_id: str = SAKID, buyer: BuyerInput = BUYER,
                  currency: str = "NOK", seller: SellerInput = SELLER) -> InvoiceInput:
    return InvoiceInput(
        number=number, issue_date=datetime.date(2026, 3, 20), due_date=datetime.date(2026, 4, 3), sak_id=sak_id,
        seller=seller, buyer=buyer, lines=lines or (line(),), currency=currency,
    )


def invoice_bytes(*lines: LineInput, **kw) -> bytes:
    return build_invoice(invoice_input(*lines, **kw))


def invoice(*lines: LineInput, **kw):
    return parse_document(invoice_bytes(*lines, **kw))


def credit_note_bytes(credited: str = "1001", number: str = "2001", *lines: LineInput) -> bytes:
    inp = dataclasses.replace(invoice_input(*lines, number=number), credited_invoice=CreditedInvoice(credited))
    return build_credit_note(inp)


def credit_note(credited: str = "1001", number: str = "2001", *lines: LineInput):
    return parse_document(credit_note_bytes(credited, number, *lines))


def with_line_properties(doc, drop: tuple[str, ...] = (), set_: dict | None = None, index: int = 0):
    """The document with one line's AdditionalItemProperty list changed (for malformed senders)."""
    set_ = set_ or {}
    target = doc.lines[index]
    props = [p for p in target.item.properties if p.name not in drop and p.name not in set_]
    props += [ItemProperty(name, value) for name, value in set_.items()]
    new_line = dataclasses.replace(target, item=dataclasses.replace(target.item, properties=tuple(props)))
    lines = list(doc.lines)
    lines[index] = new_line
    return dataclasses.replace(doc, lines=tuple(lines))


def assignment_snapshot(**kw) -> AssignmentSnapshot:
    fields = dict(
        sakid=SAKID, payer_org_number=INSURER, state="in_treatment", state_label="In treatment",
        professions=("physiotherapist",), service_codes=("B1010",), valid_from=datetime.date(2026, 1, 1),
        valid_to=datetime.date(2026, 12, 31), remaining_treatments=6, remaining_amount=600_000,
        company_org_number=SUPPLIER, location_id=None,
    )
    fields.update(kw)
    return AssignmentSnapshot(**fields)


def snapshot(**kw) -> Snapshot:
    fields = dict(
        insurer_org_number=INSURER, now=datetime.datetime(2026, 4, 1, 12, 0, tzinfo=OSLO),
        assignment=assignment_snapshot(), company_known=True,
        approvals=(ApprovalSnapshot(valid_from=datetime.date(2020, 1, 1)),),
        practitioners=(PractitionerSnapshot(HPR, ("physiotherapist",)),),
        received_documents=frozenset(), known_invoices=frozenset(), billed_treatments={},
    )
    fields.update(kw)
    return Snapshot(**fields)
