"""The contract's rules (övriga regler ÖR1–ÖR52) that can be checked without outside registers.

Each rule is a pure function ``(spec, context) -> list[Finding]``. A finding carries the
rule id as the contract numbers it (``ÖR5``; the schematron file calls it ``R5``), the
element path, and a message in Swedish (the language between regions) and English. As the
contract says, a rule on an optional element that is absent gives no finding.

ÖR7 is read as: one identity, and it is the kind its root says (the schema already allows
only one ``patientIdentity``). Not checked here: ÖR1 (not in the published table), ÖR32 (replaced by ÖR39), ÖR39 for
CVTypes this model does not keep as codes, ÖR42 (DRG code is kept as text only), ÖR49
(needs Socialstyrelsen's register of medical field codes, mvo.xml).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Iterable

from kvitt.interregion.model import (
    CREDIT_NOTE,
    OID_PERSONNUMMER,
    OID_SAMORDNINGSNUMMER,
    INPATIENT,
    INVOICE,
    OID_COUNTY,
    OID_CURRENCY,
    OID_GLN,
    OID_HSA_ID,
    OID_MUNICIPALITY,
    OID_ORGNR,
    OUTPATIENT,
    CarePerformed,
    ClaimSpecification,
    PartyId,
    is_personnummer,
    is_samordningsnummer,
    ore_to_text,
)

ROOT = "/ProcessClaimSpecification/claimSpecification"
ONE_KRONA = 100  # öre


@dataclass(frozen=True)
class Finding:
    rule: str
    location: str
    message: str  # Swedish
    message_en: str

    def as_comment_line(self) -> str:
        """One line of the resultCode=ERROR comment, in the schematron report's spirit."""
        return f"Error: {self.message} Location: {self.location} Id: {self.rule}"


@dataclass(frozen=True)
class Context:
    today: dt.date


Rule = Callable[[ClaimSpecification, Context], list[Finding]]


def _care_path(p: int, c: int) -> str:
    return f"{ROOT}/healthCareServicesSpecificationLine[{p}]/healthcarePerformed[{c}]"


def _patient_path(p: int) -> str:
    return f"{ROOT}/healthCareServicesSpecificationLine[{p}]/patientInformation"


def _kr(ore: int) -> str:
    return ore_to_text(ore)


# ----------------------------------------------------------------------- header rules


def or2_issue_date_not_in_future(spec, ctx):
    if spec.issue_date > ctx.today:
        return [Finding("ÖR2", f"{ROOT}/issueDate", f"Datumet {spec.issue_date:%Y%m%d} får inte vara i framtiden.",
                        f"Issue date {spec.issue_date:%Y%m%d} is in the future.")]
    return []


def _party_findings(rule: str, parties: list[PartyId], element: str) -> list[Finding]:
    where = f"{ROOT}/{element}/identification"
    org = [p for p in parties if p.root == OID_ORGNR]
    others = [p for p in parties if p.root not in (OID_ORGNR, OID_GLN)]
    if len(org) != 1 or others:
        return [Finding(rule, where, "Obligatoriskt med 1.3.7 (organisationsnummer); som andra identitet endast 2.51.1.6 (GLN).",
                        "An organisation number (root 1.3.7) is required; the only other identity allowed is a GLN (2.51.1.6).")]
    return []


def or3_supplier_identity(spec, ctx):
    return _party_findings("ÖR3", spec.supplier, "supplierParty")


def or46_customer_identity(spec, ctx):
    return _party_findings("ÖR46", spec.customer, "customerParty")


def or48_identity_lengths(spec, ctx):
    findings = []
    for element, parties in (("supplierParty", spec.supplier), ("customerParty", spec.customer)):
        for index, party in enumerate(parties, start=1):
            wanted = {OID_ORGNR: 10, OID_GLN: 13}.get(party.root)
            if wanted and len(party.extension) != wanted:
                findings.append(Finding("ÖR48", f"{ROOT}/{element}/identification[{index}]/extension",
                                        f"Identiteten {party.extension!r} ska vara {wanted} tecken för {party.root}.",
                                        f"Identity {party.extension!r} must be {wanted} characters for root {party.root}."))
    return findings


