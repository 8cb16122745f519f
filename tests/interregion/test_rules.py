"""One test per checked rule: a valid basis passes, one broken field makes that rule fire."""

import datetime as dt

import pytest

from kvitt.interregion import rules
from kvitt.interregion.model import OID_COUNTY, OID_GLN, OID_HSA_ID, Code, PartyId, PatientSpecificItem, PaymentCommitment

from .factories import ISSUE, inpatient, outpatient, patient_line, specification

TODAY = dt.date(2026, 10, 6)
LINE1 = "/ProcessClaimSpecification/claimSpecification/healthCareServicesSpecificationLine[1]/healthcarePerformed[1]"
LINE2 = "/ProcessClaimSpecification/claimSpecification/healthCareServicesSpecificationLine[1]/healthcarePerformed[2]"


def fired(spec, rule_id):
    return rules.RULES[rule_id](spec, rules.Context(today=TODAY))


def test_valid_basis_has_no_findings():
    assert rules.check(specification(), today=TODAY) == []


def test_or2_issue_date_in_future():
    assert not fired(specification(), "ÖR2")
    [finding] = fired(specification(issue_date=TODAY + dt.timedelta(days=1)), "ÖR2")
    assert finding.location.endswith("/issueDate")


def test_or3_supplier_needs_org_number():
    spec = specification(supplier=[PartyId(OID_GLN, "7350000000001")])
    [finding] = fired(spec, "ÖR3")
    assert finding.location.endswith("supplierParty/identification")


def test_or46_customer_needs_org_number():
    spec = specification(customer=[PartyId("1.2.3", "2321000024")])
    assert fired(spec, "ÖR46")[0].rule == "ÖR46"


def test_or48_identity_lengths():
    spec = specification(customer=[PartyId("1.3.7", "232100002"), PartyId(OID_GLN, "73500")])
    assert [f.location[-35:] for f in fired(spec, "ÖR48")] and len(fired(spec, "ÖR48")) == 2


def test_or4_type_of_invoice():
    assert not fired(specification(type_of_invoice="381", reference_to_specification_id="ZVF23210000162609000001"), "ÖR4")
    [finding] = fired(specification(type_of_invoice="382"), "ÖR4")
    assert finding.location.endswith("/typeOfInvoice") and "382" in finding.message


def test_or5_payable_amount_within_one_krona():
    spec = specification()
    spec.payable_amount += 100  # exactly 1 kr off is tolerated
    assert not fired(spec, "ÖR5")
    spec.payable_amount += 1
    [finding] = fired(spec, "ÖR5")
    assert finding.location.endswith("/payableAmount/amount")
    assert "47474.01" in finding.message


def test_or6_net_formula():
    care = inpatient(net=4612300)  # discount 200 kr forgotten
    spec = specification(lines=[patient_line(care=[outpatient(1), care])])
    [finding] = fired(spec, "ÖR6")
    assert finding.location == LINE2 + "/invoicedAmountDetails/patientCareInvoiceNetAmount/amount"
    assert "45923.00" in finding.message


def test_or28_net_formula_with_charge_and_allowance():
    care = outpatient(charge=5000, allowance=9300, net=155000)
    spec = specification(lines=[patient_line(care=[care])])
    [finding] = fired(spec, "ÖR28")
    assert "1507.00" in finding.message  # 1550 + 50 − 93
    care.net = 150700
    assert not fired(specification(lines=[patient_line(care=[care])]), "ÖR28")


def test_or27_gross_formula():
    care = outpatient(gross=185000, net=185000)  # patient fee paid not deducted
    spec = specification(lines=[patient_line(care=[care])])
    [finding] = fired(spec, "ÖR27")
    assert finding.location == LINE1 + "/invoicedAmountDetails/patientCareInvoiceGrossAmount/amount"


def test_or26_patient_specific_total():
    care = outpatient(patient_specific=[PatientSpecificItem("VD", "Vårddag", 3, 500000, 1400000)], gross=1370000, net=1370000)
    [finding] = fired(specification(lines=[patient_line(care=[care])]), "ÖR26")
    assert "patientSpecificCare[1]" in finding.location


def test_or7_patient_id_is_what_its_root_says():
    line = patient_line("197010632391")  # a samordningsnummer under its own root: fine
    assert not fired(specification(lines=[line]), "ÖR7")
    line.patient_id = PartyId("1.2.752.129.2.1.3.1", "197010632391")  # declared as personnummer
    [finding] = fired(specification(lines=[line]), "ÖR7")
    assert finding.location.endswith("healthCareServicesSpecificationLine[1]/patientInformation/patientIdentity")
    line.patient_id = PartyId("1.2.752.97.3.1.3", "19521234TA3C")  # a reserve number under its region's OID
    assert not fired(specification(lines=[line]), "ÖR7")


