"""A real HTTP receiver for the ordering tests: several journal systems behind one port.

Each receiver is a path prefix (``/r0``, ``/r1`` …). It records every webhook's arrival per
receiver (delivery id, event, booking id), and how many requests each receiver, and all of them
together, had open at once. It can hold one chosen delivery open (the worker sending it is then
killed by the test) until released.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.booking.journal_server import free_port


@dataclass(frozen=True)
class Arrival:
    delivery_id: str
    event: str
    booking_id: int
    at: float


class OrderedReceiver:
    def __init__(self, delay: float = 0.03):
        self.delay = delay
        self.port = free_port()
        self.lock = threading.Lock()
        self.arrivals: dict[str, list[Arrival]] = {}
        self.open: dict[str, int] = {}
        self.most_open: dict[str, int] = {}
        self.open_total = 0
        self.most_open_total = 0
        self.hold_delivery: str | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self.httpd: ThreadingHTTPServer | None = None

    def url(self, receiver: str) -> str:
        return f"http://127.0.0.1:{self.port}/{receiver}"

    def delivery_ids(self, receiver: str) -> list[str]:
        with self.lock:
            return [a.delivery_id for a in self.arrivals.get(receiver, [])]

    def _arrive(self, receiver: str, arrival: Arrival) -> None:
        with self.lock:
            self.arrivals.setdefault(receiver, []).append(arrival)
            self.open[receiver] = self.open.get(receiver, 0) + 1
            self.most_open[receiver] = max(self.most_open.get(receiver, 0), self.open[receiver])
            self.open_total += 1
            self.most_open_total = max(self.most_open_total, self.open_total)

    def _done(self, receiver: str) -> None:
        with self.lock:
            self.open[receiver] -= 1
            self.open_total -= 1

    def start(self) -> "OrderedReceiver":
        receiver_self = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                receiver, _, rest = self.path.strip("/").partition("/")
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if rest != "bookings":
                    self.send_error(404)
                    return
                payload = json.loads(body)
                delivery = self.headers["X-Kvitt-Delivery"]
                receiver_self._arrive(receiver, Arrival(delivery, self.headers["X-Kvitt-Event"], payload["booking"]["id"], time.monotonic()))
                try:
                    if delivery == receiver_self.hold_delivery and not receiver_self.holding.is_set():
                        receiver_self.holding.set()
                        receiver_self.release.wait(60)
                    else:
                        time.sleep(receiver_self.delay)
                finally:
                    # Before answering: once the sender has the answer, this request is over.
                    receiver_self._done(receiver)
                data = json.dumps({"status": "received"}).encode()  # 2xx, verdict by callback later
                try:
                    self.send_response(202)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the sender was killed while we held its request

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
