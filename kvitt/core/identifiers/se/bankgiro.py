"""Bankgironummer (Swedish bankgiro number).

A bankgiro number addresses a payee in Bankgirot's system. It has 7 or 8 digits,
the last being a Luhn (mod 10) check digit over the whole number. It is written
``NNN-NNNN`` (7 digits) or ``NNNN-NNNN`` (8 digits).

>>> validate('5050-1055')
'50501055'
>>> format('9912346')
'991-2346'
"""

from __future__ import annotations

from stdnum.exceptions import ValidationError

from kvitt.core.identifiers._util import require_digits, require_length, require_luhn, strip_chars

MIN_LENGTH = 7
MAX_LENGTH = 8


def compact(number: str) -> str:
    """Remove whitespace and hyphens."""
    return strip_chars(number, "-")


def validate(number: str) -> str:
    """Check digits, length (7-8) and the Luhn check digit; return the compact form."""
    number = compact(number)
    require_digits(number, "Bankgiro number")
    require_length(number, "Bankgiro number", MIN_LENGTH, MAX_LENGTH)
    require_luhn(number, "Bankgiro number")
    return number


def is_valid(number: str) -> bool:
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: str) -> str:
    """``NNN-NNNN`` or ``NNNN-NNNN``: the hyphen always precedes the last four digits."""
    number = compact(number)
    return f"{number[:-4]}-{number[-4:]}"
