"""Reservnummer (Swedish reserve identity for patients without a usable personnummer).

There is no single national format in use: each region has its own (Region
Stockholm ``99YYYYNNNNNC``, Västra Götaland ``YYYYMMDDGggC`` with G = K/M/X,
Värmland ``YYYYMMDDSBNC``, Inera Carelink ``YYYYMMxxNNNC`` with xx = 32-59, ...),
and Inera's national reserve identity (NRID) is ``XXYYMMDDNNGC``. What they share,
and what Kvitt's rule checks:

* exactly 12 characters once spaces and hyphens are removed (NRID and the
  regional formats are stored without separators; some are printed with a
  hyphen after the eighth character);
* the first eight are digits (a date, a year, a series prefix);
* the last four are ASCII letters or digits (no Å/Ä/Ö, no punctuation).
  Case is kept as given because one region's format distinguishes ``k`` and ``K``;
* a number made only of digits that is shaped like a personnummer or
  samordningsnummer (century 18-20 and a real date, or date + 60) is refused,
  whether its Luhn digit is right or not: no regional format has that shape, so
  it is either that national number or a mistyped one.

The rule does not check regional check digits (each region has its own) nor
whether the region issued the number. The short form some regions print
(six digits + four characters) is refused: record the 12-character form.

>>> validate('19810829M071')
'19810829M071'
>>> format('991981000010')
'99198100-0010'
"""

from __future__ import annotations

import datetime

from stdnum import luhn
from stdnum.exceptions import InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from kvitt.core.identifiers._util import strip_chars

LENGTH = 12
_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def compact(number: str) -> str:
    """Remove whitespace and hyphens; keep the case of letters."""
    return strip_chars(number, "-")


def _looks_like_national_id(number: str) -> str | None:
    """'personnummer' or 'samordningsnummer' when the 12 digits have that shape.

    No regional reserve format is all digits with century 18-20 and a real date
    (or date + 60), so such a number is a national one, or a mistyped one.
    """
    if not number.isdigit() or number[:2] not in ("18", "19", "20"):
        return None
    year, month, day = int(number[:4]), int(number[4:6]), int(number[6:8])
    for offset, kind in ((0, "personnummer"), (60, "samordningsnummer")):
        try:
            datetime.date(year, month, day - offset)
        except ValueError:
            continue
        return kind
    return None


def validate(number: str) -> str:
    """Check Kvitt's common reserve-number rule (see module docs); return the compact form."""
    number = compact(number)
    if len(number) != LENGTH:
        raise InvalidLength(
            f"reservnummer {number!r} has {len(number)} characters; expected {LENGTH} "
            "(8 digits followed by 4 letters or digits)"
        )
    bad = sorted({char for char in number if char not in _ALNUM})
    if bad:
        raise InvalidFormat(f"reservnummer {number!r} contains characters not allowed: {''.join(bad)!r}")
    if not number[:8].isdigit():
        raise InvalidFormat(f"reservnummer {number!r}: the first 8 characters must be digits")
    kind = _looks_like_national_id(number)
    if kind:
        verdict = "a valid" if luhn.checksum(number[2:]) == 0 else "shaped like a (mistyped)"
        raise InvalidComponent(
            f"{number!r} is {verdict} {kind}, not a reservnummer: reserve numbers never have that shape"
        )
    return number


def is_valid(number: str) -> bool:
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: str) -> str:
    """``NNNNNNNN-XXXX``, the printed form several regions use."""
    number = compact(number)
    return f"{number[:8]}-{number[8:]}"
