"""Samordningsnummer (Swedish coordination number).

Skatteverket gives a coordination number to people who are not (or not yet)
registered in Sweden. It is built like a personnummer, ``YYMMDD-NNNC`` or
``YYYYMMDD-NNNC``, except that 60 is added to the day of birth (so the day part
is 61-91). The check digit ``C`` is the Luhn (mod 10) digit over the 10-digit
form. As with personnummer, ``+`` replaces ``-`` in the 10-digit form from the
year the holder turns 100. python-stdnum's ``se.personnummer`` rejects these
numbers because day 61-91 is not a date.

The compact form follows python-stdnum's personnummer: the separator is kept
(``701063-2391``, ``19701063-2391``) because in the 10-digit form it carries the
century.

>>> validate('701063-2391')
'701063-2391'
>>> get_birth_date('197010632391')
datetime.date(1970, 10, 3)
"""

from __future__ import annotations

import datetime

from stdnum.exceptions import InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from kvitt.core.identifiers._util import require_luhn, strip_chars

DAY_OFFSET = 60


def compact(number: str) -> str:
    """Remove whitespace and colons; put the ``-`` (or given ``+``) before the last four digits.

    Input that is not 10 or 12 digits is returned otherwise unchanged, so that
    :func:`validate` can say what is wrong with it.
    """
    number = strip_chars(number, ":")
    separator = "+" if "+" in number else "-"
    bare = number.replace("-", "").replace("+", "")
    if len(bare) in (10, 12) and bare.isascii() and bare.isdigit():
        return f"{bare[:-4]}{separator}{bare[-4:]}"
    return number


def _check_shape(number: str) -> None:
    if len(number) not in (11, 13):
        raise InvalidLength(
            f"samordningsnummer {number!r} must have 10 or 12 digits (YYMMDD-NNNC or YYYYMMDD-NNNC)"
        )
    digits = number[:-5] + number[-4:]
    if number[-5] not in "-+" or not digits.isascii() or not digits.isdigit():
        raise InvalidFormat(f"samordningsnummer {number!r} must be digits with '-' or '+' before the last four")


def full_year(two_digit_year: int, separator: str, today: datetime.date | None = None) -> int:
    """The four-digit year for a 10-digit Swedish identity number.

    The most recent year ending in ``two_digit_year`` that is not after ``today``;
    one century earlier when the separator is ``+`` (holder aged 100 or more).
    The same rule applies to personnummer.
    """
    today = today or datetime.date.today()
    century = today.year // 100
    if two_digit_year > today.year % 100:
        century -= 1
    if separator == "+":
        century -= 1
    return century * 100 + two_digit_year


def get_birth_date(number: str, today: datetime.date | None = None) -> datetime.date:
    """The holder's birth date (day part minus 60).

    For the 10-digit form the century is inferred as for personnummer: the most
    recent year not after ``today``, one century earlier with ``+``.
    """
    number = compact(number)
    _check_shape(number)
    if len(number) == 13:
        year = int(number[0:4])
        month, day = int(number[4:6]), int(number[6:8])
    else:
        year = full_year(int(number[0:2]), number[-5], today)
        month, day = int(number[2:4]), int(number[4:6])
    if not DAY_OFFSET + 1 <= day <= DAY_OFFSET + 31:
        raise InvalidComponent(
            f"samordningsnummer {number!r}: day part {day:02d} must be 61-91 (day of birth + 60)"
        )
    try:
        return datetime.date(year, month, day - DAY_OFFSET)
    except ValueError:
        raise InvalidComponent(
            f"samordningsnummer {number!r}: {year:04d}-{month:02d}-{day - DAY_OFFSET:02d} is not a date"
        ) from None


def get_gender(number: str) -> str:
    """``'M'`` or ``'F'`` from the parity of the second-to-last digit."""
    number = compact(number)
    return "M" if int(number[-2]) % 2 else "F"


def validate(number: str, today: datetime.date | None = None) -> str:
    """Check format, date (day - 60) and Luhn check digit; return the compact form."""
    number = compact(number)
    _check_shape(number)
    get_birth_date(number, today)
    ten_digits = (number[:-5] + number[-4:])[-10:]
    require_luhn(ten_digits, "samordningsnummer")
    return number


def is_valid(number: str, today: datetime.date | None = None) -> bool:
    try:
        return bool(validate(number, today))
    except ValidationError:
        return False


def format(number: str) -> str:
    return compact(number)
