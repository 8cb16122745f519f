"""Structured logs: one JSON object a line, with the request id and acting organisation.

Patient identity never reaches a log: national identity numbers are masked by a filter on
every handler, whatever code logged them.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import re

current_organisation: contextvars.ContextVar[str] = contextvars.ContextVar("kvitt_organisation", default="")

# NO fødselsnummer/D-number (11 digits), SE personnummer/samordningsnummer (10 or 12 digits,
# optionally with - or +). Standing alone, not inside longer digit runs such as KIDs.
NATIONAL_ID = re.compile(r"(?<![\d])(?:\d{6}\s?\d{5}|(?:19|20)?\d{6}[-+]?\d{4})(?![\d])")


def mask_national_ids(text: str) -> str:
    return NATIONAL_ID.sub("[national-id]", text)


class PatientIdentityFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_national_ids(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        from kvitt.core.audit import current_request_id

        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.timezone.utc).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_national_ids(record.getMessage()),
            "request_id": current_request_id.get(),
            "organisation": current_organisation.get(),
        }
        if record.exc_info:
            entry["exception"] = mask_national_ids(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)
