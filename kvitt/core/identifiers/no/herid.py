"""HER-id (identifier in Norsk helsenett's address register, Adresseregisteret).

Every communication party in the Norwegian health network (organisations,
departments, services, persons in a role) has a HER-id: a positive integer
assigned by Norsk helsenett, used to address messages (e.g. to Helfo). It has no
check digit. Kvitt accepts 1-9 digits without a leading zero: HER-ids in use are
well below that bound, and the register handles them as integers.

>>> validate(' 8142987 ')
'8142987'
"""

from __future__ import annotations

from stdnum.exceptions import InvalidFormat, ValidationError

from kvitt.core.identifiers._util import require_digits, require_length, strip_chars

MIN_LENGTH = 1
MAX_LENGTH = 9


def compact(number: str | int) -> str:
    """Remove whitespace; integers are accepted and turned into text."""
    if isinstance(number, int) and not isinstance(number, bool):
        number = str(number)
    return strip_chars(number, "")


def validate(number: str | int) -> str:
    """Check the HER-id's format and length (no checksum exists)."""
    number = compact(number)
    if not number:
        raise InvalidFormat("HER-id is empty")
    require_digits(number, "HER-id")
    require_length(number, "HER-id", MIN_LENGTH, MAX_LENGTH)
    if number.startswith("0"):
        raise InvalidFormat(f"HER-id {number!r} must be a positive integer without leading zeros")
    return number


def is_valid(number: str | int) -> bool:
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: str | int) -> str:
    return compact(number)
