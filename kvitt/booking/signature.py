"""X-Kvitt-Signature: HMAC-SHA256 over the timestamp and the exact body bytes.

Header: ``X-Kvitt-Signature: t=<unix seconds>,v1=<hex digest>`` where the digest is
HMAC-SHA256(key, "<t>." + body). The timestamp in the signed text stops replays of old
deliveries; receivers reject signatures older than ``TOLERANCE_SECONDS``.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-Kvitt-Signature"
TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    pass


def sign(key: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    digest = hmac.new(key.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(key: str, body: bytes, header: str, *, now: float | None = None, tolerance: int = TOLERANCE_SECONDS) -> int:
    """Check a signature header; return its timestamp. Raises SignatureError naming the problem."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    if "t" not in parts or "v1" not in parts:
        raise SignatureError(f"{HEADER} must look like t=<unix>,v1=<hex>")
    try:
        timestamp = int(parts["t"])
    except ValueError:
        raise SignatureError(f"{HEADER}: t is not a number")
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        raise SignatureError(f"{HEADER}: timestamp is {int(now - timestamp)} s off (tolerance {tolerance} s)")
    expected = sign(key, body, timestamp).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, parts["v1"]):
        raise SignatureError(f"{HEADER}: signature does not match the body")
    return timestamp