def or4_type_of_invoice(spec, ctx):
    if spec.type_of_invoice not in (INVOICE, CREDIT_NOTE):
        return [Finding("ÖR4", f"{ROOT}/typeOfInvoice", f"Fakturatyp {spec.type_of_invoice!r} är ogiltig; giltiga värden: 380, 381.",
                        f"Invoice type {spec.type_of_invoice!r} is invalid; allowed: 380, 381.")]
    return []


def or5_payable_amount(spec, ctx):
    total = spec.net_total()
    if abs(spec.payable_amount - total) > ONE_KRONA:
        return [Finding("ÖR5", f"{ROOT}/payableAmount/amount",
                        f"Total summa {_kr(spec.payable_amount)} fakturerat i fakturan är fel; summan av fakturerat belopp netto är {_kr(total)}.",
                        f"Payable amount {_kr(spec.payable_amount)} differs by more than 1 kr from the sum of net amounts {_kr(total)}.")]
    return []


def or37_basis_id(spec, ctx):
    if not spec.id.startswith("ZVF") or len(spec.id) != 23:
        return [Finding("ÖR37", f"{ROOT}/id", f"Id {spec.id!r} måste börja på ZVF samt ha en längd på 23 tecken.",
                        f"Id {spec.id!r} must start with ZVF and be 23 characters long.")]
    return []


def or52_credit_reference(spec, ctx):
    if spec.type_of_invoice == CREDIT_NOTE and not spec.reference_to_specification_id:
        return [Finding("ÖR52", f"{ROOT}/referenceToProcessClaimSpecificationId",
                        "referenceToProcessClaimSpecificationId är obligatoriskt vid kreditfaktura.",
                        "A credit basis must reference the original basis id.")]
    return []


def or35_currency(spec, ctx):
    findings = []
    currency = spec.payable_currency
    if currency.code != "SEK" or currency.code_system != OID_CURRENCY:
        findings.append(Finding("ÖR35", f"{ROOT}/payableAmount/currency", "Valuta måste vara SEK, codeSystem måste vara 1.0.4217.",
                                "Currency must be SEK with code system 1.0.4217."))
    for p, c, _, care in spec.care_lines():
        if any(cur.code != "SEK" or cur.code_system != OID_CURRENCY for cur in care.currencies):
            findings.append(Finding("ÖR35", _care_path(p, c), "Valuta måste vara SEK, codeSystem måste vara 1.0.4217.",
                                    "Currency must be SEK with code system 1.0.4217."))
    return findings


# ----------------------------------------------------------------------- patient rules


def or7_one_kind_of_patient_id(spec, ctx):
    """Exactly one identity per patient (the schema's 1..1), and it must be what its root says."""
    findings = []
    for p, line in enumerate(spec.lines, start=1):
        root, number = line.patient_id.root, line.patient_id.extension
        wrong = (root == OID_PERSONNUMMER and not is_personnummer(number)) or (
            root == OID_SAMORDNINGSNUMMER and not is_samordningsnummer(number)
        )
        if wrong:
            kind = "personnummer" if root == OID_PERSONNUMMER else "samordningsnummer"
            findings.append(Finding("ÖR7", f"{_patient_path(p)}/patientIdentity",
                                    f"Patient-id är inte ett giltigt {kind} (ÅÅÅÅMMDDNNNN) för root {root}.",
                                    f"The patient id is not a valid {kind} (YYYYMMDDNNNN) for root {root}."))
    return findings


def or8_county_length(spec, ctx):
    return [
        Finding("ÖR8", f"{_patient_path(p)}/patientOtherInformation/county/code", f"Länskod {line.county.code!r} ska vara exakt 2 tecken.",
                f"County code {line.county.code!r} must be exactly 2 characters.")
        for p, line in enumerate(spec.lines, start=1)
        if len(line.county.code or "") != 2
    ]


def or9_municipality_length(spec, ctx):
    return [
        Finding("ÖR9", f"{_patient_path(p)}/patientOtherInformation/municipality/code",
                f"Kommunkod {line.municipality.code!r} ska vara exakt 4 tecken.", f"Municipality code {line.municipality.code!r} must be exactly 4 characters.")
        for p, line in enumerate(spec.lines, start=1)
        if len(line.municipality.code or "") != 4
    ]


