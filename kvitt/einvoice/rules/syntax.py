"""CEN code-list rules (BR-CL-*) and the UBL syntax rules (UBL-SR-*, UBL-DT-*).

The UBL-CR-* "should not include" warnings of the same pattern live in ubl_cr.py. The UBL-SR
"shall occur maximum once" rules are fatal, as the CEN 1.3.16 unit tests require; the UBL-DT
"should not be present" attribute rules stay warnings.
"""

from __future__ import annotations

from .base import CAC_NS, CBC_NS, FATAL, WARNING, add, decimals_after_point, exists, nodes, nsp, sv
from .cen import CI_FALSE, CI_TRUE, VAT
from .codelists import UNCL1001_CREDIT_NOTE, UNCL1001_INVOICE, UNCL2005, UNCL5305, codes


def _cl(rule_id: str, context: str, text: str, test) -> None:
    add(rule_id, FATAL, context, f"[{rule_id}]-{text}", test, source="CEN")


def _value_in(name_or_set, attribute: str | None = None):
    def test(el, doc):
        allowed = codes(name_or_set) if isinstance(name_or_set, str) else name_or_set
        value = el.get(attribute) if attribute else sv(el)
        return nsp(value or "") in allowed

    return test


def _type_code(el, doc):
    value = nsp(sv(el))
    if el.tag == f"{{{CBC_NS}}}InvoiceTypeCode":
        return value in UNCL1001_INVOICE
    return value in UNCL1001_CREDIT_NOTE


AMOUNTS = " | ".join(f"//cbc:{n}" for n in (
    "Amount", "BaseAmount", "PriceAmount", "TaxAmount", "TaxableAmount", "LineExtensionAmount",
    "TaxExclusiveAmount", "TaxInclusiveAmount", "AllowanceTotalAmount", "ChargeTotalAmount",
    "PrepaidAmount", "PayableRoundingAmount", "PayableAmount"))

_cl("BR-CL-01", "//cbc:InvoiceTypeCode | //cbc:CreditNoteTypeCode", "The document type code MUST be coded by the invoice and credit note related code lists of UNTDID 1001.", _type_code)
_cl("BR-CL-03", AMOUNTS, "currencyID MUST be coded using ISO code list 4217 alpha-3", _value_in("iso4217", "currencyID"))
_cl("BR-CL-04", "//cbc:DocumentCurrencyCode", "Invoice currency code MUST be coded using ISO code list 4217 alpha-3", _value_in("iso4217"))
_cl("BR-CL-05", "//cbc:TaxCurrencyCode", "Tax currency code MUST be coded using ISO code list 4217 alpha-3", _value_in("iso4217"))
_cl("BR-CL-06", "//cac:InvoicePeriod/cbc:DescriptionCode", "Value added tax point date code MUST be coded using a restriction of UNTDID 2005.", _value_in(UNCL2005))
_cl("BR-CL-07", "//cac:AdditionalDocumentReference[cbc:DocumentTypeCode = '130']/cbc:ID[@schemeID] | //cac:DocumentReference[cbc:DocumentTypeCode = '130']/cbc:ID[@schemeID]",
    "Object identifier identification scheme identifier MUST be coded using a restriction of UNTDID 1153.", _value_in("uncl1153", "schemeID"))


def _br_cl_10(el, doc):
    scheme = nsp(el.get("schemeID") or "")
    if scheme in codes("icd"):
        return True
    return scheme == "SEPA" and bool(el.xpath("ancestor::*[local-name()='AccountingSupplierParty' or local-name()='PayeeParty']"))


