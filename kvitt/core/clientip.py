"""The client's address for the login rate limit (django-axes), also behind a reverse proxy.

Behind nginx every request comes from the proxy's address; locking "username + proxy
address" would let anyone lock a user out for everybody. With ``KVITT_PROXY_HOPS`` = n
(set by default to 1 when ``KVITT_BEHIND_TLS_PROXY`` is on) the address is the n-th entry
from the right of X-Forwarded-For: the one our own proxies appended, never one a client
wrote itself (those stand further left).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.KVITT_PROXY_HOPS
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops <= 0 or not forwarded:
        return remote
    entries = [part.strip() for part in forwarded.split(",") if part.strip()]
    if len(entries) < hops:
        return remote
    candidate = entries[-hops]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return remote
    return candidate