def or40_county_code_system(spec, ctx):
    findings = []
    for p, line in enumerate(spec.lines, start=1):
        code = line.county
        ok = (code.code == "99" and not code.code_system) or (
            (code.code or "").isdigit() and code.code_system == OID_COUNTY and code.code != "99"
        )
        if not ok:
            findings.append(Finding("ÖR40", f"{_patient_path(p)}/patientOtherInformation/county",
                                    "Länskod: code och codeSystem måste ha giltiga värden (99 utan codeSystem för asylsökande).",
                                    "County: code and code system must be valid (99 without code system for asylum seekers)."))
    return findings


def or41_municipality_code_system(spec, ctx):
    findings = []
    for p, line in enumerate(spec.lines, start=1):
        code = line.municipality
        ok = (code.code == "9901" and not code.code_system) or (
            (code.code or "").isdigit() and code.code_system == OID_MUNICIPALITY and code.code != "9901"
        )
        if not ok:
            findings.append(Finding("ÖR41", f"{_patient_path(p)}/patientOtherInformation/municipality",
                                    "Kommunkod: code och codeSystem måste ha giltiga värden (9901 utan codeSystem för asylsökande).",
                                    "Municipality: code and code system must be valid (9901 without code system for asylum seekers)."))
    return findings


def or34_listing_region_root(spec, ctx):
    return [
        Finding("ÖR34", f"{_patient_path(p)}/patientOtherInformation/listingLocalAuthoritiesNumber/root",
                "Listningsregion måste ha root 1.2.752.129.2.1.4.1 (HSA-id).", "Listing region must use root 1.2.752.129.2.1.4.1 (HSA-id).")
        for p, line in enumerate(spec.lines, start=1)
        if line.listing_region_hsa_id is not None and line.listing_region_hsa_id.root != OID_HSA_ID
    ]


# ----------------------------------------------------------------------- care rules


def _per_care(rule_id: str, test: Callable[[CarePerformed, ClaimSpecification], tuple[str, str, str] | None]) -> Rule:
    """Build a rule that runs ``test`` on every care contact; test returns (suffix, sv, en) or None."""

    def rule(spec, ctx):
        findings = []
        for p, c, _, care in spec.care_lines():
            hit = test(care, spec)
            if hit:
                suffix, sv, en = hit
                findings.append(Finding(rule_id, _care_path(p, c) + suffix, sv, en))
        return findings

    rule.__name__ = f"rule_{rule_id}"
    return rule


def _code_list(rule_id: str, attr: str, suffix: str, allowed: Iterable[str], label_sv: str, label_en: str) -> Rule:
    allowed = tuple(allowed)

    def test(care, spec):
        value = _get(care, attr)
        if value is not None and value not in allowed:
            return (suffix, f"{label_sv} {value!r} är ogiltig; giltiga värden: {', '.join(allowed)}.",
                    f"{label_en} {value!r} is invalid; allowed: {', '.join(allowed)}.")
        return None

    return _per_care(rule_id, test)


def _get(care: CarePerformed, attr: str):
    if attr.startswith("pc."):
        return getattr(care.payment_commitment, attr[3:], None) if care.payment_commitment else None
    return getattr(care, attr)


or12_type_of_agreement = _code_list("ÖR12", "pc.type_of_agreement", "/paymentCommitment/typeOfAgreement", "123",
                                    "Betalningsförbindelsetyp avtal", "Agreement type")
or13_type_of_chapter = _code_list("ÖR13", "pc.type_of_chapter", "/paymentCommitment/typeOfChapter", "1234567",
                                  "Betalningsförbindelsetyp kapitel", "Chapter")
or14_type_of_reimbursement = _code_list("ÖR14", "pc.type_of_reimbursement", "/paymentCommitment/typeOfReimbursement", "12",
                                        "Ersättningstyp", "Reimbursement type")
or15_type_of_care = _code_list("ÖR15", "type_of_care", "/healthcareCategory/typeOfCare/code", (OUTPATIENT, INPATIENT),
                               "Vård- och omsorgsform", "Type of care")
