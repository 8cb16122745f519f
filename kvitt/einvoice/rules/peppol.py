"""Peppol BIS Billing 3.0 rules (PEPPOL-EN16931-*, PEPPOL-COMMON-*) and the Norwegian NO-R-001/002.

Mirrors rules/sch/PEPPOL-EN16931-UBL.sch of OpenPEPPOL/peppol-bis-invoice-3. Identifier checks
use python-stdnum where its algorithm is the one the Schematron spells out.
"""

from __future__ import annotations

import re
from decimal import Decimal

from stdnum import ean, luhn
from stdnum.au import abn as au_abn
from stdnum.be import vat as be_vat
from stdnum.no import orgnr as no_orgnr

from .base import (
    FATAL,
    WARNING,
    add,
    ascii_digits,
    dec,
    dsum,
    exists,
    first,
    nodes,
    nsp,
    num,
    round2,
    sv,
    xdate,
)
from .codelists import UNCL2005, codes


def peppol(rule_id: str, context: str, text: str, test, flag: str = FATAL) -> None:
    add(rule_id, flag, context, text, test, source="PEPPOL")


ROOT = "/ubl:Invoice | /cn:CreditNote"
PROFILE_RE = re.compile(r"urn:fdc:peppol\.eu:2017:poacc:billing:([0-9]{2}):1\.0")


def profile(doc) -> str:
    return doc.memo("profile", lambda: profile_of(first(doc.root, "cbc:ProfileID")))


def profile_of(profile_id) -> str:
    """The billing profile number of a cbc:ProfileID (element or string value; None when
    absent): "Unknown" when absent or not a Peppol billing profile."""
    if profile_id is None:
        return "Unknown"
    text = nsp(sv(profile_id))
    if not PROFILE_RE.search(text):
        return "Unknown"
    parts = text.split(":")
    return parts[6] if len(parts) > 6 else ""


def _vat_prefix(doc, party_path: str) -> str:
    for scheme in nodes(doc.root, f"{party_path}/cac:PartyTaxScheme"):
        if any(sv(i) == "VAT" for i in nodes(scheme, "cac:TaxScheme/cbc:ID")):
            company = first(scheme, "cbc:CompanyID")
            if company is not None and sv(company)[:2]:
                return nsp(sv(company)[:2]).upper()
    return ""


_ADDRESS_COUNTRY = "cac:PostalAddress/cac:Country/cbc:IdentificationCode"


def supplier_country(doc) -> str:
    return doc.memo("supplier_country", lambda: _vat_prefix(doc, "cac:AccountingSupplierParty/cac:Party")
                    or _vat_prefix(doc, "cac:TaxRepresentativeParty")
                    or address_country(first(doc.root, "cac:AccountingSupplierParty/cac:Party/" + _ADDRESS_COUNTRY)))


def customer_country(doc) -> str:
    return doc.memo("customer_country", lambda: _vat_prefix(doc, "cac:AccountingCustomerParty/cac:Party")
                    or address_country(first(doc.root, "cac:AccountingCustomerParty/cac:Party/" + _ADDRESS_COUNTRY)))


def address_country(country) -> str:
    """A party's country from its postal address (element or string value; "XX" when absent),
    the fallback of the official supplierCountry/customerCountry variables."""
    return nsp(sv(country)).upper() if country is not None else "XX"


def _slack(expected: Decimal, value: Decimal, slack: Decimal) -> bool:
    return expected + slack >= value and expected - slack <= value


# ------------------------------------------------------------------ empty elements

def _empty_elements(doc) -> list:
    """``//*[not(*) and not(normalize-space())]``: leaves whose text is empty or white space
    (collected by the document index pass)."""
    doc.elements  # noqa: B018  (runs the index pass)
    return doc.memo("empty_elements", list)


peppol("PEPPOL-EN16931-R008", _empty_elements, "Document MUST not contain empty elements.", lambda el, doc: False)

# ------------------------------------------------------------------ document level

peppol("PEPPOL-EN16931-R080", "/cn:CreditNote | /ubl:Invoice", "Only one project reference is allowed on document level",
       lambda el, doc: len(nodes(el, "cac:AdditionalDocumentReference[cbc:DocumentTypeCode='50']")) <= 1)
