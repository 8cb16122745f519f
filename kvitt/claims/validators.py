"""The automatic invoice validation as a chain of pure validators.

Input: the parsed :class:`~kvitt.einvoice.model.Document` and a :class:`Snapshot` of what the
insurer knows (the assignment and its remaining coverage, the supplier's approvals and
practitioners, invoices already received, treatment times already billed). The service fills the
snapshot from the database; here nothing touches it, so every rule is tested with plain values.

Output: numbered :class:`Finding` s, each with a reason code from :mod:`kvitt.claims.reasons`.
The invoice-level checks run first; when one of them rejects the invoice, the line checks do not
run (the whole document goes back, and per-line noise would hide the cause). Coverage is counted
last, line by line in document order, over the lines no other rule rejected.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Iterable

from kvitt.claims.reasons import INVOICE_LEVEL, LANGUAGES, LINE_LEVEL, REJECT, reason
from kvitt.core.identifiers.no import hpr as hpr_module
from kvitt.einvoice.model import Document, Line
from kvitt.einvoice.ubl import (
    PROP_DIAGNOSE,
    PROP_PROFESSION,
    PROP_THERAPIST_HPR,
    PROP_TREATMENT_DATETIME,
    PROP_TREATMENT_DURATION,
    PROP_TREATMENT_ID,
)
from kvitt.locale.translations import T as TRANSLATIONS

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
INVOICEABLE_STATES = frozenset({"open", "booked", "in_treatment"})
CURRENCY = "NOK"

# Profession codes (kvitt.network.models.Profession) and their English labels; the invoice's
# Profession property may carry the code or the label in nb, sv or en (clinics write labels).
PROFESSION_LABELS = {
    "physiotherapist": "Physiotherapist",
    "manual_therapist": "Manual therapist",
    "psychologist": "Psychologist",
    "chiropractor": "Chiropractor",
    "gp": "General practitioner",
    "physician": "Physician",
    "nurse": "Nurse",
    "acupuncturist": "Acupuncturist",
    "masseur": "Masseur",
    "naprapath": "Naprapath",
    "osteopath": "Osteopath",
}
# Outside the authorisation scheme (helsepersonelloven): no HPR number is required.
PROFESSIONS_WITHOUT_HPR = frozenset({"acupuncturist", "masseur", "naprapath", "osteopath"})


def _profession_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, english in PROFESSION_LABELS.items():
        names[code] = code
        names[english.casefold()] = code
        for label in TRANSLATIONS.get(english, ()):
            names[label.casefold()] = code
    return names


PROFESSION_BY_NAME = _profession_names()


def profession_code(text: str | None) -> str | None:
    """The profession code for a Profession property value (code or label in nb/sv/en), else None."""
    if not text:
        return None
    return PROFESSION_BY_NAME.get(text.strip().casefold())


# --- the snapshot ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentSnapshot:
    sakid: str
    payer_org_number: str
    state: str
    state_label: str
    professions: tuple[str, ...]
    service_codes: tuple[str, ...]
    valid_from: datetime.date
    valid_to: datetime.date
    remaining_treatments: int
    remaining_amount: int  # øre
    company_org_number: str | None = None
    location_id: int | None = None


@dataclass(frozen=True)
class ApprovalSnapshot:
    valid_from: datetime.date
    valid_to: datetime.date | None = None
    revoked: bool = False
    location_id: int | None = None
    professions: tuple[str, ...] = ()

    def covers(self, day: datetime.date, location_id: int | None, profession: str | None) -> bool:
        if self.revoked or day < self.valid_from or (self.valid_to is not None and day > self.valid_to):
            return False
        if self.location_id is not None and self.location_id != location_id:
            return False
        return not self.professions or profession is None or profession in self.professions


@dataclass(frozen=True)
class PractitionerSnapshot:
    hpr_number: str
    professions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    """What the insurer knew when the invoice was validated."""

    insurer_org_number: str
    now: datetime.datetime  # aware
    assignment: AssignmentSnapshot | None = None
    company_known: bool = True
    approvals: tuple[ApprovalSnapshot, ...] = ()
    practitioners: tuple[PractitionerSnapshot, ...] = ()
    # (supplier org number, document number) of every other document received from anyone.
    received_documents: frozenset[tuple[str, str]] = frozenset()
    # (supplier org number, invoice number) of the invoices (not credit notes) the insurer has.
    known_invoices: frozenset[tuple[str, str]] = frozenset()
    # (SakID, treatment time "YYYY-MM-DD HH:MM") -> the document that billed it.
    billed_treatments: dict = field(default_factory=dict)
    # Rule ids of the fatal findings of the EHF/Peppol validation of the document.
    ehf_errors: tuple[str, ...] = ()
    # The SakID exists, but at another payer (whose assignment this insurer may not read).
    foreign_assignment: bool = False

    def practitioner(self, hpr: str) -> PractitionerSnapshot | None:
        return next((p for p in self.practitioners if p.hpr_number == hpr), None)


# --- findings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    number: int
    code: str
    severity: str
    level: str
    line_id: str | None
    params: dict
    # An amount the finding approves instead of the line's (CLM-210); None when not relevant.
    approved_amount: int | None = None
    # Overridden by a case handler: still shown, no longer counted.
    waived: bool = False

    def message(self, language: str = "nb") -> str:
        return reason(self.code).message(language, self.params)

    @property
    def messages(self) -> dict[str, str]:
        return {lang: self.message(lang) for lang in LANGUAGES}

    def as_dict(self) -> dict:
        return {
            "number": self.number, "code": self.code, "severity": self.severity, "level": self.level,
            "line_id": self.line_id, "params": self.params, "approved_amount": self.approved_amount,
            "waived": self.waived, "messages": self.messages,
        }

    @property
    def key(self) -> tuple[str, str | None]:
        """What an override names: the code and the line (stable when validation runs again)."""
        return (self.code, self.line_id)


@dataclass(frozen=True)
class _Raw:
    """A finding before numbering."""

    code: str
    line_id: str | None = None
    params: dict = field(default_factory=dict)
    approved_amount: int | None = None


def _raw(code: str, line_id: str | None = None, approved_amount: int | None = None, **params) -> _Raw:
    params = {k: str(v) for k, v in params.items()}
    if line_id is not None:
        params.setdefault("line", line_id)
    return _Raw(code, line_id, params, approved_amount)


# --- one line, read -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedLine:
    """A line's treatment details, read from its properties; None where absent or unreadable."""

    id: str
    treatment_id: str | None
    treatment_at: datetime.datetime | None  # aware, Europe/Oslo
    hpr: str | None
    profession_text: str | None
    profession: str | None
    diagnose: str | None
    count: int | None
    amount: int | None  # øre
    problems: tuple[_Raw, ...] = ()

    @property
    def moment_key(self) -> str | None:
        return self.treatment_at.strftime("%Y-%m-%d %H:%M") if self.treatment_at else None


