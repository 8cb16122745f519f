"""The native validator against the official unit-test sets (vefa testSet format) and example files.

Every <test> of every file in the CEN and Peppol UBL unit-test sets becomes one pytest case:
``error`` = the rule must fire with flag fatal, ``warning`` = it must fire as a warning,
``success`` = it must not fire. Cases listed in KNOWN_DISAGREEMENTS are strict xfails (see
docs/einvoice-validator.md). Everything skips cleanly without ../shared/fixtures.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from kvitt.core.xmlsafe import parse_xml
from kvitt.einvoice.rules import check
from kvitt.einvoice.validation import validate_document

VEFA = "{http://difi.no/xsd/vefa/validator/1.0}"
FIXTURES = Path(settings.KVITT_SHARED_DIR) / "fixtures"
UNIT_SETS = ("cen/Invoice-unit-UBL", "cen/CreditNote-unit-UBL", "peppol/unit-UBL-NO", "peppol/unit-UBL-PEPPOL")

# "<set>/<file>#<test number>" -> why the native validator disagrees (none at the moment).
KNOWN_DISAGREEMENTS: dict[str, str] = {}


def _unit_cases():
    cases = []
    for unit_set in UNIT_SETS:
        folder = FIXTURES / unit_set
        if not folder.is_dir():
            continue
        for file in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.startswith(".xm")):
            tests = parse_xml(file.read_bytes()).iter(f"{VEFA}test")
            for number, _ in enumerate(tests, start=1):
                case_id = f"{unit_set}/{file.name}#{number}"
                marks = [pytest.mark.xfail(strict=True, reason=KNOWN_DISAGREEMENTS[case_id])] if case_id in KNOWN_DISAGREEMENTS else []
                cases.append(pytest.param(file, number, id=case_id, marks=marks))
    return cases


UNIT_CASES = _unit_cases()
_parsed: dict[Path, list] = {}


def _tests_of(file: Path) -> list:
    if file not in _parsed:
        _parsed[file] = list(parse_xml(file.read_bytes()).iter(f"{VEFA}test"))
    return _parsed[file]


def expectations(test) -> list[tuple[str, str]]:
    assertion = test.find(f"{VEFA}assert")
    return [(etree.QName(e).localname, (e.text or "").strip()) for e in assertion
            if isinstance(e.tag, str) and etree.QName(e).localname in ("success", "error", "warning")]


def document_of(test):
    return next(c for c in test if isinstance(c.tag, str) and not c.tag.startswith(VEFA))


def disagreements(test) -> list[str]:
    # The document is re-rooted so absolute paths (/ubl:Invoice/...) behave as in the real file.
    root = parse_xml(etree.tostring(document_of(test)))
    findings = check(root)
    wrong = []
    for kind, rule_id in expectations(test):
        flags = {f.flag for f in findings if f.id == rule_id}
        ok = {"success": not flags, "error": "fatal" in flags, "warning": "warning" in flags}[kind]
        if not ok:
            wrong.append(f"expected {kind} for {rule_id}, native flags: {sorted(flags) or 'none'}")
    return wrong


@pytest.mark.skipif(not UNIT_CASES, reason="../shared/fixtures with the official unit-test sets is not present")
@pytest.mark.parametrize(("file", "number"), UNIT_CASES or [pytest.param(None, 0, id="absent")])
def test_official_unit_test(file, number):
    test = _tests_of(file)[number - 1]
    assert expectations(test), "test without expectation"
    assert disagreements(test) == []


def test_every_unit_set_is_present_and_counted(shared_fixtures):
    for unit_set in UNIT_SETS:
        assert any(case.id.startswith(unit_set + "/") for case in UNIT_CASES), unit_set


def _documents(*folders):
    found = []
    for folder in folders:
        path = FIXTURES / folder
        if path.is_dir():
            found += [pytest.param(p, id=f"{folder}/{p.name}") for p in sorted(path.glob("*.xml"))]
    return found or [pytest.param(None, id="absent")]


@pytest.mark.parametrize("file", _documents("peppol/examples", "peppol/national-examples/NO"))
def test_peppol_examples_are_valid(file, shared_fixtures):
    report = validate_document(file.read_bytes(), schema_dir=shared_fixtures / "ubl-2.1-xsd")
    assert report.fatal == []


@pytest.mark.parametrize("file", _documents("cen/testfiles"))
def test_cen_test_files_pass_the_cen_rules(file, shared_fixtures):
    # These are EN16931 test documents (several with dummy Swedish/GLN identifiers that the newer
    # Peppol identifier checks reject), so they are held to the CEN rules and the UBL schema.
    root = parse_xml(file.read_bytes())
    assert [f for f in check(root, sources=("CEN",)) if f.flag == "fatal"] == []
