"""Recognise a patient's national identity number and give its storage form.

``classify_national_id(number, country)`` returns ``(id_type, canonical)`` where
``id_type`` is one of the ``Patient.id_type`` values:

* NO: ``fnr`` (fødselsnummer) or ``dnr`` (D-nummer: day of birth + 40), checked
  with ``stdnum.no.fodselsnummer``; canonical form is the 11 digits.
  H-numbers (month + 40, internal help numbers of one health institution) and
  FH-numbers are refused: they are not national identifiers a payer accepts.
* SE: ``personnummer`` (``stdnum.se.personnummer``), ``samordningsnummer``
  (day + 60) or ``reservnummer`` (Kvitt's common regional rule, see
  :mod:`kvitt.core.identifiers.se.reservnummer`). Personnummer and
  samordningsnummer are stored as 12 digits ``YYYYMMDDNNNC`` (no separator):
  the 10-digit form's century depends on the ``-``/``+`` sign, which changes when
  the holder turns 100, so it is resolved once, here, against ``today``.

Errors are ``stdnum.exceptions.ValidationError`` subclasses with a message that
names the number type and what is wrong.
"""

from __future__ import annotations

import datetime

from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.no import fodselsnummer
from stdnum.se import personnummer

from kvitt.core.identifiers._util import strip_chars
from kvitt.core.identifiers.se import reservnummer, samordningsnummer

FNR = "fnr"
DNR = "dnr"
PERSONNUMMER = "personnummer"
SAMORDNINGSNUMMER = "samordningsnummer"
RESERVNUMMER = "reservnummer"
ID_TYPES = (FNR, DNR, PERSONNUMMER, SAMORDNINGSNUMMER, RESERVNUMMER)


def classify_national_id(
    number: str, country: str, today: datetime.date | None = None
) -> tuple[str, str]:
    """Return ``(id_type, canonical form)`` or raise a ValidationError saying what is wrong."""
    country = (country or "").strip().upper()
    if country == "NO":
        return _classify_norwegian(number)
    if country == "SE":
        return _classify_swedish(number, today)
    raise ValueError(f"national identity numbers are supported for NO and SE, not {country!r}")


# --- Norway -----------------------------------------------------------------


def _classify_norwegian(number: str) -> tuple[str, str]:
    digits = fodselsnummer.compact(number)
    if len(digits) != 11:
        raise InvalidLength(f"fødselsnummer/D-nummer {digits!r} has {len(digits)} digits; expected 11")
    if not digits.isascii() or not digits.isdigit():
        raise InvalidFormat(f"fødselsnummer/D-nummer {digits!r} may contain only digits")
    day, month = int(digits[0:2]), int(digits[2:4])
    if day >= 80:
        raise InvalidComponent(f"{digits!r} is an FH-number (no birth date), not a fødselsnummer or D-nummer")
    if month > 40:
        raise InvalidComponent(
            f"{digits!r} is an H-number (month + 40, a help number internal to one institution), "
            "not a fødselsnummer or D-nummer"
        )
    id_type = DNR if day > 40 else FNR
    label = "D-nummer" if id_type == DNR else "fødselsnummer"
    try:
        fodselsnummer.validate(digits)
    except InvalidChecksum:
        raise InvalidChecksum(
            f"{label} {digits!r}: check digits are wrong (expected "
            f"{_norwegian_check_digits(digits)})"
        ) from None
    except ValidationError as error:
        raise type(error)(f"{label} {digits!r}: {error}") from None
    return id_type, digits


def _norwegian_check_digits(digits: str) -> str:
    first = fodselsnummer.calc_check_digit1(digits[:9])
    if first == "10":
        return "none: no valid fødselsnummer has these nine digits"
    return first + fodselsnummer.calc_check_digit2(digits[:9] + first)


# --- Sweden -----------------------------------------------------------------


def _split_swedish(number: str) -> tuple[str, str]:
    """Digits/characters without separators, and the separator (``-`` unless ``+`` given)."""
    cleaned = strip_chars(number, ":")
    separator = "+" if "+" in cleaned else "-"
    return cleaned.replace("-", "").replace("+", ""), separator


def _twelve_digits(digits: str, separator: str, today: datetime.date | None) -> str:
    if len(digits) == 12:
        return digits
    return f"{samordningsnummer.full_year(int(digits[:2]), separator, today):04d}{digits[2:]}"


def _classify_swedish(number: str, today: datetime.date | None) -> tuple[str, str]:
    bare, separator = _split_swedish(number)
    all_digits = bare.isascii() and bare.isdigit()
    if all_digits and len(bare) in (10, 12):
        day = int(bare[-6:-4])
        century_ok = len(bare) == 10 or bare[:2] in ("18", "19", "20")
        if century_ok and 61 <= day <= 91:
            samordningsnummer.validate(bare[:-4] + separator + bare[-4:], today)
            canonical = _twelve_digits(bare, separator, today)
            _require_born(canonical, "samordningsnummer", today)
            return SAMORDNINGSNUMMER, canonical
        if century_ok and 1 <= day <= 31:
            canonical = _twelve_digits(bare, separator, today)
            error = _personnummer_error(bare[:-4] + separator + bare[-4:])
            if error is not None:
                raise error
            _require_born(canonical, "personnummer", today)
            return PERSONNUMMER, canonical
        if len(bare) == 10:
            raise InvalidComponent(
                f"{bare!r}: day part {day:02d} is neither a day (01-31, personnummer) "
                "nor a day + 60 (61-91, samordningsnummer)"
            )
    if len(bare) != 12:
        raise InvalidLength(
            f"{number!r} is not a Swedish identity number: expected a personnummer or "
            "samordningsnummer (10 or 12 digits) or a reservnummer (12 characters)"
        )
    return RESERVNUMMER, reservnummer.validate(bare)


def _require_born(twelve: str, kind: str, today: datetime.date | None) -> None:
    day = int(twelve[6:8])
    born = datetime.date(int(twelve[:4]), int(twelve[4:6]), day - 60 if day > 60 else day)
    if born > (today or datetime.date.today()):
        raise InvalidComponent(f"{kind} {twelve!r}: birth date {born.isoformat()} is in the future")


def _personnummer_error(number: str) -> ValidationError | None:
    try:
        personnummer.validate(number)
    except InvalidChecksum:
        ten = (number[:-5] + number[-4:])[-10:]
        return InvalidChecksum(
            f"personnummer {number!r}: check digit {ten[-1]} is wrong, expected {luhn.calc_check_digit(ten[:-1])}"
        )
    except InvalidComponent:
        return InvalidComponent(f"personnummer {number!r}: the date part is not a valid date")
    except ValidationError as error:
        return type(error)(f"personnummer {number!r}: {error}")
    return None