_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")
_DURATION = re.compile(r"^\d{2}:[0-5]\d:[0-5]\d$")


def parse_treatment_datetime(text: str) -> datetime.datetime:
    """``2021-10-22 17:00:00`` (local Norwegian time, as the insurers' extension writes it)."""
    for fmt in _DATETIME_FORMATS:
        try:
            return datetime.datetime.strptime(text.strip(), fmt).replace(tzinfo=OSLO)
        except ValueError:
            continue
    raise ValueError(f"not a treatment date and time: {text!r}")


def amount_in_ore(amount: Decimal) -> int:
    """Kroner to øre, exactly: a fraction of an øre is an error, not something to round away."""
    ore = amount * 100
    if ore != ore.to_integral_value():
        raise ValueError(f"{amount} has fractions of an øre")
    return int(ore)


def _whole_count(quantity: Decimal) -> int:
    if quantity != quantity.to_integral_value() or quantity <= 0:
        raise ValueError(f"{quantity} is not a whole number of treatments")
    return int(quantity)


def read_line(line: Line) -> ParsedLine:
    problems: list[_Raw] = []
    prop = line.item.property

    def required(name: str) -> str | None:
        value = (prop(name) or "").strip()
        if not value:
            problems.append(_raw("CLM-201", line.id, property=name))
            return None
        return value

    treatment_id = required(PROP_TREATMENT_ID)
    moment_text = required(PROP_TREATMENT_DATETIME)
    treatment_at = None
    if moment_text is not None:
        try:
            treatment_at = parse_treatment_datetime(moment_text)
        except ValueError:
            problems.append(_raw("CLM-202", line.id, property=PROP_TREATMENT_DATETIME, value=moment_text))
    duration = prop(PROP_TREATMENT_DURATION)
    if duration is not None and not _DURATION.match(duration.strip()):
        problems.append(_raw("CLM-202", line.id, property=PROP_TREATMENT_DURATION, value=duration))
    hpr = (prop(PROP_THERAPIST_HPR) or "").strip() or None
    if hpr is not None:
        if hpr_module.is_valid(hpr):
            hpr = hpr_module.compact(hpr)
        else:
            problems.append(_raw("CLM-202", line.id, property=PROP_THERAPIST_HPR, value=hpr))
            hpr = None
    profession_text = (prop(PROP_PROFESSION) or "").strip() or None
    profession = profession_code(profession_text)
    if profession_text is not None and profession is None:
        problems.append(_raw("CLM-202", line.id, property=PROP_PROFESSION, value=profession_text))
    elif profession is not None and profession not in PROFESSIONS_WITHOUT_HPR and hpr is None and not _bad_hpr(problems):
        problems.append(_raw("CLM-201", line.id, property=PROP_THERAPIST_HPR))
    try:
        count = _whole_count(line.quantity)
    except ValueError:
        count = None
        problems.append(_raw("CLM-202", line.id, property="InvoicedQuantity", value=line.quantity))
    try:
        amount = amount_in_ore(line.line_extension_amount)
        if amount < 0:
            raise ValueError("negative")
    except ValueError:
        amount = None
        problems.append(_raw("CLM-202", line.id, property="LineExtensionAmount", value=line.line_extension_amount))
    return ParsedLine(
        id=line.id, treatment_id=treatment_id, treatment_at=treatment_at, hpr=hpr, profession_text=profession_text,
        profession=profession, diagnose=(prop(PROP_DIAGNOSE) or "").strip() or None, count=count, amount=amount,
        problems=tuple(problems),
    )


