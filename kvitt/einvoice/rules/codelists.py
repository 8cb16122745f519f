"""Code lists shipped as data files beside this module (see data/README.md)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")


@cache
def codes(name: str) -> frozenset[str]:
    """The codes of data/<name>.txt as a frozen set."""
    text = (DATA_DIR / f"{name}.txt").read_text(encoding="utf-8")
    found: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        found.extend(line.split())
    return frozenset(found)


UNCL1001_INVOICE = frozenset(
    "71 80 82 84 102 130 202 203 204 211 218 219 295 325 326 331 380 382 383 384 385 386 387 388 389 "
    "390 393 394 395 456 457 527 553 575 623 633 751 780 817 870 875 876 877 935".split()
)
UNCL1001_CREDIT_NOTE = frozenset("81 83 261 262 296 308 381 396 420 458 532".split())
UNCL2005 = frozenset({"3", "35", "432"})
UNCL5305 = frozenset("AE L M E S Z G O K B".split())
