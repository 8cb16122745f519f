"""Fuzz the Swedish interregional readers: ProcessClaimSpecification (SOAP request and answer),
the region invoice (UBL as the home region receives it) and the basis ids.

Domain errors: ``SoapError`` (SOAP), ``InvoiceError`` (region invoice), ``ModelError`` (basis id).
"""

import datetime as dt

import pytest
from hypothesis import given, strategies as st

from kvitt.core.models import Organisation
from kvitt.interregion import soap
from kvitt.interregion.invoice import InvoiceError, RegionInvoiceInput, RegionParty, build_region_invoice, read_region_invoice
from kvitt.interregion.model import ModelError, make_basis_id, parse_basis_id
from kvitt.interregion.models import RegionInvoice
from kvitt.interregion.services import receive_invoice
from tests.hardening.strategies import FUZZ, Seed, any_mutation, any_xml_mutation, expect, mutated_xml, tried
from tests.interregion.factories import HOME_REGION, specification

SELLER = RegionParty("Region Stockholm", "2321000016", "Box 22550", "104 22", "Stockholm", bankgiro="5050-1055")
BUYER = RegionParty("Region Uppsala", "2321000024", "Box 602", "751 25", "Uppsala")
BASIS = "ZVF23210000162609000001"

REQUEST = Seed("ProcessClaimSpecification request", soap.build_request(specification(), HOME_REGION))
RESPONSE = Seed("ProcessClaimSpecification response", soap.build_response("OK", "received"))
FAULT = Seed("SOAP fault", soap.build_fault("no such basis"))
INVOICE = Seed("region invoice", build_region_invoice(RegionInvoiceInput(
    number="UTL2026100001", issue_date=dt.date(2026, 10, 6), due_date=dt.date(2026, 11, 5), basis_id=BASIS,
    amount=4747300, seller=SELLER, buyer=BUYER, period_start=dt.date(2026, 9, 1), period_end=dt.date(2026, 9, 30))))
CREDIT = Seed("region credit note", build_region_invoice(RegionInvoiceInput(
    number="UTL2026100002", issue_date=dt.date(2026, 10, 6), due_date=None, basis_id=BASIS, amount=12345,
    seller=SELLER, buyer=BUYER, period_start=dt.date(2026, 9, 1), period_end=dt.date(2026, 9, 30),
    credited_invoice="UTL2026100001")))


def test_the_seeds_are_valid():
    assert soap.parse_request(REQUEST).specification == specification()
    assert soap.parse_response(RESPONSE).result_code == "OK"
    assert soap.parse_response(FAULT).message == "no such basis"
    assert read_region_invoice(INVOICE).basis_id == BASIS and read_region_invoice(CREDIT).credited_invoice == "UTL2026100001"
    assert parse_basis_id(BASIS) == ("2321000016", 2026, 9, 1)


@FUZZ
@given(st.one_of(any_xml_mutation(REQUEST), mutated_xml(REQUEST, max_edits=10)))
def test_claim_specification_request_gives_a_specification_or_soap_error(data):
    expect(soap.parse_request, data, soap.SoapError, name="interregion.soap.parse_request")


@FUZZ
@given(st.one_of(any_xml_mutation(RESPONSE), any_xml_mutation(FAULT)))
def test_claim_specification_answer_gives_a_result_or_soap_error(data):
    expect(soap.parse_response, data, soap.SoapError, name="interregion.soap.parse_response")


@FUZZ
@given(st.one_of(any_xml_mutation(INVOICE), any_xml_mutation(CREDIT)))
def test_region_invoice_gives_its_keys_or_invoice_error(data):
    expect(read_region_invoice, data, InvoiceError, name="interregion.read_region_invoice")


@FUZZ
@given(st.one_of(
    st.text(max_size=30),
    any_mutation(Seed("basis id", BASIS.encode())).map(lambda b: b.decode("latin-1")),
    st.builds(lambda y, m, c: f"ZVF2321000016{y:02d}{m:02d}{c:06d}", st.integers(0, 99), st.integers(0, 99), st.integers(0, 999999)),
))
def test_basis_id_parses_back_or_gives_model_error(text):
    parsed = expect(parse_basis_id, text, ModelError, name="interregion.parse_basis_id")
    if parsed is not None:
        org, year, month, counter = parsed
        # A basis id that parses is exactly the one Kvitt would make from its parts.
        assert make_basis_id(org, year, month, counter) == text


@pytest.fixture
def home_region(db):
    return Organisation.objects.create(name="Region Uppsala", kind="region", country="SE", org_number="2321000024")


@FUZZ
@given(data=st.one_of(any_xml_mutation(INVOICE), any_xml_mutation(CREDIT)))
def test_a_refused_region_invoice_writes_nothing(home_region, data):
    from django.core.exceptions import ValidationError

    before = RegionInvoice.objects.count()
    tried("interregion.receive_invoice")
    try:
        receive_invoice(home_region, data)
    except (InvoiceError, ValidationError) as exc:
        assert str(exc)
        assert RegionInvoice.objects.count() == before
