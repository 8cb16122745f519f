"""Delivery order per receiver, with any number of worker processes.

Two things leave Kvitt in an order that matters to the receiver: a booking's ``created`` webhook
must reach the journal system before its ``cancelled``; an invoice must reach the buyer before
its credit note; a region's corrected basis after the one it replaces. Different receivers have
nothing to do with each other and proceed in parallel.

Two mechanisms, for the two shapes of outbox:

* **Head of line** (lease-based outboxes: booking webhooks, EHF deliveries). A row may be claimed
  only while no earlier row (by ``created_at``, then id) for the same receiver is still unfinished
  (pending or in flight). The condition is part of the one conditional ``UPDATE`` that claims the
  row, so it needs no lock of its own: on PostgreSQL two workers claiming the same head serialise
  on its row lock and the loser re-checks the row's state; on SQLite the write lock serialises
  every claim. A head that fails and waits for its retry holds back the rows behind it (that is
  what order means); one given up for good (dead) lets them go.
* **Receiver lock** (the inter-regional outbox, which sends a receiver's rows in one thread with
  resends of its own and no lease): a process delivers to a receiver only while it holds that
  receiver's lock — a PostgreSQL advisory lock (released by the server when the session ends,
  so a killed worker releases it at once) or, on SQLite (one machine), an ``flock`` on a file in
  ``VAR_DIR/locks`` (released by the kernel when the process dies).

What neither can order is creation itself: two rows for one receiver created by concurrent
transactions are ordered by ``created_at``/id, and a row whose transaction commits after a later
row was already delivered is delivered after it. Services that create rows for one receiver
(one booking's events, one invoice and its credit) do so one after the other.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.models import Exists, OuterRef, Q

from kvitt.ops.liveness import advisory_key

logger = logging.getLogger(__name__)


def earlier_than_outer() -> Q:
    """Rows created before the outer row (``created_at``, then id: the outboxes' Meta ordering)."""
    return Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))


def first_in_line(model, unfinished: Q, receiver: dict) -> Q:
    """A filter: the row has no earlier unfinished row for the same receiver.

    ``receiver`` maps lookups of ``model`` to the receiver's value, or to ``OuterRef(<lookup>)``
    to compare with the outer row (for listing every receiver's head at once).
    """
    earlier = model.objects.filter(**receiver).filter(unfinished).filter(earlier_than_outer())
    return ~Q(Exists(earlier))


def lock_key(kind: str, receiver: str) -> int:
    """The advisory-lock key of one receiver of one outbox."""
    return advisory_key("kvitt-receiver", kind, receiver)


@contextmanager
def receiver_lock(kind: str, receiver: str, alias: str = "default"):
    """Try to become the only process delivering to ``receiver``; yields True if this one is.

    Never waits: a process that does not get the lock leaves the receiver to the one that has it.
    The PostgreSQL lock is taken on this thread's connection, so the caller must not close that
    connection inside the block (closing it releases the lock, which is also how a crash ends)."""
    if connections[alias].vendor == "postgresql":
        with _advisory_lock(lock_key(kind, receiver), alias) as held:
            yield held
    else:
        with _file_lock(kind, receiver) as held:
            yield held


@contextmanager
def _advisory_lock(key: int, alias: str):
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        (held,) = cursor.fetchone()
    try:
        yield held
    finally:
        if held and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def lock_dir() -> Path:
    path = Path(settings.VAR_DIR) / "locks"
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def _file_lock(kind: str, receiver: str):
    name = hashlib.blake2b(f"{kind}:{receiver}".encode(), digest_size=12).hexdigest()
    descriptor = os.open(lock_dir() / f"{kind}-{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held = True
        except BlockingIOError:
            held = False
        try:
            yield held
        finally:
            if held:
                fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