def _bad_hpr(problems: list[_Raw]) -> bool:
    return any(p.params.get("property") == PROP_THERAPIST_HPR for p in problems)


# --- invoice-level validators ------------------------------------------------------------------

InvoiceValidator = Callable[[Document, Snapshot], Iterable[_Raw]]


def supplier_org_number(doc: Document) -> str:
    return doc.supplier.org_number or (doc.supplier.endpoint.value if doc.supplier.endpoint else "")


def check_ehf(doc: Document, snap: Snapshot) -> Iterable[_Raw]:
    if snap.ehf_errors:
        rules = sorted(set(snap.ehf_errors))
        yield _raw("CLM-100", rules=", ".join(rules[:8]) + (" …" if len(rules) > 8 else ""))


def check_buyer(doc: Document, snap: Snapshot) -> Iterable[_Raw]:
    buyer = doc.customer.org_number
    if buyer != snap.insurer_org_number:
        yield _raw("CLM-103", buyer=buyer or "-", insurer=snap.insurer_org_number)


def check_currency(doc: Document, snap: Snapshot) -> Iterable[_Raw]:
    if doc.currency != CURRENCY:
        yield _raw("CLM-111", currency=doc.currency)


def check_supplier_known(doc: Document, snap: Snapshot) -> Iterable[_Raw]:
    if not snap.company_known:
        yield _raw("CLM-106", supplier=supplier_org_number(doc) or "-")


def check_duplicate_number(doc: Document, snap: Snapshot) -> Iterable[_Raw]:
    supplier = supplier_org_number(doc)
    if (supplier, doc.id) in snap.received_documents:
        yield _raw("CLM-108", number=doc.id, supplier=supplier)


def check_sakid(doc: Document, snap: Snapshot) -> Iterable[_Raw]:
    sakid = (doc.sak_id or "").strip()
    if not sakid:
        yield _raw("CLM-101")
        return
    assignment = snap.assignment
    if assignment is None:
        yield _raw("CLM-104" if snap.foreign_assignment else "CLM-102", sakid=sakid)
        return
    if assignment.payer_org_number != snap.insurer_org_number:
        yield _raw("CLM-104", sakid=sakid)
        return
    if assignment.state not in INVOICEABLE_STATES:
        yield _raw("CLM-105", sakid=sakid, state=assignment.state_label)
    supplier = supplier_org_number(doc)
    if assignment.company_org_number and assignment.company_org_number != supplier:
        yield _raw("CLM-107", sakid=sakid)


