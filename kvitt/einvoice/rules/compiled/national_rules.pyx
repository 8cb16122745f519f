# distutils: language = c++
# cython: language_level=3, boundscheck=False, wraparound=False, annotation_typing=False
"""Compiled twins of the rules in kvitt/einvoice/rules/national.py (DK, IT, IS, NL, GR; same ids,
same meaning). Their contexts are the Python callables of national.py (the engine calls them);
these tests only run on the documents those contexts select."""

import re

from lxml.includes.tree cimport xmlNode

from kvitt.einvoice.rules.compiled.engine cimport (
    CPath, Engine, Nodes, attr, cpath, exists, first, nodes, nsp, num, register, register_gate, sv, sv_set,
    text_of,
)
from kvitt.einvoice.rules.compiled.peppol_rules cimport supplier_country

from kvitt.einvoice.rules import RULES
from kvitt.einvoice.rules import base as pybase
from kvitt.einvoice.rules import national as pynational


_tin = pynational.tin_verification
_xdate = pybase.xdate
_pynum = pybase.num
_DATE_RE = pynational._DATE_RE
_GREEK_DOCUMENT_TYPES = pynational._GREEK_DOCUMENT_TYPES
_IT_TAX_ID = re.compile(r"[A-Z0-9]{11,16}")
_INTEGER = re.compile(r"[ \t\r\n]*[+-]?[0-9]+[ \t\r\n]*")
_MARK = re.compile(r"^[1-9]([0-9]*)")

cdef CPath SUPPLIER_COMPANY = cpath("cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID")
cdef CPath CUSTOMER_COUNTRY = cpath("cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode")
cdef CPath PAYABLE_TOTAL = cpath("cac:LegalMonetaryTotal/cbc:PayableAmount")
cdef CPath PAYABLE = cpath("cbc:PayableAmount")
cdef CPath ID = cpath("cbc:ID")
cdef CPath MEANS_CODE = cpath("cbc:PaymentMeansCode")
cdef CPath PAYEE_ACCOUNT = cpath("cac:PayeeFinancialAccount/cbc:ID")
cdef CPath PAYEE_BRANCH = cpath("cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID")
cdef CPath MANDATE = cpath("cac:PaymentMandate/cbc:ID")
cdef CPath PAYER_ACCOUNT = cpath("cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID")
cdef CPath PAYMENT_ID = cpath("cbc:PaymentID")
cdef CPath CLASSIFICATION = cpath("cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode")
cdef CPath REASON_CODE = cpath("cbc:AllowanceChargeReasonCode")
cdef CPath REASON = cpath("cbc:AllowanceChargeReason")
cdef CPath COMPANY_ID = cpath("cbc:CompanyID")
cdef CPath INVOICE_TYPE = cpath("cbc:InvoiceTypeCode")
cdef CPath CREDIT_TYPE = cpath("cbc:CreditNoteTypeCode")
cdef CPath MEANS = cpath("cac:PaymentMeans")
cdef CPath DOC_REFERENCE = cpath("cac:AdditionalDocumentReference")
cdef CPath DESCRIPTION = cpath("cbc:DocumentDescription")
cdef CPath DUE_DATE = cpath("cbc:DueDate")
cdef CPath PARTY_LEGAL_COMPANY = cpath("cac:Party/cac:PartyLegalEntity/cbc:CompanyID")
cdef CPath STREET = cpath("cbc:StreetName")
cdef CPath CITY = cpath("cbc:CityName")
cdef CPath ZONE = cpath("cbc:PostalZone")
cdef CPath INVOICE_REFERENCE = cpath("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID")
cdef CPath ORDER_REFERENCE = cpath("cac:OrderReference/cbc:ID")
cdef CPath SUPPLIER_PARTY = cpath("cac:AccountingSupplierParty/cac:Party")
cdef CPath REPRESENTATIVE = cpath("cac:TaxRepresentativeParty")
cdef CPath TAX_SCHEME = cpath("cac:PartyTaxScheme")
cdef CPath TAX_SCHEME_ID = cpath("cac:TaxScheme/cbc:ID")
cdef CPath ISSUE_DATE = cpath("cbc:IssueDate")
cdef CPath PARTY_NAME = cpath("cac:PartyName/cbc:Name")
cdef CPath URI = cpath("cac:Attachment/cac:ExternalReference/cbc:URI")


# ------------------------------------------------------------------ helpers


cdef str schemeid(xmlNode* node):
    value = attr(node, b"schemeID")
    return value if value is not None else ""


