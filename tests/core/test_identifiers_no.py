"""Norwegian identifiers: KID, HPR number, HER-id."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

from kvitt.core.identifiers.no import herid, hpr, kid


# --- KID: the examples from the domain description -------------------------------

def test_mod10_check_digit_of_spec_example():
    assert kid.calc_check_digit("12345678", "MOD10") == "2"


def test_mod11_check_digit_of_spec_example():
    assert kid.calc_check_digit("12345678", "MOD11") == "5"


def test_mod11_remainder_one_gives_hyphen():
    assert kid.make("1009", "MOD11") == "1009-"
    assert kid.validate("1009-", "MOD11") == "1009-"


def test_mod11_remainder_zero_gives_zero():
    # "28": 8*2 + 2*3 = 22, 22 % 11 == 0
    assert kid.calc_check_digit("28", "MOD11") == "0"
    assert kid.validate("280", "MOD11") == "280"


def test_make_with_both_algorithms():
    assert kid.make("12345678", "MOD10") == "123456782"
    assert kid.make("12345678", "MOD11") == "123456785"


def test_validate_accepts_either_algorithm_when_none_given():
    assert kid.validate("123456782") == "123456782"
    assert kid.validate("123456785") == "123456785"


def test_validate_with_algorithm_rejects_the_other():
    with pytest.raises(InvalidChecksum, match="MOD11 expects '5'"):
        kid.validate("123456782", "MOD11")
    with pytest.raises(InvalidChecksum, match="MOD10 expects '2'"):
        kid.validate("123456785", "MOD10")


def test_wrong_check_digit_message_names_both_expectations():
    with pytest.raises(InvalidChecksum) as error:
        kid.validate("123456783")
    message = str(error.value)
    assert "'3' is wrong" in message and "MOD10 expects '2'" in message and "MOD11 expects '5'" in message


def test_make_pads_to_agreed_length():
    assert kid.make("42", "MOD10", length=8) == "0000042" + kid.calc_check_digit("0000042", "MOD10")
    assert len(kid.make("42", "MOD11", length=25)) == 25


def test_make_refuses_body_too_long_for_length():
    with pytest.raises(InvalidLength, match="does not fit in 5 digits"):
        kid.make("12345", "MOD10", length=5)


def test_make_refuses_more_than_25_digits():
    with pytest.raises(InvalidLength, match="at most 25"):
        kid.make("1" * 25, "MOD10")
    assert len(kid.make("1" * 24, "MOD10")) == 25


def test_validate_length_and_format_errors():
    with pytest.raises(InvalidLength, match="has 26 characters"):
        kid.validate("1" * 26)
    with pytest.raises(InvalidLength):
        kid.validate("7")
    with pytest.raises(InvalidFormat, match="only digits"):
        kid.validate("12A45678")
    with pytest.raises(InvalidFormat, match="only digits"):
        kid.validate("12-4")
    with pytest.raises(InvalidLength, match="the agreement requires 10"):
        kid.validate("123456782", length=10)


def test_hyphen_check_digit_is_not_valid_mod10():
    with pytest.raises(InvalidChecksum, match="MOD10 expects"):
        kid.validate("1009-", "MOD10")
    assert kid.detect_algorithms("1009-") == ("MOD11",)


def test_compact_strips_spaces_and_is_valid():
    assert kid.compact(" 1234 5678 2 ") == "123456782"
    assert kid.is_valid("1234 5678 2")
    assert not kid.is_valid("1234 5678 3")
    assert kid.format("1234 5678 2") == "123456782"


def test_unknown_algorithm_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown KID algorithm"):
        kid.make("123", "MOD12")
    assert kid.calc_check_digit("12345678", "mod10") == "2"


# KIDs from record 30 (positions 50-74) of the Nets OCR giro sample file that the
# netsgiro project tests against (otovo/python-netsgiro, tests/data/ocr_giro_transactions.txt).
NETS_SAMPLE_MOD11 = ["0000531", "0036633", "0048763", "0120243", "02212291038306", "000149012"]
NETS_SAMPLE_MOD10 = ["02321291038303", "02331291038302", "02358291038305", "02311291029238"]


@pytest.mark.parametrize("number", NETS_SAMPLE_MOD11)
def test_real_mod11_kids_from_nets_sample(number):
    assert kid.validate(number, "MOD11") == number
    assert kid.make(number[:-1], "MOD11", length=len(number)) == number


@pytest.mark.parametrize("number", NETS_SAMPLE_MOD10)
def test_real_mod10_kids_from_nets_sample(number):
    assert kid.validate(number, "MOD10") == number
    assert kid.detect_algorithms(number) == ("MOD10",)


def _reference_mod11(body: str) -> str:
    """MOD11 written straight from the domain description, for comparison."""
    weights = [2, 3, 4, 5, 6, 7]
    total = sum(int(d) * weights[i % 6] for i, d in enumerate(body[::-1]))
    r = total % 11
    return "0" if r == 0 else "-" if r == 1 else str(11 - r)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789", min_size=1, max_size=24), st.sampled_from(["MOD10", "MOD11"]))
def test_made_kids_validate_and_single_digit_errors_are_caught(body, algorithm):
    number = kid.make(body, algorithm)
    assert kid.validate(number, algorithm) == number
    if algorithm == "MOD11":
        assert number[-1] == _reference_mod11(body)
    # changing one body digit must break the check digit (both algorithms detect single errors)
    changed = str((int(body[0]) + 1) % 10) + body[1:]
    assert kid.calc_check_digit(changed, algorithm) != number[-1]


# --- HPR number ---------------------------------------------------------------------

def test_hpr_accepts_7_to_9_digits():
    assert hpr.validate("181000001") == "181000001"  # HelseID documentation's test HPR number
    assert hpr.validate("1234567") == "1234567"
    assert hpr.validate(" 181 000 001 ") == "181000001"


@pytest.mark.parametrize(
    "number, error, message",
    [
        ("123456", InvalidLength, "has 6 digits; expected 7-9"),
        ("1234567890", InvalidLength, "has 10 digits"),
        ("12345A7", InvalidFormat, "only digits"),
        ("0123456", InvalidFormat, "must not start with 0"),
    ],
)
def test_hpr_rejects(number, error, message):
    with pytest.raises(error, match=message):
        hpr.validate(number)
    assert not hpr.is_valid(number)


# --- HER-id -----------------------------------------------------------------------------

def test_herid_accepts_positive_integers():
    assert herid.validate("8142987") == "8142987"
    assert herid.validate(79768) == "79768"
    assert herid.is_valid(" 123 ")


@pytest.mark.parametrize(
    "number, error, message",
    [
        ("", InvalidFormat, "empty"),
        ("0", InvalidFormat, "positive integer"),
        ("0123", InvalidFormat, "positive integer"),
        ("-5", InvalidFormat, "only digits"),
        ("1234567890", InvalidLength, "has 10 digits"),
        ("12.5", InvalidFormat, "only digits"),
    ],
)
def test_herid_rejects(number, error, message):
    with pytest.raises(error, match=message):
        herid.validate(number)
