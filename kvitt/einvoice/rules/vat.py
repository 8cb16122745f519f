"""The VAT category rules of EN16931 (BR-S-*, BR-Z-*, BR-E-*, BR-AE-*, BR-K/IC-*, BR-G-*,
BR-O-*, BR-AF-* (IGIC), BR-AG-* (IPSI)) bound to UBL.

The categories share a shape (breakdown present, seller VAT identifier, rate on lines and
allowances/charges, taxable amount, tax amount, exemption reason), so each test is a small
function parameterised by the category; the message texts are the official ones.
"""

from __future__ import annotations

from decimal import Decimal

from .base import (
    any_num,
    category_id,
    dec,
    dsum,
    exists,
    first,
    is_vat_scheme,
    nodes,
    num,
    rate_tax,
    sv,
    within_one,
    xbool,
    xround,
)
from .cen import CI_FALSE, CI_TRUE, ROOT, VAT, cen

NAMES = {
    "S": "Standard rated", "Z": "Zero rated", "E": "Exempt from VAT", "AE": "Reverse charge",
    "K": "Intra-community supply", "G": "Export outside the EU", "O": "Not subject to VAT",
    "L": "IGIC", "M": "IPSI",
}
PREFIX = {"S": "BR-S", "Z": "BR-Z", "E": "BR-E", "AE": "BR-AE", "K": "BR-IC", "G": "BR-G",
          "O": "BR-O", "L": "BR-AF", "M": "BR-AG"}

ANY_LINE = ("An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a "
            "Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is ")

MESSAGES = {
    "BR-S-01": ANY_LINE + '"Standard rated" shall contain in the VAT breakdown (BG-23) at least one VAT category code (BT-118) equal with "Standard rated".',
    "BR-Z-01": ANY_LINE + '"Zero rated" shall contain in the VAT breakdown (BG-23) exactly one VAT category code (BT-118) equal with "Zero rated".',
    "BR-E-01": ANY_LINE + '"Exempt from VAT" shall contain exactly one VAT breakdown (BG-23) with the VAT category code (BT-118) equal to "Exempt from VAT".',
    "BR-AE-01": ANY_LINE + '"Reverse charge" shall contain in the VAT Breakdown (BG-23) exactly one VAT category code (BT-118) equal with "VAT reverse charge".',
    "BR-IC-01": ANY_LINE + '"Intra-community supply" shall contain in the VAT breakdown (BG-23) exactly one VAT category code (BT-118) equal with "Intra-community supply".',
    "BR-G-01": ANY_LINE + '"Export outside the EU" shall contain in the VAT breakdown (BG-23) exactly one VAT category code (BT-118) equal with "Export outside the EU".',
    "BR-O-01": ANY_LINE + '"Not subject to VAT" shall contain exactly one VAT breakdown group (BG-23) with the VAT category code (BT-118) equal to "Not subject to VAT".',
    "BR-AF-01": ANY_LINE + '"IGIC" shall contain in the VAT breakdown (BG-23) at least one VAT category code (BT-118) equal with "IGIC".',
    "BR-AG-01": ANY_LINE + '"IPSI" shall contain in the VAT breakdown (BG-23) at least one VAT category code (BT-118) equal with "IPSI".',
}

SELLER_IDS = "shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63)."
SELLER_IDS_CAP = "shall contain the Seller VAT Identifier (BT-31), the Seller Tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63)."
SELLER_VAT_ONLY = "shall contain the Seller VAT Identifier (BT-31) or the Seller tax representative VAT identifier (BT-63)."
SELLER_AND_BUYER = ("shall contain the Seller VAT Identifier (BT-31) or the Seller tax representative VAT identifier (BT-63) "
                    "and the Buyer VAT identifier (BT-48).")
AE_IDS = ("shall contain the Seller VAT Identifier (BT-31), the Seller {tax} registration identifier (BT-32) and/or the Seller tax "
          "representative VAT identifier (BT-63) and the Buyer VAT identifier (BT-48) and/or the Buyer legal registration identifier (BT-47).")
NOT_O = "shall not contain the Seller VAT identifier (BT-31), the Seller tax representative VAT identifier (BT-63) or the Buyer VAT identifier (BT-48)."

