"""Native Python implementation of the EN16931 (CEN) and Peppol BIS Billing 3.0 validation rules.

``check(root)`` runs every rule on a parsed UBL Invoice or CreditNote (an lxml root from
``kvitt.core.xmlsafe.parse_xml``) and returns the failed assertions as :class:`Finding`s.
"""

from __future__ import annotations

from collections import defaultdict

from lxml import etree

from . import cen, national, peppol, syntax, ubl_cr, vat  # noqa: F401  (importing registers the rules)
from .base import FATAL, RULES, WARNING, Doc, Finding, Rule, element_path

__all__ = ["check", "Finding", "Rule", "RULES", "FATAL", "WARNING", "rule_ids", "SOURCES"]

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


def check(root: etree._Element, *, sources: tuple[str, ...] = SOURCES) -> list[Finding]:
    """All failed assertions of the selected rule sets: CEN findings before Peppol/national ones."""
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