cdef str payment_id_prefix(Engine e, xmlNode* el):
    return sv(first(e, el, PAYMENT_ID))[:3]


cdef Nodes described(Engine e, xmlNode* el, str text) except *:
    """national._described: the AdditionalDocumentReference with that DocumentDescription."""
    cdef Nodes references = nodes(e, el, DOC_REFERENCE)
    cdef Nodes out
    cdef size_t i
    for i in range(references.size()):
        if text in sv_set(nodes(e, references[i], DESCRIPTION)):
            out.push_back(references[i])
    return out


cdef Nodes vat_company_ids(Engine e, xmlNode* party) except *:
    """national._vat_company_ids."""
    cdef Nodes schemes = nodes(e, party, TAX_SCHEME)
    cdef Nodes companies
    cdef Nodes out
    cdef size_t i, k
    for i in range(schemes.size()):
        if nsp(sv(first(e, schemes[i], TAX_SCHEME_ID))) == "VAT":
            companies = nodes(e, schemes[i], COMPANY_ID)
            for k in range(companies.size()):
                out.push_back(companies[k])
    return out


cdef bint greek_vat_number(Engine e, xmlNode* party) except -1:
    cdef Nodes companies = vat_company_ids(e, party)
    if companies.size() != 1:
        return False
    value = sv(companies[0])
    return value[:2] == "EL" and bool(_tin(value[2:]))


cdef list segments(xmlNode* el):
    return sv(el).split("|")


cdef str segment(xmlNode* el, int number):
    parts = segments(el)
    return parts[number - 1] if len(parts) >= number else ""


# ------------------------------------------------------------------ generic tests


cdef int t_exists(Engine e, xmlNode* el, object param) except -1:
    return exists(e, el, <CPath>param)


cdef int t_full_address(Engine e, xmlNode* el, object param) except -1:
    return exists(e, el, STREET) and exists(e, el, CITY) and exists(e, el, ZONE)


cdef int t_street_and_zone(Engine e, xmlNode* el, object param) except -1:
    # param: the street and the post code paths
    cdef tuple paths = <tuple>param
    return exists(e, el, <CPath>paths[0]) and exists(e, el, <CPath>paths[1])


cdef int t_party_name(Engine e, xmlNode* el, object param) except -1:
    return len(sv(first(e, el, PARTY_NAME))) > 0


cdef int t_greek_vat_number(Engine e, xmlNode* el, object param) except -1:
    return greek_vat_number(e, el)


cdef int t_greek_endpoint(Engine e, xmlNode* el, object param) except -1:
    return attr(el, b"schemeID") == "9933" and bool(_tin(sv(el)))


cdef int t_kvk_or_oin(Engine e, xmlNode* el, object param) except -1:
    return nsp(schemeid(el)) in ("0106", "0190") and nsp(sv(el)) != ""


cdef int t_legal_0196(Engine e, xmlNode* el, object param) except -1:
    cdef Nodes found = nodes(e, el, <CPath>param)
    cdef size_t i
    for i in range(found.size()):
        if attr(found[i], b"schemeID") == "0196":
            return True
    return False


# ------------------------------------------------------------------ Denmark


cdef int dk_r_002(Engine e, xmlNode* el, object param) except -1:
    cdef xmlNode* company = first(e, el, SUPPLIER_COMPANY)
    return company is not NULL and nsp(text_of(company)) != ""


cdef int dk_r_014(Engine e, xmlNode* el, object param) except -1:
    cdef Nodes found = nodes(e, el, SUPPLIER_COMPANY)
    cdef size_t i
    for i in range(found.size()):
        if nsp(schemeid(found[i])) != "0184":
            return False
    return True


cdef int dk_r_016(Engine e, xmlNode* el, object param) except -1:
    payable = num(first(e, el, PAYABLE_TOTAL))
    return not (e.is_credit_note and sv(first(e, e.root, CUSTOMER_COUNTRY)) == "DK"
                and payable is not None and payable < 0)


cdef int dk_r_013(Engine e, xmlNode* el, object param) except -1:
    cdef Nodes found = nodes(e, el, ID)
    cdef size_t i
    for i in range(found.size()):
        if nsp(schemeid(found[i])) == "":
            return False
    return True


cdef int dk_r_005(Engine e, xmlNode* el, object param) except -1:
    return f" {sv(first(e, el, MEANS_CODE))} " in " 1 10 31 42 48 49 50 58 59 93 97 "