LINE_WITH = "An Invoice that contains an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is "
ALLOWANCE_WITH = "An Invoice that contains a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is "
CHARGE_WITH = "An Invoice that contains a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is "

for _code, _tails in {
    "S": (SELLER_IDS, SELLER_IDS, SELLER_IDS),
    "Z": (SELLER_IDS, SELLER_IDS, SELLER_IDS),
    "E": (SELLER_IDS, SELLER_IDS, SELLER_IDS),
    "AE": (AE_IDS.format(tax="Tax"), AE_IDS.format(tax="tax"), AE_IDS.format(tax="tax")),
    "K": (SELLER_AND_BUYER, SELLER_AND_BUYER, SELLER_AND_BUYER),
    "G": (SELLER_VAT_ONLY, SELLER_VAT_ONLY, SELLER_VAT_ONLY),
    "O": (NOT_O, NOT_O, NOT_O),
    "L": (SELLER_IDS, SELLER_IDS, SELLER_IDS_CAP),
    "M": (SELLER_IDS, SELLER_IDS_CAP, SELLER_IDS_CAP),
}.items():
    _name = NAMES[_code]
    MESSAGES[f"{PREFIX[_code]}-02"] = f'{LINE_WITH}"{_name}" {_tails[0]}'
    MESSAGES[f"{PREFIX[_code]}-03"] = f'{ALLOWANCE_WITH}"{_name}" {_tails[1]}'
    MESSAGES[f"{PREFIX[_code]}-04"] = f'{CHARGE_WITH}"{_name}" {_tails[2]}'
MESSAGES["BR-Z-02"] = MESSAGES["BR-Z-02"].replace("an Invoice line (BG-25) where", "an Invoice line where")
MESSAGES["BR-Z-04"] = MESSAGES["BR-Z-04"].replace("a Document level charge (BG-21) where", "a Document level charge where")

_RATE_TEXT = {"S": "shall be greater than zero", "L": "shall be 0 (zero) or greater than zero",
              "M": "shall be 0 (zero) or greater than zero"}
for _code in NAMES:
    _p, _name = PREFIX[_code], NAMES[_code]
    if _code == "O":
        MESSAGES["BR-O-05"] = 'An Invoice line (BG-25) where the VAT category code (BT-151) is "Not subject to VAT" shall not contain an Invoiced item VAT rate (BT-152).'
        MESSAGES["BR-O-06"] = 'A Document level allowance (BG-20) where VAT category code (BT-95) is "Not subject to VAT" shall not contain a Document level allowance VAT rate (BT-96).'
        MESSAGES["BR-O-07"] = 'A Document level charge (BG-21) where the VAT category code (BT-102) is "Not subject to VAT" shall not contain a Document level charge VAT rate (BT-103).'
        continue
    _rate = _RATE_TEXT.get(_code, "shall be 0 (zero)")
    _comma = ", " if _code == "E" else " "
    _line_name = "Intracommunity supply" if _code == "K" else _name
    _inv = "invoiced" if _code == "L" else "Invoiced"
    MESSAGES[f"{_p}-05"] = f'In an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is "{_line_name}"{_comma}the {_inv} item VAT rate (BT-152) {_rate}.'
    MESSAGES[f"{_p}-06"] = f'In a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is "{_name}"{_comma}the Document level allowance VAT rate (BT-96) {_rate}.'
    MESSAGES[f"{_p}-07"] = f'In a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is "{_name}"{_comma}the Document level charge VAT rate (BT-103) {_rate}.'

_TAXABLE = ("the VAT category taxable amount (BT-116) shall equal the sum of Invoice line net amounts (BT-131) minus the sum "
            "of Document level allowance amounts (BT-92) plus the sum of Document level charge amounts (BT-99) where the VAT "
            "category codes (BT-151, BT-95, BT-102) are ")
_PER_RATE = ('For each different value of VAT category rate (BT-119) where the VAT category code (BT-118) is "{n}", the VAT '
             "category taxable amount (BT-116) in a VAT breakdown (BG-23) shall equal the sum of Invoice line net amounts "
             "(BT-131) plus the sum of document level charge amounts (BT-99) minus the sum of document level allowance "
             'amounts (BT-92) where the VAT category code (BT-151, BT-102, BT-95) is "{n}" and the VAT rate (BT-152, BT-103, '
             "BT-96) equals the VAT category rate (BT-119).")
