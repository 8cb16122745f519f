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
import threading
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
    context: object  # XPath 1.0 string or a function doc -> elements
    test: Callable[[etree._Element, "Doc"], bool]
    source: str = "CEN"
    batched: bool = False  # evaluated by its module in one pass instead of one context at a time


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


def rule(rule_id: str, flag: str, context, message: str, *, source: str = "CEN", batched: bool = False):
    """Decorator registering ``test(el, doc) -> bool`` (True = assertion holds).

    ``context`` is an XPath 1.0 expression (or a function ``doc -> elements``)."""

    def register(test):
        if isinstance(context, str):
            xp(context)
            DISPATCH.add(context)
        RULES.append(Rule(rule_id, flag, message, context, test, source, batched))
        return test

    return register


def add(rule_id: str, flag: str, context: str, message: str, test, *, source: str = "CEN", batched: bool = False) -> None:
    rule(rule_id, flag, context, message, source=source, batched=batched)(test)


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


# The only characters XPath and XML Schema treat as white space (normalize-space(), the
# whitespace collapse of a cast); Python's split()/strip() would also take NBSP, U+3000 and the
# other Unicode spaces, which the official rules keep as content.
XML_SPACE = " \t\r\n"
_XML_SPACE_RUN = re.compile(r"[ \t\r\n]+")


def nsp(text: str) -> str:
    """XPath normalize-space()."""
    if text.isascii():  # the other ASCII spaces split() knows (VT, FF, FS..US) cannot occur in XML text
        return " ".join(text.split())
    return _XML_SPACE_RUN.sub(" ", text).strip(" ")


def ascii_digits(text: str) -> bool:
    """Only 0-9, as an xs:integer cast reads digits (str.isdigit() also takes '²' and '٣')."""
    return text.isascii() and text.isdigit()


def xstrip(text: str) -> str:
    """The leading and trailing white space a cast to an XML Schema type drops."""
    return text.strip(XML_SPACE)


_DECIMAL_RE = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")


def dec(node) -> Decimal | None:
    """xs:decimal(node): None when absent or not a decimal lexical form."""
    if node is None:
        return None
    text = xstrip(sv(node))
    if not _DECIMAL_RE.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex already guards
        return None


_NUMBER_RE = re.compile(r"^[ \t\r\n]*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t\r\n]*$")


def num(node) -> Decimal | None:
    """The number an untyped value becomes in a general comparison (None = NaN)."""
    if node is None:
        return None
    text = sv(node)
    if not _NUMBER_RE.match(text):
        return None
    return Decimal(xstrip(text))


def xround(value: Decimal) -> Decimal:
    """XPath round(): nearest integer, halves towards positive infinity."""
    return (value + Decimal("0.5")).to_integral_value(rounding=ROUND_FLOOR)


def round2(value: Decimal) -> Decimal:
    """The official ``round(x * 10 * 10) div 100``."""
    return xround(value * 100) / 100


def rate_tax(taxable: Decimal, percent: Decimal) -> Decimal:
    """The tax a rate gives: ``round(abs(taxable) * (percent div 100) * 10 * 10) div 100``."""
    return round2(abs(taxable) * (percent / 100))


def within_one(tax: Decimal, expected: Decimal) -> bool:
    """The official rounding tolerance: ``abs(tax) - 1 < expected < abs(tax) + 1``."""
    return abs(tax) - 1 < expected < abs(tax) + 1


def xbool(node) -> bool | None:
    """xs:boolean cast of an untyped value (None when not castable)."""
    text = xstrip(sv(node))
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    return None


def xdate(node) -> date | None:
    """xs:date(node) or None when the value is not a date."""
    text = xstrip(sv(node))
    match = re.match(r"^(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?$", text)
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
    return decimals_after_point(first(el, path)) <= 2


_SIMPLE_STEP = re.compile(r"^(cac|cbc|ext):[A-Za-z]+$")
_CHILD_PATHS: dict[str, tuple | None] = {}


