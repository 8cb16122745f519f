"""ProcessClaimSpecification 1.1 over SOAP 1.1 (RIVTA BP 2.1): build and read both ways.

Request: ``soapenv:Envelope`` with the receiver's organisation number in the
``itr:LogicalAddress`` header and ``ProcessClaimSpecification/claimSpecification`` in the
body. Elements of the claim specification live in the domain namespace
``urn:riv:financial:billing:claim:1``; the two wrapper elements and the response live in the
responder namespace. The reader follows the schema's element order and cardinalities and
names the element path of anything wrong; elements of other namespaces are skipped, as the
schema's ``xs:any namespace="##other"`` allows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from lxml import etree

from kvitt.core.xmlsafe import XmlError, parse_xml
from kvitt.interregion.model import (
    INPATIENT,
    OID_ATC,
    OID_COUNTY,
    OID_CURRENCY,
    OID_GENDER,
    OID_HSA_ID,
    OID_ICD10_SE,
    OID_KVA,
    OID_MUNICIPALITY,
    OID_TYPE_OF_CARE,
    CarePerformed,
    ClaimSpecification,
    Code,
    ModelError,
    PartyId,
    PatientLine,
    PatientSpecificItem,
    PaymentCommitment,
    ore_from_text,
    ore_to_text,
)

NS_SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
NS_REGISTRY = "urn:riv:itintegration:registry:1"
NS_RESPONDER = "urn:riv:financial:billing:claim:ProcessClaimSpecificationResponder:1"
NS_CORE = "urn:riv:financial:billing:claim:1"
SOAP_ACTION = "urn:riv:financial:billing:claim:ProcessClaimSpecificationResponder:1:ProcessClaimSpecification"
CONTENT_TYPE = "text/xml; charset=utf-8"
NSMAP = {"soapenv": NS_SOAP, "itr": NS_REGISTRY, "tjsr": NS_RESPONDER, "core": NS_CORE}

RESULT_CODES = ("OK", "INFO", "ERROR")

# Location prefix used in findings, in the style of the contract's schematron reports.
ROOT_PATH = "/ProcessClaimSpecification/claimSpecification"


class SoapError(ValueError):
    """A message that does not follow the contract; the text names the element path."""


@dataclass
class ClaimRequest:
    logical_address: str
    specification: ClaimSpecification


@dataclass
class ClaimResponse:
    result_code: str
    comment: str = ""


@dataclass
class SoapFault:
    code: str
    message: str


# ============================================================================ building


def _c(parent, name: str, text: str | None = None):
    element = etree.SubElement(parent, f"{{{NS_CORE}}}{name}")
    if text is not None:
        element.text = text
    return element


def _opt(parent, name: str, value) -> None:
    if value is not None and value != "":
        _c(parent, name, str(value))


def _date(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _code(parent, name: str, code: Code) -> None:
    element = _c(parent, name)
    _opt(element, "code", code.code)
    _opt(element, "codeSystem", code.code_system)
    _opt(element, "displayName", code.display_name)
    _opt(element, "originalText", code.original_text)


def _amount(parent, name: str, ore: int | None) -> None:
    if ore is None:
        return
    element = _c(parent, name)
    _c(element, "amount", ore_to_text(ore))
    _code(element, "currency", Code("SEK", OID_CURRENCY))


def _ii(parent, name: str, party: PartyId) -> None:
    element = _c(parent, name)
    _c(element, "root", party.root)
    _c(element, "extension", party.extension)


def _build_payment_commitment(parent, pc: PaymentCommitment) -> None:
    element = _c(parent, "paymentCommitment")
    _opt(element, "remittanceNumber", pc.remittance_number)
    _opt(element, "paymentCommitmentNumber", pc.payment_commitment_number)
    _opt(element, "typeOfAgreement", pc.type_of_agreement)
    _opt(element, "typeOfChapter", pc.type_of_chapter)
    _opt(element, "agreementInRiksavtalet", pc.agreement_in_riksavtalet)
    _opt(element, "typeOfReimbursement", pc.type_of_reimbursement)


def _build_timespan(parent, care: CarePerformed) -> None:
    timespan = _c(parent, "timespan")
    visit = _c(timespan, "healthcareVisitDateTime")
    _c(visit, "careVisitDate", _date(care.visit_date))
    _opt(visit, "careVisitTime", care.visit_time)
    if care.discharge_date is not None:
        discharge = _c(timespan, "healthcareDischargeDateTime")
        _c(discharge, "careDischargeDate", _date(care.discharge_date))
    if care.invoice_period_start or care.invoice_period_end:
        period = _c(timespan, "invoicePeriod")
        if care.invoice_period_start:
            _c(period, "start", _date(care.invoice_period_start))
        if care.invoice_period_end:
            _c(period, "end", _date(care.invoice_period_end))
    if care.days_on_leave is not None or care.days_in_care is not None:
        days = _c(timespan, "numberOfDays")
        _opt(days, "onLeave", care.days_on_leave)
        _opt(days, "inCare", care.days_in_care)


def _build_categorisation(parent, care: CarePerformed) -> None:
    if not (care.product_category or care.price_list or care.drg_present or care.patient_specific):
        return
    cat = _c(parent, "categorization")
    _opt(cat, "productCategory", care.product_category)
    _opt(cat, "priceList", care.price_list)
    if care.drg_present:
        drg = _c(cat, "DRGCost")
        if care.drg_code is not None:
            _code(drg, "DRGCode", Code(original_text=care.drg_code))
        _amount(drg, "DRGPrice", care.drg_price)
        _amount(drg, "extendedAllowanceCareTime", care.outlier_care_time)
        _amount(drg, "extendedAllowanceCost", care.outlier_cost)
    for item in care.patient_specific:
        psc = _c(cat, "patientSpecificCare")
        _opt(psc, "patientSpecificCareCode", item.code)
        _opt(psc, "patientSpecificCareCodeName", item.name)
        _opt(psc, "numberOfPatientSpecificCare", item.quantity)
        _amount(psc, "patientSpecificCarePrice", item.unit_price)
        _amount(psc, "patientSpecificCareTotalAmount", item.total)


def _build_amounts(parent, care: CarePerformed) -> None:
    amounts = _c(parent, "invoicedAmountDetails")
    _amount(amounts, "patientCareInvoiceGrossAmount", care.gross)
    _amount(amounts, "patientCareInvoiceNetAmount", care.net)
    _amount(amounts, "patientCareAllowance", care.allowance)
    _amount(amounts, "patientCareDiscount", care.discount)
    _amount(amounts, "patientCareCharge", care.charge)
    _amount(amounts, "outPatientCareFee", care.outpatient_fee)
    _amount(amounts, "outPatientCareFeePaid", care.outpatient_fee_paid)
    _opt(amounts, "patientFeeReducedCategory", care.patient_fee_reduced_category)
    if care.free_pass_indicator is not None:
        _c(amounts, "patientFreePassCauseIndicator", _bool(care.free_pass_indicator))
    _amount(amounts, "inpatientCareFee", care.inpatient_fee)


def _build_clinical(parent, care: CarePerformed) -> None:
    if care.main_diagnosis:
        diagnosis = _c(parent, "diagnosis")
        kind = "inpatientCareDiagnosis" if care.type_of_care == INPATIENT else "outpatientCareDiagnosis"
        patient_diagnosis = _c(diagnosis, kind)
        main = _c(patient_diagnosis, "mainDiagnosis")
        _code(main, "diagnosisCode", Code(care.main_diagnosis, OID_ICD10_SE))
        for code in care.bi_diagnoses:
            bi = _c(patient_diagnosis, "biDiagnosis")
            _code(bi, "diagnosisCode", Code(code, OID_ICD10_SE))
    if care.procedures or care.atc_codes:
        treatment = _c(parent, "treatment")
        for code in care.procedures:
            _code(treatment, "typeOfTreatment", Code(code, OID_KVA))
        for code in care.atc_codes:
            _code(treatment, "ATC", Code(code, OID_ATC))


def _build_care(parent, care: CarePerformed) -> None:
    element = _c(parent, "healthcarePerformed")
    _c(element, "lineId", str(care.line_id))
    _opt(element, "careContactId", care.care_contact_id)
    _opt(element, "referenceToLineId", care.reference_to_line_id)
    _opt(element, "reasonForCredit", care.reason_for_credit)
    if care.payment_commitment is not None:
        _build_payment_commitment(element, care.payment_commitment)
    category = _c(element, "healthcareCategory")
    _code(category, "typeOfCare", Code(care.type_of_care, OID_TYPE_OF_CARE))
    if care.public_care is not None:
        _c(category, "publicCare", _bool(care.public_care))
    _c(category, "plannedHealthcare", _bool(care.planned))
    _opt(category, "typeOfVisit", care.type_of_visit)
    _build_timespan(element, care)
    unit = _c(element, "healthcareUnit")
    if care.care_unit_hsa_id:
        _ii(unit, "careUnitId", PartyId(OID_HSA_ID, care.care_unit_hsa_id))
    _c(unit, "careUnitName", care.care_unit_name)
    _opt(unit, "professionCodeForHealthcare", care.profession_code)
    _build_categorisation(element, care)
    _build_amounts(element, care)
    activity = _c(element, "activity")
    _c(activity, "medicalFieldCode", care.medical_field_code)
    if care.business_classification:
        _code(activity, "businessClassification", Code(care.business_classification, "1.2.752.129.2.2.1.3"))
    _opt(activity, "careLevel", care.care_level)
    _build_clinical(element, care)


def _build_patient_line(parent, line: PatientLine) -> None:
    element = _c(parent, "healthCareServicesSpecificationLine")
    info = _c(element, "patientInformation")
    _ii(info, "patientIdentity", line.patient_id)
    other = _c(info, "patientOtherInformation")
    _code(other, "county", line.county)
    _code(other, "municipality", line.municipality)
    if line.listing_region_hsa_id is not None:
        _ii(other, "listingLocalAuthoritiesNumber", line.listing_region_hsa_id)
    _opt(other, "LMACardNumber", line.lma_card_number)
    if line.gender is not None:
        _code(other, "gender", line.gender)
    for care in line.care:
        _build_care(element, care)


def build_claim_element(spec: ClaimSpecification) -> etree._Element:
    """The ``ProcessClaimSpecification`` body element (responder namespace)."""
    request = etree.Element(f"{{{NS_RESPONDER}}}ProcessClaimSpecification", nsmap={"tjsr": NS_RESPONDER, "core": NS_CORE})
    claim = etree.SubElement(request, f"{{{NS_RESPONDER}}}claimSpecification")
    _c(claim, "id", spec.id)
    _c(claim, "issueDate", _date(spec.issue_date))
    _opt(claim, "issueTime", spec.issue_time)
    _c(claim, "typeOfInvoice", spec.type_of_invoice)
    _opt(claim, "invoiceId", spec.invoice_id)
    if spec.invoice_date is not None:
        _c(claim, "invoiceDateOfIssue", _date(spec.invoice_date))
    _opt(claim, "referenceToInvoice", spec.reference_to_invoice)
    _opt(claim, "referenceToProcessClaimSpecificationId", spec.reference_to_specification_id)
    payable = _c(claim, "payableAmount")
    _c(payable, "amount", ore_to_text(spec.payable_amount))
    _code(payable, "currency", spec.payable_currency)
    supplier = _c(claim, "supplierParty")
    for party in spec.supplier:
        _ii(supplier, "identification", party)
    customer = _c(claim, "customerParty")
    for party in spec.customer:
        _ii(customer, "identification", party)
    for line in spec.lines:
        _build_patient_line(claim, line)
    return request


def _envelope(body_child, logical_address: str | None = None) -> bytes:
    envelope = etree.Element(f"{{{NS_SOAP}}}Envelope", nsmap={"soapenv": NS_SOAP})
    header = etree.SubElement(envelope, f"{{{NS_SOAP}}}Header")
    if logical_address is not None:
        address = etree.SubElement(header, f"{{{NS_REGISTRY}}}LogicalAddress", nsmap={"itr": NS_REGISTRY})
        address.text = logical_address
    body = etree.SubElement(envelope, f"{{{NS_SOAP}}}Body")
    body.append(body_child)
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def build_request(spec: ClaimSpecification, logical_address: str) -> bytes:
    """The SOAP request; ``logical_address`` is the receiving region's organisation number."""
    return _envelope(build_claim_element(spec), logical_address)


