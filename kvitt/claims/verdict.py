"""From findings to a verdict: approved, deviation (avvik) or rejection (avvisning), per invoice and per line.

Pure: the input is the parsed document and the validation result; amounts are øre (int).
Waived findings (overridden by a case handler) do not count.
"""

from __future__ import annotations

from dataclasses import dataclass

from kvitt.claims.reasons import DEVIATION, INVOICE_LEVEL, REJECT
from kvitt.claims.validators import Finding, ParsedLine, ValidationResult, amount_in_ore
from kvitt.einvoice.model import Document

APPROVED = "approved"
DEVIATION_OUTCOME = "deviation"
REJECTED = "rejected"
OUTCOMES = (APPROVED, DEVIATION_OUTCOME, REJECTED)


@dataclass(frozen=True)
class LineVerdict:
    line_id: str
    outcome: str
    invoiced_amount: int
    approved_amount: int
    count: int  # treatments approved (0 when rejected)
    treatment_id: str | None
    moment_key: str | None
    findings: tuple[int, ...]  # numbers of the findings about this line

    def as_dict(self) -> dict:
        return {
            "line_id": self.line_id, "outcome": self.outcome, "invoiced_amount": self.invoiced_amount,
            "approved_amount": self.approved_amount, "count": self.count, "treatment_id": self.treatment_id,
            "moment": self.moment_key, "findings": list(self.findings),
        }


@dataclass(frozen=True)
class Verdict:
    outcome: str
    invoiced_amount: int
    approved_amount: int
    lines: tuple[LineVerdict, ...]

    def line(self, line_id: str) -> LineVerdict:
        return next(v for v in self.lines if v.line_id == line_id)

    def as_dict(self) -> dict:
        return {
            "outcome": self.outcome, "invoiced_amount": self.invoiced_amount, "approved_amount": self.approved_amount,
            "lines": [v.as_dict() for v in self.lines],
        }


def _counting(findings) -> list[Finding]:
    return [f for f in findings if not f.waived]


def _line_amount(line: ParsedLine, fallback) -> int:
    if line.amount is not None:
        return line.amount
    try:
        return amount_in_ore(fallback)
    except ValueError:
        return 0


def _line_verdict(parsed: ParsedLine, invoiced: int, findings: list[Finding], invoice_rejected: bool) -> LineVerdict:
    numbers = tuple(f.number for f in findings)
    counting = _counting(findings)
    rejected = invoice_rejected or any(f.severity == REJECT for f in counting)
    deviations = [f for f in counting if f.severity == DEVIATION]
    if rejected:
        outcome, approved, count = REJECTED, 0, 0
    elif deviations:
        capped = [f.approved_amount for f in deviations if f.approved_amount is not None]
        outcome, approved, count = DEVIATION_OUTCOME, min([invoiced, *capped]), parsed.count or 0
    else:
        outcome, approved, count = APPROVED, invoiced, parsed.count or 0
    return LineVerdict(parsed.id, outcome, invoiced, approved, count, parsed.treatment_id, parsed.moment_key, numbers)


def decide(doc: Document, result: ValidationResult) -> Verdict:
    invoice_findings = _counting(f for f in result.findings if f.level == INVOICE_LEVEL)
    invoice_rejected = any(f.severity == REJECT for f in invoice_findings)
    lines = tuple(
        _line_verdict(parsed, _line_amount(parsed, source.line_extension_amount), result.for_line(parsed.id), invoice_rejected)
        for parsed, source in zip(result.lines, doc.lines)
    )
    invoiced = sum(v.invoiced_amount for v in lines)
    approved = sum(v.approved_amount for v in lines)
    if invoice_rejected or all(v.outcome == REJECTED for v in lines):
        outcome = REJECTED
    elif any(v.outcome != APPROVED for v in lines) or any(f.severity == DEVIATION for f in invoice_findings):
        outcome = DEVIATION_OUTCOME
    else:
        outcome = APPROVED
    return Verdict(outcome, invoiced, approved if outcome != REJECTED else 0, lines)
