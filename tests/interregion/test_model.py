import datetime as dt

import pytest

from kvitt.interregion.model import (
    OID_PERSONNUMMER,
    OID_SAMORDNINGSNUMMER,
    ModelError,
    classify_patient_number,
    make_basis_id,
    ore_from_text,
    ore_to_text,
    parse_basis_id,
    patient_identity,
)

from .factories import inpatient, outpatient, specification


def test_basis_id_is_23_characters_with_prefix_org_month_and_counter():
    basis = make_basis_id("232100-0016", 2026, 9, 42)
    assert basis == "ZVF23210000162609000042"
    assert len(basis) == 23
    assert parse_basis_id(basis) == ("2321000016", 2026, 9, 42)


@pytest.mark.parametrize("args", [("2321000017", 2026, 9, 1), ("2321000016", 2026, 13, 1), ("2321000016", 2026, 9, 1_000_000)])
def test_basis_id_refuses_bad_parts(args):
    with pytest.raises(ModelError):
        make_basis_id(*args)


def test_money_is_whole_ore_with_at_most_two_decimals():
    assert ore_from_text("1123.40") == 112340
    assert ore_from_text("1123") == 112300
    assert ore_to_text(112340) == "1123.40"
    assert ore_to_text(5) == "0.05"
    with pytest.raises(ModelError, match="two decimals"):
        ore_from_text("1.005")
    with pytest.raises(ModelError):
        ore_to_text(1.5)


def test_patient_numbers_get_their_oid():
    assert patient_identity("19121212-1212").root == OID_PERSONNUMMER
    assert classify_patient_number("197010632391") == "samordningsnummer"
    assert patient_identity("197010632391").root == OID_SAMORDNINGSNUMMER
    reserve = patient_identity("19521234TA3C", reserve_root="1.2.752.97.3.1.3")
    assert reserve.root == "1.2.752.97.3.1.3"
    with pytest.raises(ModelError, match="reserve number"):
        patient_identity("19521234TA3C")


def test_gross_and_net_follow_the_contract_arithmetic():
    care = outpatient()
    # 1 850 kr visit − 300 kr patient fee paid
    assert care.expected_gross() == 155000
    care = inpatient()
    # DRG 45 123 + outlier 1 000; net = gross − discount 200
    assert care.expected_gross() == 4612300
    assert care.expected_net() == 4592300


def test_payable_defaults_to_sum_of_net_amounts():
    spec = specification()
    assert spec.payable_amount == 155000 + 4592300
    assert spec.supplier_org_number == "2321000016"
    assert spec.customer_org_number == "2321000024"
    assert not spec.is_credit
    assert spec.issue_date == dt.date(2026, 10, 5)
