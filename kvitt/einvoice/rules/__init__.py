"""Native Python implementation of the EN16931 (CEN) and Peppol BIS Billing 3.0 validation rules.

``check(root)`` runs every rule on a parsed UBL Invoice or CreditNote (an lxml root from
``kvitt.core.xmlsafe.parse_xml``) and returns the failed assertions as :class:`Finding`s.
"""

from __future__ import annotations

import os
from collections import defaultdict

from lxml import etree

from . import cen, national, peppol, syntax, ubl_cr, vat  # noqa: F401  (importing registers the rules)
from .base import FATAL, RULES, WARNING, Doc, Finding, Rule, element_path

__all__ = ["check", "check_python", "Finding", "Rule", "RULES", "FATAL", "WARNING", "rule_ids", "SOURCES"]

SOURCES = ("CEN", "PEPPOL")


def _grouped(sources: tuple[str, ...]) -> list[tuple[str, list[Rule]]]:
    groups: dict[str, list[Rule]] = defaultdict(list)
    for item in RULES:
        if item.source in sources and not item.batched:
            groups[item.context].append(item)
    return list(groups.items())


_GROUPS = {sources: _grouped(sources) for sources in (("CEN",), ("PEPPOL",))}


def rule_ids() -> set[str]:
    return {r.id for r in RULES}


ENGINE_ENV = "KVITT_EINVOICE_ENGINE"
_compiled = None


def _compiled_engine():
    """The compiled twin when it is built and not switched off (``KVITT_EINVOICE_ENGINE=python``)."""
    global _compiled
    if _compiled is None:
        from . import compiled

        _compiled = compiled if compiled.available() and os.environ.get(ENGINE_ENV, "auto") != "python" else False
    return _compiled or None


def check(root: etree._Element, *, sources: tuple[str, ...] = SOURCES) -> list[Finding]:
    """All failed assertions of the selected rule sets: CEN findings before Peppol/national ones.

    Runs the compiled engine when it is built (same findings, see kvitt.einvoice.rules.compiled),
    otherwise the Python one."""
    engine = _compiled_engine()
    if engine is not None:
        return engine.check(root, sources)
    return check_python(root, sources=sources)


def check_python(root: etree._Element, *, sources: tuple[str, ...] = SOURCES) -> list[Finding]:
    """The Python engine: the reference the compiled one is held to."""
    doc = Doc(root)
    findings: list[Finding] = []
    for source in sources:
        _run(doc, _GROUPS.get((source,)) or _grouped((source,)), findings)
        if source == "CEN":
            findings.extend(ubl_cr.findings(doc))
    return findings


def _run(doc: Doc, groups, findings: list[Finding]) -> None:
    for context, rules in groups:
        for el in doc.context(context):
            for item in rules:
                try:
                    ok = item.test(el, doc)
                except (ArithmeticError, ValueError, TypeError):
                    # The official XSLT stops with a dynamic error here; report the rule as failed.
                    ok = False
                if not ok:
                    findings.append(Finding(item.id, item.flag, item.message, element_path(el)))

