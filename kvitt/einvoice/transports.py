"""Access-point transports: how an SBDH-wrapped document leaves Kvitt for the Peppol network.

Kvitt does not run AS4 itself; it hands the envelope to an access-point (AP) provider. Every
transport has the same two verbs, ``send(message_id, sbdh_bytes)`` and ``status(message_id)``,
and is chosen by ``settings.KVITT_ACCESS_POINT``::

    KVITT_ACCESS_POINT = {"transport": "directory", "directory": "/var/spool/kvitt-ap"}
    KVITT_ACCESS_POINT = {"transport": "http", "base_url": "https://ap.example/api/v1",
                          "token": "...", "timeout": 20}

Sending the same message id twice never delivers twice: the directory transport refuses to
overwrite a dropped file and the HTTP transport sends the id as ``Idempotency-Key``.
Failures are either transient (try again later: the network, 5xx, 408, 429) or permanent
(the AP refused the document: other 4xx); the outbox worker retries only the former.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import tempfile
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

import httpx

ACCEPTED = "accepted"  # the AP has the document and will deliver it
DELIVERED = "delivered"  # the receiver's AP confirmed receipt
FAILED = "failed"  # the AP gave up or refused
STATUSES = (ACCEPTED, DELIVERED, FAILED)

# Words AP providers use for the same three states.
_STATUS_WORDS = {
    ACCEPTED: {"accepted", "queued", "received", "pending", "processing", "sending", "in_progress", "created", "submitted"},
    DELIVERED: {"delivered", "sent", "acknowledged", "success", "succeeded", "completed"},
    FAILED: {"failed", "rejected", "error", "undeliverable", "bounced"},
}
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$")


@dataclass(frozen=True)
class TransportReceipt:
    message_id: str
    status: str
    remote_id: str | None = None
    detail: str = ""
    duplicate: bool = False

    @property
    def is_final(self) -> bool:
        return self.status in (DELIVERED, FAILED)


@dataclass
class TransportError(Exception):
    message: str
    transient: bool
    retry_after: float | None = None

    def __str__(self) -> str:
        return self.message


class TransientTransportError(TransportError):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message, True, retry_after)


class PermanentTransportError(TransportError):
    def __init__(self, message: str):
        super().__init__(message, False, None)


def check_message_id(message_id: str) -> str:
    """Message ids become file names and URL segments, so only a safe alphabet is accepted."""
    if not isinstance(message_id, str) or not _MESSAGE_ID.match(message_id):
        raise ValueError(f"message id {message_id!r} may contain only letters, digits and . _ : - (max 200)")
    return message_id


def normalise_status(word: str) -> str:
    word = (word or "").strip().lower()
    for status, words in _STATUS_WORDS.items():
        if word in words:
            return status
    raise ValueError(f"unknown access-point status {word!r}")


def receipt_from_payload(message_id: str, payload: dict, *, duplicate: bool = False) -> TransportReceipt:
    """Read an AP's JSON status (from a poll, a webhook or a status file) into a receipt."""
    if not isinstance(payload, dict) or "status" not in payload:
        raise ValueError("access-point status payload must be a JSON object with 'status'")
    remote_id = payload.get("id") or payload.get("transmission_id")
    return TransportReceipt(
        message_id=message_id,
        status=normalise_status(str(payload["status"])),
        remote_id=str(remote_id) if remote_id is not None else None,
        detail=str(payload.get("detail") or payload.get("message") or ""),
        duplicate=duplicate,
    )


def retry_delays(attempts: int = 6, span: datetime.timedelta = datetime.timedelta(days=2)) -> list[datetime.timedelta]:
    """Waits between ``attempts`` tries, growing fourfold, adding up to ``span``.

    The default (6 attempts over 2 days) is the Peppol network's common practice:
    about 8 min, 34 min, 2 h 15 min, 9 h and 36 h.
    """
    if attempts < 1:
        raise ValueError("at least one attempt")
    weights = [4**i for i in range(attempts - 1)]
    total = sum(weights)
    return [span * w / total for w in weights]


