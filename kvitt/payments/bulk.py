"""Pause Python's cyclic garbage collector while building many small objects.

Parsing a bank file or matching a batch creates millions of short tuples and dataclass
instances and no reference cycles; the collector would walk all of them again and again
and roughly double the time (measured with bench/payments.py). Reference counting still
frees everything as usual; the collector's previous state is restored afterwards.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
