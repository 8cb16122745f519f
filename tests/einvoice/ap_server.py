"""A local access-point REST server for tests: the contract HttpAccessPointTransport documents.

POST /documents (SBDH XML, Idempotency-Key) -> 202 {"id", "status": "received"}, 409 on a
repeated key; GET /documents/<key> -> {"status": "processing"} once, then "delivered".
``script`` lets a test queue canned failures (status code, body, headers) for the next POSTs.

Like a real access point, it can also hand a document on to the receiver's own endpoint:
``route(participant, url, token, bare=False)`` makes every document whose SBDH receiver is
``participant`` (e.g. ``0192:995568217``) go, after the 202, by HTTP POST to ``url`` with the
receiver's bearer token: the SBDH envelope as received, or with ``bare=True`` the UBL document
inside it. The receiver's answer is kept in ``forwarded[key]`` as ``(status code, body)``, and the
document's status becomes ``delivered`` (2xx) or ``failed``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from lxml import etree

SBDH_NS = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AccessPointServer:
    def __init__(self, port: int, token: str = "secret-token"):
        self.port = port
        self.token = token
        self.documents: dict[str, bytes] = {}
        self.polls: dict[str, int] = {}
        self.posts = 0
        self.script: list[tuple[int, str, dict]] = []
        self.lock = threading.Lock()
        self.httpd: ThreadingHTTPServer | None = None
        self.routes: dict[str, tuple[str, str, bool]] = {}
        self.forwarded: dict[str, tuple[int, bytes]] = {}

    def route(self, participant: str, url: str, token: str, *, bare: bool = False) -> None:
        """Documents for ``participant`` are delivered on to ``url`` (the receiver's webhook)."""
        self.routes[participant] = (url, token, bare)

    def _forward(self, key: str, body: bytes, root) -> None:
        receiver = root.findtext(f"{{{SBDH_NS}}}StandardBusinessDocumentHeader/{{{SBDH_NS}}}Receiver/{{{SBDH_NS}}}Identifier")
        target = self.routes.get((receiver or "").strip())
        if target is None:
            return
        url, token, bare = target
        data = etree.tostring(next(c for c in root if c.tag != f"{{{SBDH_NS}}}StandardBusinessDocumentHeader"),
                              xml_declaration=True, encoding="UTF-8") if bare else body
        request = urllib.request.Request(url, data=data, method="POST", headers={
            "Content-Type": "application/xml", "Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                outcome = (response.status, response.read())
        except urllib.error.HTTPError as exc:
            outcome = (exc.code, exc.read())
        except OSError as exc:
            outcome = (0, str(exc).encode())
        with self.lock:
            self.forwarded[key] = outcome

    def wait_forwarded(self, key: str, timeout: float = 60.0) -> tuple[int, bytes]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if key in self.forwarded:
                    return self.forwarded[key]
            time.sleep(0.05)
        raise TimeoutError(f"the access point did not deliver {key} within {timeout} s")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> "AccessPointServer":
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, code: int, body: dict | str, headers: dict | None = None):
                data = (json.dumps(body) if isinstance(body, dict) else body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json" if isinstance(body, dict) else "text/plain")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                if self.headers.get("Authorization") != f"Bearer {server.token}":
                    self._reply(401, {"error": "unauthorised"})
                    return False
                return True

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with server.lock:
                    server.posts += 1
                    canned = server.script.pop(0) if server.script else None
                if canned:
                    self._reply(*canned)
                    return
                if self.path != "/api/documents" or not self._authorised():
                    return self._reply(404, {"error": "no such endpoint"}) if self.path != "/api/documents" else None
                key = self.headers.get("Idempotency-Key", "")
                if not key or self.headers.get("Content-Type") != "application/xml":
                    return self._reply(400, {"error": "Idempotency-Key and application/xml required"})
                try:
                    root = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True))
                except etree.XMLSyntaxError:
                    return self._reply(400, {"error": "not XML"})
                if root.tag != f"{{{SBDH_NS}}}StandardBusinessDocument":
                    return self._reply(422, {"error": "expected an SBDH envelope"})
                with server.lock:
                    if key in server.documents:
                        return self._reply(409, {"error": "duplicate", "id": key})
                    server.documents[key] = body
                self._reply(202, {"id": f"ap-{key}", "status": "received"})
                # Delivery to the receiver happens after the sender has its receipt, as in Peppol.
                threading.Thread(target=server._forward, args=(key, body, root), daemon=True).start()

            def do_GET(self):
                if not self._authorised():
                    return
                prefix = "/api/documents/"
                key = self.path[len(prefix):] if self.path.startswith(prefix) else None
                with server.lock:
                    if key not in server.documents:
                        return self._reply(404, {"error": "unknown"})
                    server.polls[key] = server.polls.get(key, 0) + 1
                    status = "processing" if server.polls[key] == 1 else "delivered"
                    if key in server.forwarded and not 200 <= server.forwarded[key][0] < 300:
                        status = "failed"
                self._reply(200, {"id": f"ap-{key}", "status": status, "detail": "receiver AP acknowledged" if status == "delivered" else ""})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None