def _child_path(path: str) -> tuple | None:
    """``cac:A/cbc:B`` as Clark tags when the path is plain child steps, else None."""
    if path not in _CHILD_PATHS:
        steps = path.split("/")
        if all(_SIMPLE_STEP.match(step) for step in steps):
            _CHILD_PATHS[path] = tuple("{%s}%s" % (NS[step.split(":")[0]], step.split(":")[1]) for step in steps)
        else:
            _CHILD_PATHS[path] = None
    return _CHILD_PATHS[path]


def nodes(el, path: str) -> list:
    """Nodes selected by a relative XPath; plain child paths skip the XPath engine."""
    tags = _CHILD_PATHS.get(path, 0)
    if tags == 0:
        tags = _child_path(path)
    if tags is None:
        return xp(path)(el)
    if len(tags) == 1:
        return list(el.iterchildren(tags[0]))
    if len(tags) == 2:
        inner = tags[1]
        return [child for parent in el.iterchildren(tags[0]) for child in parent.iterchildren(inner)]
    current = [el]
    for tag in tags:
        current = [child for parent in current for child in parent.iterchildren(tag)]
        if not current:
            break
    return current


def first(el, path: str):
    tags = _CHILD_PATHS.get(path, 0)
    if tags == 0:
        tags = _child_path(path)
    if tags is not None and len(tags) == 1:
        return next(el.iterchildren(tags[0]), None)
    found = nodes(el, path)
    return found[0] if found else None


def exists(el, path: str) -> bool:
    tags = _CHILD_PATHS.get(path, 0)
    if tags == 0:
        tags = _child_path(path)
    if tags is not None and len(tags) == 1:
        return next(el.iterchildren(tags[0]), None) is not None
    return bool(nodes(el, path))


def any_not_empty(el, path: str) -> bool:
    """The official ``(path) != ''``: some selected node has a non-empty string value."""
    return any(sv(n) != "" for n in nodes(el, path))


def any_num(el, path: str, predicate) -> bool:
    """A general comparison of ``path`` with a number: true when any value satisfies it."""
    for node in nodes(el, path):
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
    return any(nsp(sv(i).upper()) == "VAT" for i in nodes(category, "cac:TaxScheme/cbc:ID"))


def category_id(category) -> str:
    return nsp(sv(first(category, "cbc:ID")))


# ---------------------------------------------------------------- document


# ---------------------------------------------------------------- context selection
#
# Schematron contexts are patterns matched against every node. Evaluating each one as an XPath
# ``//…`` walks the whole tree once per context; instead the document's elements are indexed by
# tag in one pass and each context branch is matched bottom-up: candidates come from the index by
# the last step's tag, predicates are checked on the candidate, and the remaining steps on its
# ancestors. Contexts that do not fit this shape fall back to XPath.

_STEP_RE = re.compile(r"^(\*|[A-Za-z_][\w.-]*:[A-Za-z_][\w.-]*)(\[.*\])?$", re.S)


def _split_top(expr: str, sep: str) -> list[str]:
    parts, depth, quote, current = [], 0, None, []
    for ch in expr:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts


@dataclass(frozen=True)
class _Step:
    tag: str | None  # Clark name, None for *
    predicates: tuple  # (source text, compiled XPath returning a boolean) per [...] predicate


@dataclass(frozen=True)
class _Branch:
    absolute: bool
    steps: tuple


