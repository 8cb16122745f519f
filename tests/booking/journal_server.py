"""A journal system standing in for a vendor's, written to docs/integrations/journal-systems.md.

A real HTTP server on 127.0.0.1 in a thread. It checks the bearer key, verifies X-Kvitt-Signature
with the webhook key, de-duplicates on X-Kvitt-Delivery, keeps its own calendar and answers
bookings with accepted / refused / pending. It deliberately does not import Kvitt's signing code:
the HMAC is recomputed here from the contract text.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class JournalState:
    api_key: str
    webhook_key: str
    mode: str = "accept"  # accept | refuse | pending | error500
    availability: dict = field(default_factory=dict)
    bookings: dict = field(default_factory=dict)  # delivery id -> payload
    appointments: dict = field(default_factory=dict)  # slot id -> booking id
    rejected_signatures: int = 0
    requests: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def verify(key: str, body: bytes, header: str, tolerance: int = 300) -> bool:
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - t) > tolerance:
        return False
    expected = hmac.new(key.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


def make_handler(state: JournalState):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _json(self, code: int, body) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> bool:
            if self.headers.get("Authorization") != f"Bearer {state.api_key}":
                self._json(401, {"error": "bad key"})
                return False
            return True

        def do_GET(self):
            url = urlparse(self.path)
            state.requests.append(("GET", url.path))
            if not self._authorised():
                return
            if url.path.endswith("/ping"):
                return self._json(200, {"contract": "kvitt-journal/1", "system": "TestJournal 1.0"})
            if url.path.endswith("/availability"):
                query = parse_qs(url.query)
                if "from" not in query or "to" not in query:
                    return self._json(400, {"error": "from and to are required"})
                return self._json(200, state.availability)
            self._json(404, {"error": "no such path"})

        def do_POST(self):
            url = urlparse(self.path)
            state.requests.append(("POST", url.path))
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if not self._authorised():
                return
            if not url.path.endswith("/bookings"):
                return self._json(404, {"error": "no such path"})
            if not verify(state.webhook_key, body, self.headers.get("X-Kvitt-Signature", "")):
                state.rejected_signatures += 1
                return self._json(401, {"error": "bad signature"})
            if state.mode == "error500":
                return self._json(500, {"error": "database is down"})
            payload = json.loads(body)
            delivery = self.headers["X-Kvitt-Delivery"]
            event = self.headers["X-Kvitt-Event"]
            with state.lock:
                if delivery in state.bookings:  # a repeat after a lost answer: same reply, no new appointment
                    return self._json(200, state.bookings[delivery]["reply"])
                slot_id = payload["slot"]["id"]
                if event == "booking.cancelled":
                    state.appointments.pop(slot_id, None)
                    reply = {"status": "accepted"}
                elif state.mode == "refuse":
                    reply = {"status": "refused", "reason": "Behandler er syk"}
                elif state.mode == "pending":
                    reply = {"status": "pending"}
                elif slot_id in state.appointments:
                    reply = {"status": "refused", "reason": "Tiden er allerede tatt"}
                else:
                    state.appointments[slot_id] = payload["booking"]["id"]
                    reply = {"status": "accepted", "appointment_id": f"APT-{payload['booking']['id']}"}
                state.bookings[delivery] = {"event": event, "payload": payload, "reply": reply}
            self._json(202 if reply["status"] == "pending" else 200, reply)

    return Handler


class JournalServer:
    def __init__(self, state: JournalState, port: int | None = None):
        self.state = state
        self.port = port or free_port()
        self.httpd = None
        self.thread = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/kvitt/v1"

    def start(self) -> "JournalServer":
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), make_handler(self.state))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None
