"""One test per reason code: a minimal invoice that triggers exactly that code, and nothing else."""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import pytest

from kvitt.claims.reasons import REASONS
from kvitt.claims.validators import ApprovalSnapshot, profession_code, validate
from kvitt.einvoice.builder import BuyerInput

from tests.claims import invoices as f

DOCS = Path(__file__).resolve().parents[2] / "docs" / "claims-reason-codes.md"


def _replace_assignment(**kw):
    return f.snapshot(assignment=f.assignment_snapshot(**kw))


def _payment_without_kid(doc):
    means = tuple(dataclasses.replace(m, payment_id=None) for m in doc.payment_means)
    return dataclasses.replace(doc, payment_means=means)


CASES = {
    "CLM-100": lambda: (f.invoice(), f.snapshot(ehf_errors=("BR-CO-15", "PEPPOL-EN16931-R001"))),
    "CLM-101": lambda: (dataclasses.replace(f.invoice(), order_reference=None), f.snapshot()),
    "CLM-102": lambda: (f.invoice(), f.snapshot(assignment=None)),
    "CLM-103": lambda: (f.invoice(buyer=BuyerInput(name="Annen Forsikring ASA", org_number=f.OTHER_INSURER)), f.snapshot()),
    "CLM-104": lambda: (f.invoice(), _replace_assignment(payer_org_number=f.OTHER_INSURER)),
    "CLM-105": lambda: (f.invoice(), _replace_assignment(state="closed", state_label="Closed")),
    "CLM-106": lambda: (f.invoice(), f.snapshot(company_known=False)),
    "CLM-107": lambda: (f.invoice(), _replace_assignment(company_org_number="974760673")),
    "CLM-108": lambda: (f.invoice(), f.snapshot(received_documents=frozenset({(f.SUPPLIER, "1001")}))),
    "CLM-109": lambda: (
        dataclasses.replace(f.credit_note(), billing_references=()),
        f.snapshot(known_invoices=frozenset({(f.SUPPLIER, "1001")})),
    ),
    "CLM-110": lambda: (f.credit_note("1001"), f.snapshot(known_invoices=frozenset({(f.SUPPLIER, "1002")}))),
    "CLM-111": lambda: (f.invoice(currency="EUR"), f.snapshot()),
    "CLM-112": lambda: (dataclasses.replace(f.invoice(), payment_means=()), f.snapshot()),
    "CLM-113": lambda: (_payment_without_kid(f.invoice()), f.snapshot()),
    "CLM-201": lambda: (f.with_line_properties(f.invoice(), drop=("TreatmentDateTime",)), f.snapshot()),
    "CLM-202": lambda: (f.with_line_properties(f.invoice(), set_={"TreatmentDuration": "45 min"}), f.snapshot()),
    "CLM-203": lambda: (f.invoice(f.line(code="B2000")), f.snapshot()),
    "CLM-204": lambda: (f.invoice(f.line(datetime.datetime(2025, 12, 15, 10, 0, tzinfo=f.OSLO))), f.snapshot()),
    "CLM-205": lambda: (f.invoice(f.line(datetime.datetime(2026, 4, 2, 10, 0, tzinfo=f.OSLO))), f.snapshot()),
    "CLM-206": lambda: (f.invoice(), f.snapshot(approvals=())),
    "CLM-207": lambda: (f.invoice(f.line(hpr="1234567")), f.snapshot()),
    "CLM-208": lambda: (f.invoice(f.line(profession="Psykolog")), f.snapshot()),
    "CLM-209": lambda: (f.invoice(), _replace_assignment(remaining_treatments=0)),
    "CLM-210": lambda: (f.invoice(), _replace_assignment(remaining_amount=50_000)),
    "CLM-211": lambda: (f.invoice(), _replace_assignment(remaining_amount=0)),
    "CLM-212": lambda: (f.invoice(), f.snapshot(billed_treatments={(f.SAKID, "2026-03-02 09:00"): "1000 #1"})),
    "CLM-213": lambda: (f.invoice(f.line(diagnose="")), f.snapshot()),
}


def test_the_base_invoice_is_approved_without_findings():
    assert validate(f.invoice(), f.snapshot()).findings == ()


def test_every_reason_code_has_a_case():
    assert sorted(CASES) == sorted(REASONS)


@pytest.mark.parametrize("code", sorted(CASES))
def test_minimal_invoice_triggers_exactly_its_reason(code):
    doc, snap = CASES[code]()
    result = validate(doc, snap)
    assert result.codes == [code], [fi.message("en") for fi in result.findings]
    finding = result.findings[0]
    assert finding.number == 1
    assert finding.severity == REASONS[code].severity
    assert (finding.line_id is not None) == (REASONS[code].level == "line")
    for language in ("nb", "sv", "en"):
        text = finding.message(language)
        assert text and "{" not in text