or16_type_of_visit = _code_list("ÖR16", "type_of_visit", "/healthcareCategory/typeOfVisit", "12", "Typ av besök", "Type of visit")
PROFESSION_CODES = "AP AT AU BM BA DT FT HK KP LG LK NA OP OT PS PT RC RS SG SF SJ TH TL US TP TO OV".split()
or22_profession_code = _code_list("ÖR22", "profession_code", "/healthcareUnit/professionCodeForHealthcare", PROFESSION_CODES,
                                  "Yrkeskod", "Profession code")
or24_product_category = _code_list("ÖR24", "product_category", "/categorization/productCategory", ("01", "02", "03", "04", "99"),
                                   "Produktkategori", "Product category")
or25_price_list = _code_list("ÖR25", "price_list", "/categorization/priceList", "123456", "Prislista", "Price list")
or29_fee_reduced_category = _code_list("ÖR29", "patient_fee_reduced_category", "/invoicedAmountDetails/patientFeeReducedCategory",
                                       ("01", "02", "03", "04", "05", "99"), "Patientavgift nedsatt, kategori", "Reduced fee category")
or30_care_level = _code_list("ÖR30", "care_level", "/activity/careLevel", "1234", "Vårdnivå", "Care level")
or36_reason_for_credit = _code_list("ÖR36", "reason_for_credit", "/reasonForCredit", "123456789", "Orsak till kreditering",
                                    "Reason for credit")
or50_agreement_in_riksavtalet = _code_list("ÖR50", "pc.agreement_in_riksavtalet", "/paymentCommitment/agreementInRiksavtalet",
                                           ("3.1", "3.2", "4.1", "4.3", "4.4"), "Avtalspost i Riksavtalet", "Riksavtalet section")


def _or6_net(care, spec):
    expected = care.expected_net()
    if care.net != expected:
        return ("/invoicedAmountDetails/patientCareInvoiceNetAmount/amount",
                f"Nettofakturerat {_kr(care.net)} är fel; brutto + påslag − avdrag − rabatt = {_kr(expected)}.",
                f"Net amount {_kr(care.net)} is wrong; gross + charge − allowance − discount = {_kr(expected)}.")
    return None


or6_net_amount = _per_care("ÖR6", _or6_net)
# ÖR28 repeats ÖR6's formula word for word; the contract lists both, so both are reported.
or28_net_amount = _per_care("ÖR28", _or6_net)


def _or27_gross(care, spec):
    expected = care.expected_gross()
    if care.gross != expected:
        return ("/invoicedAmountDetails/patientCareInvoiceGrossAmount/amount",
                f"Brutto fakturerat {_kr(care.gross)} är fel; DRG-pris + ytterfall + patientspecifika totalbelopp − erlagd patientavgift = {_kr(expected)}.",
                f"Gross amount {_kr(care.gross)} is wrong; DRG price + outliers + patient-specific totals − fee paid = {_kr(expected)}.")
    return None


or27_gross_amount = _per_care("ÖR27", _or27_gross)


def _or26_item_totals(care, spec):
    for index, item in enumerate(care.patient_specific, start=1):
        if item.total is not None and item.quantity is not None and item.unit_price is not None:
            if item.total != item.quantity * item.unit_price:
                return (f"/categorization/patientSpecificCare[{index}]/patientSpecificCareTotalAmount/amount",
                        f"Summa patientspecifik åtgärd {_kr(item.total)} är fel; antal × pris = {_kr(item.quantity * item.unit_price)}.",
                        f"Patient-specific total {_kr(item.total)} is wrong; quantity × price = {_kr(item.quantity * item.unit_price)}.")
    return None


or26_patient_specific_total = _per_care("ÖR26", _or26_item_totals)


def _or11(care, spec):
    if care.is_inpatient and not care.care_contact_id:
        return ("/careContactId", "Vårdkontakts-id är obligatoriskt för slutenvård.", "A care contact id is required for inpatient care.")
    return None


or11_care_contact_inpatient = _per_care("ÖR11", _or11)


def _or17(care, spec):
    if care.visit_date > spec.issue_date:
        return ("/timespan/healthcareVisitDateTime/careVisitDate", "Besöksdatum får inte vara senare än bilagedatum.",
                "The visit date is after the basis' issue date.")
    return None


def _or18(care, spec):
    if care.discharge_date and care.discharge_date < care.visit_date:
        return ("/timespan/healthcareDischargeDateTime/careDischargeDate", "Utskrivningsdatum får inte vara tidigare än besöksdatum.",
                "The discharge date is before the admission date.")
    return None


