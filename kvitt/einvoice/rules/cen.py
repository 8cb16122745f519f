"""CEN EN16931 business rules bound to UBL 2.1 (BR-*, BR-CO-*, BR-DEC-* and the VAT category rules).

Each rule reproduces the assertion of the CEN UBL Schematron (validation artefacts 1.3.x,
pattern "UBL-model"); the context expressions select the same nodes, the tests keep the
official XPath 2.0 semantics. Messages are the official texts.
"""

from __future__ import annotations

from decimal import Decimal

from .base import (
    FATAL,
    WARNING,
    add,
    any_not_empty,
    any_num,
    category_id,
    dec,
    dsum,
    exists,
    first,
    is_vat_scheme,
    max_two_decimals,
    nodes,
    nsp,
    num,
    rate_tax,
    round2,
    sv,
    within_one,
    xdate,
    xround,
)
from .codelists import codes

# XPath 1.0 spellings of the official predicates.
VAT = "[cac:TaxScheme/cbc:ID[translate(normalize-space(.),'vat','VAT')='VAT']]"
CI_FALSE = "[cbc:ChargeIndicator[normalize-space(.)='false' or normalize-space(.)='0']]"
CI_TRUE = "[cbc:ChargeIndicator[normalize-space(.)='true' or normalize-space(.)='1']]"
ROOT = "/ubl:Invoice | /cn:CreditNote"
LINES = "//cac:InvoiceLine | //cac:CreditNoteLine"


def _msg(rule_id: str, text: str) -> str:
    return f"[{rule_id}]-{text}"


def cen(rule_id: str, context: str, text: str, test, flag: str = FATAL) -> None:
    add(rule_id, flag, context, _msg(rule_id, text), test, source="CEN")


# ------------------------------------------------------------------ small building blocks


def _exists(path):
    return lambda el, doc: exists(el, path)


def _not_empty(path):
    return lambda el, doc: any_not_empty(el, path)


def _reason(el, doc):
    return exists(el, "cbc:AllowanceChargeReason") or exists(el, "cbc:AllowanceChargeReasonCode")


def _decimals(path):
    return lambda el, doc: max_two_decimals(el, path)


def _ok_period(el, doc):
    start, end = first(el, "cbc:StartDate"), first(el, "cbc:EndDate")
    if start is None or end is None:
        return True
    s, e = xdate(start), xdate(end)
    return s is not None and e is not None and e >= s


def _period_has_date(el, doc):
    return exists(el, "cbc:StartDate") or exists(el, "cbc:EndDate")


# ------------------------------------------------------------------ simple presence rules

cen("BR-52", "//cac:AdditionalDocumentReference",
    "Each Additional supporting document (BG-24) shall contain a Supporting document reference (BT-122).",
    _not_empty("cbc:ID"))


def _br_co_25(el, doc):
    value = num(el)
    if value is None:
        return False
    if value > 0:
        return bool(doc.all("//cbc:DueDate")) or bool(doc.all("//cac:PaymentTerms/cbc:Note"))
    return True


cen("BR-CO-25", "/ubl:Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount",
    "In case the Amount due for payment (BT-115) is positive, either the Payment due date (BT-9) or the Payment terms (BT-20) shall be present.",
    _br_co_25)
cen("BR-63", "//cac:AccountingCustomerParty/cac:Party/cbc:EndpointID",
    "The Buyer electronic address (BT-49) shall have a Scheme identifier.", _exists("@schemeID"))
cen("BR-11", "//cac:AccountingCustomerParty/cac:Party/cac:PostalAddress",
    "The Buyer postal address shall contain a Buyer country code (BT-55).",
    _not_empty("cac:Country/cbc:IdentificationCode"))
cen("BR-51", "//cac:PaymentMeans/cac:CardAccount",
    "In accordance with card payments security standards an invoice should never include a full card primary account number (BT-87). At the moment PCI Security Standards Council has defined that the first 6 digits and last 4 digits are the maximum number of digits to be shown.",
    lambda el, doc: len(sv(first(el, "cbc:PrimaryAccountNumberID"))) <= 10, flag=WARNING)