cdef int dk_r_006(Engine e, xmlNode* el, object param) except -1:
    codes = sv_set(nodes(e, el, MEANS_CODE))
    return not (codes & {"31", "42"}) or (
        nsp(sv(first(e, el, PAYEE_ACCOUNT))) != "" and nsp(sv(first(e, el, PAYEE_BRANCH))) != "")


cdef int dk_r_007(Engine e, xmlNode* el, object param) except -1:
    return "49" not in sv_set(nodes(e, el, MEANS_CODE)) or (
        nsp(sv(first(e, el, MANDATE))) != "" and nsp(sv(first(e, el, PAYER_ACCOUNT))) != "")


cdef int dk_r_008(Engine e, xmlNode* el, object param) except -1:
    return "50" not in sv_set(nodes(e, el, MEANS_CODE)) or (
        payment_id_prefix(e, el) in ("01#", "04#", "15#") and len(sv(first(e, el, PAYEE_ACCOUNT))) == 7)


cdef int dk_r_009(Engine e, xmlNode* el, object param) except -1:
    return not ("50" in sv_set(nodes(e, el, MEANS_CODE)) and payment_id_prefix(e, el) in ("04#", "15#")
                and len(sv(first(e, el, PAYMENT_ID))) != 19)


cdef int dk_r_010(Engine e, xmlNode* el, object param) except -1:
    return "93" not in sv_set(nodes(e, el, MEANS_CODE)) or (
        payment_id_prefix(e, el) in ("71#", "73#", "75#") and len(sv(first(e, el, PAYEE_ACCOUNT))) == 8)


cdef int dk_r_011(Engine e, xmlNode* el, object param) except -1:
    return not ("93" in sv_set(nodes(e, el, MEANS_CODE)) and payment_id_prefix(e, el) in ("71#", "75#")
                and len(sv(first(e, el, PAYMENT_ID))) not in (18, 19))


cdef int dk_r_003(Engine e, xmlNode* el, object param) except -1:
    cdef Nodes codes = nodes(e, el, CLASSIFICATION)
    cdef size_t i
    cdef bint tst = False
    for i in range(codes.size()):
        if attr(codes[i], b"listID") == "TST":
            tst = True
            break
    if not tst:
        return True
    for i in range(codes.size()):
        if attr(codes[i], b"listVersionID") in ("19.05.01", "19.0501"):
            return True
    return False


cdef int dk_r_004(Engine e, xmlNode* el, object param) except -1:
    cdef xmlNode* reason
    if "ZZZ" not in sv_set(nodes(e, el, REASON_CODE)):
        return True
    reason = first(e, el, REASON)
    value = num(reason)
    return len(nsp(sv(reason))) == 4 and value is not None and 0 <= value <= 9999


# ------------------------------------------------------------------ Italy


cdef int it_r_001(Engine e, xmlNode* el, object param) except -1:
    return _IT_TAX_ID.fullmatch(nsp(sv(first(e, el, COMPANY_ID)))) is not None


# ------------------------------------------------------------------ Iceland


cdef int is_r_001(Engine e, xmlNode* el, object param) except -1:
    cdef Nodes found
    cdef size_t i
    for path in (INVOICE_TYPE, CREDIT_TYPE):
        found = nodes(e, el, <CPath>path)
        for i in range(found.size()):
            if nsp(sv(found[i])) in ("380", "381"):
                return True
    return False


cdef int is_account(Engine e, xmlNode* el, object param) except -1:
    # national._is_account(code): the first account of the means with that code has 12 characters
    cdef Nodes means = nodes(e, el, MEANS)
    cdef Nodes accounts
    cdef size_t i
    cdef bint any_means = False
    for i in range(means.size()):
        if param in sv_set(nodes(e, means[i], MEANS_CODE)):
            any_means = True
            accounts = nodes(e, means[i], PAYEE_ACCOUNT)
            if not accounts.empty():
                return len(nsp(sv(accounts[0]))) == 12
    return not any_means


cdef int is_r_008(Engine e, xmlNode* el, object param) except -1:
    cdef Nodes references = described(e, el, "EINDAGI")
    if references.empty():
        return True
    value = sv(first(e, references[0], ID))
    return len(value) == 10 and _xdate(value) is not None


cdef int is_r_009(Engine e, xmlNode* el, object param) except -1:
    return described(e, el, "EINDAGI").empty() or exists(e, el, DUE_DATE)


cdef int is_r_010(Engine e, xmlNode* el, object param) except -1:
    cdef Nodes references = described(e, el, "EINDAGI")
    cdef Nodes ids
    cdef size_t i, k
    if references.empty():
        return True
    due = sv(first(e, el, DUE_DATE))
    for i in range(references.size()):
        ids = nodes(e, references[i], ID)
        for k in range(ids.size()):
            if due and due <= sv(ids[k]):
                return True
    return False


