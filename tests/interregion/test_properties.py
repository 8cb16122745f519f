"""Property: whatever a valid model holds, the XML carries it and reads back the same."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from kvitt.interregion import soap
from kvitt.interregion.model import PatientSpecificItem, ore_from_text, ore_to_text

from .factories import HOME_REGION, outpatient, patient_line, specification

ORE = st.integers(min_value=0, max_value=10**11)
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40).map(str.strip).filter(bool)


@settings(max_examples=200, deadline=None)
@given(ORE)
def test_money_text_round_trip(ore):
    assert ore_from_text(ore_to_text(ore)) == ore


@settings(max_examples=60, deadline=None)
@given(
    items=st.lists(st.tuples(TEXT, TEXT, st.integers(1, 50), st.integers(0, 10**8)), min_size=1, max_size=4),
    fee=st.one_of(st.none(), st.integers(0, 40000)),
    unit_name=TEXT,
    visit=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2026, 10, 5)),
)
def test_basis_round_trips_through_soap(items, fee, unit_name, visit):
    psc = [PatientSpecificItem(code, name, qty, price, qty * price) for code, name, qty, price in items]
    care = outpatient(1, patient_specific=psc, outpatient_fee_paid=fee, care_unit_name=unit_name, visit_date=visit, gross=0, net=0)
    care.gross = care.expected_gross()
    care.net = care.expected_net()
    spec = specification(lines=[patient_line(care=[care])])
    assert soap.parse_request(soap.build_request(spec, HOME_REGION)).specification == spec