def build_response(result_code: str, comment: str = "") -> bytes:
    if result_code not in RESULT_CODES:
        raise ValueError(f"resultCode must be one of {RESULT_CODES}")
    response = etree.Element(f"{{{NS_RESPONDER}}}ProcessClaimSpecificationResponse", nsmap={"tjsr": NS_RESPONDER})
    etree.SubElement(response, f"{{{NS_RESPONDER}}}resultCode").text = result_code
    if comment:
        etree.SubElement(response, f"{{{NS_RESPONDER}}}comment").text = comment
    return _envelope(response)


def build_fault(message: str, code: str = "soapenv:Server") -> bytes:
    """A technical error (SOAP fault): the caller retries per RIVTA's resend rules."""
    fault = etree.Element(f"{{{NS_SOAP}}}Fault")
    etree.SubElement(fault, "faultcode").text = code
    etree.SubElement(fault, "faultstring").text = message
    return _envelope(fault)


# ============================================================================ reading


class _Seq:
    """Reads an element's children in schema order; names the path of anything wrong."""

    def __init__(self, element, path: str, ns: str = NS_CORE):
        self.path = path
        self.ns = ns
        self.children = [
            c for c in element if isinstance(c.tag, str) and etree.QName(c).namespace in (ns, NS_CORE, NS_RESPONDER)
        ]
        self.pos = 0

    def _is(self, child, name: str) -> bool:
        qname = etree.QName(child)
        return qname.localname == name and qname.namespace == self.ns

    def many(self, name: str, minimum: int = 0, maximum: int | None = None) -> list:
        found = []
        while self.pos < len(self.children) and self._is(self.children[self.pos], name):
            found.append(self.children[self.pos])
            self.pos += 1
        if len(found) < minimum:
            raise SoapError(f"{self.path}/{name}: required element is missing{self._where()}")
        if maximum is not None and len(found) > maximum:
            raise SoapError(f"{self.path}/{name}: at most {maximum} allowed, found {len(found)}")
        return found

    def opt(self, name: str):
        found = self.many(name, 0, 1)
        return found[0] if found else None

    def one(self, name: str):
        return self.many(name, 1, 1)[0]

    def text(self, name: str, required: bool = True) -> str | None:
        element = self.one(name) if required else self.opt(name)
        if element is None:
            return None
        value = (element.text or "").strip()
        if required and not value:
            raise SoapError(f"{self.path}/{name}: must not be empty")
        return value

    def end(self) -> None:
        if self.pos < len(self.children):
            extra = etree.QName(self.children[self.pos]).localname
            raise SoapError(f"{self.path}/{extra}: element not allowed here (wrong name or order)")

    def _where(self) -> str:
        if self.pos < len(self.children):
            return f" (found {etree.QName(self.children[self.pos]).localname} instead)"
        return ""