def test_over_amount_approves_what_is_left():
    doc, snap = CASES["CLM-210"]()
    finding = validate(doc, snap).findings[0]
    assert finding.approved_amount == 50_000
    assert "500,00 NOK" in finding.message("en")


def test_documentation_lists_every_code_with_its_severity():
    if not DOCS.exists():
        pytest.fail("docs/claims-reason-codes.md is missing")
    text = DOCS.read_text(encoding="utf-8")
    for code, r in REASONS.items():
        row = next((row for row in text.splitlines() if row.startswith(f"| {code} ")), None)
        assert row is not None, code
        assert f"| {r.severity} |" in row, code


def test_same_treatment_time_twice_in_one_invoice_rejects_the_second_line():
    at = datetime.datetime(2026, 3, 3, 14, 0, tzinfo=f.OSLO)
    result = validate(f.invoice(f.line(at), f.line(at)), f.snapshot())
    assert [(x.code, x.line_id) for x in result.findings] == [("CLM-212", "2")]


def test_coverage_is_taken_line_by_line_in_document_order():
    lines = [f.line(datetime.datetime(2026, 3, d, 9, 0, tzinfo=f.OSLO), price="1000.00") for d in (2, 3, 4, 5)]
    snap = f.snapshot(assignment=f.assignment_snapshot(remaining_treatments=3, remaining_amount=250_000))
    result = validate(f.invoice(*lines), snap)
    assert [(x.code, x.line_id, x.approved_amount) for x in result.findings] == [
        ("CLM-210", "3", 50_000),
        ("CLM-209", "4", None),
    ]


def test_rejected_lines_do_not_use_coverage():
    lines = [f.line(code="B9999"), f.line(datetime.datetime(2026, 3, 4, 9, 0, tzinfo=f.OSLO))]
    snap = f.snapshot(assignment=f.assignment_snapshot(remaining_treatments=1))
    assert validate(f.invoice(*lines), snap).codes == ["CLM-203"]


def test_invoice_level_rejection_skips_line_checks():
    doc = f.invoice(f.line(code="B9999"))
    assert validate(doc, f.snapshot(assignment=None)).codes == ["CLM-102"]


def test_approval_limited_to_a_location_or_profession():
    snap = f.snapshot(approvals=(ApprovalSnapshot(datetime.date(2020, 1, 1), location_id=7),))
    assert validate(f.invoice(), snap).codes == ["CLM-206"]
    snap = f.snapshot(
        approvals=(ApprovalSnapshot(datetime.date(2020, 1, 1), location_id=7),),
        assignment=f.assignment_snapshot(location_id=7),
    )
    assert validate(f.invoice(), snap).codes == []
    snap = f.snapshot(approvals=(ApprovalSnapshot(datetime.date(2020, 1, 1), professions=("psychologist",)),))
    assert validate(f.invoice(), snap).codes == ["CLM-206"]


def test_approval_lapsed_before_the_treatment_date():
    snap = f.snapshot(approvals=(ApprovalSnapshot(datetime.date(2020, 1, 1), valid_to=datetime.date(2026, 3, 1)),))
    assert validate(f.invoice(), snap).codes == ["CLM-206"]
    snap = f.snapshot(approvals=(ApprovalSnapshot(datetime.date(2020, 1, 1), revoked=True),))
    assert validate(f.invoice(), snap).codes == ["CLM-206"]


def test_authorised_profession_without_hpr_is_missing_a_property():
    result = validate(f.invoice(f.line(hpr="")), f.snapshot())
    assert result.codes == ["CLM-201"]
    assert result.findings[0].params["property"] == "TherapistHpr"
    assert validate(f.invoice(f.line(hpr="", profession="Naprapat")), f.snapshot(
        assignment=f.assignment_snapshot(professions=("naprapath",)))).codes == []


def test_profession_names_in_three_languages():
    assert profession_code("Fysioterapeut") == "physiotherapist"
    assert profession_code("sjuksköterska") == "nurse"
    assert profession_code("Physician") == "physician"
    assert profession_code("psychologist") == "psychologist"
    assert profession_code("Tannlege") is None


def test_findings_are_numbered_in_order():
    doc = f.invoice(f.line(code="B9999", diagnose=""))
    result = validate(doc, f.snapshot())
    assert [(x.number, x.code) for x in result.findings] == [(1, "CLM-203"), (2, "CLM-213")]


def test_sakid_of_another_payer_is_reported_without_reading_it():
    assert validate(f.invoice(), f.snapshot(assignment=None, foreign_assignment=True)).codes == ["CLM-104"]
