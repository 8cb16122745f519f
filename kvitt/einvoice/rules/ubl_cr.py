"""UBL-CR-*: the CEN UBL syntax warnings for elements and attributes an EN16931 invoice should not
carry (context /ubl:Invoice, flag warning). The list lives in data/ubl_cr.txt.

Almost all are plain child paths from the root, so the document's element paths are collected
once and matched against the forbidden ones in a single pass (``findings``); attribute and
``//`` paths go through XPath. Each rule is still registered on its own (id, message, test).
"""

from __future__ import annotations

from .base import INVOICE_NS, NS, WARNING, Finding, add, element_path, exists
from .codelists import DATA_DIR

PREFIX = "A UBL invoice should not include the "


def _load() -> list[tuple[str, str, str]]:
    rules = []
    for line in (DATA_DIR / "ubl_cr.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        head, _, message = line.partition(" | ")
        number, path = head.split(" ", 1)
        path = path.strip()
        if not message:
            message = PREFIX + " ".join(step.split(":", 1)[1] for step in path.split("/"))
        rules.append((f"UBL-CR-{number}", path, message))
    return rules


def _element_paths(doc) -> frozenset:
    """Every element's path from the root as a tuple of Clark names (from the index pass)."""
    doc.elements  # noqa: B018  (runs the index pass)
    return doc.memo("element_paths", frozenset)


def _clark_path(path: str) -> tuple | None:
    if "@" in path or path.startswith("/"):
        return None
    steps = []
    for step in path.split("/"):
        prefix, local = step.split(":")
        steps.append(f"{{{NS[prefix]}}}{local}")
    return tuple(steps)


def _absent(path: str):
    tags = _clark_path(path)
    if tags is not None:
        return lambda el, doc: tags not in _element_paths(doc)
    return lambda el, doc: not exists(el, path)


_BY_TAGS: dict[tuple, tuple[int, str, str]] = {}
_BY_XPATH: list[tuple[int, str, str, str]] = []
for _order, (_rule_id, _path, _message) in enumerate(_load()):
    _text = f"[{_rule_id}]-{_message}"
    add(_rule_id, WARNING, "/ubl:Invoice", _text, _absent(_path), source="CEN", batched=True)
    _tags = _clark_path(_path)
    if _tags is not None:
        _BY_TAGS[_tags] = (_order, _rule_id, _text)
    else:
        _BY_XPATH.append((_order, _rule_id, _path, _text))

_INVOICE = f"{{{INVOICE_NS}}}Invoice"


def _present(doc, path: str) -> bool:
    """``exists(path)`` without a tree walk when the answer is already known: most documents
    carry none of these attributes, and ``//`` element paths come from the index pass."""
    _, at, attribute = path.rpartition("@")
    if at:
        return attribute in doc.attribute_names and exists(doc.root, path)
    if path.startswith("//"):
        return bool(doc.context(path))
    return exists(doc.root, path)


def findings(doc) -> list[Finding]:
    """All UBL-CR warnings of one document, in rule order (the same as running each rule)."""
    if doc.root.tag != _INVOICE:
        return []
    hits = [_BY_TAGS[p] for p in _element_paths(doc) if p in _BY_TAGS]
    hits += [(order, rule_id, text) for order, rule_id, path, text in _BY_XPATH if _present(doc, path)]
    location = element_path(doc.root)
    return [Finding(rule_id, WARNING, text, location) for _, rule_id, text in sorted(hits)]