_cl("BR-CL-10", "//cac:PartyIdentification/cbc:ID[@schemeID]", "Any identifier identification scheme identifier MUST be coded using one of the ISO 6523 ICD list.", _br_cl_10)
_cl("BR-CL-11", "//cac:PartyLegalEntity/cbc:CompanyID[@schemeID]", "Any registration identifier identification scheme identifier MUST be coded using one of the ISO 6523 ICD list.", _value_in("icd", "schemeID"))
_cl("BR-CL-13", "//cac:CommodityClassification/cbc:ItemClassificationCode[@listID]", "Item classification identifier identification scheme identifier MUST be\n      coded using one of the UNTDID 7143 list.", _value_in("uncl7143", "listID"))
_cl("BR-CL-14", "//cac:Country/cbc:IdentificationCode", "Country codes in an invoice MUST be coded using ISO code list 3166-1", _value_in("iso3166"))
_cl("BR-CL-15", "//cac:OriginCountry/cbc:IdentificationCode", "Country codes in an invoice MUST be coded using ISO code list 3166-1", _value_in("iso3166"))
_cl("BR-CL-16", "//cac:PaymentMeans/cbc:PaymentMeansCode", "Payment means in an invoice MUST be coded using UNCL4461 code list", _value_in("uncl4461"))
_cl("BR-CL-17", "//cac:TaxCategory/cbc:ID", "Invoice tax categories MUST be coded using UNCL5305 code list", _value_in(UNCL5305))
_cl("BR-CL-18", "//cac:ClassifiedTaxCategory/cbc:ID", "Invoice tax categories MUST be coded using UNCL5305 code list", _value_in(UNCL5305))
_cl("BR-CL-19", f"//cac:AllowanceCharge{CI_FALSE}/cbc:AllowanceChargeReasonCode", "Coded allowance reasons MUST belong to the UNCL 5189 code list", _value_in("uncl5189"))
_cl("BR-CL-20", f"//cac:AllowanceCharge{CI_TRUE}/cbc:AllowanceChargeReasonCode", "Coded charge reasons MUST belong to the UNCL 7161 code list", _value_in("uncl7161"))
_cl("BR-CL-21", "//cac:StandardItemIdentification/cbc:ID[@schemeID]", "Item standard identifier scheme identifier MUST belong to the ISO 6523 ICD code list", _value_in("icd", "schemeID"))
_cl("BR-CL-22", "//cbc:TaxExemptionReasonCode", "Tax exemption reason code identifier scheme identifier MUST belong to the CEF VATEX code list",
    lambda el, doc: nsp(sv(el)).lower() in codes("vatex"))
_cl("BR-CL-23", "//cbc:InvoicedQuantity[@unitCode] | //cbc:CreditedQuantity[@unitCode] | //cbc:BaseQuantity[@unitCode]", "Unit code MUST be coded according to the UN/ECE Recommendation 20 with\n      Rec 21 extension", _value_in("rec20", "unitCode"))
_cl("BR-CL-24", "//cbc:EmbeddedDocumentBinaryObject[@mimeCode]", "For Mime code in attribute use MIMEMediaType.",
    lambda el, doc: el.get("mimeCode") in codes("mime"))
_cl("BR-CL-25", "//cbc:EndpointID[@schemeID]", "Endpoint identifier scheme identifier MUST belong to the CEF EAS code list", _value_in("eas", "schemeID"))


# ------------------------------------------------------------------ UBL syntax rules


def _sr(rule_id: str, context: str, text: str, test, flag: str = FATAL) -> None:
    add(rule_id, flag, context, f"[{rule_id}]-{text}", test, source="CEN")


def _at_most(path: str, limit: int = 1):
    return lambda el, doc: len(nodes(el, path)) <= limit


_sr("UBL-SR-42", "//cac:AccountingSupplierParty/cac:Party", "Party tax scheme shall occur maximum twice in accounting supplier party", _at_most("cac:PartyTaxScheme", 2))
_sr("UBL-SR-33", "//cac:AdditionalDocumentReference", "Supporting document description shall occur maximum once", _at_most("cbc:DocumentType"))


def _ubl_sr_43(el, doc):
    code = [sv(n) for n in nodes(el, "cbc:DocumentTypeCode")]
    if "130" in code:
        return True
    if doc.is_credit_note and "50" in code:
        return True
    return not exists(el, "cbc:ID/@schemeID") and not code