cen("BR-57", "//cac:Delivery/cac:DeliveryLocation/cac:Address",
    "Each Deliver to address (BG-15) shall contain a Deliver to country code (BT-80).",
    _exists("cac:Country/cbc:IdentificationCode"))

# Document level allowances and charges
DOC_ALLOWANCE = f"/ubl:Invoice/cac:AllowanceCharge{CI_FALSE} | /cn:CreditNote/cac:AllowanceCharge{CI_FALSE}"
DOC_CHARGE = f"/ubl:Invoice/cac:AllowanceCharge{CI_TRUE} | /cn:CreditNote/cac:AllowanceCharge{CI_TRUE}"

cen("BR-31", DOC_ALLOWANCE, "Each Document level allowance (BG-20) shall have a Document level allowance amount (BT-92).", _exists("cbc:Amount"))
cen("BR-32", DOC_ALLOWANCE, "Each Document level allowance (BG-20) shall have a Document level allowance VAT category code (BT-95).", _exists(f"cac:TaxCategory{VAT}/cbc:ID"))
cen("BR-33", DOC_ALLOWANCE, "Each Document level allowance (BG-20) shall have a Document level allowance reason (BT-97) or a Document level allowance reason code (BT-98).", _reason)
cen("BR-CO-21", DOC_ALLOWANCE, "Each Document level allowance (BG-20) shall contain a Document level allowance reason (BT-97) or a Document level allowance reason code (BT-98), or both.", _reason)
cen("BR-DEC-01", DOC_ALLOWANCE, "The allowed maximum number of decimals for the Document level allowance amount (BT-92) is 2.", _decimals("cbc:Amount"))
cen("BR-DEC-02", DOC_ALLOWANCE, "The allowed maximum number of decimals for the Document level allowance base amount (BT-93) is 2.", _decimals("cbc:BaseAmount"))
cen("BR-36", DOC_CHARGE, "Each Document level charge (BG-21) shall have a Document level charge amount (BT-99).", _exists("cbc:Amount"))
cen("BR-37", DOC_CHARGE, "Each Document level charge (BG-21) shall have a Document level charge VAT category code (BT-102).", _exists(f"cac:TaxCategory{VAT}/cbc:ID"))
cen("BR-38", DOC_CHARGE, "Each Document level charge (BG-21) shall have a Document level charge reason (BT-104) or a Document level charge reason code (BT-105).", _reason)
cen("BR-CO-22", DOC_CHARGE, "Each Document level charge (BG-21) shall contain a Document level charge reason (BT-104) or a Document level charge reason code (BT-105), or both.", _reason)
cen("BR-DEC-05", DOC_CHARGE, "The allowed maximum number of decimals for the Document level charge amount (BT-99) is 2.", _decimals("cbc:Amount"))
cen("BR-DEC-06", DOC_CHARGE, "The allowed maximum number of decimals for the Document level charge base amount (BT-100) is 2.", _decimals("cbc:BaseAmount"))

# ------------------------------------------------------------------ document totals

TOTALS = "//cac:LegalMonetaryTotal"


def _line_sum(doc, line_tag: str) -> Decimal | None:
    return dsum(doc.all(f"//cac:{line_tag}/cbc:LineExtensionAmount"))


def _br_co_10(el, doc):
    total = dec(first(el, "cbc:LineExtensionAmount"))
    if total is None:
        return False
    for tag in ("InvoiceLine", "CreditNoteLine"):
        summed = _line_sum(doc, tag)
        if summed is not None and total == round2(summed):
            return True
    return False


def _sum_amounts(el, path):
    return dsum(nodes(el, path))


def _br_co_11_12(flag_path: str, total_name: str):
    def test(el, doc):
        items = nodes(el, f"../cac:AllowanceCharge{flag_path}")
        total = first(el, f"cbc:{total_name}")
        if total is None and not items:
            return True
        value = dec(total)
        summed = dsum(nodes(el, f"../cac:AllowanceCharge{flag_path}/cbc:Amount"))
        return value is not None and summed is not None and value == round2(summed)

    return test


