"""Swedish identifiers: bankgiro, PlusGiro, OCR reference, samordningsnummer, reservnummer, HSA-id."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.se import personnummer

from kvitt.core.identifiers.se import bankgiro, hsaid, ocr, plusgiro, reservnummer, samordningsnummer

# --- bankgiro -------------------------------------------------------------------------


def test_bankgiro_public_examples():
    # Skatteverket's bankgiro, printed on every Swedish tax payment slip
    assert bankgiro.validate("5050-1055") == "50501055"
    assert bankgiro.format("50501055") == "5050-1055"
    # Bankgirot's test bankgiro in its BgMax/Autogiro sample files ("0009912346")
    assert bankgiro.validate("991-2346") == "9912346"
    assert bankgiro.format("9912346") == "991-2346"


@pytest.mark.parametrize(
    "number, error, message",
    [
        ("5050-1056", InvalidChecksum, "check digit 6 is wrong, the Luhn .* is 5"),
        ("991234", InvalidLength, "has 6 digits; expected 7-8"),
        ("123456789", InvalidLength, "has 9 digits"),
        ("5050-105S", InvalidFormat, "only digits"),
    ],
)
def test_bankgiro_rejects(number, error, message):
    with pytest.raises(error, match=message):
        bankgiro.validate(number)
    assert not bankgiro.is_valid(number)


# --- PlusGiro -------------------------------------------------------------------------


def test_plusgiro_valid_and_formatted_in_pairs():
    assert plusgiro.validate("28 65 43-4") == "2865434"
    assert plusgiro.format("2865434") == "28 65 43-4"
    assert plusgiro.format("12345674") == "1 23 45 67-4"
    assert plusgiro.validate("18") == "18"  # shortest: one digit plus check digit
    assert plusgiro.format("18") == "1-8"


@pytest.mark.parametrize(
    "number, error, message",
    [
        ("28 65 43-5", InvalidChecksum, "check digit 5 is wrong"),
        ("1", InvalidLength, "has 1 digits; expected 2-8"),
        ("123456789", InvalidLength, "has 9 digits"),
        ("28.65.43-4", InvalidFormat, "only digits"),
    ],
)
def test_plusgiro_rejects(number, error, message):
    with pytest.raises(error, match=message):
        plusgiro.validate(number)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="0123456789", min_size=1, max_size=7))
def test_plusgiro_format_roundtrips(body):
    number = body + luhn.calc_check_digit(body)
    assert plusgiro.validate(plusgiro.format(number)) == number


# --- OCR reference ----------------------------------------------------------------------


def test_ocr_length_digit_example():
    # The usual textbook example of Bankgirot's variable-length control:
    # body 123456, length digit 8 (eight digits in all), Luhn check digit 2.
    assert ocr.make("123456", length_digit=True) == "12345682"
    assert ocr.validate("12345682", level="variable") == "12345682"


def test_ocr_five_digit_invoice_number_gets_length_digit_seven():
    reference = ocr.make("10234", length_digit=True)
    assert len(reference) == 7 and reference[-2] == "7"
    assert ocr.validate(reference, level="variable") == reference


def test_ocr_length_digit_wraps_modulo_ten():
    reference = ocr.make("1" * 10, length_digit=True)
    assert len(reference) == 12 and reference[-2] == "2"
    assert ocr.is_valid(reference, level="variable")


def test_ocr_hard_control_needs_check_digit_only():
    assert ocr.make("1234567") == "12345674"
    assert ocr.validate("12345674") == "12345674"
    with pytest.raises(InvalidChecksum, match="check digit 5 is wrong"):
        ocr.validate("12345675")


def test_ocr_soft_control_accepts_wrong_check_digit_but_flags_it():
    assert ocr.validate("12345675", level="soft") == "12345675"
    assert not ocr.has_valid_check_digit("12345675")
    assert ocr.has_valid_check_digit("12345674")
    with pytest.raises(InvalidFormat):
        ocr.validate("1234A675", level="soft")


def test_ocr_variable_control_names_wrong_length_digit():
    with pytest.raises(InvalidFormat, match="second-to-last digit must be 8"):
        ocr.validate("12345674", level="variable")


def test_ocr_fixed_lengths():
    assert ocr.validate("12345674", level="fixed", lengths=(8, 10)) == "12345674"
    assert ocr.validate("12345674", level="fixed", lengths=8) == "12345674"
    with pytest.raises(InvalidLength, match="allows 9 or 10"):
        ocr.validate("12345674", level="fixed", lengths=[9, 10])
    with pytest.raises(ValueError, match="needs the agreed lengths"):
        ocr.validate("12345674", level="fixed")


def test_ocr_length_limits():
    assert ocr.validate("18") == "18"
    with pytest.raises(InvalidLength, match="expected 2-25"):
        ocr.validate("1" * 24 + luhn.calc_check_digit("1" * 24) + "0")
    with pytest.raises(InvalidLength, match="at most 25"):
        ocr.make("1" * 24, length_digit=True)
    assert len(ocr.make("1" * 23, length_digit=True)) == 25


def test_ocr_unknown_level_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown OCR control level"):
        ocr.validate("12345674", level="strict")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789", min_size=1, max_size=23), st.booleans())
def test_ocr_made_references_pass_their_level(body, length_digit):
    reference = ocr.make(body, length_digit=length_digit)
    assert ocr.validate(reference, level="variable" if length_digit else "hard") == reference
    assert ocr.validate(reference, level="fixed", lengths=len(reference)) == reference


# --- samordningsnummer ------------------------------------------------------------------


def test_samordningsnummer_skatteverket_example():
    # Skatteverket's published example coordination number (born 3 October 1970)
    assert samordningsnummer.validate("701063-2391") == "701063-2391"
    assert samordningsnummer.validate("197010632391") == "19701063-2391"
    assert samordningsnummer.validate("7010632391") == "701063-2391"
    assert samordningsnummer.get_birth_date("197010632391") == datetime.date(1970, 10, 3)
    assert samordningsnummer.get_birth_date("701063-2391", today=datetime.date(2026, 1, 1)) == datetime.date(1970, 10, 3)
    assert samordningsnummer.get_gender("701063-2391") == "M"


def test_stdnum_personnummer_rejects_it_which_is_why_this_module_exists():
    assert not personnummer.is_valid("701063-2391")


def test_samordningsnummer_plus_means_a_century_earlier():
    today = datetime.date(2026, 11, 23)
    assert samordningsnummer.get_birth_date("701063+2391", today=today) == datetime.date(1870, 10, 3)
    assert samordningsnummer.get_birth_date("101063-2391", today=today) == datetime.date(2010, 10, 3)
    assert samordningsnummer.get_birth_date("301063-2391", today=today) == datetime.date(1930, 10, 3)


@pytest.mark.parametrize(
    "number, error, message",
    [
        ("701063-2392", InvalidChecksum, "check digit 2 is wrong"),
        ("701003-2391", InvalidComponent, "day part 03 must be 61-91"),
        ("700291-2391", InvalidComponent, "1970-02-31 is not a date"),
        ("701063-239", InvalidLength, "10 or 12 digits"),
        ("70106A-2391", InvalidFormat, "digits"),
    ],
)
def test_samordningsnummer_rejects(number, error, message):
    with pytest.raises(error, match=message):
        samordningsnummer.validate(number)


# --- reservnummer ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "991981000010",  # Region Stockholm, 99yyyyNNNNNC (Inera's list of local reserve formats)
        "19810829M071",  # Västra Götalandsregionen, yyyymmddGggC
        "19810829SU3A",  # Värmland, yyyymmddABNC
        "198108320014",  # Inera Carelink, day 32-59
        "22810829KL25",  # national reserve identity shape XXYYMMDDNNGC (synthetic)
        "19810829-12MX",  # Gävleborg prints a hyphen after the date
        "19810829m071",  # lower case kept (one VGR format distinguishes k/K)
    ],
)
def test_reservnummer_accepts_regional_formats(number):
    assert reservnummer.validate(number) == number.replace("-", "")
    assert reservnummer.is_valid(number)


def test_reservnummer_format_prints_hyphen_after_eight():
    assert reservnummer.format("991981000010") == "99198100-0010"


@pytest.mark.parametrize(
    "number, error, message",
    [
        ("810829DE1F", InvalidLength, "has 10 characters; expected 12"),
        ("19810829M0711", InvalidLength, "has 13 characters"),
        ("19810829Ö071", InvalidFormat, "not allowed: 'Ö'"),
        ("19810829M_71", InvalidFormat, "not allowed: '_'"),
        ("1981A829M071", InvalidFormat, "first 8 characters must be digits"),
        ("198803200016", InvalidComponent, "is a valid personnummer"),
        ("197010632391", InvalidComponent, "is a valid samordningsnummer"),
        ("198803200017", InvalidComponent, "shaped like a \\(mistyped\\) personnummer"),
    ],
)
def test_reservnummer_rejects(number, error, message):
    with pytest.raises(error, match=message):
        reservnummer.validate(number)


@pytest.mark.parametrize(
    "number, code",
    [
        # the examples on Inera's page of local reserve identity formats
        ("991981000010", "SLL"),
        ("991945000023", "SLL"),
        ("19810829M071", "VGR"),
        ("19450829K088", "VGR"),
        ("19930829X802", "VGR"),
        ("19810829SU3A", "LiV"),
        ("19930829SX0C", "LiV"),
        ("198108320014", "CLNK"),
        ("22810829KL25", "NRID"),
    ],
)
def test_reservnummer_schemes_recognised(number, code):
    assert [scheme.code for scheme in reservnummer.get_schemes(number)] == [code]


def test_reservnummer_scheme_oids_and_failed_check_digits():
    (sll,) = reservnummer.get_schemes("99198100-0010")
    assert sll.oid == "1.2.752.97.3.1.3"
    assert reservnummer.get_schemes("991981000011") == ()  # SLL shape, wrong Luhn digit
    assert reservnummer.get_schemes("19810829M072") == ()  # VGR shape, wrong check digit
    assert reservnummer.get_schemes("19810231SU3A") == ()  # LiV shape, 31 February
    assert reservnummer.get_schemes("19810829\u0663071") == ()  # not ASCII: not even a reservnummer


# --- HSA-id -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number, orgnr",
    [
        ("SE2321000016-15BD", "2321000016"),  # Region Stockholm's organisation number
        ("SE162321000255-O10951", "2321000255"),  # 12-digit form with 16 prefix, as in Inera's test data
        ("SE162321000164-0175", "2321000164"),
        ("se5565594230-abcXYZ09", "5565594230"),
    ],
)
def test_hsaid_valid(number, orgnr):
    assert hsaid.validate(number) == "SE" + number[2:]
    assert hsaid.get_organisation_number(number) == orgnr


@pytest.mark.parametrize(
    "number, error, message",
    [
        ("SE2321000017-1000", InvalidChecksum, "organisation number 2321000017 has a wrong check digit"),
        ("SE2321000016-", InvalidFormat, "must be SE"),
        ("SE2321000016-Vård", InvalidFormat, "å, ä, ö"),
        ("SE2321000016-a@b", InvalidFormat, "not allowed"),
        ("NO2321000016-1000", InvalidFormat, "country code SE"),
        ("SE232100-0016-1000", InvalidFormat, "10-digit organisation number"),
        ("SE2321000016-" + "A" * 19, InvalidLength, "32 characters; at most 31"),
    ],
)
def test_hsaid_rejects(number, error, message):
    with pytest.raises(error, match=message):
        hsaid.validate(number)


def test_hsaid_max_length_is_inclusive():
    number = "SE2321000016-" + "A" * 18
    assert len(number) == 31 and hsaid.is_valid(number)