def check_payment(doc: Document, snap: Snapshot) -> Iterable[_Raw]:
    if not any(m.account and m.account.id.strip() for m in doc.payment_means):
        yield _raw("CLM-112")
    elif not doc.kid:
        yield _raw("CLM-113")


def check_credited_invoice(doc: Document, snap: Snapshot) -> Iterable[_Raw]:
    references = [r.id.strip() for r in doc.billing_references if r.id.strip()]
    if not references:
        yield _raw("CLM-109")
        return
    supplier = supplier_org_number(doc)
    for number in references:
        if (supplier, number) not in snap.known_invoices:
            yield _raw("CLM-110", number=number, supplier=supplier)


INVOICE_VALIDATORS: tuple[InvoiceValidator, ...] = (
    check_ehf, check_buyer, check_currency, check_supplier_known, check_duplicate_number, check_sakid, check_payment,
)
CREDIT_NOTE_VALIDATORS: tuple[InvoiceValidator, ...] = (
    check_ehf, check_buyer, check_currency, check_supplier_known, check_duplicate_number, check_credited_invoice,
)


# --- line-level validators ---------------------------------------------------------------------

LineValidator = Callable[[ParsedLine, Snapshot], Iterable[_Raw]]


def check_treatment_code(line: ParsedLine, snap: Snapshot) -> Iterable[_Raw]:
    a = snap.assignment
    if line.treatment_id and a.service_codes and line.treatment_id not in a.service_codes:
        yield _raw("CLM-203", line.id, treatment=line.treatment_id, sakid=a.sakid)


def check_treatment_period(line: ParsedLine, snap: Snapshot) -> Iterable[_Raw]:
    a = snap.assignment
    if line.treatment_at is None:
        return
    day = line.treatment_at.date()
    if not a.valid_from <= day <= a.valid_to:
        yield _raw("CLM-204", line.id, date=day.isoformat(), valid_from=a.valid_from.isoformat(), valid_to=a.valid_to.isoformat())
    if line.treatment_at > snap.now:
        yield _raw("CLM-205", line.id, moment=line.treatment_at.strftime("%Y-%m-%d %H:%M"))


def _line_professions(line: ParsedLine, snap: Snapshot) -> tuple[str, ...]:
    """The profession the line was performed under: as stated, else the practitioner's."""
    if line.profession:
        return (line.profession,)
    practitioner = snap.practitioner(line.hpr) if line.hpr else None
    return practitioner.professions if practitioner else ()


def check_practitioner(line: ParsedLine, snap: Snapshot) -> Iterable[_Raw]:
    if line.hpr and snap.practitioner(line.hpr) is None:
        yield _raw("CLM-207", line.id, hpr=line.hpr)


def check_profession(line: ParsedLine, snap: Snapshot) -> Iterable[_Raw]:
    a = snap.assignment
    professions = _line_professions(line, snap)
    if professions and a.professions and not set(professions) & set(a.professions):
        shown = line.profession_text or ", ".join(professions)
        yield _raw("CLM-208", line.id, profession=shown, sakid=a.sakid)


def check_approval(line: ParsedLine, snap: Snapshot) -> Iterable[_Raw]:
    if line.treatment_at is None:
        return
    day = line.treatment_at.date()
    professions = _line_professions(line, snap) or (None,)
    location_id = snap.assignment.location_id
    if not any(a.covers(day, location_id, p) for a in snap.approvals for p in professions):
        shown = line.profession_text or ", ".join(p for p in professions if p) or "-"
        yield _raw("CLM-206", line.id, profession=shown, date=day.isoformat())


def check_diagnose(line: ParsedLine, snap: Snapshot) -> Iterable[_Raw]:
    if line.diagnose is None:
        yield _raw("CLM-213", line.id)


LINE_VALIDATORS: tuple[LineValidator, ...] = (
    check_treatment_code, check_treatment_period, check_practitioner, check_profession, check_approval,
    check_diagnose,
)


def check_duplicate_treatments(lines: list[ParsedLine], snap: Snapshot, doc_id: str, rejected: set[str]) -> list[_Raw]:
    """The same SakID and treatment time must be billed once, in this invoice and across invoices."""
    sakid = snap.assignment.sakid
    seen: dict[str, str] = {}
    found = []
    for line in lines:
        key = line.moment_key
        if key is None or line.id in rejected:
            continue
        moment = line.treatment_at.strftime("%Y-%m-%d %H:%M")
        earlier = snap.billed_treatments.get((sakid, key))
        if earlier is not None:
            found.append(_raw("CLM-212", line.id, moment=moment, sakid=sakid, where=earlier))
        elif key in seen:
            found.append(_raw("CLM-212", line.id, moment=moment, sakid=sakid, where=f"{doc_id} #{seen[key]}"))
        else:
            seen[key] = line.id
    return found


