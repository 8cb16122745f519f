"""Money as integer minor units (øre/öre), never float.

Kvitt stores every amount as an ``int`` of minor units: NOK 1 234,50 is
``123450``. Conversions to and from ``Decimal`` are explicit and rounded
ROUND_HALF_UP (ties away from zero: 0.005 -> 0.01, -0.005 -> -0.01), the rule
Norwegian and Swedish invoices use. Floats are refused everywhere: they cannot
hold øre exactly.
"""

from __future__ import annotations

import re
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
)
from fractions import Fraction

from babel.numbers import format_currency, get_currency_precision

MINOR_UNITS = 100  # NOK, SEK, EUR, DKK: 1 krone/krona/euro = 100 minor units
_CENT = Decimal("0.01")
_ONE = Decimal("1")
SUPPORTED_LOCALES = ("nb", "sv", "en")
_ROUNDINGS = (ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP)

# Thousands may be grouped with a space, a no-break space or a narrow no-break space
# (babel's nb/sv output); groups must then be exactly three digits. The decimal
# separator is ',' or '.', with one or two decimals, or ',-' for whole kroner.
_AMOUNT = re.compile(
    r"^(?P<sign>[+\-\u2212])?"
    r"(?P<whole>\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)"
    r"(?:[.,](?P<fraction>\d{1,2}|-))?$"
)


def _require_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int of minor units (øre), not {type(value).__name__}")
    return value


def _require_decimal(value: object, name: str) -> Decimal:
    if isinstance(value, float):
        raise TypeError(f"{name} must be a Decimal, not float ({value!r}): floats cannot hold øre exactly")
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite number, not {value}")
    return value


def parse_amount(text: str) -> int:
    """Parse an amount in kroner written by a person or a file into øre.

    Accepts ``"1234"``, ``"1234.50"``, ``"1234,5"``, ``"1 234,50"``, ``"-12,00"``
    and ``"1234,-"``; refuses anything else (currency symbols, ``"1.234,50"``,
    ``"1,234.50"``, three decimals, misplaced group separators) with a ValueError
    that quotes the text.
    """
    if not isinstance(text, str):
        raise TypeError(f"amount text must be str, not {type(text).__name__}")
    match = _AMOUNT.match(text.strip())
    if match is None:
        raise ValueError(
            f"{text!r} is not an amount: expected kroner like 1234, 1234.50 or 1 234,50 "
            "(at most two decimals, no currency)"
        )
    whole = int(re.sub(r"\D", "", match["whole"]))
    fraction = match["fraction"]
    minor = 0 if fraction in (None, "-") else int(fraction.ljust(2, "0"))
    ore = whole * MINOR_UNITS + minor
    return -ore if match["sign"] in ("-", "\u2212") else ore


def to_decimal(ore: int) -> Decimal:
    """Øre to kroner as a Decimal with exactly two decimals: 123450 -> Decimal('1234.50')."""
    ore = _require_int(ore, "ore")
    return (Decimal(ore) / MINOR_UNITS).quantize(_CENT)


def from_decimal(amount: Decimal) -> int:
    """Kroner (Decimal or int) to øre, rounding ROUND_HALF_UP to whole øre."""
    amount = _require_decimal(amount, "amount")
    return int((amount * MINOR_UNITS).quantize(_ONE, rounding=ROUND_HALF_UP))


def _babel_locale(locale: str) -> str:
    tag = str(locale).replace("-", "_")
    base = tag.split("_")[0].lower()
    if base == "no":  # "Norwegian" without a written standard: Kvitt writes bokmål
        return "nb"
    if base not in SUPPORTED_LOCALES:
        raise ValueError(f"locale {locale!r} is not supported; use one of {', '.join(SUPPORTED_LOCALES)}")
    return tag


def format_amount(ore: int, currency: str = "NOK", locale: str = "nb") -> str:
    """Format øre for people with babel: ``format_amount(123450)`` -> ``'1 234,50 kr'`` (no-break spaces)."""
    ore = _require_int(ore, "ore")
    currency = currency.upper()
    if get_currency_precision(currency) != 2:
        raise ValueError(f"currency {currency} does not have 2 decimals; Kvitt's minor units are 1/100")
    return format_currency(to_decimal(ore), currency, locale=_babel_locale(locale))


def split_evenly(ore: int, n: int) -> list[int]:
    """Split ``ore`` into ``n`` parts differing by at most one øre; the sum is exact.

    The remainder goes to the first parts (``split_evenly(1000, 3)`` ->
    ``[334, 333, 333]``). Negative amounts split symmetrically
    (``split_evenly(-1000, 3)`` -> ``[-334, -333, -333]``).
    """
    ore = _require_int(ore, "ore")
    n = _require_int(n, "n")
    if n < 1:
        raise ValueError(f"cannot split into {n} parts; n must be at least 1")
    sign = -1 if ore < 0 else 1
    base, remainder = divmod(abs(ore), n)
    return [sign * (base + (1 if index < remainder else 0)) for index in range(n)]


def percent_of(
    ore: int,
    rate: Decimal,
    days: int | None = None,
    year_days: int = 365,
    rounding: str = ROUND_HALF_UP,
) -> int:
    """``rate`` percent of ``ore``, for ``days`` out of ``year_days`` when given; whole øre.

    The product ``ore * rate / 100 * days / year_days`` is computed exactly (as a
    fraction) and rounded once to whole øre with ``rounding`` (a ``decimal``
    rounding constant; ROUND_HALF_UP by default). Late interest of 12.5 % p.a.
    on NOK 10 000 for 30 days: ``percent_of(1_000_000, Decimal("12.5"), days=30)``
    -> ``10274`` (NOK 102,74).
    """
    ore = _require_int(ore, "ore")
    rate = _require_decimal(rate, "rate")
    exact = Fraction(ore) * Fraction(rate) / 100
    if days is not None:
        days = _require_int(days, "days")
        year_days = _require_int(year_days, "year_days")
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        if year_days <= 0:
            raise ValueError(f"year_days must be positive, got {year_days}")
        exact = exact * days / year_days
    return _round_fraction(exact, rounding)


def _round_fraction(value: Fraction, rounding: str) -> int:
    """Round an exact fraction to an int with a ``decimal`` rounding mode."""
    if rounding not in _ROUNDINGS:
        raise ValueError(f"unsupported rounding {rounding!r}")
    # Integer arithmetic keeps the tie test exact: a tie is twice the remainder
    # equal to the denominator (a rounded Decimal quotient could fake or hide one).
    floor, remainder = divmod(value.numerator, value.denominator)
    if remainder == 0:
        return floor
    twice, denominator = 2 * remainder, value.denominator
    negative = value < 0
    if rounding == ROUND_FLOOR:
        return floor
    if rounding == ROUND_CEILING:
        return floor + 1
    if rounding == ROUND_DOWN:
        return floor + 1 if negative else floor
    if rounding == ROUND_UP:
        return floor if negative else floor + 1
    if twice != denominator:
        return floor + 1 if twice > denominator else floor
    if rounding == ROUND_HALF_UP:
        return floor if negative else floor + 1
    if rounding == ROUND_HALF_DOWN:
        return floor + 1 if negative else floor
    return floor + (floor % 2)  # ROUND_HALF_EVEN
