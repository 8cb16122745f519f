"""Journal-system (EPJ) connectors: one interface, one class per kind of system.

The contract every connector fulfils is written in docs/integrations/journal-systems.md.
``KvittHttpConnector`` speaks that contract over HTTPS; a vendor whose system speaks its own
protocol gets a subclass that translates. Which connectors exist is a setting
(``KVITT_JOURNAL_CONNECTORS``: key -> dotted path), so adding one is not a code change here.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import import_string

from kvitt.booking import sealing, signature

USER_AGENT = "Kvitt/1 (+https://github.com/kvitt)"


@dataclass(frozen=True)
class ConnectionResult:
    ok: bool
    message: str


@dataclass(frozen=True)
class Answer:
    """The journal system's verdict on a booking: accepted (with its appointment id) or refused."""

    status: str  # "accepted" | "refused" | "pending"
    appointment_id: str = ""
    reason: str = ""


@dataclass(frozen=True)
class DeliveryResult:
    status_code: int | None
    answer: Answer | None = None
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def permanent_failure(self) -> bool:
        """A 4xx other than timeout/too-many-requests: sending the same body again cannot help."""
        code = self.status_code
        return code is not None and 400 <= code < 500 and code not in (408, 409, 425, 429)


class ConnectorError(Exception):
    pass


class JournalSystemConnector(ABC):
    """What Kvitt needs from a journal system: ping, availability (pull), bookings (push)."""

    key: str = ""
    label: str = ""
    vendor: str = ""
    vendor_email: str = ""

    def __init__(self, integration):
        self.integration = integration

    @abstractmethod
    def test_connection(self) -> ConnectionResult: ...

    @abstractmethod
    def pull_availability(self, start: datetime, end: datetime) -> dict[str, Any]:
        """The raw availability snapshot for the window (parsed by kvitt.booking.availability)."""

    @abstractmethod
    def push(self, event: str, delivery_id: str, payload: dict[str, Any]) -> DeliveryResult:
        """Deliver one signed webhook (a booking or a cancellation)."""

    def request_details(self, *, language: str = "nb", contact_name: str = "", contact_email: str = "") -> str:
        """The ready-written request to the vendor for the keys the clinic must enter."""
        integration = self.integration
        with translation.override(language):
            return render_to_string(
                "booking/request_details.txt",
                {
                    "connector": self, "location": integration.location, "company": integration.location.company,
                    "contact_name": contact_name, "contact_email": contact_email,
                    "kvitt_base_url": settings.KVITT_BASE_URL.rstrip("/"), "integration": integration,
                },
            ).strip() + "\n"


class KvittHttpConnector(JournalSystemConnector):
    """The Kvitt journal-system contract v1 over HTTPS (JSON, bearer key, HMAC-signed webhooks)."""

    key = "kvitt-http-v1"
    label = "Kvitt HTTP contract v1"
    vendor = ""
    timeout = 15.0

    def _client(self) -> httpx.Client:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if self.integration.api_key_sealed:
            headers["Authorization"] = f"Bearer {sealing.unseal(self.integration.api_key_sealed)}"
        if self.integration.client_id:
            headers["X-Kvitt-Client-Id"] = self.integration.client_id
        return httpx.Client(base_url=self.integration.base_url.rstrip("/") + "/", headers=headers, timeout=self.timeout)

    def test_connection(self) -> ConnectionResult:
        try:
            with self._client() as client:
                response = client.get("ping")
        except httpx.HTTPError as exc:
            return ConnectionResult(False, f"no answer from {self.integration.base_url}: {exc.__class__.__name__}: {exc}"[:300])
        if response.status_code in (401, 403):
            return ConnectionResult(False, f"the journal system refused the key (HTTP {response.status_code})")
        if response.status_code != 200:
            return ConnectionResult(False, f"ping answered HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            return ConnectionResult(False, "ping did not answer JSON")
        if body.get("contract") != "kvitt-journal/1":
            return ConnectionResult(False, f"ping answered contract {body.get('contract')!r}, expected 'kvitt-journal/1'")
        return ConnectionResult(True, f"connected to {body.get('system', 'journal system')}")

    def pull_availability(self, start: datetime, end: datetime) -> dict[str, Any]:
        try:
            with self._client() as client:
                response = client.get("availability", params={"from": start.isoformat(), "to": end.isoformat()})
        except httpx.HTTPError as exc:
            raise ConnectorError(f"availability: {exc.__class__.__name__}: {exc}") from exc
        if response.status_code != 200:
            raise ConnectorError(f"availability: HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError as exc:
            raise ConnectorError("availability: the answer is not JSON") from exc

    def push(self, event: str, delivery_id: str, payload: dict[str, Any]) -> DeliveryResult:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
        key = sealing.unseal(self.integration.webhook_key_sealed)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            signature.HEADER: signature.sign(key, body),
            "X-Kvitt-Event": event,
            "X-Kvitt-Delivery": delivery_id,
        }
        try:
            with self._client() as client:
                response = client.post("bookings", content=body, headers=headers)
        except httpx.HTTPError as exc:
            return DeliveryResult(None, error=f"{exc.__class__.__name__}: {exc}"[:500])
        answer = None
        if 200 <= response.status_code < 300:
            answer = parse_answer(response)
        return DeliveryResult(response.status_code, answer=answer, error="" if answer or response.status_code < 300 else response.text[:300])


def parse_answer(response: httpx.Response) -> Answer | None:
    """The verdict in a 2xx answer; a 2xx without one means "answer follows by callback"."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    status = body.get("status")
    if status not in ("accepted", "refused"):
        return None
    return Answer(status=status, appointment_id=str(body.get("appointment_id", ""))[:64], reason=str(body.get("reason", ""))[:300])


DEFAULT_CONNECTORS = {KvittHttpConnector.key: "kvitt.booking.connectors.KvittHttpConnector"}


def registry() -> dict[str, type[JournalSystemConnector]]:
    paths = getattr(settings, "KVITT_JOURNAL_CONNECTORS", None) or DEFAULT_CONNECTORS
    return {key: import_string(path) for key, path in paths.items()}


def choices() -> list[tuple[str, str]]:
    return [(key, cls.label or key) for key, cls in registry().items()]


def connector_for(integration) -> JournalSystemConnector:
    try:
        cls = registry()[integration.system]
    except KeyError:
        raise ConnectorError(f"no connector is configured for {integration.system!r}")
    return cls(integration)
