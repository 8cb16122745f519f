"""HPR number (Helsepersonellnummer, Norwegian health personnel register number).

Every authorised or licensed health professional in Norway is registered in the
Helsepersonellregisteret (HPR) and gets an HPR number. The register stores it as
a positive integer; numbers seen in practice have 7 to 9 digits (e.g. the test
number ``181000001`` used in HelseID's documentation).

There is no public check digit algorithm for HPR numbers, so this module checks
format and length only: digits, 7-9 of them, no leading zero (a leading zero
would denote a different, shorter integer). Whether a number is actually in
the register can only be answered by looking it up in HPR.

>>> validate('181 000 001')
'181000001'
"""

from __future__ import annotations

from stdnum.exceptions import InvalidFormat, ValidationError

from kvitt.core.identifiers._util import require_digits, require_length, strip_chars

MIN_LENGTH = 7
MAX_LENGTH = 9


def compact(number: str) -> str:
    """Remove whitespace, hyphens and dots."""
    return strip_chars(number, "-.")


def validate(number: str) -> str:
    """Check the HPR number's format and length (no checksum exists)."""
    number = compact(number)
    require_digits(number, "HPR number")
    require_length(number, "HPR number", MIN_LENGTH, MAX_LENGTH)
    if number.startswith("0"):
        raise InvalidFormat(f"HPR number {number!r} must not start with 0")
    return number


def is_valid(number: str) -> bool:
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: str) -> str:
    return compact(number)