peppol("PEPPOL-EN16931-R001", ROOT, "Business process MUST be provided.", lambda el, doc: exists(el, "cbc:ProfileID"))
peppol("PEPPOL-EN16931-R007", ROOT, "Business process MUST be in the format 'urn:fdc:peppol.eu:2017:poacc:billing:NN:1.0' where NN indicates the process number.",
       lambda el, doc: profile(doc) != "Unknown")
peppol("PEPPOL-EN16931-R002", ROOT, "No more than one note is allowed on document level.", lambda el, doc: len(nodes(el, "cbc:Note")) <= 1)
peppol("PEPPOL-EN16931-R003", ROOT, "A buyer reference or purchase order reference MUST be provided.",
       lambda el, doc: exists(el, "cbc:BuyerReference") or exists(el, "cac:OrderReference/cbc:ID"))


def _r004(el, doc):
    spec = first(el, "cbc:CustomizationID")
    text = nsp(spec.text or "") if spec is not None else ""
    return text.startswith("urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0")


peppol("PEPPOL-EN16931-R004", ROOT, "Specification identifier MUST have the value 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0'.", _r004)
peppol("PEPPOL-EN16931-R053", ROOT, "Only one tax total with tax subtotals MUST be provided.",
       lambda el, doc: len(nodes(el, "cac:TaxTotal[cac:TaxSubtotal]")) == 1)
peppol("PEPPOL-EN16931-R054", ROOT, "Only one tax total without tax subtotals MUST be provided when tax currency code is provided.",
       lambda el, doc: len(nodes(el, "cac:TaxTotal[not(cac:TaxSubtotal)]")) == (1 if exists(el, "cbc:TaxCurrencyCode") else 0))


def _r055(el, doc):
    tax_currency = first(el, "cbc:TaxCurrencyCode")
    if tax_currency is None:
        return True
    doc_currency = nsp(sv(first(el, "cbc:DocumentCurrencyCode")))
    in_tax = [num(n) for n in nodes(el, "cac:TaxTotal/cbc:TaxAmount") if n.get("currencyID") == nsp(sv(tax_currency))]
    in_doc = [num(n) for n in nodes(el, "cac:TaxTotal/cbc:TaxAmount") if n.get("currencyID") == doc_currency]

    def some(values, predicate):
        return any(v is not None and predicate(v) for v in values)

    return (some(in_tax, lambda v: v <= 0) and some(in_doc, lambda v: v <= 0)) or (
        some(in_tax, lambda v: v >= 0) and some(in_doc, lambda v: v >= 0))


peppol("PEPPOL-EN16931-R055", ROOT, "Invoice total VAT amount and Invoice total VAT amount in accounting currency MUST have the same operational sign", _r055)
peppol("PEPPOL-EN16931-R005", "//cbc:TaxCurrencyCode", "VAT accounting currency code MUST be different from invoice currency code when provided.",
       lambda el, doc: nsp(el.text or "") != nsp(sv(first(el, "../cbc:DocumentCurrencyCode"))))
peppol("PEPPOL-EN16931-R010", "//cac:AccountingCustomerParty/cac:Party", "Buyer electronic address MUST be provided", lambda el, doc: exists(el, "cbc:EndpointID"))
peppol("PEPPOL-EN16931-R020", "//cac:AccountingSupplierParty/cac:Party", "Seller electronic address MUST be provided", lambda el, doc: exists(el, "cbc:EndpointID"))

# ------------------------------------------------------------------ allowances and charges

_AC = "/ubl:Invoice/cac:AllowanceCharge{p} | /ubl:Invoice/cac:InvoiceLine/cac:AllowanceCharge{p} | /cn:CreditNote/cac:AllowanceCharge{p} | /cn:CreditNote/cac:CreditNoteLine/cac:AllowanceCharge{p}"
_ONLY_PERCENT = "[cbc:MultiplierFactorNumeric and not(cbc:BaseAmount)]"
_ONLY_BASE = "[not(cbc:MultiplierFactorNumeric) and cbc:BaseAmount]"
# The official rules share one pattern, so an allowance/charge caught by R041/R042 is not checked by R040/R043.
_OTHERS = "[not(cbc:MultiplierFactorNumeric and not(cbc:BaseAmount)) and not(not(cbc:MultiplierFactorNumeric) and cbc:BaseAmount)]"

