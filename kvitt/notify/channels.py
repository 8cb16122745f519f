"""Ways to reach a person: e-mail (Django), SMS (a gateway behind one interface), letters (PDF).

The SMS gateway is chosen in settings: ``KVITT_SMS = {"backend": "file"}`` writes each message
to ``var/sms/`` (development), ``{"backend": "http", "url": ..., "token": ...}`` posts
``{"to": ..., "text": ...}`` as JSON with a bearer token to an SMS provider's REST endpoint.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from django.conf import settings
from django.core.mail import EmailMessage


class DeliveryError(RuntimeError):
    pass


def send_email(to: str, subject: str, body: str, attachments: list[tuple[str, bytes, str]] = ()) -> None:
    if not to:
        raise DeliveryError("no e-mail address")
    message = EmailMessage(subject, body, None, [to])
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    message.send()


@dataclass
class FileSms:
    folder: Path

    def send(self, to: str, text: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        message_id = uuid.uuid4().hex
        (self.folder / f"{int(time.time())}-{message_id}.json").write_text(
            json.dumps({"to": to, "text": text}, ensure_ascii=False), encoding="utf-8"
        )
        return message_id


@dataclass
class HttpSms:
    url: str
    token: str
    timeout: float = 10.0

    def send(self, to: str, text: str) -> str:
        try:
            response = httpx.post(self.url, json={"to": to, "text": text}, timeout=self.timeout,
                                  headers={"Authorization": f"Bearer {self.token}"})
        except httpx.HTTPError as exc:
            raise DeliveryError(f"SMS gateway unreachable: {exc}") from None
        if response.status_code >= 300:
            raise DeliveryError(f"SMS gateway answered {response.status_code}")
        return str(response.json().get("id", ""))


def sms_gateway():
    config = getattr(settings, "KVITT_SMS", {"backend": "file"})
    if config.get("backend") == "http":
        return HttpSms(config["url"], config.get("token", ""))
    return FileSms(Path(config.get("folder", settings.VAR_DIR / "sms")))


def send_sms(to: str, text: str) -> str:
    if not to:
        raise DeliveryError("no phone number")
    return sms_gateway().send(to, text)


def render_pdf(html: str) -> bytes:
    """A printable letter; weasyprint never fetches anything from the network here."""
    from weasyprint import HTML

    def no_fetch(url, timeout=10, ssl_context=None):
        raise DeliveryError(f"letters may not load outside resources ({url})")

    return HTML(string=html, url_fetcher=no_fetch).write_pdf()