def _qualify(name: str) -> str | None:
    if name == "*":
        return None
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def _compile_branch(branch: str) -> _Branch | None:
    branch = branch.strip()
    if branch.startswith("//"):
        absolute, body = False, branch[2:]
    elif branch.startswith("/"):
        absolute, body = True, branch[1:]
    else:
        return None
    steps = []
    for raw in _split_top(body, "/"):
        raw = raw.strip()
        match = _STEP_RE.match(raw)
        if not raw or not match:
            return None
        name, predicates = match.group(1), match.group(2)
        compiled = []
        for text in _split_predicates(predicates or ""):
            if text not in _PREDICATES:
                _PREDICATES[text] = _python_predicate(text) or etree.XPath(f"boolean(self::*[{text}])", namespaces=NS)
            compiled.append((text, _PREDICATES[text]))
        steps.append(_Step(_qualify(name), tuple(compiled)))
    return _Branch(absolute, tuple(steps))


_COMPILED: dict[str, list | None] = {}
_PREDICATES: dict[str, etree.XPath] = {}


_VAT_PREDICATE = "cac:TaxScheme/cbc:ID[translate(normalize-space(.),'vat','VAT')='VAT']"
_CI_PREDICATES = {
    "cbc:ChargeIndicator[normalize-space(.)='false' or normalize-space(.)='0']": ("false", "0"),
    "cbc:ChargeIndicator[normalize-space(.)='true' or normalize-space(.)='1']": ("true", "1"),
}
_ID_PREDICATE = re.compile(r"^normalize-space\(cbc:ID\)\s*=\s*'([A-Z]+)'$")


def _python_predicate(text: str):
    """Python equivalents of the predicates most contexts share (same results, no XPath call)."""
    if text == _VAT_PREDICATE:
        return lambda el: any(nsp(sv(i)).upper() == "VAT" for i in nodes(el, "cac:TaxScheme/cbc:ID"))
    if text in _CI_PREDICATES:
        accepted = _CI_PREDICATES[text]
        return lambda el: any(nsp(sv(i)) in accepted for i in nodes(el, "cbc:ChargeIndicator"))
    match = _ID_PREDICATE.match(text)
    if match:
        code = match.group(1)
        return lambda el: nsp(sv(first(el, "cbc:ID"))) == code
    match = _ATTRIBUTE_EQUALS.match(text)
    if match:
        name, value = match.groups()
        _ATTRIBUTE_PREDICATES.add(text)
        return lambda el: el.get(name) == value
    match = _ATTRIBUTE_EXISTS.match(text)
    if match:
        name = match.group(1)
        _ATTRIBUTE_PREDICATES.add(text)
        return lambda el: el.get(name) is not None
    match = _UPPER_CHILD_EQUALS.match(text)
    if match:
        child, value = match.groups()
        path = f"cbc:{child}"
        return lambda el: sv(first(el, path)).translate(_ASCII_UPPER) == value
    return None


_ATTRIBUTE_PREDICATES: set[str] = set()
_ATTRIBUTE_EQUALS = re.compile(r"^@([A-Za-z]+)\s*=\s*'([^']*)'$")
_ATTRIBUTE_EXISTS = re.compile(r"^@([A-Za-z]+)$")
_UPPER_CHILD_EQUALS = re.compile(
    r"^translate\(cbc:([A-Za-z]+), 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'\)='([^']*)'$")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _split_predicates(text: str) -> list[str]:
    """"[a][b[c]]" -> ["a", "b[c]"]."""
    found, depth, quote, start = [], 0, None, 0
    for i, ch in enumerate(text):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "[":
            if depth == 0:
                start = i + 1
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                found.append(text[start:i])
    return found


def compiled_context(expr: str) -> list | None:
    """The branches of a context expression, or None when it must be evaluated as XPath."""
    if expr not in _COMPILED:
        branches = [_compile_branch(b) for b in _split_top(expr, "|")]
        _COMPILED[expr] = None if any(b is None for b in branches) else branches
    return _COMPILED[expr]


