import datetime as dt

import pytest

from kvitt.einvoice.xsd import validate_xsd
from kvitt.interregion.invoice import (
    InvoiceError,
    RegionInvoiceInput,
    RegionParty,
    build_region_invoice,
    read_region_invoice,
)

SELLER = RegionParty("Region Stockholm", "2321000016", "Box 22550", "104 22", "Stockholm", bankgiro="5050-1055")
BUYER = RegionParty("Region Uppsala", "2321000024", "Box 602", "751 25", "Uppsala")
BASIS = "ZVF23210000162609000001"


def invoice(**overrides):
    values = dict(number="UTL2026100001", issue_date=dt.date(2026, 10, 6), due_date=dt.date(2026, 11, 5), basis_id=BASIS,
                  amount=4747300, seller=SELLER, buyer=BUYER, period_start=dt.date(2026, 9, 1), period_end=dt.date(2026, 9, 30))
    values.update(overrides)
    return RegionInvoiceInput(**values)


def test_invoice_round_trips_the_matching_keys():
    read = read_region_invoice(build_region_invoice(invoice()))
    assert (read.kind, read.number, read.basis_id, read.amount) == ("380", "UTL2026100001", BASIS, 4747300)
    assert (read.seller_org_number, read.buyer_org_number) == ("2321000016", "2321000024")


def test_credit_note_references_the_credited_invoice():
    data = build_region_invoice(invoice(number="UTL2026100002", credited_invoice="UTL2026100001", due_date=None, amount=12345))
    read = read_region_invoice(data)
    assert read.kind == "381" and read.credited_invoice == "UTL2026100001" and read.amount == 12345


@pytest.mark.parametrize("credit", [False, True])
def test_documents_are_valid_ubl(shared_fixtures, credit):
    extra = {"credited_invoice": "UTL1", "due_date": None} if credit else {}
    assert validate_xsd(build_region_invoice(invoice(**extra))) == []


def test_bad_input_is_refused_with_the_field_named():
    with pytest.raises(InvoiceError, match="basis_id"):
        build_region_invoice(invoice(basis_id="ZVF123"))
    with pytest.raises(InvoiceError, match="buyer.org_number"):
        build_region_invoice(invoice(buyer=RegionParty("X", "2321000017")))
    with pytest.raises(InvoiceError, match="amount"):
        build_region_invoice(invoice(amount=0))


def test_invoice_without_basis_reference_is_refused():
    data = build_region_invoice(invoice()).replace(BASIS.encode(), b"NOTABASIS")
    with pytest.raises(InvoiceError, match="basis id"):
        read_region_invoice(data)
