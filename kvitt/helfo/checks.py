"""Checks a bill card must pass before it goes to Helfo.

Each check is a pure function over plain data that returns findings. An ``error`` holds the
bill back; a ``warning`` is shown and the bill may be sent anyway. The service stores the
findings on the bill card; the order page shows them.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from kvitt.helfo.model import EXEMPTION_CODES
from kvitt.helfo.tariffs import TariffRow, TariffTable

ERROR = "error"
WARNING = "warning"

# Which diagnosis system each area uses (behandlerkravmelding_json.md, diagnoser.kodeverk).
EXPECTED_DIAGNOSIS_SYSTEM = {"FY": "ICPC-2", "KI": "ICPC-2", "LE": "ICPC-2", "PS": "ICD-10"}


@dataclass(frozen=True)
class Finding:
    level: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"level": self.level, "code": self.code, "message": self.message}


@dataclass
class BillDraft:
    """What the checks need to know about one bill card."""

    area: str
    treated_on: datetime.date
    lines: list[tuple[str, int]]  # (tariff code, count)
    diagnoses: list[tuple[str, str]] = field(default_factory=list)  # (system, code)
    has_referral: bool = False
    exemption_code: str = ""
    frikort_checked: bool = False
    patient_birth_date: datetime.date | None = None
    area_is_specialist: bool = False
    practice_periods: list[tuple[datetime.date, datetime.date | None]] = field(default_factory=list)


def claim_deadline(treated_on: datetime.date) -> datetime.date:
    """Last day to claim: six months after the end of the treatment month."""
    month = treated_on.month + 6
    year = treated_on.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def check_tariffs_valid(draft: BillDraft, table: TariffTable) -> tuple[list[Finding], list[TariffRow]]:
    findings, rows = [], []
    for code, count in draft.lines:
        row = table.lookup(draft.area, code, draft.treated_on)
        if row is None:
            periods = table.periods(draft.area, code)
            if periods:
                message = _("Tariff %(code)s is not valid on %(day)s") % {"code": code, "day": draft.treated_on.isoformat()}
                findings.append(Finding(ERROR, "TARIFF_NOT_VALID", message))
            else:
                message = _("Tariff %(code)s is unknown in area %(area)s") % {"code": code, "area": draft.area}
                findings.append(Finding(ERROR, "TARIFF_UNKNOWN", message))
            continue
        rows.append(row)
        if count < 1:
            findings.append(Finding(ERROR, "COUNT", _("Tariff %(code)s: the count must be at least 1") % {"code": code}))
        elif row.max_repetitions is not None and count - 1 > row.max_repetitions:
            message = _("Tariff %(code)s may be repeated at most %(max)s times (count %(count)s)") % {
                "code": code, "max": row.max_repetitions, "count": count,
            }
            findings.append(Finding(ERROR, "MAX_REPETITIONS", message))
    return findings, rows


def check_combinations(rows: list[TariffRow]) -> list[Finding]:
    findings = []
    codes = [r.code for r in rows]
    seen = set()
    for row in rows:
        for other in codes:
            if other == row.code or (row.code, other) in seen:
                continue
            if row.invalid_combination.forbids(other):
                seen.add((row.code, other))
                seen.add((other, row.code))
                message = _("Tariffs %(a)s and %(b)s may not be used on the same bill") % {"a": row.code, "b": other}
                findings.append(Finding(ERROR, "INVALID_COMBINATION", message))
        missing = [req for req in row.requires_tariff if req not in codes]
        if row.requires_tariff and len(missing) == len(row.requires_tariff):
            message = _("Tariff %(code)s requires %(req)s on the same bill") % {
                "code": row.code, "req": " / ".join(row.requires_tariff),
            }
            findings.append(Finding(ERROR, "REQUIRES_TARIFF", message))
    return findings


def check_diagnosis_and_referral(draft: BillDraft, rows: list[TariffRow]) -> list[Finding]:
    findings = []
    if any(r.requires_diagnosis for r in rows) and not draft.diagnoses:
        findings.append(Finding(ERROR, "MISSING_DIAGNOSIS", _("A diagnosis is required for these tariffs")))
    expected = "ICD-10" if draft.area_is_specialist else EXPECTED_DIAGNOSIS_SYSTEM.get(draft.area)
    if expected:
        for system, code in draft.diagnoses:
            normalised = system.upper().replace("ICPC-2B", "ICPC-2").replace("ICPC2", "ICPC-2").replace("ICD10", "ICD-10")
            if normalised != expected:
                message = _("Diagnosis %(code)s uses %(system)s; %(expected)s is expected here") % {
                    "code": code, "system": system, "expected": expected,
                }
                findings.append(Finding(WARNING, "DIAGNOSIS_SYSTEM", message))
    if any(r.requires_referral for r in rows) and not draft.has_referral:
        findings.append(Finding(ERROR, "MISSING_REFERRAL", _("A referral is required for these tariffs")))
    return findings


def check_deadline(draft: BillDraft, today: datetime.date) -> list[Finding]:
    deadline = claim_deadline(draft.treated_on)
    if today > deadline:
        message = _("The six-month claim deadline passed on %(day)s") % {"day": deadline.isoformat()}
        return [Finding(ERROR, "DEADLINE_PASSED", message)]
    if (deadline - today).days <= 14:
        message = _("Claim before %(day)s (six-month deadline)") % {"day": deadline.isoformat()}
        return [Finding(WARNING, "DEADLINE_NEAR", message)]
    return []


def _age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def check_exemption(draft: BillDraft) -> list[Finding]:
    code = draft.exemption_code
    if not code:
        return []
    if code not in EXEMPTION_CODES:
        return [Finding(WARNING, "EXEMPTION_CODE", _("Exemption code %(code)s is not in Kvitt's list of kodeverk 7461") % {"code": code})]
    if code == "F" and not draft.frikort_checked:
        return [Finding(WARNING, "FRIKORT_UNCHECKED", _("Frikort (F) is claimed but the patient's frikort has not been checked"))]
    if code == "B" and draft.patient_birth_date and _age_on(draft.patient_birth_date, draft.treated_on) >= 16:
        return [Finding(ERROR, "NOT_A_CHILD", _("Exemption B (child under 16) does not fit the patient's age"))]
    return []


def check_practice_period(draft: BillDraft) -> list[Finding]:
    """The practice must be registered at Helfo on the treatment day (when its periods are known)."""
    if not draft.practice_periods:
        return []
    day = draft.treated_on
    if any(start <= day and (end is None or day <= end) for start, end in draft.practice_periods):
        return []
    return [Finding(ERROR, "PRACTICE_NOT_VALID", _("The practice is not registered at Helfo on %(day)s") % {"day": day.isoformat()})]


def run_checks(draft: BillDraft, table: TariffTable, today: datetime.date) -> tuple[list[Finding], list[TariffRow]]:
    findings, rows = check_tariffs_valid(draft, table)
    findings += check_combinations(rows)
    findings += check_diagnosis_and_referral(draft, rows)
    findings += check_deadline(draft, today)
    findings += check_exemption(draft)
    findings += check_practice_period(draft)
    return findings, rows


def has_errors(findings) -> bool:
    return any((f.level if isinstance(f, Finding) else f["level"]) == ERROR for f in findings)
