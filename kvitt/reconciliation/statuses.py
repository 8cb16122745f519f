"""The five statuses a downstream system can give a care event, and how files spell them.

Kept free of Django so the file readers and the benchmark can use it without a database.
"""

from __future__ import annotations

import enum


class Status(str, enum.Enum):
    OK = "OK"  # processed without error; says nothing about whether the payment will be right
    BEEJ = "BeEj"  # "bearbetas ej": agreement or assignment not activated, so it will not be invoiced
    ERROR = "error"
    REMARK = "remark"
    PENDING = "pending"

    @property
    def is_problem(self) -> bool:
        return self in (Status.BEEJ, Status.ERROR, Status.REMARK)


# Spellings seen in the regions' Excel exports and in Norwegian payer answers; compared casefolded.
_ALIASES = {
    "ok": Status.OK,
    "beej": Status.BEEJ,
    "bearbetas ej": Status.BEEJ,
    "error": Status.ERROR,
    "fel": Status.ERROR,
    "feil": Status.ERROR,
    "remark": Status.REMARK,
    "anm": Status.REMARK,
    "anmärkning": Status.REMARK,
    "merknad": Status.REMARK,
    "pending": Status.PENDING,
    "väntar": Status.PENDING,
    "venter": Status.PENDING,
}

STATUS_CHOICES = [(s.value, s.value) for s in Status]


def parse_status(text: str) -> Status:
    """Read a status as written in a file; ``ValueError`` names the accepted values."""
    status = _ALIASES.get(text.strip().casefold())
    if status is None:
        accepted = ", ".join(s.value for s in Status)
        raise ValueError(f"unknown status {text!r}; expected one of {accepted}")
    return status