_DATE_RE = re.compile(r"^(19|20)\d\d(0[1-9]|1[012])(0[1-9]|[12][0-9]|3[01])$")
_TIME_RE = re.compile(r"^(0[0-9]|1[0-9]|2[0-3])[0-5][0-9][0-5][0-9]$")


def _parse_date(value: str | None, path: str) -> dt.date | None:
    if value is None:
        return None
    if not _DATE_RE.match(value):
        raise SoapError(f"{path}: {value!r} is not a date YYYYMMDD")
    try:
        return dt.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise SoapError(f"{path}: {value!r} is not a calendar date") from None


def _parse_time(value: str | None, path: str) -> str | None:
    if value is not None and not _TIME_RE.match(value):
        raise SoapError(f"{path}: {value!r} is not a time hhmmss")
    return value


def _parse_bool(value: str | None, path: str) -> bool | None:
    if value is None:
        return None
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise SoapError(f"{path}: {value!r} is not a boolean")


def _parse_int(value: str | None, path: str, positive: bool = False) -> int | None:
    if value is None:
        return None
    if not re.fullmatch(r"[+-]?\d+", value):
        raise SoapError(f"{path}: {value!r} is not an integer")
    number = int(value)
    if positive and number < 1:
        raise SoapError(f"{path}: {value!r} must be a positive integer")
    return number


