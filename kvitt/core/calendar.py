"""Working days in Norway and Sweden, from the ``holidays`` package.

A *working day* is Monday-Friday and not a public holiday of the country:

* NO: the public holidays (helligdager and høytidsdager) of ``holidays`` for NO:
  New Year's Day, Maundy Thursday, Good Friday, Easter Monday, 1 May, Ascension
  Day, 17 May, Whit Monday, Christmas Day and Boxing Day.
* SE: the public holidays (allmänna helgdagar, e.g. Epiphany, 6 June) plus the
  ``de_facto`` days Midsommarafton, Julafton and Nyårsafton, which Swedish law
  treats like Sundays (semesterlagen 7 §) and on which banks and Bankgirot are
  closed.

A *bank day* (:func:`is_bank_day`) is a working day on which the country's
banks settle. In Sweden that is the same set. In Norway banks are also closed on
Christmas Eve and New Year's Eve, which are ordinary working days otherwise.

Dates that change by law live in ``holidays``; upgrading the package updates them.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays

COUNTRIES = ("NO", "SE")
_SATURDAY = 5
# Norwegian banks do not settle on these dates although they are not public holidays.
_NO_BANK_CLOSED = ((12, 24), (12, 31))


def _country(country: str) -> str:
    code = str(country).strip().upper()
    if code not in COUNTRIES:
        raise ValueError(f"working days are defined for {', '.join(COUNTRIES)}, not {country!r}")
    return code


@lru_cache(maxsize=256)
def _holidays(country: str, year: int) -> frozenset[datetime.date]:
    if country == "SE":
        calendar = holidays.country_holidays("SE", years=year, categories=(holidays.PUBLIC, holidays.DE_FACTO))
    else:
        calendar = holidays.country_holidays(country, years=year)
    return frozenset(calendar.keys())


def holidays_in(year: int, country: str) -> dict[datetime.date, str]:
    """The non-working holidays (weekdays or not) of ``year``, with their names in the local language."""
    code = _country(country)
    categories = (holidays.PUBLIC, holidays.DE_FACTO) if code == "SE" else (holidays.PUBLIC,)
    language = "sv" if code == "SE" else "no"
    calendar = holidays.country_holidays(code, years=year, categories=categories, language=language)
    return dict(sorted(calendar.items()))


def _as_date(day: datetime.date) -> datetime.date:
    if isinstance(day, datetime.datetime):
        return day.date()
    if not isinstance(day, datetime.date):
        raise TypeError(f"expected a date, got {type(day).__name__}")
    return day


def is_working_day(day: datetime.date, country: str) -> bool:
    """Monday-Friday and not a (public or, in SE, de facto) holiday of ``country``."""
    day = _as_date(day)
    code = _country(country)
    return day.weekday() < _SATURDAY and day not in _holidays(code, day.year)


def is_bank_day(day: datetime.date, country: str) -> bool:
    """A working day on which banks settle (NO: also not 24 or 31 December)."""
    day = _as_date(day)
    code = _country(country)
    if code == "NO" and (day.month, day.day) in _NO_BANK_CLOSED:
        return False
    return is_working_day(day, code)


def next_working_day(day: datetime.date, country: str) -> datetime.date:
    """``day`` itself when it is a working day, else the first working day after it."""
    day = _as_date(day)
    while not is_working_day(day, country):
        day += datetime.timedelta(days=1)
    return day


def add_working_days(start: datetime.date, n: int, country: str) -> datetime.date:
    """The working day ``n`` working days after ``start``.

    Exactly: if ``start`` is not a working day it is first moved to the next
    working day (something received on a Saturday counts as received on Monday),
    then ``n`` working days are added. So ``n == 0`` returns ``start`` or the next
    working day; Friday + 1 is Monday; Saturday + 1 is Tuesday; Wednesday
    1 April 2026 + 1 in Norway is Tuesday 7 April (Easter).
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"n must be 0 or more, got {n}")
    day = next_working_day(start, country)
    for _ in range(n):
        day = next_working_day(day + datetime.timedelta(days=1), country)
    return day


def working_days_between(a: datetime.date, b: datetime.date, country: str) -> int:
    """Working days ``d`` with ``a < d <= b`` (negative, mirrored, when ``b < a``).

    For a working day ``a``, ``working_days_between(a, add_working_days(a, n, c), c) == n``.
    Two days in a row give 1 when the second is a working day.
    """
    a, b = _as_date(a), _as_date(b)
    if b < a:
        return -working_days_between(b, a, country)
    code = _country(country)
    count = 0
    day = a + datetime.timedelta(days=1)
    while day <= b:
        if is_working_day(day, code):
            count += 1
        day += datetime.timedelta(days=1)
    return count


def _month_days(year: int, month: int) -> list[datetime.date]:
    first = datetime.date(year, month, 1)
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return [first + datetime.timedelta(days=offset) for offset in range((following - first).days)]


def last_weekday_of_month(year: int, month: int, country: str) -> datetime.date:
    """The last working day (Monday-Friday, not a holiday of ``country``) of the month.

    This is the cut-off in Swedish regional reporting ("events reported by 24:00
    on the last weekday of the month"): e.g. in Sweden 30 December 2026, because
    the 31st is Nyårsafton.
    """
    code = _country(country)
    return [day for day in _month_days(year, month) if is_working_day(day, code)][-1]


def nth_working_day_of_month(year: int, month: int, n: int, country: str) -> datetime.date:
    """The ``n``-th (1-based) working day of the month; ValueError if it has fewer."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    code = _country(country)
    days = [day for day in _month_days(year, month) if is_working_day(day, code)]
    if n > len(days):
        raise ValueError(f"{year}-{month:02d} has only {len(days)} working days in {code}, not {n}")
    return days[n - 1]