MESSAGES.update({
    "BR-S-08": _PER_RATE.format(n="Standard rated"),
    "BR-AF-08": _PER_RATE.format(n="IGIC"),
    "BR-AG-08": _PER_RATE.format(n="IPSI"),
    "BR-Z-08": 'In a VAT breakdown (BG-23) where VAT category code (BT-118) is "Zero rated" the VAT category taxable amount (BT-116) shall equal the sum of Invoice line net amount (BT-131) minus the sum of Document level allowance amounts (BT-92) plus the sum of Document level charge amounts (BT-99) where the VAT category codes (BT-151, BT-95, BT-102) are "Zero rated".',
    "BR-E-08": 'In a VAT breakdown (BG-23) where the VAT category code (BT-118) is "Exempt from VAT" ' + _TAXABLE + '"Exempt from VAT".',
    "BR-AE-08": 'In a VAT breakdown (BG-23) where the VAT category code (BT-118) is "Reverse charge" ' + _TAXABLE + '"Reverse charge".',
    "BR-IC-08": 'In a VAT breakdown (BG-23) where the VAT category code (BT-118) is "Intra-community supply" ' + _TAXABLE + '"Intra-community supply".',
    "BR-G-08": 'In a VAT breakdown (BG-23) where the VAT category code (BT-118) is "Export outside the EU" ' + _TAXABLE + '"Export outside the EU".',
    "BR-O-08": 'In a VAT breakdown (BG-23) where the VAT category code (BT-118) is " Not subject to VAT" ' + _TAXABLE + '"Not subject to VAT".',
    "BR-S-09": 'The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where VAT category code (BT-118) is "Standard rated" shall equal the VAT category taxable amount (BT-116) multiplied by the VAT category rate (BT-119).',
    "BR-AF-09": 'The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where VAT category code (BT-118) is "IGIC" shall equal the VAT category taxable amount (BT-116) multiplied by the VAT category rate (BT-119).',
    "BR-AG-09": 'The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where VAT category code (BT-118) is "IPSI" shall equal the VAT category taxable amount (BT-116) multiplied by the VAT category rate (BT-119).',
    "BR-Z-09": 'The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where VAT category code (BT-118) is "Zero rated" shall equal 0 (zero).',
    "BR-E-09": 'The VAT category tax amount (BT-117) In a VAT breakdown (BG-23) where the VAT category code (BT-118) equals "Exempt from VAT" shall equal 0 (zero).',
    "BR-AE-09": 'The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where the VAT category code (BT-118) is "Reverse charge" shall be 0 (zero).',
    "BR-IC-09": 'The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where the VAT category code (BT-118) is "Intra-community supply" shall be 0 (zero).',
    "BR-G-09": 'The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where the VAT category code (BT-118) is "Export outside the EU" shall be 0 (zero).',
    "BR-O-09": 'The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where the VAT category code (BT-118) is "Not subject to VAT" shall be 0 (zero).',
    "BR-S-10": 'A VAT breakdown (BG-23) with VAT Category code (BT-118) "Standard rate" shall not have a VAT exemption reason code (BT-121) or VAT exemption reason text (BT-120).',
    "BR-Z-10": 'A VAT breakdown (BG-23) with VAT Category code (BT-118) "Zero rated" shall not have a VAT exemption reason code (BT-121) or VAT exemption reason text (BT-120).',
    "BR-AF-10": 'A VAT breakdown (BG-23) with VAT Category code (BT-118) "IGIC" shall not have a VAT exemption reason code (BT-121) or VAT exemption reason text (BT-120).',
    "BR-AG-10": 'A VAT breakdown (BG-23) with VAT Category code (BT-118) "IPSI" shall not have a VAT exemption reason code (BT-121) or VAT exemption reason text (BT-120).',
    "BR-E-10": 'A VAT breakdown (BG-23) with VAT Category code (BT-118) "Exempt from VAT" shall have a VAT exemption reason code (BT-121) or a VAT exemption reason text (BT-120).',
    "BR-AE-10": 'A VAT breakdown (BG-23) with VAT Category code (BT-118) "Reverse charge" shall have a VAT exemption reason code (BT-121), meaning "Reverse charge" or the VAT exemption reason text (BT-120) "Reverse charge" (or the equivalent standard text in another language).',
    "BR-IC-10": 'A VAT breakdown (BG-23) with the VAT Category code (BT-118) "Intra-community supply" shall have a VAT exemption reason code (BT-121), meaning "Intra-community supply" or the VAT exemption reason text (BT-120) "Intra-community supply" (or the equivalent standard text in another language).',
    "BR-G-10": 'A VAT breakdown (BG-23) with the VAT Category code (BT-118) "Export outside the EU" shall have a VAT exemption reason code (BT-121), meaning "Export outside the EU" or the VAT exemption reason text (BT-120) "Export outside the EU" (or the equivalent standard text in another language).',
    "BR-O-10": 'A VAT breakdown (BG-23) with VAT Category code (BT-118) " Not subject to VAT" shall have a VAT exemption reason code (BT-121), meaning " Not subject to VAT" or a VAT exemption reason text (BT-120) " Not subject to VAT" (or the equivalent standard text in another language).',
    "BR-O-11": 'An Invoice that contains a VAT breakdown group (BG-23) with a VAT category code (BT-118) "Not subject to VAT" shall not contain other VAT breakdown groups (BG-23).',
    "BR-O-12": 'An Invoice that contains a VAT breakdown group (BG-23) with a VAT category code (BT-118) "Not subject to VAT" shall not contain an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is not "Not subject to VAT".',
    "BR-O-13": 'An Invoice that contains a VAT breakdown group (BG-23) with a VAT category code (BT-118) "Not subject to VAT" shall not contain Document level allowances (BG-20) where Document level allowance VAT category code (BT-95) is not "Not subject to VAT".',
    "BR-O-14": 'An Invoice that contains a VAT breakdown group (BG-23) with a VAT category code (BT-118) "Not subject to VAT" shall not contain Document level charges (BG-21) where Document level charge VAT category code (BT-102) is not "Not subject to VAT".',
    "BR-IC-11": 'In an Invoice with a VAT breakdown (BG-23) where the VAT category code (BT-118) is "Intra-community supply" the Actual delivery date (BT-72) or the Invoicing period (BG-14) shall not be blank.',
    "BR-IC-12": 'In an Invoice with a VAT breakdown (BG-23) where the VAT category code (BT-118) is "Intra-community supply" the Deliver to country code (BT-80) shall not be blank.',
    "BR-B-01": 'An Invoice where the VAT category code (BT-151, BT-95 or BT-102) is "Split payment" shall be a domestic Italian invoice.',
    "BR-B-02": 'An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is "Split payment" shall not contain an invoice line (BG-25), a Document level allowance (BG-20) or  a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is "Standard rated".',
})