def _read_code(element, path: str) -> Code:
    seq = _Seq(element, path)
    code = seq.text("code", False)
    code_system = seq.text("codeSystem", False)
    seq.text("codeSystemName", False)
    seq.text("codeSystemVersion", False)
    display_name = seq.text("displayName", False)
    original_text = seq.text("originalText", False)
    seq.end()
    return Code(code=code, code_system=code_system, display_name=display_name, original_text=original_text)


def _read_ii(element, path: str) -> PartyId:
    seq = _Seq(element, path)
    party = PartyId(seq.text("root"), seq.text("extension"))
    seq.end()
    return party


class _AmountReader:
    def __init__(self, currencies: list[Code]):
        self.currencies = currencies

    def __call__(self, element, path: str) -> int | None:
        if element is None:
            return None
        seq = _Seq(element, path)
        text = seq.text("amount")
        currency = _read_code(seq.one("currency"), f"{path}/currency")
        seq.end()
        self.currencies.append(currency)
        try:
            return ore_from_text(text, f"{path}/amount")
        except ModelError as exc:
            raise SoapError(str(exc)) from None


def _skip_unspecified(seq: _Seq) -> None:
    seq.many("unspecified")


def _read_payment_commitment(element, path: str) -> PaymentCommitment:
    seq = _Seq(element, path)
    pc = PaymentCommitment(
        remittance_number=seq.text("remittanceNumber", False),
        payment_commitment_number=seq.text("paymentCommitmentNumber", False),
        type_of_agreement=seq.text("typeOfAgreement", False),
        type_of_chapter=seq.text("typeOfChapter", False),
        agreement_in_riksavtalet=seq.text("agreementInRiksavtalet", False),
        type_of_reimbursement=seq.text("typeOfReimbursement", False),
    )
    _skip_unspecified(seq)
    seq.end()
    return pc