def _br_co_13(el, doc):
    return br_co_13_holds(*(first(el, f"cbc:{name}") for name in (
        "TaxExclusiveAmount", "LineExtensionAmount", "ChargeTotalAmount", "AllowanceTotalAmount")))


def br_co_13_holds(tax_exclusive, lines, charge, allowance) -> bool:
    """BR-CO-13 on the four totals, each an element or its string value, None when absent
    (an absent charge or allowance total counts as none; a present one must be a decimal).
    The compiled engine calls it with the values it found."""
    tax_exclusive, lines = dec(tax_exclusive), dec(lines)
    if tax_exclusive is None or lines is None:
        return False
    if charge is None and allowance is None:
        return tax_exclusive == lines
    expected = lines
    if charge is not None:
        value = dec(charge)
        if value is None:
            return False
        expected += value
    if allowance is not None:
        value = dec(allowance)
        if value is None:
            return False
        expected -= value
    return tax_exclusive == round2(expected)


def _br_co_16(el, doc):
    return br_co_16_holds(*(dec(first(el, f"cbc:{name}")) for name in (
        "PrepaidAmount", "PayableRoundingAmount", "PayableAmount", "TaxInclusiveAmount")))


def br_co_16_holds(prepaid, rounding, payable, inclusive) -> bool:
    """BR-CO-16 on the decimal totals (None when absent or not a decimal)."""
    # xs:decimal(x) used as a condition is false both when x is absent and when it is zero.
    if payable is None or inclusive is None:
        return False
    due = round2(inclusive - prepaid) if prepaid else inclusive
    if rounding:
        return round2(payable - rounding) == due
    return payable == due


cen("BR-12", TOTALS, "An Invoice shall have the Sum of Invoice line net amount (BT-106).", _exists("cbc:LineExtensionAmount"))
cen("BR-13", TOTALS, "An Invoice shall have the Invoice total amount without VAT (BT-109).", _exists("cbc:TaxExclusiveAmount"))
cen("BR-14", TOTALS, "An Invoice shall have the Invoice total amount with VAT (BT-112).", _exists("cbc:TaxInclusiveAmount"))
cen("BR-15", TOTALS, "An Invoice shall have the Amount due for payment (BT-115).", _exists("cbc:PayableAmount"))
cen("BR-CO-10", TOTALS, "Sum of Invoice line net amount (BT-106) = Σ Invoice line net amount (BT-131).", _br_co_10)
cen("BR-CO-11", TOTALS, "Sum of allowances on document level (BT-107) = Σ Document level allowance amount (BT-92).", _br_co_11_12(CI_FALSE, "AllowanceTotalAmount"))
cen("BR-CO-12", TOTALS, "Sum of charges on document level (BT-108) = Σ Document level charge amount (BT-99).", _br_co_11_12(CI_TRUE, "ChargeTotalAmount"))
cen("BR-CO-13", TOTALS, "Invoice total amount without VAT (BT-109) = Σ Invoice line net amount (BT-131) - Sum of allowances on document level (BT-107) + Sum of charges on document level (BT-108).", _br_co_13)
cen("BR-CO-16", TOTALS, "Amount due for payment (BT-115) = Invoice total amount with VAT (BT-112) -Paid amount (BT-113) +Rounding amount (BT-114).", _br_co_16)
for _rule_id, _name, _label in (
    ("BR-DEC-09", "LineExtensionAmount", "Sum of Invoice line net amount (BT-106)"),
    ("BR-DEC-10", "AllowanceTotalAmount", "Sum of allowanced on document level (BT-107)"),
    ("BR-DEC-11", "ChargeTotalAmount", "Sum of charges on document level (BT-108)"),
    ("BR-DEC-12", "TaxExclusiveAmount", "Invoice total amount without VAT (BT-109)"),
    ("BR-DEC-14", "TaxInclusiveAmount", "Invoice total amount with VAT (BT-112)"),
    ("BR-DEC-16", "PrepaidAmount", "Paid amount (BT-113)"),
    ("BR-DEC-17", "PayableRoundingAmount", "Rounding amount (BT-114)"),
    ("BR-DEC-18", "PayableAmount", "Amount due for payment (BT-115)"),
):
    cen(_rule_id, TOTALS, f"The allowed maximum number of decimals for the {_label} is 2.", _decimals(f"cbc:{_name}"))