def _or19(care, spec):
    if care.invoice_period_present and not (care.invoice_period_start and care.invoice_period_end):
        return ("/timespan/invoicePeriod", "Både start och slutperiod ska vara med i fakturaperiod.",
                "An invoice period needs both start and end.")
    return None


def _or20(care, spec):
    for value, name in ((care.invoice_period_start, "start"), (care.invoice_period_end, "end")):
        if value and value > spec.issue_date:
            return (f"/timespan/invoicePeriod/{name}", "Fakturaperiod får inte vara senare än bilagedatumet.",
                    "The invoice period is after the basis' issue date.")
    return None


def _or21(care, spec):
    if care.invoice_period_start and care.invoice_period_end and care.invoice_period_end < care.invoice_period_start:
        return ("/timespan/invoicePeriod/end", "Fakturaperiodens slutdatum får inte vara tidigare än startdatum.",
                "The invoice period ends before it starts.")
    return None


def _or23(care, spec):
    if care.type_of_care == OUTPATIENT and not care.profession_code:
        return ("/healthcareUnit/professionCodeForHealthcare", "Yrkeskod är obligatoriskt för öppenvård.",
                "A profession code is required for outpatient care.")
    return None


def _or31(care, spec):
    if care.is_inpatient and not care.main_diagnosis and not care.invoice_period_present:
        return ("/diagnosis/inpatientCareDiagnosis/mainDiagnosis", "Huvuddiagnos är obligatoriskt för slutenvård om inte fakturaperiod angetts.",
                "A main diagnosis is required for inpatient care unless an invoice period is given.")
    return None


def _or33(care, spec):
    if care.medical_field_code.startswith("9") and (care.main_diagnosis or care.bi_diagnoses or care.procedures or care.atc_codes):
        return ("/diagnosis", "Diagnoser och åtgärder får ej förekomma när medicinskt verksamhetsområde börjar med 9.",
                "Diagnoses and procedures must not be sent when the medical field code starts with 9.")
    return None


def _or38(care, spec):
    if care.discharge_date and care.discharge_date > spec.issue_date:
        return ("/timespan/healthcareDischargeDateTime/careDischargeDate", "Utskrivningsdatum får inte vara senare än bilagedatum.",
                "The discharge date is after the basis' issue date.")
    return None


def _or44(care, spec):
    categorised = care.product_category or care.price_list or care.drg_present or care.patient_specific
    if categorised and not care.has_categorisation:
        return ("/categorization", "Minst en patientspecifik åtgärd eller DRG-kostnad ska anges.",
                "At least one patient-specific item or a DRG cost is required.")
    return None


def _or45(care, spec):
    if care.drg_present and (care.drg_code is None or care.drg_price is None):
        return ("/categorization/DRGCost", "DRGPrice och DRGCode ska anges för varje DRGCost.", "A DRG cost needs both DRG code and DRG price.")
    return None


def _or47(care, spec):
    for index, item in enumerate(care.patient_specific, start=1):
        if item.code is None or item.name is None or item.unit_price is None or item.quantity is None:
            return (f"/categorization/patientSpecificCare[{index}]",
                    "Patientspecifik åtgärd kräver kod, namn, pris och antal.", "A patient-specific item needs code, name, price and quantity.")
    return None


def _or51(care, spec):
    if care.is_inpatient and care.days_in_care is None:
        return ("/timespan/numberOfDays/inCare", "Antal vårddagar är obligatoriskt vid slutenvård.", "Days in care are required for inpatient care.")
    return None


or17_visit_not_after_issue = _per_care("ÖR17", _or17)
or18_discharge_not_before_visit = _per_care("ÖR18", _or18)
or19_invoice_period_complete = _per_care("ÖR19", _or19)
or20_invoice_period_not_after_issue = _per_care("ÖR20", _or20)
or21_invoice_period_order = _per_care("ÖR21", _or21)
or23_profession_outpatient = _per_care("ÖR23", _or23)
or31_main_diagnosis_inpatient = _per_care("ÖR31", _or31)
or33_no_clinical_codes_for_field_9 = _per_care("ÖR33", _or33)
or38_discharge_not_after_issue = _per_care("ÖR38", _or38)
or44_categorisation_content = _per_care("ÖR44", _or44)
or45_drg_cost_complete = _per_care("ÖR45", _or45)
or47_patient_specific_complete = _per_care("ÖR47", _or47)
or51_days_in_care_inpatient = _per_care("ÖR51", _or51)