def check_coverage(lines: list[ParsedLine], snap: Snapshot, rejected: set[str]) -> list[_Raw]:
    """Walk the approvable lines in order, taking from what is left of the coverage."""
    a = snap.assignment
    left_count, left_amount = a.remaining_treatments, a.remaining_amount
    found = []
    for line in lines:
        if line.id in rejected or line.count is None or line.amount is None:
            continue
        if line.count > left_count:
            found.append(_raw("CLM-209", line.id, sakid=a.sakid, left=max(left_count, 0), count=line.count))
            continue
        if left_amount <= 0 and line.amount > 0:
            found.append(_raw("CLM-211", line.id, sakid=a.sakid))
            continue
        left_count -= line.count
        if line.amount > left_amount:
            found.append(
                _raw("CLM-210", line.id, approved_amount=left_amount, sakid=a.sakid,
                     amount=_kroner(line.amount), approved=_kroner(left_amount))
            )
            left_amount = 0
        else:
            left_amount -= line.amount
    return found


def _kroner(ore: int) -> str:
    sign = "-" if ore < 0 else ""
    kroner, rest = divmod(abs(ore), 100)
    return f"{sign}{kroner},{rest:02d} NOK"


# --- the chain ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidationResult:
    findings: tuple[Finding, ...]
    lines: tuple[ParsedLine, ...]

    def for_line(self, line_id: str) -> list[Finding]:
        return [f for f in self.findings if f.line_id == line_id]

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.findings]


Waived = frozenset  # of (code, line_id) a case handler overrode


def _is_waived(raw: _Raw, waived: Waived) -> bool:
    return reason(raw.code).waivable and (raw.code, raw.line_id) in waived


def _number(raws: Iterable[_Raw], waived: Waived) -> tuple[Finding, ...]:
    findings = []
    for number, raw in enumerate(raws, start=1):
        r = reason(raw.code)
        findings.append(
            Finding(number, raw.code, r.severity, r.level, raw.line_id, raw.params, raw.approved_amount, _is_waived(raw, waived))
        )
    return tuple(findings)


def validate(doc: Document, snap: Snapshot, waived: Waived = frozenset()) -> ValidationResult:
    """Run the chain; the findings are numbered in the order the checks found them.

    ``waived`` names findings a case handler overrode (code, line id): they are still reported,
    but no longer stop the line checks or keep a line from using the coverage.
    """

    def _rejects(raws: Iterable[_Raw]) -> bool:
        return any(reason(r.code).severity == REJECT and not _is_waived(r, waived) for r in raws)

    lines = [read_line(line) for line in doc.lines]
    chain = CREDIT_NOTE_VALIDATORS if doc.is_credit_note else INVOICE_VALIDATORS
    raws: list[_Raw] = [r for check in chain for r in check(doc, snap)]
    if _rejects(raws) or doc.is_credit_note:
        # A credit note reverses what its invoice consumed; its lines are not checked against coverage.
        return ValidationResult(_number(raws, waived), tuple(lines))
    rejected: set[str] = set()
    for line in lines:
        line_raws = list(line.problems) + [r for check in LINE_VALIDATORS for r in check(line, snap)]
        raws.extend(line_raws)
        if _rejects(line_raws):
            rejected.add(line.id)
    duplicates = check_duplicate_treatments(lines, snap, doc.id, rejected)
    raws.extend(duplicates)
    rejected.update(d.line_id for d in duplicates if not _is_waived(d, waived))
    raws.extend(check_coverage(lines, snap, rejected))
    return ValidationResult(_number(raws, waived), tuple(lines))


__all__ = [
    "ApprovalSnapshot", "AssignmentSnapshot", "Finding", "ParsedLine", "PractitionerSnapshot", "Snapshot",
    "ValidationResult", "validate", "read_line", "profession_code", "parse_treatment_datetime", "amount_in_ore",
    "INVOICE_LEVEL", "LINE_LEVEL",
]