def _read_timespan(element, path: str, values: dict) -> None:
    seq = _Seq(element, path)
    visit = _Seq(seq.one("healthcareVisitDateTime"), f"{path}/healthcareVisitDateTime")
    values["visit_date"] = _parse_date(visit.text("careVisitDate"), f"{visit.path}/careVisitDate")
    values["visit_time"] = _parse_time(visit.text("careVisitTime", False), f"{visit.path}/careVisitTime")
    visit.end()
    discharge = seq.opt("healthcareDischargeDateTime")
    if discharge is not None:
        dseq = _Seq(discharge, f"{path}/healthcareDischargeDateTime")
        values["discharge_date"] = _parse_date(dseq.text("careDischargeDate"), f"{dseq.path}/careDischargeDate")
        _parse_time(dseq.text("careDischargeTime", False), f"{dseq.path}/careDischargeTime")
        dseq.end()
    period = seq.opt("invoicePeriod")
    if period is not None:
        pseq = _Seq(period, f"{path}/invoicePeriod")
        values["invoice_period_present"] = True
        values["invoice_period_start"] = _parse_date(pseq.text("start", False), f"{pseq.path}/start")
        values["invoice_period_end"] = _parse_date(pseq.text("end", False), f"{pseq.path}/end")
        pseq.end()
    days = seq.opt("numberOfDays")
    if days is not None:
        nseq = _Seq(days, f"{path}/numberOfDays")
        values["days_on_leave"] = _parse_int(nseq.text("onLeave", False), f"{nseq.path}/onLeave", positive=True)
        values["days_in_care"] = _parse_int(nseq.text("inCare", False), f"{nseq.path}/inCare", positive=True)
        nseq.end()
    seq.end()


def _read_categorisation(element, path: str, values: dict, amount: _AmountReader) -> None:
    seq = _Seq(element, path)
    values["product_category"] = seq.text("productCategory", False)
    values["price_list"] = seq.text("priceList", False)
    drg = seq.opt("DRGCost")
    if drg is not None:
        dpath = f"{path}/DRGCost"
        dseq = _Seq(drg, dpath)
        values["drg_present"] = True
        code = dseq.opt("DRGCode")
        if code is not None:
            drg_code = _read_code(code, f"{dpath}/DRGCode")
            values["drg_code"] = drg_code.original_text or drg_code.code
        values["drg_price"] = amount(dseq.opt("DRGPrice"), f"{dpath}/DRGPrice")
        values["outlier_care_time"] = amount(dseq.opt("extendedAllowanceCareTime"), f"{dpath}/extendedAllowanceCareTime")
        values["outlier_cost"] = amount(dseq.opt("extendedAllowanceCost"), f"{dpath}/extendedAllowanceCost")
        dseq.end()
    items = []
    for index, psc in enumerate(seq.many("patientSpecificCare"), start=1):
        ppath = f"{path}/patientSpecificCare[{index}]"
        pseq = _Seq(psc, ppath)
        items.append(
            PatientSpecificItem(
                code=pseq.text("patientSpecificCareCode", False),
                name=pseq.text("patientSpecificCareCodeName", False),
                quantity=_parse_int(pseq.text("numberOfPatientSpecificCare", False), f"{ppath}/numberOfPatientSpecificCare"),
                unit_price=amount(pseq.opt("patientSpecificCarePrice"), f"{ppath}/patientSpecificCarePrice"),
                total=amount(pseq.opt("patientSpecificCareTotalAmount"), f"{ppath}/patientSpecificCareTotalAmount"),
            )
        )
        _skip_unspecified(pseq)
        pseq.end()
    values["patient_specific"] = items
    seq.end()