# ------------------------------------------------------------------ the Netherlands


cdef int nl_r_007(Engine e, xmlNode* el, object param) except -1:
    payable = num(first(e, el, PAYABLE))
    if e.is_invoice and payable is not None and payable <= 0:
        return True
    if e.is_credit_note and payable is not None and payable >= 0:
        return True
    return not e.all("//cac:PaymentMeans").empty()


cdef int nl_r_008(Engine e, xmlNode* el, object param) except -1:
    return nsp(sv(first(e, el, MEANS_CODE))) in ("30", "48", "49", "57", "58", "59")


cdef int t_root_exists(Engine e, xmlNode* el, object param) except -1:
    return exists(e, e.root, <CPath>param)


# ------------------------------------------------------------------ Greece


cdef int gr_r_001_1(Engine e, xmlNode* el, object param) except -1:
    return len(segments(el)) == 6


cdef int gr_r_001_2(Engine e, xmlNode* el, object param) except -1:
    cdef Nodes parties, companies, representatives
    cdef size_t i, k
    tin = segment(el, 1)
    if len(nsp(tin)) != 9 or not _tin(tin):
        return False
    parties = nodes(e, e.root, SUPPLIER_PARTY)
    representatives = nodes(e, e.root, REPRESENTATIVE)
    for i in range(representatives.size()):
        parties.push_back(representatives[i])
    for i in range(parties.size()):
        companies = vat_company_ids(e, parties[i])
        for k in range(companies.size()):
            if sv(companies[k])[2:11] == tin:
                return True
    return False


cdef int gr_r_001_3(Engine e, xmlNode* el, object param) except -1:
    value = segment(el, 2)
    if not nsp(value) or not _DATE_RE.search(value):
        return False
    id_date = value.split("/")
    issue = sv(first(e, e.root, ISSUE_DATE)).split("-")
    return len(id_date) >= 3 and len(issue) >= 3 and (id_date[0], id_date[1], id_date[2]) == (issue[2], issue[1], issue[0])


cdef int gr_r_001_4(Engine e, xmlNode* el, object param) except -1:
    value = segment(el, 3)
    return bool(nsp(value)) and _pynum(value) is not None and _INTEGER.fullmatch(value) is not None and int(value) >= 0


cdef int gr_r_001_5(Engine e, xmlNode* el, object param) except -1:
    value = segment(el, 4)
    return bool(nsp(value)) and value in _GREEK_DOCUMENT_TYPES


cdef int gr_segment_not_empty(Engine e, xmlNode* el, object param) except -1:
    return len(segment(el, <int>param)) > 0


cdef int gr_r_003(Engine e, xmlNode* el, object param) except -1:
    value = sv(el)
    return value[:2] == "EL" and bool(_tin(value[2:]))


cdef int gr_described_count(Engine e, xmlNode* el, object param) except -1:
    # param: (description, exact count or None for "at most one")
    cdef size_t count
    text, exact = param
    count = described(e, el, text).size()
    return count == 1 if exact else count <= 1


cdef int gr_r_004_2(Engine e, xmlNode* el, object param) except -1:
    return _MARK.match(sv(el)) is not None


cdef int gr_r_008_3(Engine e, xmlNode* el, object param) except -1:
    return len(nsp(sv(first(e, el, URI)))) > 0


# ------------------------------------------------------------------ registration


register("DK-R-002", dk_r_002)
register("DK-R-014", dk_r_014)
register("DK-R-016", dk_r_016)
register("DK-R-013", dk_r_013)
register("DK-R-005", dk_r_005)
register("DK-R-006", dk_r_006)
register("DK-R-007", dk_r_007)
register("DK-R-008", dk_r_008)
register("DK-R-009", dk_r_009)
register("DK-R-010", dk_r_010)
register("DK-R-011", dk_r_011)
register("DK-R-003", dk_r_003)
register("DK-R-004", dk_r_004)

register("IT-R-001", it_r_001)
register("IT-R-002", t_exists, cpath("cac:PostalAddress/cbc:StreetName"))
register("IT-R-003", t_exists, cpath("cac:PostalAddress/cbc:CityName"))
register("IT-R-004", t_exists, cpath("cac:PostalAddress/cbc:PostalZone"))

register("IS-R-001", is_r_001)
register("IS-R-002", t_legal_0196, SUPPLIER_COMPANY)
register("IS-R-003", t_street_and_zone, (cpath("cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cbc:StreetName"),
                                         cpath("cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cbc:PostalZone")))