def _branch_matches(doc: "Doc", branch: _Branch, el) -> bool:
    # Tags along the ancestor chain first (cheap), predicates only for structural matches.
    steps = branch.steps
    if len(steps) == 1:  # most predicate contexts: one step, no ancestors to walk
        if branch.absolute and el.getparent() is not None:
            return False
        for text, predicate in steps[0].predicates:
            if not doc.predicate(text, predicate, el):
                return False
        return True
    chain = [el]
    node = el
    for step in reversed(steps[:-1]):
        node = node.getparent()
        if node is None or (step.tag is not None and node.tag != step.tag):
            return False
        chain.append(node)
    if branch.absolute and node.getparent() is not None:
        return False
    for step, candidate in zip(reversed(steps), chain, strict=True):
        for text, predicate in step.predicates:
            if not doc.predicate(text, predicate, candidate):
                return False
    return True


_ANY = object()
_ALL_ATTRIBUTES = etree.XPath("//@*")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z]+$")


class _Dispatch:
    """All known context branches keyed by (parent tag, tag) so one pass over a document's
    elements fills every context at once. Contexts first met later (paths used inside rule
    tests) are added on first use; the dispatch table is rebuilt, never mutated in place."""

    def __init__(self):
        # (table, contexts) swapped as one object so a concurrent reader never sees a half update.
        self.state: tuple[dict, tuple] = ({}, ())
        self._lock = threading.Lock()

    def add(self, expr: str) -> None:
        branches = compiled_context(expr)
        if branches is None or any(b.steps[-1].tag is None for b in branches):
            return
        with self._lock:
            self._add(expr, branches)

    def _add(self, expr: str, branches) -> None:
        old_table, contexts = self.state
        if expr in contexts:
            return
        table = {key: list(value) for key, value in old_table.items()}
        for branch in branches:
            steps = branch.steps
            parent = steps[-2].tag if len(steps) > 1 and steps[-2].tag is not None else _ANY
            # When the (parent tag, tag) key already says everything, skip the bottom-up check.
            plain = not any(step.predicates for step in steps) and not branch.absolute
            decided = plain and (len(steps) == 1 or (len(steps) == 2 and parent is not _ANY))
            table.setdefault((parent, steps[-1].tag), []).append((expr, branch, decided, _selector(steps[-1])))
        self.state = (table, contexts + (expr,))


def _selector(step: _Step):
    """A cheap pre-filter for the common first predicates: (discriminator, expected value).

    ``[normalize-space(cbc:ID)='S']`` and ``[@schemeID = '0192']`` select one value out of many
    sibling contexts; comparing that value first spares the full check for all the others."""
    if not step.predicates:
        return None
    text = step.predicates[0][0]
    match = _ID_PREDICATE.match(text)
    if match:
        return ("id",), match.group(1)
    match = _ATTRIBUTE_EQUALS.match(text)
    if match:
        return ("attr", match.group(1)), match.group(2)
    match = _UPPER_CHILD_EQUALS.match(text)
    if match:  # the VATEX contexts: one upper-cased exemption code decides between ~20 of them
        return ("upper", f"cbc:{match.group(1)}"), match.group(2)
    return None


def _discriminator(el, kind: tuple):
    if kind[0] == "id":
        return nsp(sv(first(el, "cbc:ID")))
    if kind[0] == "upper":
        return sv(first(el, kind[1])).translate(_ASCII_UPPER)
    return el.get(kind[1])


DISPATCH = _Dispatch()