# ------------------------------------------------------------------ shared per-document lookups


def _by_code(doc, path: str, vat_only: bool) -> dict:
    """The categories under ``path`` grouped by their code (computed once per document)."""

    def compute():
        groups: dict = {}
        for category in doc.all(path):
            if not vat_only or is_vat_scheme(category):
                groups.setdefault(category_id(category), []).append(category)
        return groups

    return doc.memo(("by_code", path, vat_only), compute)


def _categories(doc, path: str, code: str, vat_only: bool = True) -> list:
    return _by_code(doc, path, vat_only).get(code, [])


def _charge_categories(doc, charge: bool, code: str, vat_only: bool = True, doc_level: bool = False) -> list:
    path = "/*/cac:AllowanceCharge/cac:TaxCategory" if doc_level else "//cac:AllowanceCharge/cac:TaxCategory"
    return [c for c in _categories(doc, path, code, vat_only)
            if xbool(first(c.getparent(), "cbc:ChargeIndicator")) is charge]


def _seller_ids(doc, any_supplier_scheme: bool) -> bool:
    supplier = "//cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme"
    if any_supplier_scheme:
        has_supplier = bool(doc.all(supplier + "/cbc:CompanyID"))
    else:
        has_supplier = bool(doc.all(f"{supplier}{VAT}/cbc:CompanyID"))
    return has_supplier or bool(doc.all(f"//cac:TaxRepresentativeParty/cac:PartyTaxScheme{VAT}/cbc:CompanyID"))


