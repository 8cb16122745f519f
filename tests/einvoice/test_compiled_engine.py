"""The compiled rule engine gives exactly the Python engine's findings (ids, flags, messages,
locations, order) on every official unit-test document, every example and test file, and on
generated invoices and credit notes. Skips when the compiled engine is not built."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from kvitt.core.xmlsafe import parse_xml
from kvitt.einvoice.rules import SOURCES, check, check_python
from kvitt.einvoice.rules import compiled

VEFA = "{http://difi.no/xsd/vefa/validator/1.0}"
FIXTURES = Path(settings.KVITT_SHARED_DIR) / "fixtures"
UNIT_SETS = ("cen/Invoice-unit-UBL", "cen/CreditNote-unit-UBL", "peppol/unit-UBL-NO", "peppol/unit-UBL-PEPPOL")
DOCUMENT_FOLDERS = ("peppol/examples", "peppol/national-examples/NO", "cen/testfiles")

pytestmark = pytest.mark.skipif(not compiled.available(), reason="the compiled rule engine is not built (make install)")


def _unit_documents(unit_set: str):
    folder = FIXTURES / unit_set
    for file in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.startswith(".xm")):
        for number, test in enumerate(parse_xml(file.read_bytes()).iter(f"{VEFA}test"), start=1):
            document = next(c for c in test if isinstance(c.tag, str) and not c.tag.startswith(VEFA))
            yield f"{file.name}#{number}", etree.tostring(document)


def _differences(named_documents) -> tuple[int, list[str]]:
    count, wrong = 0, []
    for name, data in named_documents:
        count += 1
        for sources in (SOURCES, ("CEN",), ("PEPPOL",)):
            expected = check_python(parse_xml(data), sources=sources)
            got = compiled.check(parse_xml(data), sources)
            if got != expected:
                missing = [f"{f.id}@{f.location}" for f in expected if f not in got]
                extra = [f"{f.id}@{f.location}" for f in got if f not in expected]
                wrong.append(f"{name} {sources}: missing {missing[:5]}, extra {extra[:5]}"
                             + ("" if missing or extra else " (order differs)"))
                break
    return count, wrong


@pytest.mark.parametrize("unit_set", UNIT_SETS)
def test_official_unit_documents(unit_set):
    if not (FIXTURES / unit_set).is_dir():
        pytest.skip("../shared/fixtures is not present")
    count, wrong = _differences(_unit_documents(unit_set))
    assert count > 10
    assert wrong == [], f"{len(wrong)} of {count} differ:\n" + "\n".join(wrong[:30])


@pytest.mark.parametrize("folder", DOCUMENT_FOLDERS)
def test_example_documents(folder):
    if not (FIXTURES / folder).is_dir():
        pytest.skip("../shared/fixtures is not present")
    documents = [(p.name, p.read_bytes()) for p in sorted((FIXTURES / folder).glob("*.xml"))]
    count, wrong = _differences(documents)
    assert wrong == [], "\n".join(wrong[:30])


def _bench_generator():
    path = Path(settings.BASE_DIR) / "bench" / "ehf_validate.py"
    spec = importlib.util.spec_from_file_location("kvitt_bench_ehf_validate", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


def test_generated_documents():
    bench = _bench_generator()
    template = bench.DEFAULT_TEMPLATE.read_bytes() if bench.DEFAULT_TEMPLATE.is_file() else bench.BUILTIN_TEMPLATE
    generator = bench.Generator(template, seed=11)
    count, wrong = _differences((f"generated-{n}", generator.make(n)) for n in range(1, 201))
    assert wrong == [], "\n".join(wrong[:30])


def test_check_uses_the_compiled_engine_unless_switched_off(monkeypatch):
    from kvitt.einvoice import rules

    assert rules._compiled_engine() is compiled
    root = parse_xml(b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>")
    assert check(root) == check_python(root)
    monkeypatch.setenv(rules.ENGINE_ENV, "python")
    monkeypatch.setattr(rules, "_compiled", None)  # the choice is made once per process
    assert rules._compiled_engine() is None


def test_the_compiled_engine_loads_where_it_is_built():
    # A build that exists but cannot be imported must not pass as "not built".
    folder = Path(compiled.__file__).parent
    assert compiled.load_error is None, compiled.load_error
    assert any(folder.glob("engine*.so"))
    from kvitt.einvoice.rules import RULES
    from kvitt.einvoice.rules.compiled import engine

    context_rules = {r.id for r in RULES if not r.batched}
    assert context_rules - engine.compiled_rule_ids() == set(), "rules without a compiled twin run in Python"


# --- mutated documents: hypothesis edits elements, values and attributes of valid documents

from hypothesis import given, strategies as st  # noqa: E402

from kvitt.core.xmlsafe import XmlError  # noqa: E402
from kvitt.einvoice.builder import build_credit_note, build_invoice  # noqa: E402
from tests.einvoice.builders_data import CREDIT_NOTE_E, INVOICE_E  # noqa: E402
from tests.hardening.strategies import FUZZ, mutated_xml  # noqa: E402


def _seeds() -> list[bytes]:
    seeds = [build_invoice(INVOICE_E), build_credit_note(CREDIT_NOTE_E)]
    bench = _bench_generator()
    template = bench.DEFAULT_TEMPLATE.read_bytes() if bench.DEFAULT_TEMPLATE.is_file() else bench.BUILTIN_TEMPLATE
    generator = bench.Generator(template, seed=5)
    seeds += [generator.make(n) for n in range(1, 9)]  # allowances, charges, S/E/O, credit notes
    return seeds


SEEDS = _seeds()


@FUZZ
@given(st.one_of(*(mutated_xml(seed, max_edits=8) for seed in SEEDS)))
def test_mutated_documents_give_the_same_findings(data):
    try:
        expected = check_python(parse_xml(data))
    except XmlError:
        return
    assert compiled.check(parse_xml(data), SOURCES) == expected


def test_threads_validating_at_once_get_their_own_findings():
    # The web server validates in threads; Python callbacks inside the engine let threads switch.
    from concurrent.futures import ThreadPoolExecutor

    documents = SEEDS * 5
    expected = [check_python(parse_xml(d)) for d in documents]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda d: compiled.check(parse_xml(d), SOURCES), documents))
    assert got == expected