@dataclass
class Doc:
    """One document being validated, with per-document caches."""

    root: etree._Element
    _contexts: dict = field(default_factory=dict)
    _memo: dict = field(default_factory=dict)
    _by_tag: dict | None = None
    _order: dict | None = None
    _elements: list | None = None
    _predicates: dict = field(default_factory=dict)

    @property
    def is_invoice(self) -> bool:
        return self.root.tag == f"{{{INVOICE_NS}}}Invoice"

    @property
    def is_credit_note(self) -> bool:
        return self.root.tag == f"{{{CREDITNOTE_NS}}}CreditNote"

    def _index(self) -> None:
        """One pass in document order: the tag index, every known context's node list, each
        element's path from the root and the empty leaves (what the //* rules need)."""
        table, contexts = DISPATCH.state
        results = {expr: [] for expr in contexts}
        elements, empty = [], []
        paths: dict = {}
        get = table.get
        for el in self.root.iter():
            tag = el.tag
            if not isinstance(tag, str):
                continue
            elements.append(el)
            parent = el.getparent()
            paths[el] = paths[parent] + (tag,) if parent is not None else ()
            if len(el) == 0:
                text = el.text
                if not text or not text.strip(XML_SPACE):
                    empty.append(el)
            elif not isinstance(el[0].tag, str) and not any(isinstance(child.tag, str) for child in el) \
                    and not "".join(el.itertext()).strip(XML_SPACE):  # an element first child settles it (the usual case)
                empty.append(el)
            seen = None
            for key in ((parent.tag if parent is not None else None, tag), (_ANY, tag)):
                candidates = get(key)
                if candidates:
                    for expr, branch, decided, selector in candidates:
                        if selector is not None:
                            kind, expected = selector
                            if seen is None:
                                seen = {}
                            value = seen[kind] if kind in seen else seen.setdefault(kind, _discriminator(el, kind))
                            if value != expected:
                                continue
                        found = results[expr]
                        if (not found or found[-1] is not el) and (decided or _branch_matches(self, branch, el)):
                            found.append(el)
        self._elements = elements
        self._contexts.update(results)
        self._memo["element_paths"] = frozenset(paths.values()) - {()}
        self._memo["empty_elements"] = empty

    @property
    def elements(self) -> list:
        """Every element in document order."""
        if self._elements is None:
            self._index()
        return self._elements

    def _document_order(self, found: list) -> list:
        if self._order is None:
            self._order = {id(el): i for i, el in enumerate(self.elements)}
        order = self._order
        return sorted(found, key=lambda el: order[id(el)])

    def context(self, expr) -> list:
        found = self._contexts.get(expr)
        if found is not None:
            return found
        if callable(expr):
            found = expr(self)
        elif expr.startswith("//@") and _ATTRIBUTE_NAME.match(expr, 3) and expr[3:] not in self.attribute_names:
            found = []
        else:
            branches = compiled_context(expr)
            if branches is None:
                found = xp(expr)(self.root)
            else:
                if self._elements is None:
                    self._index()
                    found = self._contexts.get(expr)
                    if found is not None:
                        return found
                if self._by_tag is None:  # only contexts met for the first time need it
                    self._by_tag = {}
                    for element in self._elements:
                        self._by_tag.setdefault(element.tag, []).append(element)
                DISPATCH.add(expr)
                found = []
                for branch in branches:
                    tag = branch.steps[-1].tag
                    candidates = self._by_tag.get(tag, ()) if tag is not None else self._elements
                    found.extend(el for el in candidates if _branch_matches(self, branch, el))
                if len(branches) > 1 and found:
                    unique = {id(el): el for el in found}
                    found = self._document_order(list(unique.values()))
        self._contexts[expr] = found
        return found

    def predicate(self, text: str, compiled, el) -> bool:
        """A context predicate on one element, evaluated once per document (several contexts
        share the same predicate on the same element, e.g. ``[cac:TaxScheme/cbc:ID='VAT']``);
        an attribute test is cheaper to redo than to look up."""
        if text in _ATTRIBUTE_PREDICATES:
            return compiled(el)
        key = (text, el)
        result = self._predicates.get(key)
        if result is None:
            result = self._predicates[key] = bool(compiled(el))
        return result

    @property
    def attribute_names(self) -> frozenset:
        """The names of every attribute in the document (one XPath pass in C): a ``//@name``
        question about an attribute no element carries needs no tree walk."""
        names = self._memo.get("attribute_names")
        if names is None:
            names = self._memo["attribute_names"] = frozenset(a.attrname for a in _ALL_ATTRIBUTES(self.root))
        return names

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
