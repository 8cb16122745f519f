"""Verdicts per invoice and per line, with the approved amount in øre."""

from __future__ import annotations

import datetime

from kvitt.claims.validators import validate
from kvitt.claims.verdict import APPROVED, DEVIATION_OUTCOME, REJECTED, decide

from tests.claims import invoices as f


def _at(day: int) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, 9, 0, tzinfo=f.OSLO)


def _verdict(doc, snap, waived=frozenset()):
    return decide(doc, validate(doc, snap, waived))


def test_clean_invoice_is_approved_in_full():
    v = _verdict(f.invoice(f.line(_at(2)), f.line(_at(3), price="650.00")), f.snapshot())
    assert (v.outcome, v.invoiced_amount, v.approved_amount) == (APPROVED, 150_000, 150_000)
    assert [(x.outcome, x.approved_amount, x.count) for x in v.lines] == [(APPROVED, 85_000, 1), (APPROVED, 65_000, 1)]


def test_warnings_do_not_change_the_verdict():
    v = _verdict(f.invoice(f.line(diagnose="")), f.snapshot())
    assert v.outcome == APPROVED and v.approved_amount == 85_000


def test_one_line_beyond_coverage_is_a_deviation():
    doc = f.invoice(f.line(_at(2)), f.line(_at(3)))
    v = _verdict(doc, f.snapshot(assignment=f.assignment_snapshot(remaining_treatments=1)))
    assert v.outcome == DEVIATION_OUTCOME
    assert [(x.outcome, x.approved_amount) for x in v.lines] == [(APPROVED, 85_000), (REJECTED, 0)]
    assert v.approved_amount == 85_000 and v.invoiced_amount == 170_000


def test_reduced_amount_is_a_deviation_with_the_rest_approved():
    v = _verdict(f.invoice(), f.snapshot(assignment=f.assignment_snapshot(remaining_amount=30_000)))
    assert (v.outcome, v.approved_amount) == (DEVIATION_OUTCOME, 30_000)
    assert v.lines[0].count == 1


def test_all_lines_rejected_is_a_rejection():
    v = _verdict(f.invoice(f.line(code="B9999")), f.snapshot())
    assert (v.outcome, v.approved_amount) == (REJECTED, 0)


def test_invoice_level_rejection_rejects_every_line():
    v = _verdict(f.invoice(f.line(_at(2)), f.line(_at(3))), f.snapshot(company_known=False))
    assert v.outcome == REJECTED
    assert {x.outcome for x in v.lines} == {REJECTED}
    assert v.invoiced_amount == 170_000 and v.approved_amount == 0


def test_an_overridden_finding_no_longer_counts_but_is_still_shown():
    doc = f.invoice(f.line(code="B9999"))
    waived = frozenset({("CLM-203", "1")})
    result = validate(doc, f.snapshot(), waived)
    assert [(x.code, x.waived) for x in result.findings] == [("CLM-203", True)]
    v = decide(doc, result)
    assert (v.outcome, v.approved_amount) == (APPROVED, 85_000)


def test_an_overridden_line_then_takes_coverage():
    doc = f.invoice(f.line(_at(2), code="B9999"), f.line(_at(3)))
    snap = f.snapshot(assignment=f.assignment_snapshot(remaining_treatments=1))
    assert _verdict(doc, snap).outcome == DEVIATION_OUTCOME  # line 1 rejected, line 2 fits
    v = _verdict(doc, snap, frozenset({("CLM-203", "1")}))
    assert [(x.outcome, x.approved_amount) for x in v.lines] == [(APPROVED, 85_000), (REJECTED, 0)]


def test_coverage_limits_cannot_be_overridden():
    doc = f.invoice()
    snap = f.snapshot(assignment=f.assignment_snapshot(remaining_treatments=0))
    v = _verdict(doc, snap, frozenset({("CLM-209", "1")}))
    assert v.outcome == REJECTED


def test_credit_note_for_a_known_invoice_is_approved():
    doc = f.credit_note("1001")
    v = _verdict(doc, f.snapshot(known_invoices=frozenset({(f.SUPPLIER, "1001")})))
    assert (v.outcome, v.approved_amount) == (APPROVED, 85_000)
