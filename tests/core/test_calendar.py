"""Working days in Norway and Sweden."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvitt.core.calendar import (
    add_working_days,
    holidays_in,
    is_bank_day,
    is_working_day,
    last_weekday_of_month,
    next_working_day,
    nth_working_day_of_month,
    working_days_between,
)

D = datetime.date


# --- Easter 2026 (Easter Sunday 5 April) ----------------------------------------------------


@pytest.mark.parametrize(
    "day, norway, sweden",
    [
        (D(2026, 4, 1), True, True),  # Wednesday before Easter
        (D(2026, 4, 2), False, True),  # Maundy Thursday: holiday in NO only
        (D(2026, 4, 3), False, False),  # Good Friday
        (D(2026, 4, 6), False, False),  # Easter Monday
        (D(2026, 4, 7), True, True),
        (D(2026, 5, 14), False, False),  # Ascension Day
        (D(2026, 5, 25), False, True),  # Whit Monday: holiday in NO, not in SE since 2005
    ],
)
def test_easter_and_spring_holidays(day, norway, sweden):
    assert is_working_day(day, "NO") is norway
    assert is_working_day(day, "SE") is sweden


def test_two_working_days_across_norwegian_easter():
    # an invoice validated "within two working days" of Wednesday 1 April 2026
    assert add_working_days(D(2026, 4, 1), 1, "NO") == D(2026, 4, 7)
    assert add_working_days(D(2026, 4, 1), 2, "NO") == D(2026, 4, 8)
    assert add_working_days(D(2026, 4, 1), 2, "SE") == D(2026, 4, 7)
    assert working_days_between(D(2026, 4, 1), D(2026, 4, 8), "NO") == 2
    assert working_days_between(D(2026, 4, 1), D(2026, 4, 8), "SE") == 3


# --- National days, Christmas, New Year ------------------------------------------------------


def test_constitution_day_17_may():
    assert not is_working_day(D(2027, 5, 17), "NO")  # a Monday
    assert is_working_day(D(2027, 5, 17), "SE")
    assert add_working_days(D(2027, 5, 14), 1, "NO") == D(2027, 5, 18)


def test_swedish_national_day_and_epiphany():
    assert not is_working_day(D(2026, 1, 6), "SE")  # Trettondedag jul, a Tuesday
    assert is_working_day(D(2026, 1, 6), "NO")
    assert not is_working_day(D(2025, 6, 6), "SE")  # Sveriges nationaldag, a Friday
    assert add_working_days(D(2026, 1, 5), 1, "SE") == D(2026, 1, 7)


def test_midsommarafton_is_not_a_working_day_in_sweden():
    assert D(2026, 6, 19).weekday() == 4  # Friday, the eve of Midsommardagen
    assert not is_working_day(D(2026, 6, 19), "SE")
    assert is_working_day(D(2026, 6, 19), "NO")
    assert add_working_days(D(2026, 6, 18), 1, "SE") == D(2026, 6, 22)
    assert holidays_in(2026, "SE")[D(2026, 6, 19)] == "Midsommarafton"


def test_christmas_and_new_year():
    # 2026: 24 Dec Thu, 25 Fri, 26 Sat, 31 Thu, 1 Jan Fri
    assert not is_working_day(D(2026, 12, 24), "SE")  # julafton
    assert is_working_day(D(2026, 12, 24), "NO")  # julaften: a working day ...
    assert not is_bank_day(D(2026, 12, 24), "NO")  # ... but Norwegian banks are closed
    assert not is_working_day(D(2026, 12, 25), "NO")
    assert not is_working_day(D(2026, 12, 31), "SE")  # nyårsafton
    assert not is_bank_day(D(2026, 12, 31), "NO")
    assert not is_working_day(D(2027, 1, 1), "NO")
    assert add_working_days(D(2026, 12, 23), 1, "SE") == D(2026, 12, 28)
    assert add_working_days(D(2026, 12, 30), 1, "SE") == D(2027, 1, 4)
    assert add_working_days(D(2026, 12, 30), 1, "NO") == D(2026, 12, 31)
    assert working_days_between(D(2026, 12, 18), D(2027, 1, 8), "NO") == 13
    assert working_days_between(D(2026, 12, 18), D(2027, 1, 8), "SE") == 10


def test_norwegian_holiday_names_are_norwegian():
    assert holidays_in(2026, "NO")[D(2026, 5, 17)] == "Grunnlovsdag"


# --- add_working_days semantics ---------------------------------------------------------------


def test_add_zero_returns_the_day_or_the_next_working_day():
    assert add_working_days(D(2026, 11, 23), 0, "NO") == D(2026, 11, 23)  # Monday
    assert add_working_days(D(2026, 11, 21), 0, "NO") == D(2026, 11, 23)  # Saturday -> Monday


def test_counting_starts_from_next_working_day_when_start_is_not_one():
    assert add_working_days(D(2026, 11, 20), 1, "NO") == D(2026, 11, 23)  # Friday + 1 = Monday
    assert add_working_days(D(2026, 11, 21), 1, "NO") == D(2026, 11, 24)  # Saturday + 1 = Tuesday
    assert add_working_days(D(2026, 4, 3), 1, "NO") == D(2026, 4, 8)  # Good Friday -> Tue 7 + 1


def test_datetimes_are_taken_as_their_date():
    assert is_working_day(datetime.datetime(2026, 4, 2, 12, 0), "SE")


def test_bad_arguments():
    with pytest.raises(ValueError, match="0 or more"):
        add_working_days(D(2026, 1, 5), -1, "NO")
    with pytest.raises(ValueError, match="not 'DK'"):
        is_working_day(D(2026, 1, 5), "DK")
    with pytest.raises(TypeError):
        is_working_day("2026-01-05", "NO")


@settings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=D(2020, 1, 1), max_value=D(2035, 12, 31)),
    st.integers(min_value=0, max_value=60),
    st.sampled_from(["NO", "SE"]),
)
def test_add_and_between_agree(start, n, country):
    end = add_working_days(start, n, country)
    assert is_working_day(end, country)
    first = next_working_day(start, country)
    assert working_days_between(first, end, country) == n
    assert working_days_between(end, first, country) == -n


# --- month helpers ---------------------------------------------------------------------------


def test_last_weekday_of_month():
    assert last_weekday_of_month(2026, 12, "SE") == D(2026, 12, 30)  # 31st is nyårsafton
    assert last_weekday_of_month(2026, 12, "NO") == D(2026, 12, 31)
    assert last_weekday_of_month(2026, 1, "NO") == D(2026, 1, 30)  # 31st is a Saturday
    assert last_weekday_of_month(2026, 5, "SE") == D(2026, 5, 29)
    assert last_weekday_of_month(2027, 4, "NO") == D(2027, 4, 30)


def test_nth_working_day_of_month():
    # Swedish basis is ready from the third weekday of the month
    assert nth_working_day_of_month(2026, 1, 1, "SE") == D(2026, 1, 2)
    assert nth_working_day_of_month(2026, 1, 3, "SE") == D(2026, 1, 7)  # skips Epiphany
    assert nth_working_day_of_month(2026, 1, 3, "NO") == D(2026, 1, 6)
    assert nth_working_day_of_month(2026, 4, 3, "NO") == D(2026, 4, 8)  # 1 Apr, then Easter, 7, 8
    with pytest.raises(ValueError, match="has only 19 working days"):
        nth_working_day_of_month(2026, 4, 25, "NO")
    with pytest.raises(ValueError, match="positive"):
        nth_working_day_of_month(2026, 4, 0, "NO")
