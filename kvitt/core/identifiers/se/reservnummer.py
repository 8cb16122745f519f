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

The rule does not check regional check digits nor whether the region issued
the number. The short form some regions print (six digits + four characters) is
refused: record the 12-character form.

:func:`get_schemes` recognises the formats Inera publishes for local reserve
identities (Region Stockholm, Västra Götaland, Värmland, Inera Carelink, with
their OIDs) and the national reserve identity, checking the check digits those
formats define. A number may match more than one scheme or none; the issuing
system's OID, when known, is the authority.

>>> validate('19810829M071')
'19810829M071'
>>> format('991981000010')
'99198100-0010'
"""

from __future__ import annotations

import datetime
import re
from typing import NamedTuple

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


class Scheme(NamedTuple):
    code: str
    name: str
    oid: str | None


SLL = Scheme("SLL", "Region Stockholm", "1.2.752.97.3.1.3")
VGR = Scheme("VGR", "Västra Götalandsregionen", "1.2.752.113.11.0.2.1.1.1")
LIV = Scheme("LiV", "Region Värmland", "1.2.752.74.9.2")
CLNK = Scheme("CLNK", "Inera Carelink", "1.2.752.129.2.1.3.2")
NRID = Scheme("NRID", "Nationellt reservnummer (Inera)", None)

_VGR_LETTER_VALUES = {"K": "5", "M": "7", "X": "8"}


def _is_date(yyyymmdd: str) -> bool:
    try:
        datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return True


def _is_sll(number: str) -> bool:
    # 99yyyyNNNNNC; the Luhn digit covers positions 5-12
    return re.fullmatch(r"99\d{10}", number) is not None and luhn.checksum(number[4:]) == 0


def _is_vgr(number: str) -> bool:
    # yyyymmddGggC, G = K/M/X, gg = 06-89; Luhn over the last ten with K=5, M=7, X=8
    if re.fullmatch(r"\d{8}[KMX](0[6-9]|[1-8]\d)\d", number) is None or not _is_date(number[:8]):
        return False
    digits = "".join(_VGR_LETTER_VALUES.get(char, char) for char in number[2:])
    return luhn.checksum(digits) == 0


def _is_liv(number: str) -> bool:
    # yyyymmdd S (Värmland) + type F/U/X/P/L + gender digit + order letter (not V) or 1-9
    return re.fullmatch(r"\d{8}S[FUXPL]\d[A-UW-Z1-9]", number) is not None and _is_date(number[:8])


def _is_clnk(number: str) -> bool:
    # yyyymm + day 32-59 + NNN + Luhn over the last ten
    pattern = r"(1[7-9]|20)\d{2}(0[1-9]|1[0-2])(3[2-9]|[45]\d)\d{4}"
    return re.fullmatch(pattern, number) is not None and luhn.checksum(number[2:]) == 0


def _is_nrid(number: str) -> bool:
    # XXYYMMDD + letters (A-Z without I, O, Q, V, W) + digits; XX 00 or century + 3..78
    letters = "[A-HJ-NPR-UX-Z]"
    pattern = rf"(00|2[2-9]|[3-9]\d)\d{{6}}({letters}{{2}}\d{{2}}|{letters}{{3}}\d)"
    return re.fullmatch(pattern, number) is not None


_RECOGNISERS = ((SLL, _is_sll), (VGR, _is_vgr), (LIV, _is_liv), (CLNK, _is_clnk), (NRID, _is_nrid))


def get_schemes(number: str) -> tuple[Scheme, ...]:
    """The published reserve-number formats ``number`` satisfies (possibly none, possibly several)."""
    if not is_valid(number):
        return ()
    number = compact(number)
    return tuple(scheme for scheme, matches in _RECOGNISERS if matches(number))


def format(number: str) -> str:
    """``NNNNNNNN-XXXX``, the printed form several regions use."""
    number = compact(number)
    return f"{number[:8]}-{number[8:]}"
