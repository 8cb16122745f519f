"""Peppol BIS 3.0 national rules for Danish (DK-R-*), Italian (IT-R-*), Icelandic (IS-R-*), Greek (GR-*) and
Dutch (NL-R-*) suppliers, as in PEPPOL-EN16931-UBL.sch. They apply only to documents from those
countries; Kvitt meets them when a clinic receives an invoice from a foreign supplier.
"""

from __future__ import annotations

import re

from .base import FATAL, WARNING, add, ascii_digits, exists, first, nodes, nsp, num, sv, xdate
from .peppol import supplier_country

ROOT = "/ubl:Invoice | /cn:CreditNote"


def national(rule_id: str, context, text: str, test, flag: str = FATAL) -> None:
    add(rule_id, flag, context, text, test, source="PEPPOL")


def _postal_country(doc, party: str) -> str:
    """``concat(…/cac:PostalAddress/cac:Country/cbc:IdentificationCode)`` of the first party."""
    return sv(first(doc.root, f"cac:{party}/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode"))


def _both(doc, code: str) -> bool:
    return _postal_country(doc, "AccountingSupplierParty") == code and _postal_country(doc, "AccountingCustomerParty") == code


def _when(predicate, path: str):
    """Context function: the nodes of ``path`` when the document-level ``predicate`` holds."""
    def select(doc) -> list:
        return doc.all(path) if predicate(doc) else []
    return select


# ------------------------------------------------------------------ Denmark

def _dk_supplier(doc) -> bool:
    return _postal_country(doc, "AccountingSupplierParty") == "DK"


def _dk_both(doc) -> bool:
    return _both(doc, "DK")


def _payment_id_prefix(el) -> str:
    return sv(first(el, "cbc:PaymentID"))[:3]


def _dk_r_016(el, doc) -> bool:
    payable = num(first(el, "cac:LegalMonetaryTotal/cbc:PayableAmount"))
    return not (doc.is_credit_note and _postal_country(doc, "AccountingCustomerParty") == "DK"
                and payable is not None and payable < 0)


def _dk_r_002(el, doc) -> bool:
    company = first(el, "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID")
    return company is not None and nsp(company.text or "") != ""


national("DK-R-002", _when(_dk_supplier, ROOT), "Danish suppliers MUST provide legal entity (CVR-number)", _dk_r_002)
national("DK-R-014", _when(_dk_supplier, ROOT),
         'For Danish Suppliers it is mandatory to specify schemeID as "0184" (DK CVR-number) when PartyLegalEntity/CompanyID is used for AccountingSupplierParty',
         lambda el, doc: not any(nsp(c.get("schemeID") or "") != "0184"
                                 for c in nodes(el, "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID")))
national("DK-R-016", _when(_dk_supplier, ROOT), "For Danish Suppliers, a Credit note cannot have a negative total (PayableAmount)", _dk_r_016)
national("DK-R-013", _when(_dk_both, "/*/cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification | /*/cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification"),
         "For Danish Suppliers it is mandatory to use schemeID when PartyIdentification/ID is used for AccountingCustomerParty or AccountingSupplierParty",
         lambda el, doc: not any(nsp(i.get("schemeID") or "") == "" for i in nodes(el, "cbc:ID")))

_DK_MEANS = _when(lambda doc: doc.is_invoice and _dk_both(doc), "/ubl:Invoice/cac:PaymentMeans")


def _code(el) -> set:
    return {sv(c) for c in nodes(el, "cbc:PaymentMeansCode")}


national("DK-R-005", _DK_MEANS, "For Danish suppliers the following Payment means codes are allowed: 1, 10, 31, 42, 48, 49, 50, 58, 59, 93 and 97",
         lambda el, doc: f" {sv(first(el, 'cbc:PaymentMeansCode'))} " in " 1 10 31 42 48 49 50 58 59 93 97 ")