_sr("UBL-SR-43", "//cac:AdditionalDocumentReference", "Scheme identifier shall only be used for invoiced object (document type code with value 130)", _ubl_sr_43)



def _amount_elements(doc) -> list:
    """``//*[ends-with(name(), 'Amount') and not(ends-with(name(),'PriceAmount')) and not(ancestor::cac:Price/cac:AllowanceCharge)]``."""
    # A Clark name ends with the local name, so the suffix tests need no splitting.
    return [el for el in doc.elements
            if el.tag.endswith("Amount") and not el.tag.endswith("PriceAmount") and not _under_price_allowance(el)]


_PRICE = f"{{{CAC_NS}}}Price"
_ALLOWANCE_CHARGE = f"{{{CAC_NS}}}AllowanceCharge"


def _under_price_allowance(el) -> bool:
    node = el.getparent()
    while node is not None:
        parent = node.getparent()
        if node.tag == _ALLOWANCE_CHARGE and parent is not None and parent.tag == _PRICE:
            return True
        node = parent
    return False


def _binary_objects(doc) -> list:
    """``//*[ends-with(name(), 'BinaryObject')]``."""
    return [el for el in doc.elements if el.tag.endswith("BinaryObject")]


add("UBL-DT-01", FATAL, _amount_elements, "[UBL-DT-01]-Amounts shall be decimal up to two fraction digits",
    lambda el, doc: decimals_after_point(el) <= 2)
add("UBL-DT-06", FATAL, _binary_objects, "[UBL-DT-06]-Binary object elements shall contain the mime code attribute",
    lambda el, doc: el.get("mimeCode") is not None)
add("UBL-DT-07", FATAL, _binary_objects, "[UBL-DT-07]-Binary object elements shall contain the file name attribute",
    lambda el, doc: el.get("filename") is not None)
_sr("UBL-SR-25", "//cac:Delivery", "Deliver to party name shall occur maximum once", _at_most("cac:DeliveryParty/cac:PartyName/cbc:Name"))
_sr("UBL-SR-30", f"//cac:AllowanceCharge{CI_FALSE}", "Document level allowance reason shall occur maximum once", _at_most("cbc:AllowanceChargeReason"))
_sr("UBL-SR-31", f"//cac:AllowanceCharge{CI_TRUE}", "Document level charge reason shall occur maximum once", _at_most("cbc:AllowanceChargeReason"))

ROOTS = "/ubl:Invoice | /cn:CreditNote"
for _attr, _rule_id, _text in (
    ("schemeName", "UBL-DT-08", "Scheme name attribute should not be present"),
    ("schemeAgencyName", "UBL-DT-09", "Scheme agency name attribute should not be present"),
    ("schemeDataURI", "UBL-DT-10", "Scheme data uri attribute should not be present"),
    ("schemeURI", "UBL-DT-11", "Scheme uri attribute should not be present"),
    ("format", "UBL-DT-12", "Format attribute should not be present"),
    ("unitCodeListIdentifier", "UBL-DT-13", "Unit code list identifier attribute should not be present"),
    ("unitCodeListAgencyIdentifier", "UBL-DT-14", "Unit code list agency identifier attribute should not be present"),
    ("unitCodeListAgencyName", "UBL-DT-15", "Unit code list agency name attribute should not be present"),
    ("listAgencyName", "UBL-DT-16", "List agency name attribute should not be present"),
    ("listName", "UBL-DT-17", "List name attribute should not be present"),
    ("languageID", "UBL-DT-19", "Language identifier attribute should not be present"),
    ("listURI", "UBL-DT-20", "List uri attribute should not be present"),
    ("listSchemeURI", "UBL-DT-21", "List scheme uri attribute should not be present"),
    ("languageLocaleID", "UBL-DT-22", "Language local identifier attribute should not be present"),
    ("uri", "UBL-DT-23", "Uri attribute should not be present"),
    ("currencyCodeListVersionID", "UBL-DT-24", "Currency code list version id should not be present"),
    ("characterSetCode", "UBL-DT-25", "CharacterSetCode attribute should not be present"),
    ("encodingCode", "UBL-DT-26", "EncodingCode attribute should not be present"),
):
    _sr(_rule_id, ROOTS, _text, lambda el, doc, _a=_attr: not doc.all(f"//@{_a}"), flag=WARNING)
