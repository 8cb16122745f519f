"""Money helpers: integer øre, explicit Decimal rounding, babel formatting."""

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvitt.core.money import (
    format_amount,
    from_decimal,
    parse_amount,
    percent_of,
    split_evenly,
    to_decimal,
)

NBSP = "\u00a0"


# --- parse_amount ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, ore",
    [
        ("1 234,50", 123450),
        ("1234.50", 123450),
        ("1234", 123400),
        ("1234,5", 123450),
        ("0,05", 5),
        (" 12 345 678,90 ", 1234567890),
        (f"1{NBSP}234,50", 123450),
        ("1\u202f234,50", 123450),
        ("-12,00", -1200),
        ("\u221212,00", -1200),
        ("+7", 700),
        ("1234,-", 123400),
        ("0", 0),
    ],
)
def test_parse_amount_accepts(text, ore):
    assert parse_amount(text) == ore


@pytest.mark.parametrize(
    "text",
    ["", "kr 100", "100 kr", "1.234,50", "1,234.50", "12,345", "1 23,50", "1234 ,50", "12 3456", "1e3", "NaN", ",50", "1234.", "--1", "1 234 5"],
)
def test_parse_amount_rejects_and_quotes_the_text(text):
    with pytest.raises(ValueError) as error:
        parse_amount(text)
    assert repr(text) in str(error.value)


def test_parse_amount_refuses_non_text():
    with pytest.raises(TypeError):
        parse_amount(12.5)


# --- Decimal conversions ----------------------------------------------------------------


def test_to_decimal_has_two_places():
    assert to_decimal(123450) == Decimal("1234.50")
    assert str(to_decimal(5)) == "0.05"
    assert str(to_decimal(-100)) == "-1.00"


def test_from_decimal_rounds_half_up_away_from_zero():
    assert from_decimal(Decimal("1234.50")) == 123450
    assert from_decimal(Decimal("0.005")) == 1
    assert from_decimal(Decimal("0.0049")) == 0
    assert from_decimal(Decimal("-0.005")) == -1
    assert from_decimal(Decimal("2.675")) == 268  # a float would say 2.67499999...
    assert from_decimal(12) == 1200


def test_floats_are_refused():
    with pytest.raises(TypeError, match="float"):
        from_decimal(12.5)
    with pytest.raises(TypeError):
        to_decimal(12.5)
    with pytest.raises(TypeError, match="float"):
        percent_of(10000, 12.5)
    with pytest.raises(TypeError):
        split_evenly(10.0, 2)


def test_non_finite_decimals_are_refused():
    with pytest.raises(ValueError, match="finite"):
        from_decimal(Decimal("NaN"))


# --- format_amount ------------------------------------------------------------------------


def test_format_amount_locales():
    assert format_amount(123450) == f"1{NBSP}234,50{NBSP}kr"
    assert format_amount(123450, "SEK", "sv") == f"1{NBSP}234,50{NBSP}kr"
    assert format_amount(123450, "SEK", "sv_SE") == f"1{NBSP}234,50{NBSP}kr"
    assert format_amount(123450, "NOK", "en") == "NOK1,234.50"
    assert format_amount(-5, "EUR", "nb") == f"-0,05{NBSP}€"
    assert format_amount(123450, "NOK", "no") == format_amount(123450)


def test_format_amount_refuses_unknown_locale_and_odd_currencies():
    with pytest.raises(ValueError, match="not supported"):
        format_amount(100, "NOK", "de")
    with pytest.raises(ValueError, match="2 decimals"):
        format_amount(100, "JPY", "en")


# --- split_evenly ----------------------------------------------------------------------------


def test_split_evenly_gives_remainder_to_first_parts():
    assert split_evenly(1000, 3) == [334, 333, 333]
    assert split_evenly(1001, 3) == [334, 334, 333]
    assert split_evenly(2, 5) == [1, 1, 0, 0, 0]
    assert split_evenly(-1000, 3) == [-334, -333, -333]
    assert split_evenly(0, 2) == [0, 0]


def test_split_evenly_needs_a_positive_count():
    with pytest.raises(ValueError, match="at least 1"):
        split_evenly(100, 0)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(10**12), max_value=10**12), st.integers(min_value=1, max_value=60))
def test_split_evenly_sum_is_exact_and_parts_differ_by_at_most_one(ore, n):
    parts = split_evenly(ore, n)
    assert len(parts) == n
    assert sum(parts) == ore
    assert max(parts) - min(parts) <= 1
    assert parts == sorted(parts, key=abs, reverse=True)


# --- percent_of ------------------------------------------------------------------------------


def test_late_interest_example():
    # 12.5 % p.a. on NOK 10 000 for 30 days = 102.739... -> NOK 102.74
    assert percent_of(1_000_000, Decimal("12.5"), days=30) == 10274


def test_percent_without_days_is_plain_percentage():
    assert percent_of(10000, Decimal("25")) == 2500
    assert percent_of(333, Decimal("50")) == 167  # 166.5 rounds half up
    assert percent_of(-333, Decimal("50")) == -167


def test_percent_rounding_is_explicit_and_exact_on_ties():
    assert percent_of(333, Decimal("50"), rounding=ROUND_HALF_EVEN) == 166
    assert percent_of(335, Decimal("50"), rounding=ROUND_HALF_EVEN) == 168
    assert percent_of(999, Decimal("10"), rounding=ROUND_DOWN) == 99
    # exactly half an øre after the day fraction: 73 øre * 100 % * 5/730 = 0.5
    assert percent_of(73, Decimal("100"), days=5, year_days=730) == 1


def test_percent_with_leap_year_basis():
    assert percent_of(1_000_000, Decimal("12.5"), days=30, year_days=366) == 10246


def test_percent_rejects_bad_periods():
    with pytest.raises(ValueError, match="negative"):
        percent_of(100, Decimal("5"), days=-1)
    with pytest.raises(ValueError, match="positive"):
        percent_of(100, Decimal("5"), days=1, year_days=0)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=0, max_value=10**10),
    st.decimals(min_value=0, max_value=100, places=3, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=366),
)
def test_percent_is_within_half_an_ore_of_the_exact_value(ore, rate, days):
    exact = Decimal(ore) * rate * days / (100 * 365)
    assert abs(Decimal(percent_of(ore, rate, days=days)) - exact) <= Decimal("0.5")


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_roundtrips(ore):
    assert from_decimal(to_decimal(ore)) == ore
    text = f"{to_decimal(ore)}"
    assert parse_amount(text) == ore
    assert parse_amount(text.replace(".", ",")) == ore
