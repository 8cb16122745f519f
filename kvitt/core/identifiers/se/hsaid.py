"""HSA-id (identifier in Inera's HSA directory of Swedish health and care).

Persons, care units and functions (also systems, in SITHS function certificates)
carry an HSA-id: ``SE`` + the directory owner's 10-digit organisation number
(Luhn-valid, no hyphen) + ``-`` + one or more letters A-Z/a-z or digits 0-9.
Å, Ä, Ö and ``@`` are not allowed, and the whole id is at most 31 characters.

Many directory owners write their organisation number in the 12-digit form with
the ``16`` prefix (``SE162321000016-...``); that form is accepted as the same
organisation number and kept as written, since HSA-ids are compared as strings.

>>> validate('SE2321000016-15BD')
'SE2321000016-15BD'
>>> get_organisation_number('SE162321000255-O10951')
'2321000255'
"""

from __future__ import annotations

import re

from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError

from kvitt.core.identifiers._util import strip_chars

MAX_LENGTH = 31
_SHAPE = re.compile(r"^SE(?P<prefix>16)?(?P<orgnr>[0-9]{10})-(?P<suffix>[A-Za-z0-9]+)$")


def compact(number: str) -> str:
    """Remove whitespace and upper-case the country code."""
    number = strip_chars(number, "")
    if number[:2].upper() == "SE":
        number = "SE" + number[2:]
    return number


def _parts(number: str) -> re.Match[str]:
    if len(number) > MAX_LENGTH:
        raise InvalidLength(f"HSA-id {number!r} has {len(number)} characters; at most {MAX_LENGTH} are allowed")
    if not number.startswith("SE"):
        raise InvalidFormat(f"HSA-id {number!r} must start with the country code SE")
    match = _SHAPE.match(number)
    if match is None:
        raise InvalidFormat(
            f"HSA-id {number!r} must be SE + 10-digit organisation number + '-' + letters "
            "A-Z/a-z or digits (å, ä, ö and @ are not allowed)"
        )
    return match


def get_organisation_number(number: str) -> str:
    """The directory owner's 10-digit organisation number."""
    return _parts(compact(number)).group("orgnr")


def validate(number: str) -> str:
    """Check shape, length and the organisation number's Luhn check digit."""
    number = compact(number)
    orgnr = _parts(number).group("orgnr")
    if luhn.checksum(orgnr) != 0:
        raise InvalidChecksum(
            f"HSA-id {number!r}: organisation number {orgnr} has a wrong check digit "
            f"(expected {luhn.calc_check_digit(orgnr[:-1])})"
        )
    return number


def is_valid(number: str) -> bool:
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: str) -> str:
    return compact(number)