def _read_amounts(element, path: str, values: dict, amount: _AmountReader) -> None:
    seq = _Seq(element, path)
    values["gross"] = amount(seq.one("patientCareInvoiceGrossAmount"), f"{path}/patientCareInvoiceGrossAmount")
    values["net"] = amount(seq.one("patientCareInvoiceNetAmount"), f"{path}/patientCareInvoiceNetAmount")
    values["allowance"] = amount(seq.opt("patientCareAllowance"), f"{path}/patientCareAllowance")
    values["discount"] = amount(seq.opt("patientCareDiscount"), f"{path}/patientCareDiscount")
    values["charge"] = amount(seq.opt("patientCareCharge"), f"{path}/patientCareCharge")
    values["outpatient_fee"] = amount(seq.opt("outPatientCareFee"), f"{path}/outPatientCareFee")
    values["outpatient_fee_paid"] = amount(seq.opt("outPatientCareFeePaid"), f"{path}/outPatientCareFeePaid")
    values["patient_fee_reduced_category"] = seq.text("patientFeeReducedCategory", False)
    values["free_pass_indicator"] = _parse_bool(
        seq.text("patientFreePassCauseIndicator", False), f"{path}/patientFreePassCauseIndicator"
    )
    values["inpatient_fee"] = amount(seq.opt("inpatientCareFee"), f"{path}/inpatientCareFee")
    _skip_unspecified(seq)
    seq.end()


def _read_diagnosis(element, path: str, values: dict) -> None:
    seq = _Seq(element, path)
    for kind in ("inpatientCareDiagnosis", "outpatientCareDiagnosis"):
        found = seq.opt(kind)
        if found is None:
            continue
        kpath = f"{path}/{kind}"
        kseq = _Seq(found, kpath)
        main = _Seq(kseq.one("mainDiagnosis"), f"{kpath}/mainDiagnosis")
        code = _read_code(main.one("diagnosisCode"), f"{kpath}/mainDiagnosis/diagnosisCode")
        main.end()
        if values.get("main_diagnosis") is None:
            values["main_diagnosis"] = code.code
            values["main_diagnosis_kind"] = kind
        for index, bi in enumerate(kseq.many("biDiagnosis"), start=1):
            bseq = _Seq(bi, f"{kpath}/biDiagnosis[{index}]")
            values.setdefault("bi_diagnoses", []).append(_read_code(bseq.one("diagnosisCode"), f"{bseq.path}/diagnosisCode").code)
            bseq.end()
        kseq.end()
    seq.end()


def _read_treatment(element, path: str, values: dict) -> None:
    seq = _Seq(element, path)
    values["procedures"] = [_read_code(t, f"{path}/typeOfTreatment").code for t in seq.many("typeOfTreatment")]
    values["atc_codes"] = [_read_code(t, f"{path}/ATC").code for t in seq.many("ATC")]
    _skip_unspecified(seq)
    seq.end()