register("IS-R-006", is_account, "9")
register("IS-R-007", is_account, "42")
register("IS-R-008", is_r_008)
register("IS-R-009", is_r_009)
register("IS-R-010", is_r_010)
register("IS-R-004", t_legal_0196, PARTY_LEGAL_COMPANY)
register("IS-R-005", t_street_and_zone, (cpath("cac:Party/cac:PostalAddress/cbc:StreetName"),
                                         cpath("cac:Party/cac:PostalAddress/cbc:PostalZone")))

register("NL-R-001", t_root_exists, INVOICE_REFERENCE)
register("NL-R-002", t_full_address)
register("NL-R-003", t_kvk_or_oin)
register("NL-R-004", t_full_address)
register("NL-R-005", t_kvk_or_oin)
register("NL-R-006", t_full_address)
register("NL-R-007", nl_r_007)
register("NL-R-008", nl_r_008)
register("NL-R-009", t_root_exists, ORDER_REFERENCE)

register("GR-R-001-1", gr_r_001_1)
register("GR-R-001-2", gr_r_001_2)
register("GR-R-001-3", gr_r_001_3)
register("GR-R-001-4", gr_r_001_4)
register("GR-R-001-5", gr_r_001_5)
register("GR-R-001-6", gr_segment_not_empty, 5)
register("GR-R-001-7", gr_segment_not_empty, 6)
register("GR-R-002", t_party_name)
register("GR-S-011", t_greek_vat_number)
register("GR-R-003", gr_r_003)
register("GR-R-004-1", gr_described_count, ("##M.AR.K##", True))
register("GR-S-008-1", gr_described_count, ("##INVOICE|URL##", True))
register("GR-R-008-2", gr_described_count, ("##INVOICE|URL##", False))
register("GR-R-004-2", gr_r_004_2)
register("GR-R-008-3", gr_r_008_3)
register("GR-R-005", t_party_name)
register("GR-R-009", t_greek_endpoint)
register("GR-R-006", t_greek_vat_number)
register("GR-R-010", t_greek_endpoint)


# ------------------------------------------------------------------ a gate for the contexts
# Every national context is a Python callable the engine calls on every document (about 0.2 ms
# per document together, through lxml). They are all empty unless the supplier is Danish,
# Icelandic, Dutch, Italian or Greek by one of the tests below, so one C question answers them
# for most documents. Not wired yet: the engine has no hook for it (see may_apply).

cdef CPath SUPPLIER_POSTAL = cpath("cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode")
cdef CPath PARTY_COUNTRY = cpath("cac:PostalAddress/cac:Country/cbc:IdentificationCode")


cdef str accounting_supplier_country(Engine e):
    """national._accounting_supplier_country."""
    cdef xmlNode* party = first(e, e.root, SUPPLIER_PARTY)
    cdef xmlNode* country
    cdef Nodes schemes
    cdef size_t i
    if party is NULL:
        return "XX"
    schemes = nodes(e, party, TAX_SCHEME)
    for i in range(schemes.size()):
        if "VAT" in sv_set(nodes(e, schemes[i], TAX_SCHEME_ID)):
            prefix = sv(first(e, schemes[i], COMPANY_ID))[:2]
            if prefix:
                return nsp(prefix).upper()
    country = first(e, party, PARTY_COUNTRY)
    return nsp(sv(country)).upper() if country is not NULL else "XX"


cdef bint national_may_apply(Engine e) except -1:
    """False when every context of national.py is empty for this document (DK/IS: the first
    supplier country code; NL: the same, normalized; IT/GR: peppol.supplier_country; GR-R-009:
    national._accounting_supplier_country)."""
    cached = e.memo.get("national.may_apply")
    if cached is not None:
        return cached
    postal = sv(first(e, e.root, SUPPLIER_POSTAL))
    result = (postal in ("DK", "IS") or nsp(postal).upper() == "NL"
              or supplier_country(e) in ("IT", "GR", "EL")
              or accounting_supplier_country(e) in ("GR", "EL"))
    e.memo["national.may_apply"] = result
    return result


def may_apply(root) -> bool:
    """Python access for tests (and the engine owner): can any national context select nodes?"""
    return national_may_apply(Engine(root))


# Every national context function selects nothing unless national_may_apply holds: let the
# engine skip calling them (in Python) for every other document.
for _rule in RULES:
    if callable(_rule.context) and _rule.test.__module__ == "kvitt.einvoice.rules.national":
        register_gate(_rule.context, national_may_apply)
