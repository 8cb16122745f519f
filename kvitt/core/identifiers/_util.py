"""Small helpers shared by the identifier modules."""

from __future__ import annotations

import re

from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

_WHITESPACE = re.compile(r"\s+")


def strip_chars(number: str, chars: str) -> str:
    """Remove whitespace and each of ``chars`` and surrounding blanks."""
    if not isinstance(number, str):
        raise InvalidFormat(f"expected text, got {type(number).__name__}")
    number = _WHITESPACE.sub("", number)
    for char in chars:
        number = number.replace(char, "")
    return number


def require_digits(number: str, what: str) -> None:
    if not number.isascii() or not number.isdigit():
        bad = sorted({c for c in number if not ("0" <= c <= "9")})
        raise InvalidFormat(f"{what} {number!r} may contain only digits (found {''.join(bad)!r})")


def require_length(number: str, what: str, minimum: int, maximum: int) -> None:
    if not minimum <= len(number) <= maximum:
        expected = f"{minimum}" if minimum == maximum else f"{minimum}-{maximum}"
        raise InvalidLength(
            f"{what} {number!r} has {len(number)} digits; expected {expected}"
        )


def require_luhn(number: str, what: str) -> None:
    """Raise a message naming the expected check digit when Luhn fails."""
    if luhn.checksum(number) != 0:
        expected = luhn.calc_check_digit(number[:-1])
        raise InvalidChecksum(
            f"{what} {number!r}: check digit {number[-1]} is wrong, "
            f"the Luhn (mod 10) check digit is {expected}"
        )
