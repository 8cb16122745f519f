import datetime

import pytest

from kvitt.helfo.checks import BillDraft, claim_deadline, has_errors, run_checks
from kvitt.helfo.tariffs import load_demo_table

TABLE = load_demo_table()
DAY = datetime.date(2026, 1, 6)


def _codes(draft, today=DAY):
    findings, _ = run_checks(draft, TABLE, today)
    return {(f.level, f.code) for f in findings}


def test_clean_gp_bill_passes():
    draft = BillDraft("LE", DAY, [("2ad", 1), ("2cd", 1), ("L1", 1)], diagnoses=[("ICPC-2", "L73")])
    assert _codes(draft) == set()


def test_tariff_not_valid_on_date_and_unknown():
    assert ("error", "TARIFF_NOT_VALID") in _codes(BillDraft("FY", datetime.date(2021, 3, 1), [("A1a", 1)], diagnoses=[("ICPC-2", "L92")]), datetime.date(2021, 3, 2))
    assert ("error", "TARIFF_UNKNOWN") in _codes(BillDraft("FY", DAY, [("Z99", 1)]))


def test_invalid_combinations():
    assert ("error", "INVALID_COMBINATION") in _codes(BillDraft("LE", DAY, [("1bd", 1), ("1i", 1)]))
    assert ("error", "INVALID_COMBINATION") in _codes(BillDraft("FY", DAY, [("A1a", 1), ("A3a", 1)], diagnoses=[("ICPC-2", "L92")]))
    # "Alle unntatt 2ad, 2ak, 2cd, 1i": L1 with 1i is fine
    assert ("error", "INVALID_COMBINATION") not in _codes(BillDraft("LE", DAY, [("1i", 1), ("L1", 1)]))


def test_required_tariff_and_repetitions():
    assert ("error", "REQUIRES_TARIFF") in _codes(BillDraft("LE", DAY, [("2cd", 1)]))
    assert ("error", "MAX_REPETITIONS") in _codes(BillDraft("LE", DAY, [("2ad", 1), ("2cd", 5)], diagnoses=[("ICPC-2", "A01")]))
    assert ("error", "MAX_REPETITIONS") not in _codes(BillDraft("LE", DAY, [("2ad", 1), ("2cd", 4)], diagnoses=[("ICPC-2", "A01")]))


def test_missing_diagnosis_referral_and_system():
    assert ("error", "MISSING_DIAGNOSIS") in _codes(BillDraft("PS", DAY, [("201b", 1)]))
    assert ("error", "MISSING_REFERRAL") in _codes(BillDraft("PS", DAY, [("202b", 1)], diagnoses=[("ICD-10", "F32")]))
    assert ("warning", "DIAGNOSIS_SYSTEM") in _codes(BillDraft("PS", DAY, [("201b", 1)], diagnoses=[("ICPC-2", "P76")]))
    assert _codes(BillDraft("PS", DAY, [("202b", 1)], diagnoses=[("ICD-10", "F32")], has_referral=True)) == set()


@pytest.mark.parametrize(
    "treated,deadline",
    [(datetime.date(2026, 1, 6), datetime.date(2026, 7, 31)), (datetime.date(2025, 8, 31), datetime.date(2026, 2, 28)),
     (datetime.date(2025, 12, 1), datetime.date(2026, 6, 30))],
)
def test_claim_deadline(treated, deadline):
    assert claim_deadline(treated) == deadline


def test_deadline_findings():
    draft = BillDraft("LE", datetime.date(2025, 6, 2), [("1i", 1)])
    assert ("error", "DEADLINE_PASSED") in _codes(BillDraft("LE", datetime.date(2025, 6, 2), [("1i", 1)]), datetime.date(2026, 1, 1))
    draft = BillDraft("LE", datetime.date(2025, 7, 2), [("1i", 1)])
    assert ("warning", "DEADLINE_NEAR") in _codes(draft, datetime.date(2026, 1, 25))


def test_frikort_without_check_is_a_warning_and_child_exemption_checks_age():
    draft = BillDraft("LE", DAY, [("2ad", 1)], diagnoses=[("ICPC-2", "L73")], exemption_code="F")
    findings, _ = run_checks(draft, TABLE, DAY)
    assert ("warning", "FRIKORT_UNCHECKED") in {(f.level, f.code) for f in findings} and not has_errors(findings)
    draft.frikort_checked = True
    assert _codes(draft) == set()
    adult = BillDraft("LE", DAY, [("2ad", 1)], diagnoses=[("ICPC-2", "L73")], exemption_code="B", patient_birth_date=datetime.date(1990, 1, 1))
    assert ("error", "NOT_A_CHILD") in _codes(adult)
    child = BillDraft("LE", DAY, [("2ad", 1)], diagnoses=[("ICPC-2", "L73")], exemption_code="B", patient_birth_date=datetime.date(2015, 1, 1))
    assert _codes(child) == set()


def test_practice_period():
    draft = BillDraft("LE", DAY, [("1i", 1)], practice_periods=[(datetime.date(2020, 1, 1), datetime.date(2025, 12, 31))])
    assert ("error", "PRACTICE_NOT_VALID") in _codes(draft)
    draft.practice_periods.append((datetime.date(2026, 1, 1), None))
    assert _codes(draft) == set()