# ------------------------------------------------------------------ the document itself

cen("BR-01", ROOT, "An Invoice shall have a Specification identifier (BT-24).", _not_empty("cbc:CustomizationID"))
cen("BR-02", ROOT, "An Invoice shall have an Invoice number (BT-1).", _not_empty("cbc:ID"))
cen("BR-03", ROOT, "An Invoice shall have an Invoice issue date (BT-2).", _not_empty("cbc:IssueDate"))
cen("BR-04", ROOT, "An Invoice shall have an Invoice type code (BT-3).",
    lambda el, doc: any_not_empty(el, "cbc:InvoiceTypeCode") or any_not_empty(el, "cbc:CreditNoteTypeCode"))
cen("BR-05", ROOT, "An Invoice shall have an Invoice currency code (BT-5).", _not_empty("cbc:DocumentCurrencyCode"))
cen("BR-06", ROOT, "An Invoice shall contain the Seller name (BT-27).", _not_empty("cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName"))
cen("BR-07", ROOT, "An Invoice shall contain the Buyer name (BT-44).", _not_empty("cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName"))
cen("BR-08", ROOT, "An Invoice shall contain the Seller postal address. ", _exists("cac:AccountingSupplierParty/cac:Party/cac:PostalAddress"))
cen("BR-10", ROOT, "An Invoice shall contain the Buyer postal address (BG-8).", _exists("cac:AccountingCustomerParty/cac:Party/cac:PostalAddress"))
cen("BR-16", ROOT, "An Invoice shall have at least one Invoice line (BG-25)",
    lambda el, doc: exists(el, "cac:InvoiceLine") or exists(el, "cac:CreditNoteLine"))


def _br_53(el, doc):
    amounts = doc.all("//cac:TaxTotal/cbc:TaxAmount")
    currencies = {a.get("currencyID") for a in amounts}
    return all(sv(code) in currencies for code in nodes(el, "cbc:TaxCurrencyCode"))


cen("BR-53", ROOT, "If the VAT accounting currency code (BT-6) is present, then the Invoice total VAT amount in accounting currency (BT-111) shall be provided.", _br_53)
cen("BR-66", ROOT, "An Invoice shall contain maximum one Payment Card account (BG-18).",
    lambda el, doc: len(nodes(el, "cac:PaymentMeans/cac:CardAccount")) <= 1)
cen("BR-67", ROOT, "An Invoice shall contain maximum one Payment Mandate (BG-19).",
    lambda el, doc: len(nodes(el, "cac:PaymentMeans/cac:PaymentMandate")) <= 1)
cen("BR-CO-03", ROOT, "Value added tax point date (BT-7) and Value added tax point date code (BT-8) are mutually exclusive.",
    lambda el, doc: not (exists(el, "cbc:TaxPointDate") and exists(el, "cac:InvoicePeriod/cbc:DescriptionCode")))


