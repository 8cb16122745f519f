"""Plusgironummer (Swedish PlusGiro number, now run by Nordea).

A PlusGiro number has 2 to 8 digits; the last is a Luhn (mod 10) check digit over
the whole number. It is written with the check digit after a hyphen and the rest
in pairs from the right: ``12 34 56-7``, ``4 56-7``, ``1-8``.

>>> validate('28 65 43-4')
'2865434'
>>> format('2865434')
'28 65 43-4'
"""

from __future__ import annotations

from stdnum.exceptions import ValidationError

from kvitt.core.identifiers._util import require_digits, require_length, require_luhn, strip_chars

MIN_LENGTH = 2
MAX_LENGTH = 8


def compact(number: str) -> str:
    """Remove whitespace and hyphens."""
    return strip_chars(number, "-")


def validate(number: str) -> str:
    """Check digits, length (2-8) and the Luhn check digit; return the compact form."""
    number = compact(number)
    require_digits(number, "PlusGiro number")
    require_length(number, "PlusGiro number", MIN_LENGTH, MAX_LENGTH)
    require_luhn(number, "PlusGiro number")
    return number


def is_valid(number: str) -> bool:
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: str) -> str:
    number = compact(number)
    body, check = number[:-1], number[-1]
    pairs = []
    while body:
        pairs.insert(0, body[-2:])
        body = body[:-2]
    return f"{' '.join(pairs)}-{check}"
