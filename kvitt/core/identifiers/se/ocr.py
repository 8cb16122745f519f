"""OCR-referensnummer (Swedish payment reference for bankgiro/PlusGiro payments).

An OCR reference is 2-25 digits; the last is a Luhn (mod 10) check digit over
the whole reference. The payee's agreement with Bankgirot fixes the control
level the payer's internet bank applies:

* ``soft`` (mjuk kontroll): the bank warns on a wrong check digit but lets the
  payer go on, so payments can arrive with a reference whose check digit fails.
  ``validate(..., level="soft")`` therefore checks only digits and length; use
  :func:`has_valid_check_digit` to flag the reference for review.
* ``hard`` (hård kontroll, check digit): the Luhn check digit must be right.
* ``variable`` (hård kontroll, check digit and variable length): also the
  second-to-last digit (the length digit) must equal the total length, check
  and length digits included, modulo 10.
* ``fixed`` (hård kontroll, check digit and fixed length): also the length must
  be one of the agreed lengths (Bankgirot allows one or two), given as ``lengths``.

>>> make('123456', length_digit=True)
'12345682'
>>> validate('12345682', level='variable')
'12345682'
"""

from __future__ import annotations

from collections.abc import Iterable

from stdnum import luhn
from stdnum.exceptions import InvalidFormat, InvalidLength, ValidationError

from kvitt.core.identifiers._util import require_digits, require_length, require_luhn, strip_chars

SOFT = "soft"
HARD = "hard"
VARIABLE = "variable"
FIXED = "fixed"
LEVELS = (SOFT, HARD, VARIABLE, FIXED)
MIN_LENGTH = 2
MAX_LENGTH = 25


def compact(number: str) -> str:
    """Remove whitespace and hyphens."""
    return strip_chars(number, "-")


def calc_length_digit(total_length: int) -> str:
    """The length digit for a reference of ``total_length`` digits (mod 10)."""
    return str(total_length % 10)


def make(body: str | int, length_digit: bool = False) -> str:
    """Append (optionally) the length digit and then the Luhn check digit to ``body``."""
    body = compact(str(body))
    if not body:
        raise InvalidLength("OCR reference body is empty")
    require_digits(body, "OCR reference body")
    if length_digit:
        body += calc_length_digit(len(body) + 2)
    reference = body + luhn.calc_check_digit(body)
    if len(reference) > MAX_LENGTH:
        raise InvalidLength(
            f"OCR reference {reference!r} would have {len(reference)} digits; at most {MAX_LENGTH} are allowed"
        )
    return reference


def has_valid_check_digit(number: str) -> bool:
    """True when the last digit is the right Luhn check digit."""
    number = compact(number)
    return len(number) >= MIN_LENGTH and number.isascii() and number.isdigit() and luhn.checksum(number) == 0


def _normalise_lengths(lengths: int | Iterable[int] | None) -> tuple[int, ...]:
    if lengths is None:
        raise ValueError("the 'fixed' control level needs the agreed lengths")
    values = (lengths,) if isinstance(lengths, int) else tuple(lengths)
    if not values or any(not MIN_LENGTH <= value <= MAX_LENGTH for value in values):
        raise ValueError(f"agreed OCR lengths {values!r} must be between {MIN_LENGTH} and {MAX_LENGTH}")
    return values


def validate(number: str, level: str = HARD, lengths: int | Iterable[int] | None = None) -> str:
    """Check the reference under the agreement's control ``level``; return the compact form."""
    if level not in LEVELS:
        raise ValueError(f"unknown OCR control level {level!r}; use one of {', '.join(LEVELS)}")
    number = compact(number)
    require_digits(number, "OCR reference")
    require_length(number, "OCR reference", MIN_LENGTH, MAX_LENGTH)
    if level == SOFT:
        return number
    require_luhn(number, "OCR reference")
    if level == VARIABLE:
        _require_length_digit(number)
    elif level == FIXED:
        allowed = _normalise_lengths(lengths)
        if len(number) not in allowed:
            raise InvalidLength(
                f"OCR reference {number!r} has {len(number)} digits; the agreement allows "
                f"{' or '.join(str(value) for value in allowed)}"
            )
    return number


def _require_length_digit(number: str) -> None:
    if len(number) < 3:
        raise InvalidLength(f"OCR reference {number!r} is too short to carry a length digit")
    expected = calc_length_digit(len(number))
    if number[-2] != expected:
        raise InvalidFormat(
            f"OCR reference {number!r}: length digit {number[-2]} is wrong; the reference has "
            f"{len(number)} digits, so the second-to-last digit must be {expected}"
        )


def is_valid(number: str, level: str = HARD, lengths: int | Iterable[int] | None = None) -> bool:
    try:
        return bool(validate(number, level, lengths))
    except ValidationError:
        return False


def format(number: str) -> str:
    """OCR references are written as one unbroken group of digits."""
    return compact(number)