def test_or8_county_two_characters():
    line = patient_line()
    line.county = Code("3", OID_COUNTY)
    assert fired(specification(lines=[line]), "ÖR8")[0].location.endswith("county/code")


def test_or9_municipality_four_characters():
    line = patient_line()
    line.municipality = Code("380", line.municipality.code_system)
    assert fired(specification(lines=[line]), "ÖR9")


def test_or40_county_code_system_and_asylum_exception():
    line = patient_line()
    line.county = Code("99", None)
    assert not fired(specification(lines=[line]), "ÖR40")
    line.county = Code("03", None)
    assert fired(specification(lines=[line]), "ÖR40")


def test_or41_municipality_code_system_and_asylum_exception():
    line = patient_line()
    line.municipality = Code("9901", None)
    assert not fired(specification(lines=[line]), "ÖR41")
    line.municipality = Code("0380", "1.2.3")
    assert fired(specification(lines=[line]), "ÖR41")


def test_or10_gender():
    line = patient_line()
    line.gender = Code("3", "1.2.752.129.2.2.1.1")
    assert fired(specification(lines=[line]), "ÖR10")


def test_or34_listing_region_root():
    line = patient_line()
    line.listing_region_hsa_id = PartyId(OID_HSA_ID, "SE2321000016-AB12")
    assert not fired(specification(lines=[line]), "ÖR34")
    line.listing_region_hsa_id = PartyId("1.3.7", "2321000016")
    assert fired(specification(lines=[line]), "ÖR34")


def test_or11_care_contact_id_required_for_inpatient():
    spec = specification(lines=[patient_line(care=[outpatient(1, care_contact_id=None), inpatient(2, care_contact_id=None)])])
    [finding] = fired(spec, "ÖR11")
    assert finding.location == LINE2 + "/careContactId"


@pytest.mark.parametrize(
    "rule_id, overrides",
    [
        ("ÖR12", {"payment_commitment": PaymentCommitment(type_of_agreement="4")}),
        ("ÖR13", {"payment_commitment": PaymentCommitment(type_of_chapter="8")}),
        ("ÖR14", {"payment_commitment": PaymentCommitment(type_of_reimbursement="3")}),
        ("ÖR15", {"type_of_care": "03"}),
        ("ÖR16", {"type_of_visit": "3"}),
        ("ÖR22", {"profession_code": "XX"}),
        ("ÖR24", {"product_category": "05"}),
        ("ÖR25", {"price_list": "7"}),
        ("ÖR29", {"patient_fee_reduced_category": "06"}),
        ("ÖR30", {"care_level": "5"}),
        ("ÖR36", {"reason_for_credit": "0"}),
        ("ÖR50", {"payment_commitment": PaymentCommitment(agreement_in_riksavtalet="4.2")}),
    ],
)
def test_code_list_rules(rule_id, overrides):
    spec = specification(lines=[patient_line(care=[outpatient(1, **overrides)])])
    findings = fired(spec, rule_id)
    assert len(findings) == 1 and findings[0].location.startswith(LINE1)
    assert not fired(specification(), rule_id)


def test_or17_visit_not_after_issue_date():
    spec = specification(lines=[patient_line(care=[outpatient(1, visit_date=ISSUE + dt.timedelta(days=1))])])
    assert fired(spec, "ÖR17")[0].location.endswith("careVisitDate")


def test_or18_discharge_not_before_admission():
    spec = specification(lines=[patient_line(care=[inpatient(1, discharge_date=dt.date(2026, 9, 1))])])
    assert fired(spec, "ÖR18")


def test_or19_invoice_period_needs_both_ends():
    care = inpatient(1, invoice_period_present=True, invoice_period_start=dt.date(2026, 9, 1))
    assert fired(specification(lines=[patient_line(care=[care])]), "ÖR19")


def test_or20_invoice_period_not_after_issue_date():
    care = inpatient(1, invoice_period_present=True, invoice_period_start=dt.date(2026, 9, 1), invoice_period_end=ISSUE + dt.timedelta(days=3))
    assert fired(specification(lines=[patient_line(care=[care])]), "ÖR20")[0].location.endswith("invoicePeriod/end")


def test_or21_invoice_period_order():
    care = inpatient(1, invoice_period_present=True, invoice_period_start=dt.date(2026, 9, 20), invoice_period_end=dt.date(2026, 9, 1))
    assert fired(specification(lines=[patient_line(care=[care])]), "ÖR21")