national("DK-R-006", _DK_MEANS, "For Danish suppliers bank account and registration account is mandatory if payment means is 31 or 42",
         lambda el, doc: not (_code(el) & {"31", "42"}) or (
             nsp(sv(first(el, "cac:PayeeFinancialAccount/cbc:ID"))) != ""
             and nsp(sv(first(el, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"))) != ""))
national("DK-R-007", _DK_MEANS, "For Danish suppliers PaymentMandate/ID and PayerFinancialAccount/ID are mandatory when payment means is 49",
         lambda el, doc: "49" not in _code(el) or (
             nsp(sv(first(el, "cac:PaymentMandate/cbc:ID"))) != ""
             and nsp(sv(first(el, "cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID"))) != ""))
national("DK-R-008", _DK_MEANS, "For Danish Suppliers PaymentID is mandatory and MUST start with 01#, 04# or 15# (kortartkode), and PayeeFinancialAccount/ID (Giro kontonummer) is mandatory and must be 7 characters long, when payment means equals 50 (Giro)",
         lambda el, doc: "50" not in _code(el) or (
             _payment_id_prefix(el) in ("01#", "04#", "15#") and len(sv(first(el, "cac:PayeeFinancialAccount/cbc:ID"))) == 7))
national("DK-R-009", _DK_MEANS, 'For Danish Suppliers if the PaymentID is prefixed with 04# or 15# the 16 digits instruction Id must be added to the PaymentID eg. "04#1234567890123456" when Payment means equals 50 (Giro)',
         lambda el, doc: not ("50" in _code(el) and _payment_id_prefix(el) in ("04#", "15#")
                              and len(sv(first(el, "cbc:PaymentID"))) != 19))
national("DK-R-010", _DK_MEANS, "For Danish Suppliers the PaymentID is mandatory and MUST start with 71#, 73# or 75# (kortartkode) and PayeeFinancialAccount/ID (Kreditornummer) is mandatory and must be exactly 8 characters long, when Payment means equals 93 (FIK)",
         lambda el, doc: "93" not in _code(el) or (
             _payment_id_prefix(el) in ("71#", "73#", "75#") and len(sv(first(el, "cac:PayeeFinancialAccount/cbc:ID"))) == 8))
national("DK-R-011", _DK_MEANS, 'For Danish Suppliers if the PaymentID is prefixed with 71# or 75# the 15-16 digits instruction Id must be added to the PaymentID eg. "71#1234567890123456" when payment Method equals 93 (FIK)',
         lambda el, doc: not ("93" in _code(el) and _payment_id_prefix(el) in ("71#", "75#")
                              and len(sv(first(el, "cbc:PaymentID"))) not in (18, 19)))


def _dk_r_003(el, doc) -> bool:
    codes = nodes(el, "cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode")
    if not any(c.get("listID") == "TST" for c in codes):
        return True
    return any(c.get("listVersionID") in ("19.05.01", "19.0501") for c in codes)


national("DK-R-003", _when(_dk_both, "/ubl:Invoice/cac:InvoiceLine | /cn:CreditNote/cac:CreditNoteLine"),
         "If ItemClassification is provided from Danish suppliers, UNSPSC version 19.0501 should be used.", _dk_r_003, flag=WARNING)


def _dk_r_004(el, doc) -> bool:
    if "ZZZ" not in {sv(c) for c in nodes(el, "cbc:AllowanceChargeReasonCode")}:
        return True
    reason = sv(first(el, "cbc:AllowanceChargeReason"))
    value = num(first(el, "cbc:AllowanceChargeReason"))
    return len(nsp(reason)) == 4 and value is not None and 0 <= value <= 9999


national("DK-R-004", _when(_dk_both, "//cac:AllowanceCharge"),
         'When specifying non-VAT Taxes for Danish customers, Danish suppliers MUST use the AllowanceChargeReasonCode="ZZZ" and the 4-digit Tax category MUST be specified in AllowanceChargeReason',
         _dk_r_004)

# ------------------------------------------------------------------ Italy


def _it_supplier(doc) -> bool:
    return supplier_country(doc) == "IT"


def _it_tax_registrations(doc) -> list:
    if not _it_supplier(doc):
        return []
    return [s for s in doc.all("//cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme")
            if nsp(sv(first(s, "cac:TaxScheme/cbc:ID"))) != "VAT"]


national("IT-R-001", _it_tax_registrations,
         "[IT-R-001] BT-32 (Seller tax registration identifier) - For Italian suppliers BT-32 minimum length 11 and maximum length shall be 16.  Per i fornitori italiani il BT-32 deve avere una lunghezza tra 11 e 16 caratteri",
         lambda el, doc: bool(re.fullmatch(r"[A-Z0-9]{11,16}", nsp(sv(first(el, "cbc:CompanyID"))))))
_IT_PARTY = _when(_it_supplier, "//cac:AccountingSupplierParty/cac:Party")
national("IT-R-002", _IT_PARTY, "[IT-R-002] BT-35 (Seller address line 1) - Italian suppliers MUST provide the postal address line 1 - I fornitori italiani devono indicare l'indirizzo postale.",
         lambda el, doc: exists(el, "cac:PostalAddress/cbc:StreetName"))
national("IT-R-003", _IT_PARTY, "[IT-R-003] BT-37 (Seller city) - Italian suppliers MUST provide the postal address city - I fornitori italiani devono indicare la città di residenza.",
         lambda el, doc: exists(el, "cac:PostalAddress/cbc:CityName"))
national("IT-R-004", _IT_PARTY, "[IT-R-004] BT-38 (Seller post code) - Italian suppliers MUST provide the postal address post code - I fornitori italiani devono indicare il CAP di residenza.",
         lambda el, doc: exists(el, "cac:PostalAddress/cbc:PostalZone"))

# ------------------------------------------------------------------ Iceland


def _is_supplier(doc) -> bool:
    return _postal_country(doc, "AccountingSupplierParty") == "IS"


_IS_ROOT = _when(_is_supplier, ROOT)


def _type_code_in(el, allowed: tuple) -> bool:
    return any(nsp(sv(c)) in allowed for c in nodes(el, "cbc:InvoiceTypeCode") + nodes(el, "cbc:CreditNoteTypeCode"))


def _is_account(code: str):
    def test(el, doc) -> bool:
        means = [m for m in nodes(el, "cac:PaymentMeans") if code in {sv(c) for c in nodes(m, "cbc:PaymentMeansCode")}]
        if not means:
            return True
        accounts = [a for m in means for a in nodes(m, "cac:PayeeFinancialAccount/cbc:ID")]
        return bool(accounts) and len(nsp(sv(accounts[0]))) == 12
    return test


def _eindagi(el):
    return [r for r in nodes(el, "cac:AdditionalDocumentReference") if "EINDAGI" in {sv(d) for d in nodes(r, "cbc:DocumentDescription")}]


def _is_r_008(el, doc) -> bool:
    references = _eindagi(el)
    if not references:
        return True
    value = sv(first(references[0], "cbc:ID"))
    return len(value) == 10 and xdate(value) is not None


def _is_r_010(el, doc) -> bool:
    references = _eindagi(el)
    if not references:
        return True
    due = sv(first(el, "cbc:DueDate"))
    return any(due and due <= sv(i) for r in references for i in nodes(r, "cbc:ID"))


national("IS-R-001", _IS_ROOT, "[IS-R-001]-If seller is icelandic then invoice type should be 380 or 381 — Ef seljandi er íslenskur þá ætti gerð reiknings (BT-3) að vera sölureikningur (380) eða kreditreikningur (381).",
         lambda el, doc: _type_code_in(el, ("380", "381")), flag=WARNING)
national("IS-R-002", _IS_ROOT, "[IS-R-002]-If seller is icelandic then it shall contain sellers legal id — Ef seljandi er íslenskur þá skal reikningur innihalda íslenska kennitölu seljanda (BT-30).",
         lambda el, doc: "0196" in {c.get("schemeID") for c in nodes(el, "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID")})
national("IS-R-003", _IS_ROOT, "[IS-R-003]-If seller is icelandic then it shall contain his address with street name and zip code — Ef seljandi er íslenskur þá skal heimilisfang seljanda innihalda götuheiti og póstnúmer (BT-35 og BT-38).",
         lambda el, doc: exists(el, "cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cbc:StreetName")
         and exists(el, "cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cbc:PostalZone"))
national("IS-R-006", _IS_ROOT, "[IS-R-006]-If seller is icelandic and payment means code is 9 then a 12 digit account id must exist — Ef seljandi er íslenskur og greiðslumáti (BT-81) er krafa (kóti 9) þá skal koma fram 12 stafa númer (bankanúmer, höfuðbók 66 og reikningsnúmer) (BT-84)",
         _is_account("9"))
national("IS-R-007", _IS_ROOT, "[IS-R-007]-If seller is icelandic and payment means code is 42 then a 12 digit account id must exist  — Ef seljandi er íslenskur og greiðslumáti (BT-81) er millifærsla (kóti 42) þá skal koma fram 12 stafa reikningnúmer (BT-84)",
         _is_account("42"))
national("IS-R-008", _IS_ROOT, "[IS-R-008]-If seller is icelandic and invoice contains supporting description EINDAGI then the id form must be YYYY-MM-DD — Ef seljandi er íslenskur þá skal eindagi (BT-122, DocumentDescription = EINDAGI) vera á forminu YYYY-MM-DD.",
         _is_r_008)
national("IS-R-009", _IS_ROOT, "[IS-R-009]-If seller is icelandic and invoice contains supporting description EINDAGI invoice must have due date — Ef seljandi er íslenskur þá skal reikningur sem inniheldur eindaga (BT-122, DocumentDescription = EINDAGI) einnig hafa gjalddaga (BT-9).",
         lambda el, doc: not _eindagi(el) or exists(el, "cbc:DueDate"))
national("IS-R-010", _IS_ROOT, "[IS-R-010]-If seller is icelandic and invoice contains supporting description EINDAGI the id date must be same or later than due date — Ef seljandi er íslenskur þá skal eindagi (BT-122, DocumentDescription = EINDAGI) skal vera sami eða síðar en gjalddagi (BT-9) ef eindagi er til staðar.",
         _is_r_010)
_IS_CUSTOMER = _when(lambda doc: _both(doc, "IS"), "/*/cac:AccountingCustomerParty")
national("IS-R-004", _IS_CUSTOMER, "[IS-R-004]-If seller and buyer are icelandic then the invoice shall contain the buyers icelandic legal identifier — Ef seljandi og kaupandi eru íslenskir þá skal reikningurinn innihalda íslenska kennitölu kaupanda (BT-47).",
         lambda el, doc: "0196" in {c.get("schemeID") for c in nodes(el, "cac:Party/cac:PartyLegalEntity/cbc:CompanyID")})
national("IS-R-005", _IS_CUSTOMER, "[IS-R-005]-If seller and buyer are icelandic then the invoice shall contain the buyers address with street name and zip code  — Ef seljandi og kaupandi eru íslenskir þá skal heimilisfang kaupanda innihalda götuheiti og póstnúmer (BT-50 og BT-53)",
         lambda el, doc: exists(el, "cac:Party/cac:PostalAddress/cbc:StreetName") and exists(el, "cac:Party/cac:PostalAddress/cbc:PostalZone"))

# ------------------------------------------------------------------ the Netherlands


def _nl(doc, path: str) -> bool:
    return nsp(sv(first(doc.root, path))).upper() == "NL"


def _nl_supplier(doc) -> bool:
    return _nl(doc, "cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode")


def _nl_customer(doc) -> bool:
    return _nl(doc, "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode")


def _nl_representative(doc) -> bool:
    return _nl(doc, "cac:TaxRepresentativeParty/cac:PostalAddress/cac:Country/cbc:IdentificationCode")


def _full_address(el, doc) -> bool:
    return exists(el, "cbc:StreetName") and exists(el, "cbc:CityName") and exists(el, "cbc:PostalZone")


def _kvk_or_oin(el, doc) -> bool:
    return nsp(el.get("schemeID") or "") in ("0106", "0190") and nsp(sv(el)) != ""


def _nl_r_007(el, doc) -> bool:
    payable = num(first(el, "cbc:PayableAmount"))
    if doc.is_invoice and payable is not None and payable <= 0:
        return True
    if doc.is_credit_note and payable is not None and payable >= 0:
        return True
    return bool(doc.all("//cac:PaymentMeans"))


national("NL-R-001", _when(_nl_supplier, "//cbc:CreditNoteTypeCode"),
         "[NL-R-001] For suppliers in the Netherlands, if the document is a creditnote, the document MUST contain an invoice reference (cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID)",
         lambda el, doc: exists(doc.root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"))
national("NL-R-002", _when(_nl_supplier, "//cac:AccountingSupplierParty/cac:Party/cac:PostalAddress"),
         "[NL-R-002] For suppliers in the Netherlands the supplier's address (cac:AccountingSupplierParty/cac:Party/cac:PostalAddress) MUST contain street name (cbc:StreetName), city (cbc:CityName) and post code (cbc:PostalZone)",
         _full_address)
national("NL-R-003", _when(_nl_supplier, "//cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID"),
         "[NL-R-003] For suppliers in the Netherlands, the legal entity identifier MUST be either a KVK or OIN number (schemeID 0106 or 0190)",
         _kvk_or_oin)
national("NL-R-004", _when(lambda doc: _nl_supplier(doc) and _nl_customer(doc), "//cac:AccountingCustomerParty/cac:Party/cac:PostalAddress"),
         "[NL-R-004] For suppliers in the Netherlands, if the customer is in the Netherlands, the customer address (cac:AccountingCustomerParty/cac:Party/cac:PostalAddress) MUST contain the street name (cbc:StreetName), the city (cbc:CityName) and post code (cbc:PostalZone)",
         _full_address)
national("NL-R-005", _when(lambda doc: _nl_supplier(doc) and _nl_customer(doc), "//cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID"),
         "[NL-R-005] For suppliers in the Netherlands, if the customer is in the Netherlands, the customer's legal entity identifier MUST be either a KVK or OIN number (schemeID 0106 or 0190)",
         _kvk_or_oin)
national("NL-R-006", _when(lambda doc: _nl_supplier(doc) and _nl_representative(doc), "//cac:TaxRepresentativeParty/cac:PostalAddress"),
         "[NL-R-006] For suppliers in the Netherlands, if the fiscal representative is in the Netherlands, the representative's address (cac:TaxRepresentativeParty/cac:PostalAddress) MUST contain street name (cbc:StreetName), city (cbc:CityName) and post code (cbc:PostalZone)",
         _full_address)
national("NL-R-007", _when(_nl_supplier, "//cac:LegalMonetaryTotal"),
         "[NL-R-007] For suppliers in the Netherlands, the supplier MUST provide a means of payment (cac:PaymentMeans) if the payment is from customer to supplier",
         _nl_r_007)
national("NL-R-008", _when(_nl_supplier, "//cac:PaymentMeans"),
         "[NL-R-008] For suppliers in the Netherlands, the payment means code (cac:PaymentMeans/cbc:PaymentMeansCode) MUST be one of 30, 48, 49, 57, 58 or 59",
         lambda el, doc: nsp(sv(first(el, "cbc:PaymentMeansCode"))) in ("30", "48", "49", "57", "58", "59"))
national("NL-R-009", _when(_nl_supplier, "//cac:OrderLineReference/cbc:LineID"),
         "[NL-R-009] For suppliers in the Netherlands, if an order line reference (cac:OrderLineReference/cbc:LineID) is used, there must be an order reference on the document level (cac:OrderReference/cbc:ID)",
         lambda el, doc: exists(doc.root, "cac:OrderReference/cbc:ID"))

# ------------------------------------------------------------------ Greece


def tin_verification(value: str) -> bool:
    """u:TinVerification: the ninth digit of a Greek TIN from the weighted sum of the first eight."""
    digits = list(value)
    if len(digits) < 9 or not ascii_digits(value[:9]):
        return False
    checksum = sum(int(digits[i]) * (2 ** (8 - i)) for i in range(8))
    return (checksum % 11) % 10 == int(digits[8])


def _greek(code: str) -> bool:
    return code in ("GR", "EL")


def _customer_country(doc) -> str:
    from .peppol import customer_country

    return customer_country(doc)


def _gr_sender(doc) -> bool:
    return _greek(supplier_country(doc))


def _gr_both(doc) -> bool:
    return _gr_sender(doc) and _greek(_customer_country(doc))


def _accounting_supplier_country(doc) -> str:
    """Like the supplier country, but from the supplier's own VAT number or address only."""
    party = first(doc.root, "cac:AccountingSupplierParty/cac:Party")
    if party is not None:
        for scheme in nodes(party, "cac:PartyTaxScheme"):
            if "VAT" in {sv(i) for i in nodes(scheme, "cac:TaxScheme/cbc:ID")}:
                prefix = sv(first(scheme, "cbc:CompanyID"))[:2]
                if prefix:
                    return nsp(prefix).upper()
        country = first(party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode")
        if country is not None:
            return nsp(sv(country)).upper()
    return "XX"


def _vat_company_ids(party) -> list:
    return [c for s in nodes(party, "cac:PartyTaxScheme") if nsp(sv(first(s, "cac:TaxScheme/cbc:ID"))) == "VAT"
            for c in nodes(s, "cbc:CompanyID")]


def _greek_vat_number(party) -> bool:
    companies = _vat_company_ids(party)
    return len(companies) == 1 and sv(companies[0])[:2] == "EL" and tin_verification(sv(companies[0])[2:])


_DATE_RE = re.compile(r"^(0?[1-9]|[12][0-9]|3[01])[-\\/ ]?(0?[1-9]|1[0-2])[-\\/ ]?(19|20)[0-9]{2}")
_GREEK_DOCUMENT_TYPES = ("1.1", "1.6", "2.1", "2.4", "5.1", "5.2", "")


def _segments(el) -> list[str]:
    return sv(el).split("|")


def _segment(el, number: int) -> str:
    parts = _segments(el)
    return parts[number - 1] if len(parts) >= number else ""


def _gr_r_001_2(el, doc) -> bool:
    tin = _segment(el, 1)
    if len(nsp(tin)) != 9 or not tin_verification(tin):
        return False
    parties = nodes(doc.root, "cac:AccountingSupplierParty/cac:Party") + nodes(doc.root, "cac:TaxRepresentativeParty")
    return any(sv(c)[2:11] == tin for p in parties for c in _vat_company_ids(p))


def _gr_r_001_3(el, doc) -> bool:
    value = _segment(el, 2)
    if not nsp(value) or not _DATE_RE.search(value):
        return False
    id_date = value.split("/")
    issue = sv(first(doc.root, "cbc:IssueDate")).split("-")
    return len(id_date) >= 3 and len(issue) >= 3 and (id_date[0], id_date[1], id_date[2]) == (issue[2], issue[1], issue[0])


def _gr_r_001_4(el, doc) -> bool:
    value = _segment(el, 3)
    return bool(nsp(value)) and num(value) is not None and bool(re.fullmatch(r"[ \t\r\n]*[+-]?[0-9]+[ \t\r\n]*", value)) and int(value) >= 0


_GR_ID = _when(_gr_sender, "/ubl:Invoice/cbc:ID | /cn:CreditNote/cbc:ID")
national("GR-R-001-1", _GR_ID, " When the Supplier is Greek, the Invoice Id should consist of 6 segments",
         lambda el, doc: len(_segments(el)) == 6)
national("GR-R-001-2", _GR_ID, "When the Supplier is Greek, the Invoice Id first segment must be a valid TIN Number and match either the Supplier's or the Tax Representative's Tin Number",
         _gr_r_001_2)
national("GR-R-001-3", _GR_ID, "When the Supplier is Greek, the Invoice Id second segment must be a valid Date that matches the invoice Issue Date",
         _gr_r_001_3)
national("GR-R-001-4", _GR_ID, "When Supplier is Greek, the Invoice Id third segment must be a positive integer", _gr_r_001_4)
national("GR-R-001-5", _GR_ID, "When Supplier is Greek, the Invoice Id in the fourth segment must be a valid greek document type",
         lambda el, doc: bool(nsp(_segment(el, 4))) and _segment(el, 4) in _GREEK_DOCUMENT_TYPES)
national("GR-R-001-6", _GR_ID, "When Supplier is Greek, the Invoice Id fifth segment must not be empty", lambda el, doc: len(_segment(el, 5)) > 0)
national("GR-R-001-7", _GR_ID, "When Supplier is Greek, the Invoice Id sixth segment must not be empty", lambda el, doc: len(_segment(el, 6)) > 0)

_GR_SUPPLIER = _when(_gr_sender, "/*/cac:AccountingSupplierParty/cac:Party")
national("GR-R-002", _GR_SUPPLIER, "Greek Suppliers must provide their full name as they are registered in the  Greek Business Registry (G.E.MH.) as a legal entity or in the Tax Registry as a natural person ",
         lambda el, doc: len(sv(first(el, "cac:PartyName/cbc:Name"))) > 0)
national("GR-S-011", _GR_SUPPLIER, "Greek suppliers must provide their Seller Tax Registration Number, prefixed by the country code",
         lambda el, doc: _greek_vat_number(el), flag=WARNING)


def _gr_supplier_vat_ids(doc) -> list:
    if not _gr_sender(doc):
        return []
    return [c for p in nodes(doc.root, "cac:AccountingSupplierParty/cac:Party") for c in _vat_company_ids(p)]


national("GR-R-003", _gr_supplier_vat_ids, "For the Greek Suppliers, the VAT must start with 'EL' and must be a valid TIN number",
         lambda el, doc: sv(el)[:2] == "EL" and tin_verification(sv(el)[2:]))


def _gr_domestic_sender(doc) -> bool:
    return _gr_sender(doc) and "GR" in {sv(c) for c in nodes(doc.root, "cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode")}


def _described(el, text: str) -> list:
    return [r for r in nodes(el, "cac:AdditionalDocumentReference") if text in {sv(d) for d in nodes(r, "cbc:DocumentDescription")}]


_GR_ROOT = _when(_gr_domestic_sender, ROOT)
national("GR-R-004-1", _GR_ROOT, " When Supplier is Greek, there must be one MARK Number", lambda el, doc: len(_described(el, "##M.AR.K##")) == 1)
national("GR-S-008-1", _GR_ROOT, " When Supplier is Greek, there should be one invoice url",
         lambda el, doc: len(_described(el, "##INVOICE|URL##")) == 1, flag=WARNING)
national("GR-R-008-2", _GR_ROOT, " When Supplier is Greek, there should be no more than one invoice url",
         lambda el, doc: len(_described(el, "##INVOICE|URL##")) <= 1)


def _gr_mark_ids(doc) -> list:
    if not _gr_domestic_sender(doc):
        return []
    return [i for r in _described(doc.root, "##M.AR.K##") for i in nodes(r, "cbc:ID")]


def _gr_invoice_urls(doc) -> list:
    return _described(doc.root, "##INVOICE|URL##") if _gr_sender(doc) else []


national("GR-R-004-2", _gr_mark_ids, " When Supplier is Greek, the MARK Number must be a positive integer",
         lambda el, doc: bool(re.match(r"^[1-9]([0-9]*)", sv(el))))
national("GR-R-008-3", _gr_invoice_urls, "When Supplier is Greek and the INVOICE URL Document reference exists, the External Reference URI should be present",
         lambda el, doc: len(nsp(sv(first(el, "cac:Attachment/cac:ExternalReference/cbc:URI")))) > 0)
national("GR-R-005", _when(_gr_sender, "/*/cac:AccountingCustomerParty/cac:Party"), "Greek Suppliers must provide the full name of the buyer",
         lambda el, doc: len(sv(first(el, "cac:PartyName/cbc:Name"))) > 0)
national("GR-R-009", _when(lambda doc: _greek(_accounting_supplier_country(doc)), "/*/cac:AccountingSupplierParty/cac:Party/cbc:EndpointID"),
         "Greek suppliers that send an invoice through the PEPPOL network must use a correct TIN number as an electronic address according to PEPPOL Electronic Address Identifier scheme (schemeID 9933).",
         lambda el, doc: el.get("schemeID") == "9933" and tin_verification(sv(el)))
national("GR-R-006", _when(_gr_both, "/*/cac:AccountingCustomerParty/cac:Party"), "Greek Suppliers must provide the VAT number of the buyer, if the buyer is Greek ",
         lambda el, doc: _greek_vat_number(el))
national("GR-R-010", _when(_gr_both, "/*/cac:AccountingCustomerParty/cac:Party/cbc:EndpointID"),
         "Greek Suppliers that send an invoice through the PEPPOL network to a greek buyer must use a correct TIN number as an electronic address according to PEPPOL Electronic Address Identifier scheme (SchemeID 9933)",
         lambda el, doc: el.get("schemeID") == "9933" and tin_verification(sv(el)))
