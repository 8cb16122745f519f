"""SakID: the short case id an insurer gives a treatment assignment (e.g. ``6QPTR7``).

The id is read aloud on the phone and typed from paper, so the alphabet leaves out
characters that look or sound alike (0/O, 1/I/L, U/V) and it is drawn with
``secrets`` so that nobody can guess a neighbour's case id from their own.
Six characters from 30 give about 7.3e8 ids; collisions are retried by the caller.
"""

from __future__ import annotations

import secrets

from stdnum.exceptions import InvalidFormat, InvalidLength, ValidationError

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 6


def generate(length: int = LENGTH) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def compact(number: str) -> str:
    """Upper-case and drop the spaces and hyphens people add when they copy a SakID."""
    return "".join(number.split()).replace("-", "").upper()


def validate(number: str) -> str:
    number = compact(number)
    if len(number) != LENGTH:
        raise InvalidLength(f"A SakID has {LENGTH} characters, got {len(number)}")
    bad = sorted({c for c in number if c not in ALPHABET})
    if bad:
        raise InvalidFormat(f"A SakID cannot contain {''.join(bad)!r}")
    return number


def is_valid(number: str) -> bool:
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: str) -> str:
    return compact(number)