_sr("UBL-DT-18", ROOTS, "Name attribute should not be present",
    lambda el, doc: len(doc.all("//@name")) - len(doc.all("//cbc:PaymentMeansCode/@name")) <= 0, flag=WARNING)

_SR_ROOT = (
    ("UBL-SR-01", "cac:ContractDocumentReference/cbc:ID", "Contract identifier shall occur maximum once."),
    ("UBL-SR-02", "cac:ReceiptDocumentReference/cbc:ID", "Receive advice identifier shall occur maximum once"),
    ("UBL-SR-03", "cac:DespatchDocumentReference/cbc:ID", "Despatch advice identifier shall occur maximum once"),
    ("UBL-SR-04", "cac:AdditionalDocumentReference[cbc:DocumentTypeCode='130']/cbc:ID", "Invoice object identifier shall occur maximum once"),
    ("UBL-SR-05", "cac:PaymentTerms/cbc:Note", "Payment terms shall occur maximum once"),
    ("UBL-SR-06", "cac:InvoiceDocumentReference", "Preceding invoice reference shall occur maximum once"),
    ("UBL-SR-08", "cac:InvoicePeriod", "Invoice period shall occur maximum once"),
    ("UBL-SR-09", "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName", "Seller name shall occur maximum once"),
    ("UBL-SR-10", "cac:AccountingSupplierParty/cac:Party/cac:PartyName/cbc:Name", "Seller trader name shall occur maximum once"),
    ("UBL-SR-11", "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID", "Seller legal registration identifier shall occur maximum once"),
    ("UBL-SR-12", f"cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme{VAT}/cbc:CompanyID", "Seller VAT identifier shall occur maximum once"),
    ("UBL-SR-13", "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme[not(cac:TaxScheme/cbc:ID[translate(., 'vat', 'VAT')='VAT'])]/cbc:ID", "Seller tax registration shall occur maximum once"),
    ("UBL-SR-14", "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyLegalForm", "Seller additional legal information shall occur maximum once"),
    ("UBL-SR-15", "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName", "Buyer name shall occur maximum once"),
    ("UBL-SR-16", "cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID", "Buyer identifier shall occur maximum once"),
    ("UBL-SR-17", "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID", "Buyer legal registration identifier shall occur maximum once"),
    ("UBL-SR-18", f"cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme{VAT}/cbc:CompanyID", "Buyer VAT identifier shall occur maximum once"),
    ("UBL-SR-24", "cac:Delivery", "Deliver to information shall occur maximum once"),
    ("UBL-SR-29", "//cac:PartyIdentification/cbc:ID[translate(@schemeID, 'sepa', 'SEPA') = 'SEPA']", "Bank creditor reference shall occur maximum once"),
    ("UBL-SR-39", "cac:ProjectReference/cbc:ID", "Project reference shall occur maximum once."),
    ("UBL-SR-40", "cac:AccountingCustomerParty/cac:Party/cac:PartyName/cbc:Name", "Buyer trade name shall occur maximum once"),
    ("UBL-SR-45", "cac:PaymentMeans/cbc:PaymentDueDate", "Due Date shall occur maximum once"),
    ("UBL-SR-46", "cac:PaymentMeans/cbc:PaymentMeansCode/@name", "Payment means text shall occur maximum once"),
)
for _rule_id, _path, _text in _SR_ROOT:
    _sr(_rule_id, ROOTS, _text, _at_most(_path))


