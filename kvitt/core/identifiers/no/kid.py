"""KID (kundeidentifikasjon, Norwegian payment reference).

A KID identifies a payment for the payee's bank and accounting system. It is
digits only, at most 25 characters including the check digit, which is the last
character. The payee's bank agreement fixes the length and the algorithm:

* ``MOD10``: Luhn. Weights 2, 1, 2, 1 ... from the right of the body, the digit
  sums of the products are added, the check digit is ``(10 - sum % 10) % 10``.
* ``MOD11``: weights 2, 3, 4, 5, 6, 7, 2, 3 ... from the right of the body,
  ``r = sum % 11``; ``r == 0`` gives ``0``, ``r == 1`` gives ``-`` (a KID may
  end in a hyphen), otherwise ``11 - r``.

>>> calc_check_digit('12345678', 'MOD10')
'2'
>>> calc_check_digit('12345678', 'MOD11')
'5'
>>> make('1009', 'MOD11')
'1009-'
>>> make('42', 'MOD10', length=8)
'00000422'
"""

from __future__ import annotations

from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError

from kvitt.core.identifiers._util import strip_chars

MOD10 = "MOD10"
MOD11 = "MOD11"
ALGORITHMS = (MOD10, MOD11)
MIN_LENGTH = 2  # at least one body digit and the check digit
MAX_LENGTH = 25


def _normalise_algorithm(algorithm: str) -> str:
    name = str(algorithm).strip().upper().replace(" ", "").replace("-", "")
    if name in ("MOD10", "MODULUS10", "LUHN"):
        return MOD10
    if name in ("MOD11", "MODULUS11"):
        return MOD11
    raise ValueError(f"unknown KID algorithm {algorithm!r}; use MOD10 or MOD11")


def _require_body_digits(body: str) -> None:
    if not body:
        raise InvalidLength("KID body is empty")
    if not body.isascii() or not body.isdigit():
        raise InvalidFormat(f"KID body {body!r} may contain only digits")


def _mod11_check_digit(body: str) -> str:
    total = sum(int(digit) * (2 + i % 6) for i, digit in enumerate(reversed(body)))
    remainder = total % 11
    if remainder == 0:
        return "0"
    if remainder == 1:
        return "-"
    return str(11 - remainder)


def calc_check_digit(body: str, algorithm: str) -> str:
    """Return the check digit for ``body`` (``'0'``-``'9'``, or ``'-'`` for MOD11)."""
    algorithm = _normalise_algorithm(algorithm)
    _require_body_digits(body)
    if algorithm == MOD10:
        return luhn.calc_check_digit(body)
    return _mod11_check_digit(body)


def compact(number: str) -> str:
    """Remove whitespace (KIDs are often printed in groups)."""
    return strip_chars(number, "")


def make(body: str | int, algorithm: str, length: int | None = None) -> str:
    """Build a KID from ``body`` plus check digit.

    With ``length`` the body is left-padded with zeros so that the KID, check
    digit included, has exactly ``length`` digits (the bank agreement's length).
    """
    body = compact(str(body))
    _require_body_digits(body)
    if length is not None:
        if not MIN_LENGTH <= length <= MAX_LENGTH:
            raise ValueError(f"KID length {length} is outside {MIN_LENGTH}-{MAX_LENGTH}")
        if len(body) + 1 > length:
            raise InvalidLength(
                f"KID body {body!r} has {len(body)} digits; with the check digit it "
                f"does not fit in {length} digits"
            )
        body = body.zfill(length - 1)
    if len(body) + 1 > MAX_LENGTH:
        raise InvalidLength(f"KID body {body!r} is too long: a KID has at most {MAX_LENGTH} digits")
    return body + calc_check_digit(body, algorithm)


def _check_shape(number: str) -> None:
    if not MIN_LENGTH <= len(number) <= MAX_LENGTH:
        raise InvalidLength(
            f"KID {number!r} has {len(number)} characters; expected {MIN_LENGTH}-{MAX_LENGTH}"
        )
    body, check = number[:-1], number[-1]
    if not body.isascii() or not body.isdigit():
        raise InvalidFormat(f"KID {number!r} may contain only digits (the last may be '-' for MOD11)")
    if not (check.isascii() and check.isdigit()) and check != "-":
        raise InvalidFormat(f"KID {number!r} ends in {check!r}; the check digit must be 0-9 or '-'")


def _matches(number: str, algorithm: str) -> bool:
    return calc_check_digit(number[:-1], algorithm) == number[-1]


def validate(number: str, algorithm: str | None = None, length: int | None = None) -> str:
    """Check the KID and return its compact form.

    ``algorithm`` None accepts a KID valid under either MOD10 or MOD11; ``length``
    requires that exact length (check digit included).
    """
    number = compact(number)
    _check_shape(number)
    if length is not None and len(number) != length:
        raise InvalidLength(f"KID {number!r} has {len(number)} digits; the agreement requires {length}")
    candidates = ALGORITHMS if algorithm is None else (_normalise_algorithm(algorithm),)
    if any(_matches(number, name) for name in candidates):
        return number
    expected = ", ".join(f"{name} expects {calc_check_digit(number[:-1], name)!r}" for name in candidates)
    raise InvalidChecksum(f"KID {number!r}: check digit {number[-1]!r} is wrong ({expected})")


def detect_algorithms(number: str) -> tuple[str, ...]:
    """The algorithms under which ``number`` is a valid KID (may be both or none)."""
    number = compact(number)
    try:
        _check_shape(number)
    except ValidationError:
        return ()
    return tuple(name for name in ALGORITHMS if _matches(number, name))


def is_valid(number: str, algorithm: str | None = None, length: int | None = None) -> bool:
    try:
        return bool(validate(number, algorithm, length))
    except ValidationError:
        return False


def format(number: str) -> str:
    """KIDs are written as one unbroken group of digits."""
    return compact(number)