class AccessPointTransport(ABC):
    name = "abstract"

    @abstractmethod
    def send(self, message_id: str, sbdh_bytes: bytes) -> TransportReceipt:
        """Hand the envelope to the AP; raise :class:`TransportError` when it did not take it."""

    @abstractmethod
    def status(self, message_id: str) -> TransportReceipt:
        """Ask the AP how delivery of ``message_id`` went."""


class DirectoryTransport(AccessPointTransport):
    """Drop envelopes into a folder an AP client (or an operator's sync job) picks up.

    ``<directory>/<message_id>.xml`` appears atomically (written beside it, then hard-linked into
    place, so a reader never sees half a file and an existing drop is never overwritten); a
    marker in ``<directory>/.dropped/`` remembers the drop after the pickup side has taken the
    file, so a retry never drops it twice. The
    pickup side reports back by writing ``<directory>/status/<message_id>.json`` with
    ``{"status": "delivered" | "failed", "detail": "..."}``; until then the status is accepted.
    """

    name = "directory"

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)

    def _path(self, message_id: str) -> Path:
        return self.directory / f"{check_message_id(message_id)}.xml"

    def _marker(self, message_id: str) -> Path:
        return self.directory / ".dropped" / check_message_id(message_id)

    def send(self, message_id: str, sbdh_bytes: bytes) -> TransportReceipt:
        target = self._path(message_id)
        marker = self._marker(message_id)
        if marker.exists():
            # Dropped before; the pickup side may already have taken the file away.
            return TransportReceipt(message_id, ACCEPTED, remote_id=target.name, detail="already dropped", duplicate=True)
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            fd, temp_name = tempfile.mkstemp(prefix=".incoming-", suffix=".tmp", dir=self.directory)
        except OSError as exc:
            raise TransientTransportError(f"cannot write to {self.directory}: {exc.strerror}") from None
        duplicate = False
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(sbdh_bytes)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temp_name, target)
            except FileExistsError:
                duplicate = True
            # The marker outlives the pickup, so a later retry never drops the document again.
            try:
                os.link(temp_name, marker)
            except FileExistsError:
                pass
        except OSError as exc:
            raise TransientTransportError(f"cannot drop {target.name}: {exc.strerror}") from None
        finally:
            Path(temp_name).unlink(missing_ok=True)
        if duplicate:
            return TransportReceipt(message_id, ACCEPTED, remote_id=target.name, detail="already dropped", duplicate=True)
        return TransportReceipt(message_id, ACCEPTED, remote_id=target.name)

    def status(self, message_id: str) -> TransportReceipt:
        status_file = self.directory / "status" / f"{check_message_id(message_id)}.json"
        if status_file.is_file():
            try:
                payload = json.loads(status_file.read_text(encoding="utf-8"))
                return receipt_from_payload(message_id, payload)
            except ValueError as exc:
                raise PermanentTransportError(f"status file {status_file.name} is unreadable: {exc}") from None
        if self._path(message_id).is_file() or self._marker(message_id).exists():
            return TransportReceipt(message_id, ACCEPTED, remote_id=self._path(message_id).name)
        raise PermanentTransportError(f"no document with message id {message_id} was dropped in {self.directory}")