def _read_care(element, path: str) -> CarePerformed:
    seq = _Seq(element, path)
    currencies: list[Code] = []
    amount = _AmountReader(currencies)
    values: dict = {}
    values["line_id"] = _parse_int(seq.text("lineId"), f"{path}/lineId", positive=True)
    values["care_contact_id"] = seq.text("careContactId", False)
    values["reference_to_line_id"] = _parse_int(seq.text("referenceToLineId", False), f"{path}/referenceToLineId", positive=True)
    values["reason_for_credit"] = seq.text("reasonForCredit", False)
    _skip_unspecified(seq)
    pc = seq.opt("paymentCommitment")
    values["payment_commitment"] = _read_payment_commitment(pc, f"{path}/paymentCommitment") if pc is not None else None
    cpath = f"{path}/healthcareCategory"
    category = _Seq(seq.one("healthcareCategory"), cpath)
    values["type_of_care"] = _read_code(category.one("typeOfCare"), f"{cpath}/typeOfCare").code or ""
    values["public_care"] = _parse_bool(category.text("publicCare", False), f"{cpath}/publicCare")
    values["planned"] = _parse_bool(category.text("plannedHealthcare"), f"{cpath}/plannedHealthcare")
    values["type_of_visit"] = category.text("typeOfVisit", False)
    _skip_unspecified(category)
    category.end()
    _read_timespan(seq.one("timespan"), f"{path}/timespan", values)
    upath = f"{path}/healthcareUnit"
    unit = _Seq(seq.one("healthcareUnit"), upath)
    unit_id = unit.opt("careUnitId")
    if unit_id is not None:
        values["care_unit_hsa_id"] = _read_ii(unit_id, f"{upath}/careUnitId").extension
    values["care_unit_name"] = unit.text("careUnitName")
    values["profession_code"] = unit.text("professionCodeForHealthcare", False)
    _skip_unspecified(unit)
    unit.end()
    categorisation = seq.opt("categorization")
    if categorisation is not None:
        _read_categorisation(categorisation, f"{path}/categorization", values, amount)
    _read_amounts(seq.one("invoicedAmountDetails"), f"{path}/invoicedAmountDetails", values, amount)
    apath = f"{path}/activity"
    activity = _Seq(seq.one("activity"), apath)
    values["medical_field_code"] = activity.text("medicalFieldCode")
    business = activity.opt("businessClassification")
    if business is not None:
        values["business_classification"] = _read_code(business, f"{apath}/businessClassification").code
    values["care_level"] = activity.text("careLevel", False)
    _skip_unspecified(activity)
    activity.end()
    diagnosis = seq.opt("diagnosis")
    if diagnosis is not None:
        _read_diagnosis(diagnosis, f"{path}/diagnosis", values)
    treatment = seq.opt("treatment")
    if treatment is not None:
        _read_treatment(treatment, f"{path}/treatment", values)
    seq.end()
    values.pop("main_diagnosis_kind", None)
    return CarePerformed(**values, currencies=currencies)


def _read_patient_line(element, path: str) -> PatientLine:
    seq = _Seq(element, path)
    ipath = f"{path}/patientInformation"
    info = _Seq(seq.one("patientInformation"), ipath)
    patient_id = _read_ii(info.one("patientIdentity"), f"{ipath}/patientIdentity")
    opath = f"{ipath}/patientOtherInformation"
    other = _Seq(info.one("patientOtherInformation"), opath)
    county = _read_code(other.one("county"), f"{opath}/county")
    municipality = _read_code(other.one("municipality"), f"{opath}/municipality")
    listing = other.opt("listingLocalAuthoritiesNumber")
    listing_id = _read_ii(listing, f"{opath}/listingLocalAuthoritiesNumber") if listing is not None else None
    lma = other.text("LMACardNumber", False)
    gender_el = other.opt("gender")
    gender = _read_code(gender_el, f"{opath}/gender") if gender_el is not None else None
    other.text("EUCardNumber", False)
    _skip_unspecified(other)
    other.end()
    info.end()
    care = [
        _read_care(c, f"{path}/healthcarePerformed[{i}]") for i, c in enumerate(seq.many("healthcarePerformed", 1), start=1)
    ]
    seq.end()
    return PatientLine(
        patient_id=patient_id,
        county=county,
        municipality=municipality,
        care=care,
        gender=gender,
        listing_region_hsa_id=listing_id,
        lma_card_number=lma,
    )