def test_or23_profession_code_required_for_outpatient():
    spec = specification(lines=[patient_line(care=[outpatient(1, profession_code=None), inpatient(2)])])
    [finding] = fired(spec, "ÖR23")
    assert finding.location == LINE1 + "/healthcareUnit/professionCodeForHealthcare"


def test_or31_main_diagnosis_for_inpatient_unless_invoice_period():
    care = inpatient(1, main_diagnosis=None, bi_diagnoses=[])
    assert fired(specification(lines=[patient_line(care=[care])]), "ÖR31")
    care.invoice_period_present, care.invoice_period_start, care.invoice_period_end = True, dt.date(2026, 9, 1), dt.date(2026, 9, 30)
    assert not fired(specification(lines=[patient_line(care=[care])]), "ÖR31")


def test_or33_no_diagnoses_or_procedures_when_medical_field_starts_with_9():
    spec = specification(lines=[patient_line(care=[outpatient(1, medical_field_code="901")])])
    [finding] = fired(spec, "ÖR33")
    assert finding.location == LINE1 + "/diagnosis"
    clean = outpatient(1, medical_field_code="901", main_diagnosis=None, procedures=[])
    assert not fired(specification(lines=[patient_line(care=[clean])]), "ÖR33")


def test_or35_currency_must_be_sek():
    spec = specification(payable_currency=Code("EUR", "1.0.4217"))
    assert fired(spec, "ÖR35")[0].location.endswith("payableAmount/currency")


def test_or37_basis_id_prefix_and_length():
    assert fired(specification(id="ZVF2321000016260900001"), "ÖR37")
    assert fired(specification(id="ABC23210000162609000001"), "ÖR37")


def test_or38_discharge_not_after_issue_date():
    spec = specification(lines=[patient_line(care=[inpatient(1, discharge_date=ISSUE + dt.timedelta(days=2))])])
    assert fired(spec, "ÖR38")


def test_or43_line_ids_unique_and_ascending():
    spec = specification(lines=[patient_line(care=[outpatient(10), inpatient(20)]), patient_line("197010632391", care=[outpatient(20)])])
    [finding] = fired(spec, "ÖR43")
    assert "healthCareServicesSpecificationLine[2]/healthcarePerformed[1]/lineId" in finding.location
    descending = specification(lines=[patient_line(care=[outpatient(2), inpatient(1)])])
    assert fired(descending, "ÖR43")


def test_or44_categorisation_needs_drg_or_patient_specific():
    care = outpatient(1, patient_specific=[], product_category="03", gross=-30000, net=-30000)
    [finding] = fired(specification(lines=[patient_line(care=[care])]), "ÖR44")
    assert finding.location == LINE1 + "/categorization"


def test_or45_drg_cost_needs_code_and_price():
    care = inpatient(1, drg_code=None)
    assert fired(specification(lines=[patient_line(care=[care])]), "ÖR45")


def test_or47_patient_specific_item_complete():
    care = outpatient(1, patient_specific=[PatientSpecificItem("BES01", None, 1, 185000, 185000)])
    assert fired(specification(lines=[patient_line(care=[care])]), "ÖR47")


def test_or51_days_in_care_required_for_inpatient():
    spec = specification(lines=[patient_line(care=[inpatient(1, days_in_care=None)])])
    [finding] = fired(spec, "ÖR51")
    assert finding.location == LINE1 + "/timespan/numberOfDays/inCare"


def test_or52_credit_needs_reference_to_original_basis():
    [finding] = fired(specification(type_of_invoice="381"), "ÖR52")
    assert finding.location.endswith("referenceToProcessClaimSpecificationId")
    assert not fired(specification(type_of_invoice="381", reference_to_specification_id="ZVF23210000162609000001"), "ÖR52")


def test_error_comment_names_rule_and_location():
    spec = specification(type_of_invoice="999")
    comment = rules.error_comment(rules.check(spec, today=TODAY))
    assert "Id: ÖR4" in comment and "Location: /ProcessClaimSpecification/claimSpecification/typeOfInvoice" in comment


def test_every_registered_rule_has_a_test():
    tested = {name.split("_")[1].upper().replace("OR", "ÖR") for name in globals() if name.startswith("test_or")}
    tested |= {"ÖR12", "ÖR13", "ÖR14", "ÖR15", "ÖR16", "ÖR22", "ÖR24", "ÖR25", "ÖR29", "ÖR30", "ÖR36", "ÖR50"}
    assert set(rules.RULES) <= tested
