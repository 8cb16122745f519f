"""The machinery every rule module shares: findings, the rule registry and XPath-like helpers.

Rules mirror the official Schematron (CEN EN16931 UBL binding and Peppol BIS Billing 3.0):
each has a *context* (an XPath 1.0 expression selecting the nodes the official ``<rule
context=…>`` selects, compiled once) and a *test* written in Python that reproduces the
official XPath 2.0 ``test`` on one context node, including its quirks (general comparisons,
``round()`` halves towards positive infinity, empty sequences making comparisons false).

A :class:`Doc` is built once per document; context node lists and a few shared lookups are
cached on it so no rule walks the tree twice for the same question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Callable, Iterable

from lxml import etree

CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDITNOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
EXT_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"

NS = {"cbc": CBC_NS, "cac": CAC_NS, "ubl": INVOICE_NS, "cn": CREDITNOTE_NS, "ext": EXT_NS}
PREFIX_OF = {CBC_NS: "cbc", CAC_NS: "cac", EXT_NS: "ext", INVOICE_NS: "", CREDITNOTE_NS: ""}

FATAL = "fatal"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One failed assertion: the official rule id, its flag, its message and where it failed."""

    id: str
    flag: str
    message: str
    location: str

    def as_dict(self) -> dict:
        return {"id": self.id, "flag": self.flag, "location": self.location, "message": self.message}


@dataclass(frozen=True)
class Rule:
    id: str
    flag: str
    message: str
    context: str
    test: Callable[[etree._Element, "Doc"], bool]
    source: str = "CEN"


# Rules are grouped by context so each context is selected once per document.
RULES: list[Rule] = []

_XPATHS: dict[str, etree.XPath] = {}


def xp(expr: str) -> etree.XPath:
    """A compiled XPath 1.0 expression with the UBL prefixes (cached)."""
    compiled = _XPATHS.get(expr)
    if compiled is None:
        compiled = etree.XPath(expr, namespaces=NS)
        _XPATHS[expr] = compiled
    return compiled


def rule(rule_id: str, flag: str, context: str, message: str, *, source: str = "CEN"):
    """Decorator registering ``test(el, doc) -> bool`` (True = assertion holds)."""

    def register(test):
        xp(context)
        RULES.append(Rule(rule_id, flag, message, context, test, source))
        return test

    return register


def add(rule_id: str, flag: str, context: str, message: str, test, *, source: str = "CEN") -> None:
    rule(rule_id, flag, context, message, source=source)(test)


# ---------------------------------------------------------------- value helpers


def sv(node) -> str:
    """XPath string value of an element, attribute value or string."""
    if node is None:
        return ""
    if isinstance(node, str):
        return str(node)
    if len(node) == 0:
        return node.text or ""
    return "".join(node.itertext())


def nsp(text: str) -> str:
    """XPath normalize-space()."""
    return " ".join(text.split())


_DECIMAL_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def dec(node) -> Decimal | None:
    """xs:decimal(node): None when absent or not a decimal lexical form."""
    if node is None:
        return None
    text = sv(node).strip()
    if not _DECIMAL_RE.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex already guards
        return None


_NUMBER_RE = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")


def num(node) -> Decimal | None:
    """The number an untyped value becomes in a general comparison (None = NaN)."""
    if node is None:
        return None
    text = sv(node)
    if not _NUMBER_RE.match(text):
        return None
    return Decimal(text.strip())


def xround(value: Decimal) -> Decimal:
    """XPath round(): nearest integer, halves towards positive infinity."""
    return (value + Decimal("0.5")).to_integral_value(rounding=ROUND_FLOOR)


def round2(value: Decimal) -> Decimal:
    """The official ``round(x * 10 * 10) div 100``."""
    return xround(value * 100) / 100


def xbool(node) -> bool | None:
    """xs:boolean cast of an untyped value (None when not castable)."""
    text = sv(node).strip()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    return None


def xdate(node) -> date | None:
    """xs:date(node) or None when the value is not a date."""
    text = sv(node).strip()
    match = re.match(r"^(-?\d{4,})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$", text)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def decimals_after_point(node) -> int:
    """string-length(substring-after(node, '.'))."""
    text = sv(node)
    head, dot, tail = text.partition(".")
    return len(tail) if dot else 0


def max_two_decimals(el, path: str) -> bool:
    nodes = xp(path)(el)
    return decimals_after_point(nodes[0] if nodes else None) <= 2


def nodes(el, path: str) -> list:
    return xp(path)(el)


def first(el, path: str):
    found = xp(path)(el)
    return found[0] if found else None


def exists(el, path: str) -> bool:
    return bool(xp(path)(el))


def any_not_empty(el, path: str) -> bool:
    """The official ``(path) != ''``: some selected node has a non-empty string value."""
    return any(sv(n) != "" for n in xp(path)(el))


def any_num(el, path: str, predicate) -> bool:
    """A general comparison of ``path`` with a number: true when any value satisfies it."""
    for node in xp(path)(el):
        value = num(node)
        if value is not None and predicate(value):
            return True
    return False


def dsum(values: Iterable) -> Decimal | None:
    """sum() over xs:decimal casts; None when one value cannot be cast (a dynamic error)."""
    total = Decimal(0)
    for node in values:
        value = dec(node)
        if value is None:
            return None
        total += value
    return total


def is_vat_scheme(category) -> bool:
    """``[cac:TaxScheme/normalize-space(upper-case(cbc:ID))='VAT']``."""
    return any(nsp(sv(i).upper()) == "VAT" for i in xp("cac:TaxScheme/cbc:ID")(category))


def category_id(category) -> str:
    return nsp(sv(first(category, "cbc:ID")))


# ---------------------------------------------------------------- document


@dataclass
class Doc:
    """One document being validated, with per-document caches."""

    root: etree._Element
    _contexts: dict = field(default_factory=dict)
    _memo: dict = field(default_factory=dict)

    @property
    def is_invoice(self) -> bool:
        return self.root.tag == f"{{{INVOICE_NS}}}Invoice"

    @property
    def is_credit_note(self) -> bool:
        return self.root.tag == f"{{{CREDITNOTE_NS}}}CreditNote"

    def context(self, expr: str) -> list:
        found = self._contexts.get(expr)
        if found is None:
            found = xp(expr)(self.root)
            self._contexts[expr] = found
        return found

    def memo(self, key, compute):
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def all(self, path: str) -> list:
        """Absolute path (``//…`` or ``/…``) evaluated once per document."""
        return self.context(path)

    def location(self, el) -> str:
        return element_path(el)


def element_path(el) -> str:
    """An XPath-like location such as ``/Invoice/cac:InvoiceLine[2]/cac:Item``."""
    if isinstance(el, str):  # attribute results are never contexts; keep it robust
        return ""
    steps = []
    node = el
    while node is not None:
        qname = etree.QName(node)
        prefix = PREFIX_OF.get(qname.namespace or "", None)
        name = qname.localname if not prefix else f"{prefix}:{qname.localname}"
        if prefix is None and qname.namespace:
            name = f"*[local-name()='{qname.localname}']"
        parent = node.getparent()
        if parent is not None:
            same = [s for s in parent.iterchildren(node.tag)]
            if len(same) > 1:
                name = f"{name}[{same.index(node) + 1}]"
        steps.append(name)
        node = parent
    return "/" + "/".join(reversed(steps))