def _br_co_15(el, doc):
    for currency in nodes(el, "cbc:DocumentCurrencyCode"):
        code = sv(currency)
        inclusive = [dec(n) for n in nodes(el, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount")]
        exclusive = [dec(n) for n in nodes(el, "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount")]
        taxes = [dec(n) for n in nodes(el, "cac:TaxTotal/cbc:TaxAmount") if n.get("currencyID") == code]
        if len(exclusive) != 1 or len(taxes) != 1 or not inclusive:
            return False
        if None in inclusive or exclusive[0] is None or taxes[0] is None:
            return False
        expected = round2(exclusive[0] + taxes[0])
        if not any(value == expected for value in inclusive):
            return False
    return True


cen("BR-CO-15", ROOT, "Invoice total amount with VAT (BT-112) = Invoice total amount without VAT (BT-109) + Invoice total VAT amount (BT-110).", _br_co_15)
cen("BR-CO-18", ROOT, "An Invoice shall at least have one VAT breakdown group (BG-23).", _exists("cac:TaxTotal/cac:TaxSubtotal"))
# BR-DEC-13/15: in the official binding the predicate [@currencyID = cbc:DocumentCurrencyCode] is
# evaluated relative to the TaxAmount element, so it never selects anything and both assertions
# always hold. Kept as always-true rules so the rule inventory matches the official one.
cen("BR-DEC-13", ROOT, "The allowed maximum number of decimals for the Invoice total VAT amount (BT-110) is 2.", lambda el, doc: True)
cen("BR-DEC-15", ROOT, "The allowed maximum number of decimals for the Invoice total VAT amount in accounting currency (BT-111) is 2.", lambda el, doc: True)

# ------------------------------------------------------------------ invoice lines

cen("BR-21", LINES, "Each Invoice line (BG-25) shall have an Invoice line identifier (BT-126).", _not_empty("cbc:ID"))
cen("BR-22", LINES, "Each Invoice line (BG-25) shall have an Invoiced quantity (BT-129).",
    lambda el, doc: exists(el, "cbc:InvoicedQuantity") or exists(el, "cbc:CreditedQuantity"))
cen("BR-23", LINES, "An Invoice line (BG-25) shall have an Invoiced quantity unit of measure code (BT-130).",
    lambda el, doc: exists(el, "cbc:InvoicedQuantity/@unitCode") or exists(el, "cbc:CreditedQuantity/@unitCode"))
cen("BR-24", LINES, "Each Invoice line (BG-25) shall have an Invoice line net amount (BT-131).", _exists("cbc:LineExtensionAmount"))
cen("BR-25", LINES, "Each Invoice line (BG-25) shall contain the Item name (BT-153).", _not_empty("cac:Item/cbc:Name"))
cen("BR-26", LINES, "Each Invoice line (BG-25) shall contain the Item net price (BT-146).", _exists("cac:Price/cbc:PriceAmount"))
cen("BR-27", LINES, "The Item net price (BT-146) shall NOT be negative.",
    lambda el, doc: any_num(el, "cac:Price/cbc:PriceAmount", lambda v: v >= 0))
cen("BR-28", LINES, "The Item gross price (BT-148) shall NOT be negative.",
    lambda el, doc: any_num(el, "cac:Price/cac:AllowanceCharge/cbc:BaseAmount", lambda v: v >= 0)
    or not exists(el, "cac:Price/cac:AllowanceCharge/cbc:BaseAmount"))
cen("BR-CO-04", LINES, "Each Invoice line (BG-25) shall be categorized with an Invoiced item VAT category code (BT-151).",
    _exists(f"cac:Item/cac:ClassifiedTaxCategory{VAT}/cbc:ID"))
cen("BR-DEC-23", LINES, "The allowed maximum number of decimals for the Invoice line net amount (BT-131) is 2.", _decimals("cbc:LineExtensionAmount"))

LINE_ALLOWANCE = f"//cac:InvoiceLine/cac:AllowanceCharge{CI_FALSE} | //cac:CreditNoteLine/cac:AllowanceCharge{CI_FALSE}"
LINE_CHARGE = f"//cac:InvoiceLine/cac:AllowanceCharge{CI_TRUE} | //cac:CreditNoteLine/cac:AllowanceCharge{CI_TRUE}"
cen("BR-41", LINE_ALLOWANCE, "Each Invoice line allowance (BG-27) shall have an Invoice line allowance amount (BT-136).", _exists("cbc:Amount"))
cen("BR-42", LINE_ALLOWANCE, "Each Invoice line allowance (BG-27) shall have an Invoice line allowance reason (BT-139) or an Invoice line allowance reason code (BT-140).", _reason)
cen("BR-CO-23", LINE_ALLOWANCE, "Each Invoice line allowance (BG-27) shall contain an Invoice line allowance reason (BT-139) or an Invoice line allowance reason code (BT-140), or both.", _reason)
cen("BR-DEC-24", LINE_ALLOWANCE, "The allowed maximum number of decimals for the Invoice line allowance amount (BT-136) is 2.", _decimals("cbc:Amount"))
cen("BR-DEC-25", LINE_ALLOWANCE, "The allowed maximum number of decimals for the Invoice line allowance base amount (BT-137) is 2.", _decimals("cbc:BaseAmount"))
cen("BR-43", LINE_CHARGE, "Each Invoice line charge (BG-28) shall have an Invoice line charge amount (BT-141).", _exists("cbc:Amount"))
cen("BR-44", LINE_CHARGE, "Each Invoice line charge shall have an Invoice line charge reason or an invoice line allowance reason code. ", _reason)
cen("BR-CO-24", LINE_CHARGE, "Each Invoice line charge (BG-28) shall contain an Invoice line charge reason (BT-144) or an Invoice line charge reason code (BT-145), or both.", _reason)
cen("BR-DEC-27", LINE_CHARGE, "The allowed maximum number of decimals for the Invoice line charge amount (BT-141) is 2.", _decimals("cbc:Amount"))
cen("BR-DEC-28", LINE_CHARGE, "The allowed maximum number of decimals for the Invoice line charge base amount (BT-142) is 2.", _decimals("cbc:BaseAmount"))

LINE_PERIOD = "//cac:InvoiceLine/cac:InvoicePeriod | //cac:CreditNoteLine/cac:InvoicePeriod"
# Schematron fires only the first matching rule of a pattern, so line periods never reach BR-29.
DOC_PERIOD = "//cac:InvoicePeriod[not(parent::cac:InvoiceLine) and not(parent::cac:CreditNoteLine)]"
cen("BR-30", LINE_PERIOD, "If both Invoice line period start date (BT-134) and Invoice line period end date (BT-135) are given then the Invoice line period end date (BT-135) shall be later or equal to the Invoice line period start date (BT-134).", _ok_period)
cen("BR-CO-20", LINE_PERIOD, "If Invoice line period (BG-26) is used, the Invoice line period start date (BT-134) or the Invoice line period end date (BT-135) shall be filled, or both.", _period_has_date)
cen("BR-29", DOC_PERIOD, "If both Invoicing period start date (BT-73) and Invoicing period end date (BT-74) are given then the Invoicing period end date (BT-74) shall be later or equal to the Invoicing period start date (BT-73).", _ok_period)
cen("BR-CO-19", DOC_PERIOD, "If Invoicing period (BG-14) is used, the Invoicing period start date (BT-73) or the Invoicing period end date (BT-74) shall be filled, or both.",
    lambda el, doc: _period_has_date(el, doc) or exists(el, "cbc:DescriptionCode"))
cen("BR-54", "//cac:AdditionalItemProperty", "Each Item attribute (BG-32) shall contain an Item attribute name (BT-160) and an Item attribute value (BT-161).",
    lambda el, doc: exists(el, "cbc:Name") and exists(el, "cbc:Value"))
cen("BR-65", "//cac:InvoiceLine/cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode | //cac:CreditNoteLine/cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode",
    "The Item classification identifier (BT-158) shall have a Scheme identifier.", _exists("@listID"))
cen("BR-64", "//cac:InvoiceLine/cac:Item/cac:StandardItemIdentification/cbc:ID | //cac:CreditNoteLine/cac:Item/cac:StandardItemIdentification/cbc:ID",
    "The Item standard identifier (BT-157) shall have a Scheme identifier.", _exists("@schemeID"))


def _br_cl_08(el, doc):
    text = sv(el)
    if "#" not in text:
        return True
    subject = text.partition("#")[2].partition("#")[0]
    # The official test is an unpadded contains() on the space separated list.
    return subject in _UNCL4451_STRING


_UNCL4451_STRING = " " + " ".join(sorted(codes("uncl4451"))) + " "
cen("BR-CL-08", "/ubl:Invoice/cbc:Note | /cn:CreditNote/cbc:Note", "Invoiced note subject code shall be coded using UNCL4451", _br_cl_08)

# ------------------------------------------------------------------ parties and payment


def _br_17(el, doc):
    if not exists(el, "cac:PartyName/cbc:Name"):
        return False
    seller = "../cac:AccountingSupplierParty/cac:Party/"
    for own, theirs in (("cac:PartyName/cbc:Name", "cac:PartyName/cbc:Name"),
                        ("cac:PartyIdentification/cbc:ID", "cac:PartyIdentification/cbc:ID"),
                        ("cac:PartyLegalEntity/cbc:RegistrationName", "cac:PartyLegalEntity/cbc:RegistrationName")):
        mine = {sv(n) for n in nodes(el, own)}
        if mine & {sv(n) for n in nodes(el, seller + theirs)}:
            return False
    return True


def _payment_code(el) -> str:
    return nsp(sv(first(el, "cbc:PaymentMeansCode")))


cen("BR-17", "//cac:PayeeParty", "The Payee name (BT-59) shall be provided in the Invoice, if the Payee (BG-10) is different from the Seller (BG-4)", _br_17)
cen("BR-50", "//cac:PaymentMeans[cbc:PaymentMeansCode='30' or cbc:PaymentMeansCode='58']/cac:PayeeFinancialAccount",
    "A Payment account identifier (BT-84) shall be present if Credit transfer (BG-17) information is provided in the Invoice.", _not_empty("cbc:ID"))
cen("BR-49", "//cac:PaymentMeans", "A Payment instruction (BG-16) shall specify the Payment means type code (BT-81).", _exists("cbc:PaymentMeansCode"))
cen("BR-61", "//cac:PaymentMeans", "If the Payment means type code (BT-81) means SEPA credit transfer, Local credit transfer or Non-SEPA international credit transfer, the Payment account identifier (BT-84) shall be present.",
    lambda el, doc: _payment_code(el) not in ("30", "58") or exists(el, "cac:PayeeFinancialAccount/cbc:ID"))
cen("BR-55", "//cac:BillingReference", "Each Preceding Invoice reference (BG-3) shall contain a Preceding Invoice reference (BT-25).", _exists("cac:InvoiceDocumentReference/cbc:ID"))
cen("BR-CO-26", "//cac:AccountingSupplierParty", "In order for the buyer to automatically identify a supplier, the Seller identifier (BT-29), the Seller legal registration identifier (BT-30) and/or the Seller VAT identifier (BT-31) shall be present.  ",
    lambda el, doc: exists(el, f"cac:Party/cac:PartyTaxScheme{VAT}/cbc:CompanyID") or exists(el, "cac:Party/cac:PartyIdentification/cbc:ID")
    or exists(el, "cac:Party/cac:PartyLegalEntity/cbc:CompanyID"))
cen("BR-62", "//cac:AccountingSupplierParty/cac:Party/cbc:EndpointID", "The Seller electronic address (BT-34) shall have a Scheme identifier.", _exists("@schemeID"))
cen("BR-09", "//cac:AccountingSupplierParty/cac:Party/cac:PostalAddress", "The Seller postal address (BG-5) shall contain a Seller country code (BT-40).", _not_empty("cac:Country/cbc:IdentificationCode"))
cen("BR-18", "//cac:TaxRepresentativeParty", "The Seller tax representative name (BT-62) shall be provided in the Invoice, if the Seller (BG-4) has a Seller tax representative party (BG-11)", _not_empty("cac:PartyName/cbc:Name"))
cen("BR-19", "//cac:TaxRepresentativeParty", "The Seller tax representative postal address (BG-12) shall be provided in the Invoice, if the Seller (BG-4) has a Seller tax representative party (BG-11).", _exists("cac:PostalAddress"))
cen("BR-56", "//cac:TaxRepresentativeParty", "Each Seller tax representative party (BG-11) shall have a Seller tax representative VAT identifier (BT-63).", _exists(f"cac:PartyTaxScheme{VAT}/cbc:CompanyID"))
cen("BR-20", "//cac:TaxRepresentativeParty/cac:PostalAddress", "The Seller tax representative postal address (BG-12) shall contain a Tax representative country code (BT-69), if the Seller (BG-4) has a Seller tax representative party (BG-11).", _not_empty("cac:Country/cbc:IdentificationCode"))

# ------------------------------------------------------------------ VAT breakdown


def _br_co_14(el, doc):
    if not exists(el, "cac:TaxSubtotal"):
        return True
    total = [dec(n) for n in nodes(el, "cbc:TaxAmount")]
    summed = dsum(nodes(el, "cac:TaxSubtotal/cbc:TaxAmount"))
    return len(total) == 1 and total[0] is not None and summed is not None and total[0] == round2(summed)


cen("BR-CO-14", "/ubl:Invoice/cac:TaxTotal | /cn:CreditNote/cac:TaxTotal", "Invoice total VAT amount (BT-110) = Σ VAT category tax amount (BT-117).", _br_co_14)

SUBTOTAL = "//cac:TaxTotal/cac:TaxSubtotal"


def _vat_category(el):
    for category in nodes(el, "cac:TaxCategory"):
        if is_vat_scheme(category):
            return category
    return None


def _br_48(el, doc):
    return exists(el, f"cac:TaxCategory{VAT}/cbc:Percent") or any(
        category_id(c) == "O" for c in nodes(el, f"cac:TaxCategory{VAT}"))


def _br_co_17(el, doc):
    category = _vat_category(el)
    percent = dec(first(category, "cbc:Percent")) if category is not None else None
    return br_co_17_holds(dec(first(el, "cbc:TaxAmount")), percent, dec(first(el, "cbc:TaxableAmount")))


def br_co_17_holds(tax, percent, taxable) -> bool:
    """BR-CO-17 on a VAT breakdown's decimals (None when absent or not a decimal)."""
    if tax is None:
        return False
    if percent is None:
        return xround(tax) == 0
    if xround(percent) == 0:
        return xround(tax) == 0
    if taxable is None:
        return False
    return within_one(tax, rate_tax(taxable, percent))


cen("BR-45", SUBTOTAL, "Each VAT breakdown (BG-23) shall have a VAT category taxable amount (BT-116).", _exists("cbc:TaxableAmount"))
cen("BR-46", SUBTOTAL, "Each VAT breakdown (BG-23) shall have a VAT category tax amount (BT-117).", _exists("cbc:TaxAmount"))
cen("BR-47", SUBTOTAL, "Each VAT breakdown (BG-23) shall be defined through a VAT category code (BT-118).", _exists(f"cac:TaxCategory{VAT}/cbc:ID"))
cen("BR-48", SUBTOTAL, "Each VAT breakdown (BG-23) shall have a VAT category rate (BT-119), except if the Invoice is not subject to VAT.", _br_48)
cen("BR-CO-17", SUBTOTAL, "VAT category tax amount (BT-117) = VAT category taxable amount (BT-116) x (VAT category rate (BT-119) / 100), rounded to two decimals.", _br_co_17)
cen("BR-DEC-19", SUBTOTAL, "The allowed maximum number of decimals for the VAT category taxable amount (BT-116) is 2.", _decimals("cbc:TaxableAmount"))
cen("BR-DEC-20", SUBTOTAL, "The allowed maximum number of decimals for the VAT category tax amount (BT-117) is 2.    ", _decimals("cbc:TaxAmount"))

_VAT_PREFIXES = " ".join(sorted(codes("vat_prefixes")))
cen("BR-CO-09", f"//cac:PartyTaxScheme{VAT}",
    "The Seller VAT identifier (BT-31), the Seller tax representative VAT identifier (BT-63) and the Buyer VAT identifier (BT-48) shall have a prefix in accordance with ISO code ISO 3166-1 alpha-2 by which the country of issue may be identified. Nevertheless, Greece may use the prefix ‘EL’.",
    lambda el, doc: sv(first(el, "cbc:CompanyID"))[:2] in _VAT_PREFIXES)

