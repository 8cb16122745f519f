"""Peppol BIS Invoice Response 3.1: golden file, parse-back, the T111 rules."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest

from kvitt.claims.invoice_response import (
    Condition,
    InvoiceResponse,
    InvoiceResponseError,
    ResponseParty,
    Status,
    build_invoice_response,
    parse_invoice_response,
    response_for,
    rule_violations,
)
from kvitt.claims.validators import validate
from kvitt.claims.verdict import decide

from tests.claims import invoices as f

GOLDEN = Path(__file__).parent / "golden"
INSURER = ResponseParty(f.INSURER, "0192", "Trygg Forsikring ASA", f.INSURER, "0192")
CLINIC = ResponseParty(f.SUPPLIER, "0192", "Fysio Bjørvika AS")


def _deviation_response(language="nb") -> InvoiceResponse:
    doc = f.invoice(
        f.line(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=f.OSLO)),
        f.line(datetime.datetime(2026, 3, 3, 9, 0, tzinfo=f.OSLO)),
    )
    result = validate(doc, f.snapshot(assignment=f.assignment_snapshot(remaining_treatments=1)))
    verdict = decide(doc, result)
    return response_for(
        response_id="IR-1001-1", issue_date=datetime.date(2026, 4, 1), sender=INSURER, receiver=CLINIC,
        verdict_outcome=verdict.outcome, findings=result.findings, document_id=doc.id, document_type_code="380",
        document_issue_date=doc.issue_date, language=language,
    )


def test_deviation_response_matches_the_golden_file():
    data = build_invoice_response(_deviation_response())
    golden = GOLDEN / "invoice_response_deviation.xml"
    if os.environ.get("KVITT_UPDATE_GOLDEN"):
        golden.write_bytes(data)
    assert data.decode() == golden.read_text(encoding="utf-8")


def test_response_parses_back_to_the_same_value():
    resp = _deviation_response("en")
    assert parse_invoice_response(build_invoice_response(resp)) == resp


def test_deviation_is_conditionally_accepted_with_a_reason_per_finding():
    resp = _deviation_response("en")
    assert resp.response_code == "CA"
    assert [(s.list_id, s.reason_code) for s in resp.statuses] == [("OPStatusReason", "QTY"), ("OPStatusAction", "CNA")]
    assert resp.statuses[0].conditions == (Condition("BT-126", "2"),)
    assert resp.statuses[0].reason.startswith("CLM-209: Line 2:")


def test_approved_is_ap_and_rejected_is_re():
    doc = f.invoice()
    for snap, code in ((f.snapshot(), "AP"), (f.snapshot(assignment=None), "RE")):
        result = validate(doc, snap)
        resp = response_for(
            response_id="IR-x", issue_date=datetime.date(2026, 4, 1), sender=INSURER, receiver=CLINIC,
            verdict_outcome=decide(doc, result).outcome, findings=result.findings, document_id=doc.id,
            document_type_code="380", document_issue_date=doc.issue_date,
        )
        assert resp.response_code == code
        assert rule_violations(resp) == []
        assert parse_invoice_response(build_invoice_response(resp)) == resp


def _plain(code: str, statuses=()) -> InvoiceResponse:
    return InvoiceResponse("IR-2", datetime.date(2026, 4, 1), INSURER, CLINIC, code, "1001", statuses=tuple(statuses))


@pytest.mark.parametrize("code", ["CA", "UQ", "RE"])
def test_t111_r001_clarification_required(code):
    assert any("PEPPOL-T111-R001" in p for p in rule_violations(_plain(code)))
    with pytest.raises(InvoiceResponseError, match="R001"):
        build_invoice_response(_plain(code))


@pytest.mark.parametrize("code", ["AB", "IP", "AP", "PD"])
def test_other_codes_need_no_clarification(code):
    resp = _plain(code)
    assert rule_violations(resp) == []
    assert parse_invoice_response(build_invoice_response(resp)).response_code == code


def test_code_lists_and_ppd_rules():
    assert any("R007" in p for p in rule_violations(_plain("RE", [Status("XYZ")])))
    assert any("R006" in p for p in rule_violations(_plain("RE", [Status("REF", "OPStatusAction")])))
    problems = rule_violations(_plain("AP", [Status("PPD")]))
    assert any("R004" in p for p in problems) and any("R005" in p for p in problems)
    assert rule_violations(_plain("PD", [Status("PPD", reason="Betalt 500 av 850 kr")])) == []
    assert any("ResponseCode" in p for p in rule_violations(_plain("OK")))


def test_parties_need_endpoint_and_registration_name():
    resp = InvoiceResponse("IR-3", datetime.date(2026, 4, 1), ResponseParty("", "", ""), CLINIC, "AB", "1001")
    problems = rule_violations(resp)
    assert "SenderParty: EndpointID with schemeID is required" in problems
    assert "SenderParty: PartyLegalEntity/RegistrationName is required" in problems


def test_reading_names_the_missing_element():
    data = build_invoice_response(_plain("AB")).replace(b"<cbc:ResponseCode>AB</cbc:ResponseCode>", b"")
    with pytest.raises(InvoiceResponseError, match="cbc:ResponseCode"):
        parse_invoice_response(data)
    with pytest.raises(InvoiceResponseError, match="ApplicationResponse"):
        parse_invoice_response(f.invoice_bytes())
    with pytest.raises(InvoiceResponseError, match="well-formed"):
        parse_invoice_response(b"<ApplicationResponse")