class HttpAccessPointTransport(AccessPointTransport):
    """An AP provider's REST API, in the shape most providers offer.

    * ``POST {base_url}/documents`` with the SBDH XML (``Content-Type: application/xml``) and
      ``Idempotency-Key: <message_id>``; 200/201/202 with ``{"id", "status"}`` means taken,
      409 means the AP already has this message id (a duplicate, not an error).
    * ``GET {base_url}/documents/{message_id}`` returns ``{"id", "status", "detail"}``.
    * ``Authorization: Bearer <token>`` when a token is configured.
    """

    name = "http"
    TRANSIENT_CODES = frozenset({408, 425, 429, 500, 502, 503, 504})

    def __init__(self, base_url: str, *, token: str = "", timeout: float = 20.0, client: httpx.Client | None = None):
        if not base_url:
            raise ValueError("the HTTP access point needs base_url")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._client = client

    def _headers(self, extra: dict | None = None) -> dict:
        headers = {"Accept": "application/json", "User-Agent": "Kvitt einvoice"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        headers.update(extra or {})
        return headers

    def _request(self, method: str, url: str, **kwargs) -> httpx.Response:
        try:
            if self._client is not None:
                return self._client.request(method, url, timeout=self.timeout, **kwargs)
            with httpx.Client(timeout=self.timeout) as client:
                return client.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise TransientTransportError(f"access point timed out: {type(exc).__name__}") from None
        except httpx.TransportError as exc:
            raise TransientTransportError(f"access point unreachable: {exc}") from None

    def _refusal(self, response: httpx.Response, verb: str) -> TransportError:
        detail = response.text[:500].strip()
        message = f"access point answered {response.status_code} to {verb}" + (f": {detail}" if detail else "")
        if response.status_code in self.TRANSIENT_CODES:
            return TransientTransportError(message, retry_after=_retry_after(response))
        return PermanentTransportError(message)

    def _json(self, response: httpx.Response, verb: str) -> dict:
        try:
            payload = response.json()
        except ValueError:
            raise TransientTransportError(f"access point sent a non-JSON answer to {verb}") from None
        if not isinstance(payload, dict):
            raise TransientTransportError(f"access point sent an unexpected answer to {verb}")
        return payload

    def send(self, message_id: str, sbdh_bytes: bytes) -> TransportReceipt:
        check_message_id(message_id)
        response = self._request(
            "POST",
            f"{self.base_url}/documents",
            content=sbdh_bytes,
            headers=self._headers({"Content-Type": "application/xml", "Idempotency-Key": message_id}),
        )
        if response.status_code == 409:
            return TransportReceipt(message_id, ACCEPTED, detail="access point already has this message", duplicate=True)
        if response.status_code not in (200, 201, 202):
            raise self._refusal(response, "send")
        payload = self._json(response, "send")
        try:
            return receipt_from_payload(message_id, {"status": ACCEPTED, **payload})
        except ValueError as exc:
            raise TransientTransportError(str(exc)) from None

    def status(self, message_id: str) -> TransportReceipt:
        check_message_id(message_id)
        response = self._request("GET", f"{self.base_url}/documents/{message_id}", headers=self._headers())
        if response.status_code == 404:
            raise PermanentTransportError(f"access point does not know message {message_id}")
        if response.status_code != 200:
            raise self._refusal(response, "status")
        try:
            return receipt_from_payload(message_id, self._json(response, "status"))
        except ValueError as exc:
            raise TransientTransportError(str(exc)) from None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.strip().isascii() and value.strip().isdigit() else None


def default_config() -> dict:
    from django.conf import settings

    return getattr(settings, "KVITT_ACCESS_POINT", None) or {
        "transport": "directory",
        "directory": str(Path(settings.VAR_DIR) / "access-point"),
    }


def get_transport(config: dict | None = None) -> AccessPointTransport:
    """The transport ``config`` (default ``settings.KVITT_ACCESS_POINT``) names."""
    config = dict(config if config is not None else default_config())
    kind = config.pop("transport", "directory")
    if kind == "directory":
        if not config.get("directory"):
            raise ValueError("KVITT_ACCESS_POINT: the directory transport needs 'directory'")
        return DirectoryTransport(config["directory"])
    if kind == "http":
        return HttpAccessPointTransport(
            config.get("base_url", ""), token=config.get("token", ""), timeout=float(config.get("timeout", 20.0))
        )
    raise ValueError(f"KVITT_ACCESS_POINT: unknown transport {kind!r}; use 'directory' or 'http'")