def _ubl_sr_44(el, doc):
    return len({sv(n) for n in nodes(el, "cac:PaymentMeans/cbc:PaymentID")}) <= 1


def _ubl_sr_47(el, doc):
    return len({sv(n) for n in nodes(el, "cac:PaymentMeans/cbc:PaymentMeansCode")}) <= 1


_sr("UBL-SR-44", ROOTS, "Payment ID shall occur maximum once", _ubl_sr_44)
_sr("UBL-SR-47", ROOTS, "When there are more than one payment means code, they shall be equal", _ubl_sr_47)

LINE = "//cac:InvoiceLine | //cac:CreditNoteLine"
_sr("UBL-SR-34", LINE, "Invoice line note shall occur maximum once", _at_most("cbc:Note"))
_sr("UBL-SR-35", LINE, "Referenced purchase order line identifier shall occur maximum once", _at_most("cac:OrderLineReference/cbc:LineID"))
_sr("UBL-SR-36", LINE, "Invoice line period shall occur maximum once", _at_most("cac:InvoicePeriod"))
_sr("UBL-SR-37", LINE, "Item price discount shall occur maximum once", _at_most("cac:Price/cac:AllowanceCharge/cbc:Amount"))
_sr("UBL-SR-38", LINE, "Invoiced item VAT exemption reason text shall occur maximum once", _at_most("cac:Item/cac:ClassifiedTaxCategory/cbc:TaxExemptionReason"))


def _payee_differs(el) -> bool:
    names = {sv(n) for n in nodes(el, "cac:PartyName/cbc:Name")}
    seller = {sv(n) for n in nodes(el, "../cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName")}
    return any(a != b for a in names for b in seller)


_sr("UBL-SR-19", "//cac:PayeeParty", "Payee name shall occur maximum once, if the Payee is different from the Seller",
    lambda el, doc: len(nodes(el, "cac:PartyName/cbc:Name")) <= 1 and _payee_differs(el))
_sr("UBL-SR-20", "//cac:PayeeParty", "Payee identifier shall occur maximum once, if the Payee is different from the Seller",
    lambda el, doc: len(nodes(el, "cac:PartyIdentification/cbc:ID[not(translate(@schemeID, 'sepa', 'SEPA') = 'SEPA')]")) <= 1 and _payee_differs(el))
_sr("UBL-SR-21", "//cac:PayeeParty", "Payee legal registration identifier shall occur maximum once, if the Payee is different from the Seller",
    lambda el, doc: len(nodes(el, "cac:PartyLegalEntity/cbc:CompanyID")) <= 1 and _payee_differs(el))
_sr("UBL-SR-26", "//cac:PaymentMeans", "Payment reference shall occur maximum once", _at_most("cbc:PaymentID"))
_sr("UBL-SR-27", "//cac:PaymentMeans", "Payment means text shall occur maximum once", _at_most("cbc:InstructionNote"))
_sr("UBL-SR-28", "//cac:PaymentMeans", "Mandate reference identifier shall occur maximum once", _at_most("cac:PaymentMandate/cbc:ID"))
_sr("UBL-SR-07", "//cac:BillingReference", "If there is a preceding invoice reference, the preceding invoice number shall be present", lambda el, doc: exists(el, "cac:InvoiceDocumentReference/cbc:ID"))
_sr("UBL-SR-22", "//cac:TaxRepresentativeParty", "Seller tax representative name shall occur maximum once, if the Seller has a tax representative", _at_most("cac:Party/cac:PartyName/cbc:Name"))
_sr("UBL-SR-23", "//cac:TaxRepresentativeParty", "Seller tax representative VAT identifier shall occur maximum once, if the Seller has a tax representative", _at_most("cac:Party/cac:PartyTaxScheme/cbc:CompanyID"))
_sr("UBL-SR-32", "//cac:TaxSubtotal", "VAT exemption reason text shall occur maximum once", _at_most("cac:TaxCategory/cbc:TaxExemptionReason"))