peppol("PEPPOL-EN16931-R041", _AC.format(p=_ONLY_PERCENT), "Allowance/charge base amount MUST be provided when allowance/charge percentage is provided.", lambda el, doc: False)
peppol("PEPPOL-EN16931-R042", _AC.format(p=_ONLY_BASE), "Allowance/charge percentage MUST be provided when allowance/charge base amount is provided.", lambda el, doc: False)


def _r040(el, doc):
    if not (exists(el, "cbc:MultiplierFactorNumeric") and exists(el, "cbc:BaseAmount")):
        return True
    amount_node = first(el, "cbc:Amount")
    amount = dec(amount_node) if amount_node is not None else Decimal(0)
    base, factor = dec(first(el, "cbc:BaseAmount")), dec(first(el, "cbc:MultiplierFactorNumeric"))
    if amount is None or base is None or factor is None:
        return False
    return _slack(amount, base * factor / 100, Decimal("0.02"))


peppol("PEPPOL-EN16931-R040", _AC.format(p=_OTHERS), "Allowance/charge amount must equal base amount * percentage/100 if base amount and percentage exists", _r040)
peppol("PEPPOL-EN16931-R043", _AC.format(p=_OTHERS), "Allowance/charge ChargeIndicator value MUST equal 'true' or 'false'",
       lambda el, doc: nsp(sv(first(el, "cbc:ChargeIndicator"))) in ("true", "false"))

# ------------------------------------------------------------------ payment, currency, periods

peppol("PEPPOL-EN16931-R061", "//cac:PaymentMeans[normalize-space(cbc:PaymentMeansCode)='49' or normalize-space(cbc:PaymentMeansCode)='59']",
       "Mandate reference MUST be provided for direct debit.", lambda el, doc: exists(el, "cac:PaymentMandate/cbc:ID"))

_CURRENCY_AMOUNTS = " | ".join(["//cac:TaxTotal[cac:TaxSubtotal]/cbc:TaxAmount", "//cac:TaxSubtotal/cbc:TaxAmount"] + [f"//cbc:{n}" for n in (
    "Amount", "BaseAmount", "PriceAmount", "TaxableAmount", "LineExtensionAmount", "TaxExclusiveAmount",
    "TaxInclusiveAmount", "AllowanceTotalAmount", "ChargeTotalAmount", "PrepaidAmount", "PayableRoundingAmount", "PayableAmount")])


def _document_currency(doc) -> set[str]:
    return doc.memo("doc_currency", lambda: {sv(n) for n in nodes(doc.root, "/*/cbc:DocumentCurrencyCode")})


peppol("PEPPOL-EN16931-R051", _CURRENCY_AMOUNTS, "All currencyID attributes must have the same value as the invoice currency code (BT-5), except for the invoice total VAT amount in accounting currency (BT-111).",
       lambda el, doc: el.get("currencyID") in _document_currency(doc))


def _line_date_within(bound: str, later: bool):
    def test(el, doc):
        mine = xdate(el)
        limits = [xdate(n) for n in nodes(doc.root, f"cac:InvoicePeriod/cbc:{bound}")]
        if mine is None or not limits or None in limits:
            return False
        return any(mine >= lim if later else mine <= lim for lim in limits)

    return test


peppol("PEPPOL-EN16931-R110", "/ubl:Invoice[cac:InvoicePeriod/cbc:StartDate]/cac:InvoiceLine/cac:InvoicePeriod/cbc:StartDate | /cn:CreditNote[cac:InvoicePeriod/cbc:StartDate]/cac:CreditNoteLine/cac:InvoicePeriod/cbc:StartDate",
       "Start date of line period MUST be within invoice period.", _line_date_within("StartDate", later=True))
peppol("PEPPOL-EN16931-R111", "/ubl:Invoice[cac:InvoicePeriod/cbc:EndDate]/cac:InvoiceLine/cac:InvoicePeriod/cbc:EndDate | /cn:CreditNote[cac:InvoicePeriod/cbc:EndDate]/cac:CreditNoteLine/cac:InvoicePeriod/cbc:EndDate",
       "End date of line period MUST be within invoice period.", _line_date_within("EndDate", later=False))

# ------------------------------------------------------------------ lines

LINES = "//cac:InvoiceLine | //cac:CreditNoteLine"


