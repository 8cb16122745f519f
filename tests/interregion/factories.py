"""Claim specifications for tests: small, valid, and easy to break one field at a time."""

from __future__ import annotations

import datetime as dt

from kvitt.interregion.model import (
    OID_COUNTY,
    OID_MUNICIPALITY,
    CarePerformed,
    ClaimSpecification,
    Code,
    PatientLine,
    PatientSpecificItem,
    PaymentCommitment,
    make_basis_id,
    org_party,
    patient_identity,
)

CARE_REGION = "2321000016"  # Region Stockholm
HOME_REGION = "2321000024"  # Region Uppsala
ISSUE = dt.date(2026, 10, 5)


def outpatient(line_id: int = 1, **overrides) -> CarePerformed:
    values = dict(
        line_id=line_id,
        care_contact_id=f"VK-{line_id:04d}",
        type_of_care="01",
        planned=True,
        type_of_visit="1",
        visit_date=dt.date(2026, 9, 14),
        care_unit_name="Vårdcentralen Norrmalm",
        care_unit_hsa_id="SE2321000016-1234",
        profession_code="LK",
        medical_field_code="101",
        payment_commitment=PaymentCommitment(remittance_number="REM-1", type_of_agreement="1"),
        patient_specific=[PatientSpecificItem("BES01", "Läkarbesök", 1, 185000, 185000)],
        outpatient_fee_paid=30000,
        gross=155000,
        net=155000,
        main_diagnosis="J06.9",
        procedures=["AF012"],
    )
    values.update(overrides)
    return CarePerformed(**values)


def inpatient(line_id: int = 2, **overrides) -> CarePerformed:
    values = dict(
        line_id=line_id,
        care_contact_id=f"VK-{line_id:04d}",
        type_of_care="02",
        planned=False,
        visit_date=dt.date(2026, 9, 2),
        discharge_date=dt.date(2026, 9, 6),
        days_in_care=4,
        care_unit_name="Karolinska, kirurgavdelning",
        care_unit_hsa_id="SE2321000016-5678",
        medical_field_code="301",
        product_category="02",
        drg_present=True,
        drg_code="470C",
        drg_price=4512300,
        outlier_cost=100000,
        gross=4612300,
        net=4592300,
        discount=20000,
        main_diagnosis="K35.8",
        bi_diagnoses=["E11.9"],
        procedures=["JEA01"],
    )
    values.update(overrides)
    return CarePerformed(**values)


def patient_line(number: str = "191212121212", care=None) -> PatientLine:
    return PatientLine(
        patient_id=patient_identity(number),
        county=Code("03", OID_COUNTY),
        municipality=Code("0380", OID_MUNICIPALITY),
        gender=Code("1", "1.2.752.129.2.2.1.1"),
        care=care if care is not None else [outpatient(1), inpatient(2)],
    )


def specification(**overrides) -> ClaimSpecification:
    lines = overrides.pop("lines", None) or [patient_line()]
    spec = ClaimSpecification(
        id=make_basis_id(CARE_REGION, 2026, 9, 1),
        issue_date=ISSUE,
        type_of_invoice="380",
        payable_amount=0,
        supplier=org_party(CARE_REGION),
        customer=org_party(HOME_REGION),
        lines=lines,
    )
    for key, value in overrides.items():
        setattr(spec, key, value)
    if "payable_amount" not in overrides:
        spec.payable_amount = spec.net_total()
    return spec