def or10_gender(spec, ctx):
    return [
        Finding("ÖR10", f"{_patient_path(p)}/patientOtherInformation/gender/code", f"Kön {line.gender.code!r} är ogiltigt; giltiga värden: 0, 1, 2, 9.",
                f"Gender {line.gender.code!r} is invalid; allowed: 0, 1, 2, 9.")
        for p, line in enumerate(spec.lines, start=1)
        if line.gender is not None and line.gender.code not in ("0", "1", "2", "9")
    ]


def or43_line_ids_unique_ascending(spec, ctx):
    findings = []
    previous = 0
    seen = set()
    for p, c, _, care in spec.care_lines():
        if care.line_id in seen or care.line_id <= previous:
            findings.append(Finding("ÖR43", _care_path(p, c) + "/lineId", f"lineId {care.line_id} är inte unikt och i stigande ordning.",
                                    f"lineId {care.line_id} is not unique and ascending."))
        seen.add(care.line_id)
        previous = max(previous, care.line_id)
    return findings


RULES: dict[str, Rule] = {
    "ÖR2": or2_issue_date_not_in_future,
    "ÖR3": or3_supplier_identity,
    "ÖR4": or4_type_of_invoice,
    "ÖR5": or5_payable_amount,
    "ÖR6": or6_net_amount,
    "ÖR7": or7_one_kind_of_patient_id,
    "ÖR8": or8_county_length,
    "ÖR9": or9_municipality_length,
    "ÖR10": or10_gender,
    "ÖR11": or11_care_contact_inpatient,
    "ÖR12": or12_type_of_agreement,
    "ÖR13": or13_type_of_chapter,
    "ÖR14": or14_type_of_reimbursement,
    "ÖR15": or15_type_of_care,
    "ÖR16": or16_type_of_visit,
    "ÖR17": or17_visit_not_after_issue,
    "ÖR18": or18_discharge_not_before_visit,
    "ÖR19": or19_invoice_period_complete,
    "ÖR20": or20_invoice_period_not_after_issue,
    "ÖR21": or21_invoice_period_order,
    "ÖR22": or22_profession_code,
    "ÖR23": or23_profession_outpatient,
    "ÖR24": or24_product_category,
    "ÖR25": or25_price_list,
    "ÖR26": or26_patient_specific_total,
    "ÖR27": or27_gross_amount,
    "ÖR28": or28_net_amount,
    "ÖR29": or29_fee_reduced_category,
    "ÖR30": or30_care_level,
    "ÖR31": or31_main_diagnosis_inpatient,
    "ÖR33": or33_no_clinical_codes_for_field_9,
    "ÖR34": or34_listing_region_root,
    "ÖR35": or35_currency,
    "ÖR36": or36_reason_for_credit,
    "ÖR37": or37_basis_id,
    "ÖR38": or38_discharge_not_after_issue,
    "ÖR40": or40_county_code_system,
    "ÖR41": or41_municipality_code_system,
    "ÖR43": or43_line_ids_unique_ascending,
    "ÖR44": or44_categorisation_content,
    "ÖR45": or45_drg_cost_complete,
    "ÖR46": or46_customer_identity,
    "ÖR47": or47_patient_specific_complete,
    "ÖR48": or48_identity_lengths,
    "ÖR50": or50_agreement_in_riksavtalet,
    "ÖR51": or51_days_in_care_inpatient,
    "ÖR52": or52_credit_reference,
}


def check(spec: ClaimSpecification, today: dt.date | None = None) -> list[Finding]:
    """Every finding of every rule, in rule order."""
    ctx = Context(today=today or dt.date.today())
    findings: list[Finding] = []
    for rule in RULES.values():
        findings.extend(rule(spec, ctx))
    return findings


def error_comment(findings: list[Finding], limit: int = 50) -> str:
    """The resultCode=ERROR comment: one line per finding (bounded so the answer stays small)."""
    lines = [f.as_comment_line() for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"... and {len(findings) - limit} more")
    return "\n".join(lines)