def _value_or(el, path: str, default: Decimal) -> Decimal | None:
    node = first(el, path)
    return default if node is None else dec(node)


def _line_charges(el, charge: bool) -> Decimal | None:
    selected = [ac for ac in nodes(el, "cac:AllowanceCharge") if nsp(sv(first(ac, "cbc:ChargeIndicator"))) == ("true" if charge else "false")]
    if not selected:
        return Decimal(0)
    total = dsum([a for ac in selected for a in nodes(ac, "cbc:Amount")])
    return None if total is None else round2(total)


def _r120(el, doc):
    line_amount = _value_or(el, "cbc:LineExtensionAmount", Decimal(0))
    quantity = _value_or(el, "cbc:InvoicedQuantity" if doc.is_invoice else "cbc:CreditedQuantity", Decimal(1))
    price = _value_or(el, "cac:Price/cbc:PriceAmount", Decimal(0))
    base = _value_or(el, "cac:Price/cbc:BaseQuantity", Decimal(1))
    return r120_holds(line_amount, quantity, price, base, _line_charges(el, False), _line_charges(el, True))


def r120_holds(line_amount, quantity, price, base, allowances, charges) -> bool:
    """R120 on a line's decimals (None when present but not a decimal; the defaults already
    put in for absent ones): net amount = quantity × price / base quantity (a zero base counts
    as 1) + charges − allowances, within 0.02. The compiled engine calls it too."""
    if base == 0:
        base = Decimal(1)
    if None in (line_amount, quantity, price, base, allowances, charges):
        return False
    return _slack(line_amount, quantity * (price / base) + charges - allowances, Decimal("0.02"))


peppol("PEPPOL-EN16931-R120", LINES, "Invoice line net amount MUST equal (Invoiced quantity * (Item net price/item price base quantity) + Sum of invoice line charge amount - sum of invoice line allowance amount", _r120)


def _r121(el, doc):
    base = first(el, "cac:Price/cbc:BaseQuantity")
    if base is None:
        return True
    value = dec(base)
    return value is not None and value > 0


peppol("PEPPOL-EN16931-R121", LINES, "Base quantity MUST be a positive number above zero.", _r121)
peppol("PEPPOL-EN16931-R100", LINES, "Only one invoiced object is allowed pr line", lambda el, doc: len(nodes(el, "cac:DocumentReference")) <= 1)
peppol("PEPPOL-EN16931-R101", LINES, "Element Document reference can only be used for Invoice line object",
       lambda el, doc: not exists(el, "cac:DocumentReference") or "130" in {sv(n) for n in nodes(el, "cac:DocumentReference/cbc:DocumentTypeCode")})
peppol("PEPPOL-EN16931-R044", "//cac:Price/cac:AllowanceCharge", "Charge on price level is NOT allowed. Only value 'false' allowed.",
       lambda el, doc: nsp(sv(first(el, "cbc:ChargeIndicator"))) == "false")


def _r046(el, doc):
    if not exists(el, "cbc:BaseAmount"):
        return True
    price, base, amount = dec(first(el, "../cbc:PriceAmount")), dec(first(el, "cbc:BaseAmount")), dec(first(el, "cbc:Amount"))
    return None not in (price, base, amount) and price == base - amount


peppol("PEPPOL-EN16931-R046", "//cac:Price/cac:AllowanceCharge", "Item net price MUST equal (Gross price - Allowance amount) when gross price is provided.", _r046)


def _r130(el, doc):
    line = el.getparent().getparent()
    quantity_tag = "cbc:InvoicedQuantity" if doc.is_invoice else "cbc:CreditedQuantity"
    if not (exists(line, "cbc:InvoicedQuantity") or exists(line, "cbc:CreditedQuantity")):
        return True
    return el.get("unitCode") in {q.get("unitCode") for q in nodes(line, quantity_tag)}


peppol("PEPPOL-EN16931-R130", "//cac:Price/cbc:BaseQuantity[@unitCode]", "Unit code of price base quantity MUST be same as invoiced quantity.", _r130)

# ------------------------------------------------------------------ identifier schemes (ICD)


def _identifier_context(scheme: str) -> str:
    return (f"//cbc:EndpointID[@schemeID = '{scheme}'] | //cac:PartyIdentification/cbc:ID[@schemeID = '{scheme}'] | "
            f"//cbc:CompanyID[@schemeID = '{scheme}']")