def read_claim_specification(claim) -> ClaimSpecification:
    """Read a ``claimSpecification`` element into the model."""
    path = ROOT_PATH
    seq = _Seq(claim, path)
    spec_id = seq.text("id")
    issue_date = _parse_date(seq.text("issueDate"), f"{path}/issueDate")
    issue_time = _parse_time(seq.text("issueTime", False), f"{path}/issueTime")
    type_of_invoice = seq.text("typeOfInvoice")
    invoice_id = seq.text("invoiceId", False)
    invoice_date = _parse_date(seq.text("invoiceDateOfIssue", False), f"{path}/invoiceDateOfIssue")
    reference_to_invoice = seq.text("referenceToInvoice", False)
    reference = seq.text("referenceToProcessClaimSpecificationId", False)
    payable_element = seq.one("payableAmount")
    pseq = _Seq(payable_element, f"{path}/payableAmount")
    payable_text = pseq.text("amount")
    payable_currency = _read_code(pseq.one("currency"), f"{path}/payableAmount/currency")
    pseq.end()
    try:
        payable = ore_from_text(payable_text, f"{path}/payableAmount/amount")
    except ModelError as exc:
        raise SoapError(str(exc)) from None
    _skip_unspecified(seq)
    parties = {}
    for party in ("supplierParty", "customerParty"):
        ppath = f"{path}/{party}"
        party_seq = _Seq(seq.one(party), ppath)
        parties[party] = [_read_ii(i, f"{ppath}/identification") for i in party_seq.many("identification", 1, 2)]
        party_seq.opt("sellerContact" if party == "supplierParty" else "buyerContact")
        party_seq.end()
    lines = [
        _read_patient_line(line, f"{path}/healthCareServicesSpecificationLine[{i}]")
        for i, line in enumerate(seq.many("healthCareServicesSpecificationLine"), start=1)
    ]
    seq.end()
    return ClaimSpecification(
        id=spec_id,
        issue_date=issue_date,
        issue_time=issue_time,
        type_of_invoice=type_of_invoice,
        invoice_id=invoice_id,
        invoice_date=invoice_date,
        reference_to_invoice=reference_to_invoice,
        reference_to_specification_id=reference,
        payable_amount=payable,
        payable_currency=payable_currency,
        supplier=parties["supplierParty"],
        customer=parties["customerParty"],
        lines=lines,
    )


def _body_child(data: bytes) -> tuple[etree._Element, etree._Element]:
    try:
        root = parse_xml(data)
    except XmlError as exc:
        raise SoapError(f"not a readable SOAP message: {exc}") from None
    if etree.QName(root).namespace != NS_SOAP or etree.QName(root).localname != "Envelope":
        raise SoapError("/Envelope: the root element must be a SOAP 1.1 Envelope")
    body = root.find(f"{{{NS_SOAP}}}Body")
    if body is None:
        raise SoapError("/Envelope/Body: required element is missing")
    children = [c for c in body if isinstance(c.tag, str)]
    if len(children) != 1:
        raise SoapError(f"/Envelope/Body: expected exactly one element, found {len(children)}")
    return root, children[0]


def parse_request(data: bytes) -> ClaimRequest:
    """Read a request: the LogicalAddress header and the claim specification."""
    root, child = _body_child(data)
    address = root.find(f"{{{NS_SOAP}}}Header/{{{NS_REGISTRY}}}LogicalAddress")
    if address is None or not (address.text or "").strip():
        raise SoapError("/Envelope/Header/LogicalAddress: required header is missing")
    qname = etree.QName(child)
    if qname.namespace != NS_RESPONDER or qname.localname != "ProcessClaimSpecification":
        raise SoapError(f"/Envelope/Body/{qname.localname}: expected ProcessClaimSpecification in {NS_RESPONDER}")
    seq = _Seq(child, "/ProcessClaimSpecification", ns=NS_RESPONDER)
    claim = seq.one("claimSpecification")
    seq.end()
    return ClaimRequest(logical_address=address.text.strip(), specification=read_claim_specification(claim))


def parse_response(data: bytes) -> ClaimResponse | SoapFault:
    """Read the producer's answer: resultCode + comment, or a SOAP fault."""
    _, child = _body_child(data)
    qname = etree.QName(child)
    if qname.namespace == NS_SOAP and qname.localname == "Fault":
        return SoapFault(code=(child.findtext("faultcode") or "").strip(), message=(child.findtext("faultstring") or "").strip())
    if qname.namespace != NS_RESPONDER or qname.localname != "ProcessClaimSpecificationResponse":
        raise SoapError(f"/Envelope/Body/{qname.localname}: expected ProcessClaimSpecificationResponse")
    seq = _Seq(child, "/ProcessClaimSpecificationResponse", ns=NS_RESPONDER)
    code = seq.text("resultCode")
    comment = seq.text("comment", False) or ""
    seq.end()
    if code not in RESULT_CODES:
        raise SoapError(f"/ProcessClaimSpecificationResponse/resultCode: {code!r} is not OK, INFO or ERROR")
    return ClaimResponse(code, comment)


__all__ = [
    "ClaimRequest",
    "ClaimResponse",
    "SoapFault",
    "SoapError",
    "build_request",
    "build_response",
    "build_fault",
    "parse_request",
    "parse_response",
    "read_claim_specification",
    "build_claim_element",
    "OID_COUNTY",
    "OID_MUNICIPALITY",
    "OID_GENDER",
]
