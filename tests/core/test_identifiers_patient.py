"""classify_national_id: which national identity number a patient's id is."""

import datetime

import pytest
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from kvitt.core.identifiers.patient import classify_national_id

TODAY = datetime.date(2026, 11, 23)


# --- Norway ------------------------------------------------------------------------------
# 15108695088 is python-stdnum's documented example; the D-, H- and FH-numbers below are
# that number with day + 40, month + 40 and first digit 8, check digits computed with
# stdnum.no.fodselsnummer.calc_check_digit1/2.


def test_fodselsnummer():
    assert classify_national_id("151086 95088", "NO") == ("fnr", "15108695088")


def test_d_number():
    assert classify_national_id("55108695071", "no") == ("dnr", "55108695071")


@pytest.mark.parametrize(
    "number, error, message",
    [
        ("15108695077", InvalidChecksum, "fødselsnummer '15108695077': check digits are wrong \\(expected 88\\)"),
        ("55108695072", InvalidChecksum, "D-nummer '55108695072'"),
        ("15508695060", InvalidComponent, "is an H-number"),
        ("85508695077", InvalidComponent, "is an FH-number"),
        ("01013950187", InvalidComponent, "not been born yet"),  # 1 Jan 2039
        ("1510869508", InvalidLength, "has 10 digits; expected 11"),
        ("1510869508X", InvalidFormat, "only digits"),
    ],
)
def test_norwegian_rejects(number, error, message):
    with pytest.raises(error, match=message):
        classify_national_id(number, "NO")


# --- Sweden --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number, expected",
    [
        # Skatteverket's test personnummer 19121212-1212, in 12- and 10-digit forms
        ("19121212-1212", ("personnummer", "191212121212")),
        ("191212121212", ("personnummer", "191212121212")),
        ("121212+1212", ("personnummer", "191212121212")),  # '+': aged 100 or more
        ("121212-1212", ("personnummer", "201212121212")),
        ("880320-0016", ("personnummer", "198803200016")),  # python-stdnum's example
        ("701063-2391", ("samordningsnummer", "197010632391")),  # Skatteverket's example
        ("197010632391", ("samordningsnummer", "197010632391")),
        ("991981000010", ("reservnummer", "991981000010")),  # Region Stockholm format
        ("19810829M071", ("reservnummer", "19810829M071")),  # Västra Götaland format
        ("198108320014", ("reservnummer", "198108320014")),  # Inera Carelink, day 32-59
    ],
)
def test_swedish_classification(number, expected):
    assert classify_national_id(number, "SE", today=TODAY) == expected


@pytest.mark.parametrize(
    "number, error, message",
    [
        ("880320-0017", InvalidChecksum, "personnummer '880320-0017': check digit 7 is wrong, expected 6"),
        # a mistyped 12-digit personnummer must not slip through as a reserve number
        ("19880320-0017", InvalidChecksum, "personnummer"),
        ("701063-2392", InvalidChecksum, "samordningsnummer"),
        ("880230-0016", InvalidComponent, "not a valid date"),
        ("880340-0016", InvalidComponent, "day part 40 is neither"),
        ("20880320-0016", InvalidComponent, "birth date 2088-03-20 is in the future"),
        ("1981082", InvalidLength, "not a Swedish identity number"),
        ("19810829Å071", InvalidFormat, "not allowed"),
    ],
)
def test_swedish_rejects(number, error, message):
    with pytest.raises(error, match=message):
        classify_national_id(number, "SE", today=TODAY)


def test_other_countries_are_refused():
    with pytest.raises(ValueError, match="NO and SE"):
        classify_national_id("0101011234", "DK")