def _gln(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9]+", value)) and len(value) > 1 and ean.calc_check_digit(value[:-1]) == value[-1]


def _no_orgnr(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{9}", value)) and int(value) > 0 and no_orgnr.is_valid(value)


def _dk_cvr(el) -> bool:
    text = el.text or ""
    if len(text) == 10 and text[:2] == "DK":
        text = text[2:]
    return len(text) == 8 and all(ch in "1234567890" for ch in text)


def _be_enterprise(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{10}", value)) and be_vat.checksum(value) == 0


def _codice_ipa(value: str) -> bool:
    return len(value) == 6 and value.isascii() and value.isalnum()


def _integer_castable(value: str) -> bool:
    return bool(re.fullmatch(r"[ \t\r\n]*[+-]?[0-9]+[ \t\r\n]*", value))


def _codice_fiscale(value: str) -> bool:
    if len(value) == 11:
        return _integer_castable(value)
    if len(value) != 16:
        return False
    letters = re.compile(r"^[A-Za-z]*$")
    return bool(letters.match(value[0:6]) and _integer_castable(value[6:8]) and letters.match(value[8])
                and _integer_castable(value[9:11]) and _integer_castable(value[14]) and letters.match(value[15]))


def _partita_iva(value: str) -> bool:
    if value[:2] not in ("IT", "it"):
        return True
    code = value[2:]
    return len(code) == 11 and ascii_digits(code) and luhn.is_valid(code)


def _se_orgnr(value: str) -> bool:
    return len(value) == 10 and ascii_digits(value) and luhn.is_valid(value)


def _abn(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{11}", value)) and au_abn.is_valid(value)


for _rule_id, _scheme, _flag, _text, _check in (
    ("PEPPOL-COMMON-R040", "0088", FATAL, "GLN must have a valid format according to GS1 rules.", _gln),
    ("PEPPOL-COMMON-R041", "0192", FATAL, "Norwegian organization number MUST be stated in the correct format.", _no_orgnr),
    ("PEPPOL-COMMON-R043", "0208", FATAL, "Belgian enterprise number MUST be stated in the correct format.", _be_enterprise),
    ("PEPPOL-COMMON-R044", "0201", WARNING, "IPA Code (Codice Univoco Unità Organizzativa) must be stated in the correct format", _codice_ipa),
    ("PEPPOL-COMMON-R045", "0210", WARNING, "Tax Code (Codice Fiscale) must be stated in the correct format", _codice_fiscale),
    ("PEPPOL-COMMON-R047", "0211", WARNING, "Italian VAT Code (Partita Iva) must be stated in the correct format", _partita_iva),
    ("PEPPOL-COMMON-R049", "0007", FATAL, "Swedish organization number MUST be stated in the correct format.", _se_orgnr),
    ("PEPPOL-COMMON-R050", "0151", FATAL, "Australian Business Number (ABN) MUST be stated in the correct format.", _abn),
):
    peppol(_rule_id, _identifier_context(_scheme), _text, lambda el, doc, _c=_check: _c(nsp(sv(el))), flag=_flag)
peppol("PEPPOL-COMMON-R042", _identifier_context("0184"), "Danish organization number (CVR) MUST be stated in the correct format.",
       lambda el, doc: _dk_cvr(el))
peppol("PEPPOL-COMMON-R046", "//cbc:EndpointID[@schemeID = '9907']", "Tax Code (Codice Fiscale) must be stated in the correct format",
       lambda el, doc: _codice_fiscale(nsp(sv(el))), flag=WARNING)

# ------------------------------------------------------------------ Norway


def _supplier_is_norwegian(doc) -> bool:
    return supplier_country(doc) == "NO"


def _tax_schemes(el, scheme: str) -> list:
    return [s for s in nodes(el, "cac:PartyTaxScheme") if nsp(sv(first(s, "cac:TaxScheme/cbc:ID"))) == scheme]


def _no_r_002(el, doc):
    if not _supplier_is_norwegian(doc):
        return True
    schemes = _tax_schemes(el, "TAX")
    return bool(schemes) and nsp(sv(first(schemes[0], "cbc:CompanyID"))) == "Foretaksregisteret"


def _no_r_001(el, doc):
    if not _supplier_is_norwegian(doc):
        return True
    companies = [first(s, "cbc:CompanyID") for s in _tax_schemes(el, "VAT")]
    values = [sv(c) for c in companies if c is not None]
    if not any(v[:2] == "NO" for v in values):
        return True
    if len(values) != 1:
        return False
    value = values[0]
    return bool(re.fullmatch(r"[0-9]{9}MVA", value[2:])) and _no_orgnr(value[2:11])


peppol("NO-R-002", "//cac:AccountingSupplierParty/cac:Party",
       'For Norwegian suppliers, most invoice issuers are required to append "Foretaksregisteret" to their invoice. '
       '"Dersom selger er aksjeselskap, allmennaksjeselskap eller filial av utenlandsk selskap skal også ordet '
       '«Foretaksregisteret» fremgå av salgsdokumentet, jf. foretaksregisterloven § 10-2."', _no_r_002, flag=WARNING)
peppol("NO-R-001", "//cac:AccountingSupplierParty/cac:Party",
       "For Norwegian suppliers, a VAT number MUST be the country code prefix NO followed by a valid Norwegian organization number (nine numbers) followed by the letters MVA.",
       _no_r_001)

# ------------------------------------------------------------------ restricted code lists and formats

peppol("PEPPOL-EN16931-CL001", "//cbc:EmbeddedDocumentBinaryObject[@mimeCode]", "Mime code must be according to subset of IANA code list.",
       lambda el, doc: el.get("mimeCode") in codes("mime"))
peppol("PEPPOL-EN16931-CL002", "//cac:AllowanceCharge[cbc:ChargeIndicator = 'false']/cbc:AllowanceChargeReasonCode", "Reason code MUST be according to subset of UNCL 5189 D.16B.",
       lambda el, doc: nsp(el.text or "") in codes("uncl5189"))
peppol("PEPPOL-EN16931-CL003", "//cac:AllowanceCharge[cbc:ChargeIndicator = 'true']/cbc:AllowanceChargeReasonCode", "Reason code MUST be according to UNCL 7161 D.16B.",
       lambda el, doc: nsp(el.text or "") in codes("uncl7161"))
peppol("PEPPOL-EN16931-CL006", "//cac:InvoicePeriod/cbc:DescriptionCode", "Invoice period description code must be according to UNCL 2005 D.16B.",
       lambda el, doc: nsp(el.text or "") in UNCL2005)
peppol("PEPPOL-EN16931-CL007", " | ".join(f"//cbc:{n}" for n in (
    "Amount", "BaseAmount", "PriceAmount", "TaxAmount", "TaxableAmount", "LineExtensionAmount", "TaxExclusiveAmount",
    "TaxInclusiveAmount", "AllowanceTotalAmount", "ChargeTotalAmount", "PrepaidAmount", "PayableRoundingAmount", "PayableAmount")),
    "Currency code must be according to ISO 4217:2005", lambda el, doc: el.get("currencyID") in codes("iso4217"))

P0100_CODES = frozenset("71 80 82 84 102 218 219 326 331 380 382 383 384 386 388 393 395 553 575 623 780 817 870 875 876 877".split())
P0101_CODES = frozenset("381 396 81 83 532".split())
peppol("PEPPOL-EN16931-P0100", "//cbc:InvoiceTypeCode", "Invoice type code MUST be set according to the profile.",
       lambda el, doc: profile(doc) != "01" or nsp(el.text or "") in P0100_CODES)
peppol("PEPPOL-EN16931-P0101", "//cbc:CreditNoteTypeCode", "Credit note type code MUST be set according to the profile.",
       lambda el, doc: profile(doc) != "01" or nsp(el.text or "") in P0101_CODES)
peppol("PEPPOL-EN16931-P0112", "//cbc:InvoiceTypeCode", "Invoice type code 326 or 384 are only allowed when both buyer and seller are German organizations.",
       lambda el, doc: nsp(el.text or "") not in ("326", "384") or (supplier_country(doc) == "DE" and customer_country(doc) == "DE"))
peppol("PEPPOL-EN16931-F001", "//cbc:IssueDate | //cbc:DueDate | //cbc:TaxPointDate | //cbc:StartDate | //cbc:EndDate | //cbc:ActualDeliveryDate",
       "A date MUST be formatted YYYY-MM-DD.", lambda el, doc: len(el.text or "") == 10 and xdate(el) is not None)
peppol("PEPPOL-EN16931-CL008", "//cbc:EndpointID[@schemeID]", 'Electronic address identifier scheme must be from the codelist "Electronic Address Identifier Scheme"',
       lambda el, doc: el.get("schemeID") in codes("peppol_eas"))

for _rule_id, _code, _category in (
    ("PEPPOL-EN16931-P0104", "VATEX-EU-G", "G"), ("PEPPOL-EN16931-P0105", "VATEX-EU-O", "O"),
    ("PEPPOL-EN16931-P0106", "VATEX-EU-IC", "K"), ("PEPPOL-EN16931-P0107", "VATEX-EU-AE", "AE"),
    ("PEPPOL-EN16931-P0108", "VATEX-EU-D", "E"), ("PEPPOL-EN16931-P0109", "VATEX-EU-F", "E"),
    ("PEPPOL-EN16931-P0110", "VATEX-EU-I", "E"), ("PEPPOL-EN16931-P0111", "VATEX-EU-J", "E"),
):
    peppol(_rule_id, f"//cac:TaxCategory[translate(cbc:TaxExemptionReasonCode, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')='{_code}']",
           f"Tax Category {_category} MUST be used when exemption reason code is {_code}",
           lambda el, doc, _c=_category: nsp(sv(first(el, "cbc:ID"))) == _c)


# ------------------------------------------------------------------ Sweden (Swedish suppliers: clinics invoicing regions)


def _se_supplier_parties(doc) -> list:
    """Supplier parties with a Swedish address (SE-R-003/004/005/013 and the payment rules)."""
    return [p for p in doc.all("//cac:AccountingSupplierParty/cac:Party")
            if "SE" in {sv(c) for c in nodes(p, "cac:PostalAddress/cac:Country/cbc:IdentificationCode")}]


def _vat_schemes_exact(party) -> list:
    return [s for s in nodes(party, "cac:PartyTaxScheme") if "VAT" in {sv(i) for i in nodes(s, "cac:TaxScheme/cbc:ID")}]


def _se_vat_parties(doc) -> list:
    """``cac:Party[Country = 'SE' and cac:PartyTaxScheme[TaxScheme/ID = 'VAT']/substring(CompanyID, 1, 2) = 'SE']``."""
    def compute():
        return [p for p in _se_supplier_parties(doc)
                if any(sv(c)[:2] == "SE" for s in _vat_schemes_exact(p) for c in nodes(s, "cbc:CompanyID"))]
    return doc.memo("se_vat_parties", compute)


def _first_vat_company(party) -> str:
    for scheme in _vat_schemes_exact(party):
        company = first(scheme, "cbc:CompanyID")
        if company is not None:
            return sv(company)
    return ""


def _xpath_number(text: str) -> bool:
    """string(number(text)) != 'NaN'."""
    return bool(re.fullmatch(r"[ \t\r\n]*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)[ \t\r\n]*", text))


def _se_orgnr_check(value: str) -> bool:
    """u:checkSEOrgnr: digits only, Luhn check digit of the first nine equals the tenth."""
    if not re.fullmatch(r"\d+", value):
        return False
    return len(value) >= 10 and luhn.calc_check_digit(value[:9]) == value[9]


def _se_legal_entities(doc) -> list:
    return [e for p in _se_supplier_parties(doc) for e in nodes(p, "cac:PartyLegalEntity") if exists(e, "cbc:CompanyID")]


def _se_tax_registrations(doc) -> list:
    found = []
    for party in _se_supplier_parties(doc):
        if not exists(party, "cac:PartyLegalEntity/cbc:CompanyID"):
            continue
        for scheme in nodes(party, "cac:PartyTaxScheme"):
            if nsp(sv(first(scheme, "cac:TaxScheme/cbc:ID")).upper()) != "VAT":
                found.extend(nodes(scheme, "cbc:CompanyID"))
    return found


def _se_standard_rated(doc) -> list:
    if not _se_vat_parties(doc):
        return []
    return [c for c in doc.all("//cac:TaxCategory | //cac:ClassifiedTaxCategory") if "S" in {sv(i) for i in nodes(c, "cbc:ID")}]


def _se_giro_accounts(branch_code: str):
    def select(doc) -> list:
        if not _se_supplier_parties(doc):
            return []
        found = []
        for means in doc.all("//cac:PaymentMeans"):
            if nsp(sv(first(means, "cbc:PaymentMeansCode"))) == "30" and nsp(
                    sv(first(means, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"))) == branch_code:
                found.extend(nodes(means, "cac:PayeeFinancialAccount/cbc:ID"))
        return found
    return select


def _se_means_with_codes(codes_: tuple, customer_too: bool = False):
    def select(doc) -> list:
        if not _se_supplier_parties(doc):
            return []
        if customer_too and not any("SE" in {sv(c) for c in nodes(p, "cac:PostalAddress/cac:Country/cbc:IdentificationCode")}
                                    for p in doc.all("//cac:AccountingCustomerParty/cac:Party")):
            return []
        return [m for m in doc.all("//cac:PaymentMeans") if {sv(c) for c in nodes(m, "cbc:PaymentMeansCode")} & set(codes_)]
    return select


peppol("SE-R-001", _se_vat_parties, "For Swedish suppliers, Swedish VAT-numbers must consist of 14 characters.",
       lambda el, doc: len(nsp(_first_vat_company(el))) == 14)
peppol("SE-R-002", _se_vat_parties, "For Swedish suppliers, the Swedish VAT-numbers must have the trailing 12 characters in numeric form",
       lambda el, doc: _xpath_number(_first_vat_company(el)[2:14]))
peppol("SE-R-003", _se_legal_entities, "Swedish organisation numbers should be numeric.",
       lambda el, doc: _xpath_number(sv(first(el, "cbc:CompanyID"))), flag=WARNING)
peppol("SE-R-004", _se_legal_entities, "Swedish organisation numbers consist of 10 characters.",
       lambda el, doc: len(nsp(sv(first(el, "cbc:CompanyID")))) == 10, flag=WARNING)
peppol("SE-R-013", _se_legal_entities, "The last digit of a Swedish organization number must be valid according to the Luhn algorithm.",
       lambda el, doc: _se_orgnr_check(nsp(sv(first(el, "cbc:CompanyID")))), flag=WARNING)
peppol("SE-R-005", _se_tax_registrations, "For Swedish suppliers, when using Seller tax registration identifier, 'Godkänd för F-skatt' must be stated",
       lambda el, doc: nsp(sv(el).upper()) == "GODKÄND FÖR F-SKATT")
peppol("SE-R-006", _se_standard_rated, "For Swedish suppliers, only standard VAT rate of 6, 12 or 25 are used",
       lambda el, doc: num(first(el, "cbc:Percent")) in (Decimal(25), Decimal(12), Decimal(6)))
peppol("SE-R-007", _se_giro_accounts("SE:PLUSGIRO"), "For Swedish suppliers using Plusgiro, the Account ID must be numeric ",
       lambda el, doc: _xpath_number(nsp(sv(el))), flag=WARNING)
peppol("SE-R-010", _se_giro_accounts("SE:PLUSGIRO"), "For Swedish suppliers using Plusgiro, the Account ID must have 2-8 characters",
       lambda el, doc: 2 <= len(nsp(sv(el))) <= 8, flag=WARNING)
peppol("SE-R-008", _se_giro_accounts("SE:BANKGIRO"), "For Swedish suppliers using Bankgiro, the Account ID must be numeric ",
       lambda el, doc: _xpath_number(nsp(sv(el))), flag=WARNING)
peppol("SE-R-009", _se_giro_accounts("SE:BANKGIRO"), "For Swedish suppliers using Bankgiro, the Account ID must have 7-8 characters",
       lambda el, doc: len(nsp(sv(el))) in (7, 8), flag=WARNING)
peppol("SE-R-011", _se_means_with_codes(("50", "56")), "For Swedish suppliers using Swedish Bankgiro or Plusgiro, the proper way to indicate this is to use Code 30 for PaymentMeans and FinancialInstitutionBranch ID with code SE:BANKGIRO or SE:PLUSGIRO",
       lambda el, doc: False, flag=WARNING)
peppol("SE-R-012", _se_means_with_codes(("31",), customer_too=True), 'For domestic transactions between Swedish trading partners, credit transfer should be indicated by PaymentMeansCode="30"',
       lambda el, doc: False, flag=WARNING)