def _buyer_vat(doc) -> bool:
    return bool(doc.all(f"//cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme{VAT}/cbc:CompanyID"))


def _buyer_ids(doc) -> bool:
    return _buyer_vat(doc) or bool(doc.all("//cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID"))


def _breakdown_ids(el, code: str, vat_only: bool = True) -> list:
    return [c for c in nodes(el, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory")
            if category_id(c) == code and (not vat_only or is_vat_scheme(c))]


# ------------------------------------------------------------------ -01 .. -04 (document context)


def _exactly_one(code):
    def test(el, doc):
        used = _categories(doc, "//cac:TaxCategory", code) or _categories(doc, "//cac:ClassifiedTaxCategory", code)
        if not used:
            return True
        return len(_breakdown_ids(el, code)) == 1

    return test


def _br_s_01(el, doc):
    used = (len(_categories(doc, "//cac:AllowanceCharge/cac:TaxCategory", "S", vat_only=False))
            + len(_categories(doc, "//cac:ClassifiedTaxCategory", "S", vat_only=False)))
    in_breakdown = len(_breakdown_ids(el, "S", vat_only=False))
    return (used > 0 and in_breakdown > 0) or (used == 0 and in_breakdown == 0)


def _at_least_one(code):
    def test(el, doc):
        used = (len(_categories(doc, "//cac:AllowanceCharge/cac:TaxCategory", code))
                + len(_categories(doc, "//cac:ClassifiedTaxCategory", code)))
        in_breakdown = len(_breakdown_ids(el, code))
        return (used > 0 and in_breakdown > 0) or (used == 0 and in_breakdown == 0)

    return test


def _requires_ids(code, where, ids):
    def test(el, doc):
        if where == "line":
            present = _categories(doc, "//cac:ClassifiedTaxCategory", code)
        else:
            present = _charge_categories(doc, where == "charge", code, doc_level=(code == "O"))
        return not present or ids(doc)

    return test


def _seller(doc):
    return _seller_ids(doc, any_supplier_scheme=True)


def _seller_vat(doc):
    return _seller_ids(doc, any_supplier_scheme=False)


IDS_FOR = {
    "S": _seller, "Z": _seller, "E": _seller, "L": _seller, "M": _seller,
    "G": _seller_vat,
    "K": lambda doc: _seller_vat(doc) and _buyer_vat(doc),
    "AE": lambda doc: _seller(doc) and _buyer_ids(doc),
    "O": lambda doc: not (doc.all(f"//cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme{VAT}/cbc:CompanyID")
                          or doc.all(f"//cac:TaxRepresentativeParty/cac:PartyTaxScheme{VAT}/cbc:CompanyID")
                          or _buyer_vat(doc)),
}

for _code in NAMES:
    _p = PREFIX[_code]
    if _code == "S":
        cen("BR-S-01", ROOT, MESSAGES["BR-S-01"], _br_s_01)
    elif _code in ("L", "M"):
        cen(f"{_p}-01", ROOT, MESSAGES[f"{_p}-01"], _at_least_one(_code))
    else:
        cen(f"{_p}-01", ROOT, MESSAGES[f"{_p}-01"], _exactly_one(_code))
    for _n, _where in (("02", "line"), ("03", "allowance"), ("04", "charge")):
        cen(f"{_p}-{_n}", ROOT, MESSAGES[f"{_p}-{_n}"], _requires_ids(_code, _where, IDS_FOR[_code]))


def _o_breakdown(el):
    return bool(_breakdown_ids(el, "O"))


cen("BR-O-11", ROOT, MESSAGES["BR-O-11"], lambda el, doc: not _o_breakdown(el) or not [
    c for c in nodes(el, f"cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory{VAT}") if category_id(c) != "O"])
cen("BR-O-12", ROOT, MESSAGES["BR-O-12"], lambda el, doc: not _o_breakdown(el) or not [
    c for c in doc.all(f"//cac:ClassifiedTaxCategory{VAT}") if category_id(c) != "O"])
cen("BR-O-13", ROOT, MESSAGES["BR-O-13"], lambda el, doc: not _o_breakdown(el) or not [
    c for c in doc.all(f"//cac:AllowanceCharge{CI_FALSE}/cac:TaxCategory{VAT}") if category_id(c) != "O"])
cen("BR-O-14", ROOT, MESSAGES["BR-O-14"], lambda el, doc: not _o_breakdown(el) or not [
    c for c in doc.all(f"//cac:AllowanceCharge{CI_TRUE}/cac:TaxCategory{VAT}") if category_id(c) != "O"])
cen("BR-IC-11", ROOT, MESSAGES["BR-IC-11"], lambda el, doc: not _breakdown_ids(el, "K") or (
    len(sv(first(el, "cac:Delivery/cbc:ActualDeliveryDate"))) > 1 or exists(el, "cac:InvoicePeriod/*")))
cen("BR-IC-12", ROOT, MESSAGES["BR-IC-12"], lambda el, doc: not _breakdown_ids(el, "K") or (
    len(sv(first(el, "cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/cbc:IdentificationCode"))) > 1))


def _split_payment_used(doc) -> bool:
    return bool(_categories(doc, "//cac:TaxCategory", "B") or _categories(doc, "//cac:ClassifiedTaxCategory", "B"))


def _country(doc, party: str) -> str:
    return sv(first(doc.root, f"cac:{party}/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode")).strip()


cen("BR-B-01", ROOT, MESSAGES["BR-B-01"], lambda el, doc: not _split_payment_used(doc) or (
    _country(doc, "AccountingSupplierParty") == "IT" and _country(doc, "AccountingCustomerParty") == "IT"))
cen("BR-B-02", ROOT, MESSAGES["BR-B-02"], lambda el, doc: not _split_payment_used(doc) or not (
    _categories(doc, "//cac:ClassifiedTaxCategory", "S") or _categories(doc, "//cac:AllowanceCharge/cac:TaxCategory", "S")))


# ------------------------------------------------------------------ -05 .. -07 (rates)


def _line_context(code):
    return (f"//cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory[normalize-space(cbc:ID)='{code}']{VAT} | "
            f"//cac:CreditNoteLine/cac:Item/cac:ClassifiedTaxCategory[normalize-space(cbc:ID)='{code}']{VAT}")


def _charge_context(code, flag):
    return f"//cac:AllowanceCharge{flag}/cac:TaxCategory[normalize-space(cbc:ID)='{code}']{VAT}"


def _rate_test(code):
    if code == "O":
        return lambda el, doc: not exists(el, "cbc:Percent")
    if code == "S":
        return lambda el, doc: any_num(el, "cbc:Percent", lambda v: v > 0)
    if code in ("L", "M"):
        return lambda el, doc: any_num(el, "cbc:Percent", lambda v: v >= 0)
    return lambda el, doc: any_num(el, "cbc:Percent", lambda v: v == 0)


for _code in NAMES:
    _p = PREFIX[_code]
    cen(f"{_p}-05", _line_context(_code), MESSAGES[f"{_p}-05"], _rate_test(_code))
    cen(f"{_p}-06", _charge_context(_code, CI_FALSE), MESSAGES[f"{_p}-06"], _rate_test(_code))
    cen(f"{_p}-07", _charge_context(_code, CI_TRUE), MESSAGES[f"{_p}-07"], _rate_test(_code))


# ------------------------------------------------------------------ -08 .. -10 (breakdown)


def _breakdown_context(code):
    return f"//cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory[normalize-space(cbc:ID)='{code}']{VAT}"


def _matches(category, code: str, rate: Decimal | None) -> bool:
    if nsp_id(category) != code:
        return False
    if rate is None:
        return True
    percent = dec(first(category, "cbc:Percent"))
    return percent is not None and xround(percent) == rate


def nsp_id(category) -> str:
    return category_id(category)


def _basis(doc, line_tag: str, code: str, rate: Decimal | None) -> tuple[Decimal | None, bool]:
    """Σ line net amounts + Σ charges − Σ allowances for one category (and rounded rate)."""
    total = Decimal(0)
    found = False
    for line in doc.all(f"/*/cac:{line_tag}"):
        cats = nodes(line, "cac:Item/cac:ClassifiedTaxCategory")
        if any(_matches(c, code, rate) for c in cats) if rate is not None else any(category_id(c) == code for c in cats):
            value = dsum(nodes(line, "cbc:LineExtensionAmount"))
            if value is None:
                return None, found
            total += value
            found = True
    for charge in doc.all("/*/cac:AllowanceCharge"):
        cats = nodes(charge, "cac:TaxCategory")
        if not any(_matches(c, code, rate) for c in cats):
            continue
        indicator = xbool(first(charge, "cbc:ChargeIndicator"))
        value = dsum(nodes(charge, "cbc:Amount"))
        if value is None or indicator is None:
            return None, found
        total += value if indicator else -value
        found = True
    return total, found


def _exact_taxable(code):
    def test(el, doc):
        taxable = dec(first(el, "../cbc:TaxableAmount"))
        if taxable is None:
            return False
        for line_tag in ("InvoiceLine", "CreditNoteLine"):
            if not doc.all(f"//cac:{line_tag}"):
                continue
            basis, _ = _basis(doc, line_tag, code, None)
            if basis is not None and taxable == basis:
                return True
        return False

    return test


def _per_rate_taxable(code, require_usage: bool):
    def test(el, doc):
        percent = dec(first(el, "cbc:Percent"))
        if percent is None:
            return not exists(el, "cbc:Percent")
        rate = xround(percent)
        taxable = num(first(el, "../cbc:TaxableAmount"))
        for line_tag in ("InvoiceLine", "CreditNoteLine"):
            if not require_usage and not doc.all(f"//cac:{line_tag}"):
                continue
            basis, used = _basis(doc, line_tag, code, rate)
            if require_usage and not used:
                continue
            if basis is not None and taxable is not None and taxable - 1 < basis < taxable + 1:
                return True
        return False

    return test


def _tax_matches_rate(el, doc):
    return tax_matches_rate(dec(first(el, "../cbc:TaxAmount")), dec(first(el, "../cbc:TaxableAmount")),
                            dec(first(el, "cbc:Percent")))


def _tax_matches_rate_igic(el, doc):
    return tax_matches_rate(num(first(el, "../cbc:TaxAmount")), dec(first(el, "../cbc:TaxableAmount")),
                            dec(first(el, "cbc:Percent")), igic=True)


def tax_matches_rate(tax, taxable, percent, igic: bool = False) -> bool:
    """BR-x-09 on the values (None when absent or not a number): the breakdown's tax is its
    taxable amount at its rate. The IGIC/IPSI rules write the tolerance as
    ``abs(tax - 1) < expected < abs(tax + 1)``; the compiled engine calls this too."""
    if tax is None or taxable is None or percent is None:
        return False
    expected = rate_tax(taxable, percent)
    return abs(tax - 1) < expected < abs(tax + 1) if igic else within_one(tax, expected)


def _has_reason(el, doc):
    return exists(el, "cbc:TaxExemptionReason") or exists(el, "cbc:TaxExemptionReasonCode")


def _no_reason(el, doc):
    return not _has_reason(el, doc)


for _code in NAMES:
    _p = PREFIX[_code]
    _ctx = _breakdown_context(_code)
    if _code == "S":
        cen("BR-S-08", _ctx, MESSAGES["BR-S-08"], _per_rate_taxable("S", require_usage=True))
        cen("BR-S-09", _ctx, MESSAGES["BR-S-09"], _tax_matches_rate)
    elif _code in ("L", "M"):
        cen(f"{_p}-08", _ctx, MESSAGES[f"{_p}-08"], _per_rate_taxable(_code, require_usage=False))
        cen(f"{_p}-09", _ctx, MESSAGES[f"{_p}-09"], _tax_matches_rate_igic)
    else:
        cen(f"{_p}-08", _ctx, MESSAGES[f"{_p}-08"], _exact_taxable(_code))
        cen(f"{_p}-09", _ctx, MESSAGES[f"{_p}-09"],
            lambda el, doc: any_num(el, "../cbc:TaxAmount", lambda v: v == 0))
    cen(f"{_p}-10", _ctx, MESSAGES[f"{_p}-10"], _no_reason if _code in ("S", "Z", "L", "M") else _has_reason)
