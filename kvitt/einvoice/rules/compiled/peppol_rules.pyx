# distutils: language = c++
# cython: language_level=3, boundscheck=False, wraparound=False, annotation_typing=False
"""Compiled twins of the rules in kvitt/einvoice/rules/peppol.py (same ids, same meaning).

Node access runs in C; value helpers with Python semantics (Decimal, dates, the rarer identifier
checksums of python-stdnum) are the Python modules' own functions called on string values. The
hot ones are native with a proven-equal fast path: GLN and Norwegian organisation numbers (on
most EHF documents), plain YYYY-MM-DD dates (F001; other date forms go to base.xdate)."""

from lxml.includes.tree cimport xmlNode

from kvitt.einvoice.rules.compiled.engine cimport (
    CPath, Engine, Nodes, attr, category_id, child, cpath, exists, first, is_tag, named_from, nodes, nsp, num,
    parent, register, sv, sv_or_none, svp, text_of,
)

import re
from decimal import Decimal

from kvitt.einvoice.rules import RULES, peppol
from kvitt.einvoice.rules.base import CAC_NS, CBC_NS, XML_SPACE, dec as _dec, dsum, round2, xdate
from kvitt.einvoice.rules.codelists import UNCL2005, codes

cdef bytes CBC = CBC_NS.encode()
cdef bytes CAC = CAC_NS.encode()

cdef object ZERO = Decimal(0)
cdef object ONE = Decimal(1)
cdef object SLACK = Decimal("0.02")
cdef object HUNDRED = 100
cdef tuple SE_RATES = (Decimal(25), Decimal(12), Decimal(6))

cdef object MIME = codes("mime")
cdef object UNCL5189 = codes("uncl5189")
cdef object UNCL7161 = codes("uncl7161")
cdef object ISO4217 = codes("iso4217")
cdef object PEPPOL_EAS = codes("peppol_eas")

_NO_VAT_RE = re.compile(r"[0-9]{9}MVA")
_codice_fiscale = peppol._codice_fiscale
_xpath_number = peppol._xpath_number
_se_orgnr_check = peppol._se_orgnr_check
_profile_of = peppol.profile_of
_address_country = peppol.address_country


# ------------------------------------------------------------------ node helpers


cdef int count_children(xmlNode* el, const char* ns, const char* local) noexcept:
    cdef int n = 0
    cdef xmlNode* c = child(el, ns, local)
    while c is not NULL:
        n += 1
        c = named_from(c.next, ns, local)
    return n


cdef object fdec(str value):
    """base.dec on a string value (xs:decimal or None): an ASCII value is checked against
    ``[+-]?(\\d+(\\.\\d*)?|\\.\\d+)`` here; anything else (non-ASCII digits, odd spaces) goes to base.dec."""
    cdef Py_UCS4 ch
    cdef Py_ssize_t i = 0, before = 0, after = 0
    cdef bint dot = False
    text = value.strip(XML_SPACE)
    for ch in text:
        if ch > 127:
            return _dec(text)
        if u'0' <= ch <= u'9':
            if dot:
                after += 1
            else:
                before += 1
        elif ch == u'.' and not dot:
            dot = True
        elif not (i == 0 and (ch == u'+' or ch == u'-')):
            return None
        i += 1
    if before + after == 0:
        return None
    return Decimal(text)


cdef bint slack(object expected, object value, object s) except -1:
    return expected + s >= value and expected - s <= value


# ------------------------------------------------------------------ document values (memoised)


cdef CPath P_SUPPLIER_PARTY = cpath("cac:AccountingSupplierParty/cac:Party")
cdef CPath P_REPRESENTATIVE = cpath("cac:TaxRepresentativeParty")
cdef CPath P_CUSTOMER_PARTY = cpath("cac:AccountingCustomerParty/cac:Party")
cdef CPath P_SCHEME_ID = cpath("cac:TaxScheme/cbc:ID")
cdef CPath P_SUPPLIER_COUNTRY = cpath("cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode")
cdef CPath P_CUSTOMER_COUNTRY = cpath("cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode")


cdef str profile(Engine e):
    value = e.memo.get("peppol.profile")
    if value is None:
        value = _profile(e)
        e.memo["peppol.profile"] = value
    return value


cdef str _profile(Engine e):
    return _profile_of(sv_or_none(child(e.root, <const char*>CBC, b"ProfileID")))


cdef bint has_value_vat(Engine e, xmlNode* scheme) except -1:
    # any(sv(i) == "VAT" for i in cac:TaxScheme/cbc:ID)
    cdef Nodes found = nodes(e, scheme, P_SCHEME_ID)
    cdef size_t i
    for i in range(found.size()):
        if sv(found[i]) == "VAT":
            return True
    return False


cdef str vat_prefix(Engine e, CPath party_path):
    cdef Nodes parties = nodes(e, e.root, party_path)
    cdef xmlNode* scheme
    cdef xmlNode* company
    cdef size_t i
    for i in range(parties.size()):
        scheme = child(parties[i], <const char*>CAC, b"PartyTaxScheme")
        while scheme is not NULL:
            if has_value_vat(e, scheme):
                company = child(scheme, <const char*>CBC, b"CompanyID")
                if company is not NULL and sv(company)[:2]:
                    return nsp(sv(company)[:2]).upper()
            scheme = named_from(scheme.next, <const char*>CAC, b"PartyTaxScheme")
    return ""


cdef str supplier_country(Engine e):
    value = e.memo.get("peppol.supplier_country")
    if value is None:
        value = (vat_prefix(e, P_SUPPLIER_PARTY) or vat_prefix(e, P_REPRESENTATIVE)
                 or _address_country(sv_or_none(first(e, e.root, P_SUPPLIER_COUNTRY))))
        e.memo["peppol.supplier_country"] = value
    return value


cdef str customer_country(Engine e):
    value = e.memo.get("peppol.customer_country")
    if value is None:
        value = vat_prefix(e, P_CUSTOMER_PARTY) or _address_country(sv_or_none(first(e, e.root, P_CUSTOMER_COUNTRY)))
        e.memo["peppol.customer_country"] = value
    return value


cdef object document_currency(Engine e):
    # {sv(n) for n in /*/cbc:DocumentCurrencyCode}
    cdef xmlNode* node
    value = e.memo.get("peppol.doc_currency")
    if value is None:
        value = set()
        node = child(e.root, <const char*>CBC, b"DocumentCurrencyCode")
        while node is not NULL:
            value.add(sv(node))
            node = named_from(node.next, <const char*>CBC, b"DocumentCurrencyCode")
        e.memo["peppol.doc_currency"] = value
    return value


# ------------------------------------------------------------------ generic tests


cdef int t_false(Engine e, xmlNode* el, object param) except -1:
    return 0


cdef int t_exists(Engine e, xmlNode* el, object param) except -1:
    return exists(e, el, <CPath>param)


cdef int t_check(Engine e, xmlNode* el, object param) except -1:
    # lambda el, doc, _c=check: _c(nsp(sv(el)))
    return bool(param(nsp(sv(el))))


cdef int t_category(Engine e, xmlNode* el, object param) except -1:
    # lambda el, doc, _c=category: nsp(sv(first(el, "cbc:ID"))) == _c
    return category_id(el) == param


cdef int t_attr_in(Engine e, xmlNode* el, object param) except -1:
    # el.get(name) in codes
    cdef bytes name = param[0]
    allowed = param[1]
    return attr(el, <const char*>name) in allowed


cdef int t_text_in(Engine e, xmlNode* el, object param) except -1:
    # nsp(el.text or "") in codes
    return nsp(text_of(el)) in param


# ------------------------------------------------------------------ document level


cdef int r080(Engine e, xmlNode* el, object param) except -1:
    # count(cac:AdditionalDocumentReference[cbc:DocumentTypeCode='50']) <= 1
    cdef int n = 0
    cdef xmlNode* ref = child(el, <const char*>CAC, b"AdditionalDocumentReference")
    cdef xmlNode* code
    while ref is not NULL:
        code = child(ref, <const char*>CBC, b"DocumentTypeCode")
        while code is not NULL:
            if sv(code) == "50":
                n += 1
                break
            code = named_from(code.next, <const char*>CBC, b"DocumentTypeCode")
        ref = named_from(ref.next, <const char*>CAC, b"AdditionalDocumentReference")
    return n <= 1


cdef int r007(Engine e, xmlNode* el, object param) except -1:
    return profile(e) != "Unknown"


cdef int r002(Engine e, xmlNode* el, object param) except -1:
    return count_children(el, <const char*>CBC, b"Note") <= 1


cdef CPath P_ORDER_ID = cpath("cac:OrderReference/cbc:ID")


cdef int r003(Engine e, xmlNode* el, object param) except -1:
    return child(el, <const char*>CBC, b"BuyerReference") is not NULL or exists(e, el, P_ORDER_ID)


cdef int r004(Engine e, xmlNode* el, object param) except -1:
    cdef xmlNode* spec = child(el, <const char*>CBC, b"CustomizationID")
    text = nsp(text_of(spec)) if spec is not NULL else ""
    return text.startswith("urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0")


cdef int tax_totals(xmlNode* el, bint with_subtotal) noexcept:
    cdef int n = 0
    cdef xmlNode* total = child(el, <const char*>CAC, b"TaxTotal")
    while total is not NULL:
        if (child(total, <const char*>CAC, b"TaxSubtotal") is not NULL) == with_subtotal:
            n += 1
        total = named_from(total.next, <const char*>CAC, b"TaxTotal")
    return n


cdef int r053(Engine e, xmlNode* el, object param) except -1:
    return tax_totals(el, True) == 1


cdef int r054(Engine e, xmlNode* el, object param) except -1:
    return tax_totals(el, False) == (1 if child(el, <const char*>CBC, b"TaxCurrencyCode") is not NULL else 0)


cdef CPath P_TAX_AMOUNTS = cpath("cac:TaxTotal/cbc:TaxAmount")


cdef int r055(Engine e, xmlNode* el, object param) except -1:
    cdef xmlNode* tax_currency = child(el, <const char*>CBC, b"TaxCurrencyCode")
    cdef Nodes amounts
    cdef size_t i
    if tax_currency is NULL:
        return True
    doc_currency = nsp(sv(child(el, <const char*>CBC, b"DocumentCurrencyCode")))
    tax_code = nsp(sv(tax_currency))
    amounts = nodes(e, el, P_TAX_AMOUNTS)
    tax_le = tax_ge = doc_le = doc_ge = False
    for i in range(amounts.size()):
        currency = attr(amounts[i], b"currencyID")
        in_tax = currency == tax_code
        in_doc = currency == doc_currency
        if not (in_tax or in_doc):
            continue
        v = num(amounts[i])
        if v is None:
            continue
        if in_tax:
            tax_le = tax_le or v <= 0
            tax_ge = tax_ge or v >= 0
        if in_doc:
            doc_le = doc_le or v <= 0
            doc_ge = doc_ge or v >= 0
    return (tax_le and doc_le) or (tax_ge and doc_ge)


cdef CPath P_PARENT_DOC_CURRENCY = cpath("../cbc:DocumentCurrencyCode")


cdef int r005(Engine e, xmlNode* el, object param) except -1:
    return nsp(text_of(el)) != nsp(svp(e, el, P_PARENT_DOC_CURRENCY))


# ------------------------------------------------------------------ allowances and charges


cdef object dec_child(xmlNode* el, const char* ns, const char* local):
    cdef xmlNode* node = child(el, ns, local)
    return fdec(sv(node)) if node is not NULL else None


cdef int r040(Engine e, xmlNode* el, object param) except -1:
    cdef xmlNode* factor_node = child(el, <const char*>CBC, b"MultiplierFactorNumeric")
    cdef xmlNode* base_node = child(el, <const char*>CBC, b"BaseAmount")
    cdef xmlNode* amount_node
    if factor_node is NULL or base_node is NULL:
        return True
    amount_node = child(el, <const char*>CBC, b"Amount")
    amount = fdec(sv(amount_node)) if amount_node is not NULL else ZERO
    base, factor = fdec(sv(base_node)), fdec(sv(factor_node))
    if amount is None or base is None or factor is None:
        return False
    return slack(amount, base * factor / HUNDRED, SLACK)


cdef int r043(Engine e, xmlNode* el, object param) except -1:
    return nsp(sv(child(el, <const char*>CBC, b"ChargeIndicator"))) in ("true", "false")


cdef int r051(Engine e, xmlNode* el, object param) except -1:
    return attr(el, b"currencyID") in document_currency(e)


cdef CPath P_PERIOD_START = cpath("cac:InvoicePeriod/cbc:StartDate")
cdef CPath P_PERIOD_END = cpath("cac:InvoicePeriod/cbc:EndDate")


cdef int line_date_within(Engine e, xmlNode* el, CPath bound, bint later) except -1:
    cdef Nodes found
    cdef size_t i
    mine = xdate(sv(el))
    found = nodes(e, e.root, bound)
    limits = [xdate(sv(found[i])) for i in range(found.size())]
    if mine is None or not limits or None in limits:
        return False
    return any(mine >= lim if later else mine <= lim for lim in limits)


cdef int r110(Engine e, xmlNode* el, object param) except -1:
    return line_date_within(e, el, P_PERIOD_START, True)


cdef int r111(Engine e, xmlNode* el, object param) except -1:
    return line_date_within(e, el, P_PERIOD_END, False)


# ------------------------------------------------------------------ lines


cdef object line_charges(xmlNode* el, str indicator):
    cdef xmlNode* ac = child(el, <const char*>CAC, b"AllowanceCharge")
    cdef xmlNode* amount
    values = None
    while ac is not NULL:
        if nsp(sv(child(ac, <const char*>CBC, b"ChargeIndicator"))) == indicator:
            if values is None:
                values = []
            amount = child(ac, <const char*>CBC, b"Amount")
            while amount is not NULL:
                values.append(sv(amount))
                amount = named_from(amount.next, <const char*>CBC, b"Amount")
        ac = named_from(ac.next, <const char*>CAC, b"AllowanceCharge")
    if values is None:
        return ZERO
    total = dsum(values)
    return None if total is None else round2(total)


cdef CPath P_PRICE_AMOUNT = cpath("cac:Price/cbc:PriceAmount")
cdef CPath P_BASE_QUANTITY = cpath("cac:Price/cbc:BaseQuantity")
_r120_holds = peppol.r120_holds


cdef object value_or(xmlNode* node, object default):
    """peppol._value_or: the decimal of a node, the default when there is none."""
    return default if node is NULL else fdec(sv(node))


cdef int r120(Engine e, xmlNode* el, object param) except -1:
    cdef xmlNode* quantity = child(el, <const char*>CBC, b"InvoicedQuantity" if e.is_invoice else b"CreditedQuantity")
    return _r120_holds(value_or(child(el, <const char*>CBC, b"LineExtensionAmount"), ZERO), value_or(quantity, ONE),
                       value_or(first(e, el, P_PRICE_AMOUNT), ZERO), value_or(first(e, el, P_BASE_QUANTITY), ONE),
                       line_charges(el, "false"), line_charges(el, "true"))
cdef CPath P_DOCREF_TYPE = cpath("cac:DocumentReference/cbc:DocumentTypeCode")


cdef int r121(Engine e, xmlNode* el, object param) except -1:
    cdef xmlNode* base = first(e, el, P_BASE_QUANTITY)
    if base is NULL:
        return True
    value = fdec(sv(base))
    return value is not None and value > 0


cdef int r100(Engine e, xmlNode* el, object param) except -1:
    return count_children(el, <const char*>CAC, b"DocumentReference") <= 1


cdef int r101(Engine e, xmlNode* el, object param) except -1:
    cdef Nodes found
    cdef size_t i
    if child(el, <const char*>CAC, b"DocumentReference") is NULL:
        return True
    found = nodes(e, el, P_DOCREF_TYPE)
    for i in range(found.size()):
        if sv(found[i]) == "130":
            return True
    return False


cdef int r044(Engine e, xmlNode* el, object param) except -1:
    return nsp(sv(child(el, <const char*>CBC, b"ChargeIndicator"))) == "false"


cdef int r046(Engine e, xmlNode* el, object param) except -1:
    cdef xmlNode* base_node = child(el, <const char*>CBC, b"BaseAmount")
    if base_node is NULL:
        return True
    price = dec_child(parent(el), <const char*>CBC, b"PriceAmount")
    base = fdec(sv(base_node))
    amount = dec_child(el, <const char*>CBC, b"Amount")
    return price is not None and base is not None and amount is not None and price == base - amount


cdef int r130(Engine e, xmlNode* el, object param) except -1:
    cdef xmlNode* up = parent(el)
    cdef xmlNode* line = parent(up) if up is not NULL else NULL
    cdef xmlNode* q
    cdef const char* tag = b"InvoicedQuantity" if e.is_invoice else b"CreditedQuantity"
    if line is NULL:
        raise AttributeError("'NoneType' object has no attribute 'getparent'")  # as el.getparent().getparent()
    if child(line, <const char*>CBC, b"InvoicedQuantity") is NULL and child(line, <const char*>CBC, b"CreditedQuantity") is NULL:
        return True
    units = set()
    q = child(line, <const char*>CBC, tag)
    while q is not NULL:
        units.add(attr(q, b"unitCode"))
        q = named_from(q.next, <const char*>CBC, tag)
    return attr(el, b"unitCode") in units


# ------------------------------------------------------------------ identifiers
# GLN (0088) and Norwegian organisation numbers (0192) are on most EHF documents: their checks
# run here (python-stdnum costs ~20-30 us a call); the rarer schemes call peppol.py's function.


cdef bint ascii_digits(str value) except -1:
    cdef Py_UCS4 ch
    for ch in value:
        if ch < u'0' or ch > u'9':
            return False
    return True


cdef bint gln(str value) except -1:
    """peppol._gln: [0-9]+, longer than one, EAN check digit (ean.calc_check_digit) of the rest."""
    cdef Py_ssize_t n = len(value), i = 0
    cdef long long total = 0
    cdef Py_UCS4 ch
    if n <= 1 or not ascii_digits(value):
        return False
    for ch in value:
        if i == n - 1:
            return (10 - total % 10) % 10 == (<long long>ch - 48)
        # weights 3, 1, 3, ... from the digit before the check digit leftwards
        total += (3 if (n - 2 - i) % 2 == 0 else 1) * (<long long>ch - 48)
        i += 1
    return False


cdef bint no_orgnr(str value) except -1:
    """peppol._no_orgnr: [0-9]{9}, not zero, and stdnum.no.orgnr's mod-11 weights sum to 0."""
    cdef int weights[9]
    cdef Py_ssize_t i = 0
    cdef long total = 0
    cdef bint nonzero = False
    cdef Py_UCS4 ch
    weights[:] = [3, 2, 7, 6, 5, 4, 3, 2, 1]
    if len(value) != 9 or not ascii_digits(value):
        return False
    for ch in value:
        total += weights[i] * (<long>ch - 48)
        nonzero = nonzero or ch != u'0'
        i += 1
    return nonzero and total % 11 == 0


def native_checks():
    """The native identifier checks as Python callables (for tests against peppol.py's)."""
    return {"_gln": lambda v: gln(v), "_no_orgnr": lambda v: no_orgnr(v), "xdate": lambda v: is_xdate(v), "dec": lambda v: fdec(v)}


cdef int common_gln(Engine e, xmlNode* el, object param) except -1:
    return gln(nsp(sv(el)))


cdef int common_no_orgnr(Engine e, xmlNode* el, object param) except -1:
    return no_orgnr(nsp(sv(el)))



cdef int common_r042(Engine e, xmlNode* el, object param) except -1:
    # _dk_cvr: on el.text
    text = text_of(el)
    if len(text) == 10 and text[:2] == "DK":
        text = text[2:]
    return len(text) == 8 and all(ch in "1234567890" for ch in text)


cdef int common_r046(Engine e, xmlNode* el, object param) except -1:
    return bool(_codice_fiscale(nsp(sv(el))))


# ------------------------------------------------------------------ Norway


cdef list tax_schemes(xmlNode* el, str scheme):
    # PartyTaxScheme children whose first cac:TaxScheme/cbc:ID normalizes to `scheme`
    cdef xmlNode* s = child(el, <const char*>CAC, b"PartyTaxScheme")
    cdef xmlNode* ts
    cdef xmlNode* ident
    found = []
    while s is not NULL:
        ident = NULL
        ts = child(s, <const char*>CAC, b"TaxScheme")
        while ts is not NULL and ident is NULL:
            ident = child(ts, <const char*>CBC, b"ID")
            ts = named_from(ts.next, <const char*>CAC, b"TaxScheme")
        if nsp(sv(ident)) == scheme:
            found.append(<size_t>s)
        s = named_from(s.next, <const char*>CAC, b"PartyTaxScheme")
    return found


cdef int no_r_002(Engine e, xmlNode* el, object param) except -1:
    if supplier_country(e) != "NO":
        return True
    schemes = tax_schemes(el, "TAX")
    return bool(schemes) and nsp(sv(child(<xmlNode*><size_t>schemes[0], <const char*>CBC, b"CompanyID"))) == "Foretaksregisteret"


cdef int no_r_001(Engine e, xmlNode* el, object param) except -1:
    cdef xmlNode* company
    if supplier_country(e) != "NO":
        return True
    values = []
    for s in tax_schemes(el, "VAT"):
        company = child(<xmlNode*><size_t>s, <const char*>CBC, b"CompanyID")
        if company is not NULL:
            values.append(sv(company))
    if not any(v[:2] == "NO" for v in values):
        return True
    if len(values) != 1:
        return False
    value = values[0]
    return bool(_NO_VAT_RE.fullmatch(value[2:])) and no_orgnr(value[2:11])


# ------------------------------------------------------------------ code lists and formats


cdef int p0100(Engine e, xmlNode* el, object param) except -1:
    return profile(e) != "01" or nsp(text_of(el)) in param


cdef int p0112(Engine e, xmlNode* el, object param) except -1:
    return nsp(text_of(el)) not in ("326", "384") or (supplier_country(e) == "DE" and customer_country(e) == "DE")


cdef int digits_at(str text, Py_ssize_t start, Py_ssize_t count) except -2:
    """The ASCII digits text[start:start + count] as a number, or -1 when one is not an ASCII digit."""
    cdef int value = 0
    cdef Py_ssize_t i
    cdef Py_UCS4 ch
    for i in range(start, start + count):
        ch = text[i]
        if ch < u'0' or ch > u'9':
            return -1
        value = value * 10 + (<int>ch - 48)
    return value


cdef bint is_xdate(str value) except -1:
    """``xdate(value) is not None``: plain ASCII YYYY-MM-DD answered here, any other form
    (time zones, long or negative years, non-ASCII digits) by base.xdate."""
    cdef int year, month, day, last
    text = value.strip(XML_SPACE)
    if len(text) == 10 and text[4] == u'-' and text[7] == u'-':
        year, month, day = digits_at(text, 0, 4), digits_at(text, 5, 2), digits_at(text, 8, 2)
        if year >= 0 and month >= 0 and day >= 0:
            if year < 1 or month < 1 or month > 12 or day < 1:
                return False  # datetime.date raises ValueError: xdate gives None
            last = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
            if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
                last = 29
            return day <= last
    return xdate(text) is not None


cdef int f001(Engine e, xmlNode* el, object param) except -1:
    return len(text_of(el)) == 10 and is_xdate(sv(el))


# ------------------------------------------------------------------ Sweden


cdef str first_vat_company(xmlNode* party):
    # the first CompanyID of the PartyTaxSchemes with a cac:TaxScheme/cbc:ID of exactly 'VAT'
    cdef xmlNode* s = child(party, <const char*>CAC, b"PartyTaxScheme")
    cdef xmlNode* ts
    cdef xmlNode* ident
    cdef xmlNode* company
    cdef bint vat
    while s is not NULL:
        vat = False
        ts = child(s, <const char*>CAC, b"TaxScheme")
        while ts is not NULL and not vat:
            ident = child(ts, <const char*>CBC, b"ID")
            while ident is not NULL and not vat:
                vat = sv(ident) == "VAT"
                ident = named_from(ident.next, <const char*>CBC, b"ID")
            ts = named_from(ts.next, <const char*>CAC, b"TaxScheme")
        if vat:
            company = child(s, <const char*>CBC, b"CompanyID")
            if company is not NULL:
                return sv(company)
        s = named_from(s.next, <const char*>CAC, b"PartyTaxScheme")
    return ""


cdef int se_r_001(Engine e, xmlNode* el, object param) except -1:
    return len(nsp(first_vat_company(el))) == 14


cdef int se_r_002(Engine e, xmlNode* el, object param) except -1:
    return bool(_xpath_number(first_vat_company(el)[2:14]))


cdef str company_id(xmlNode* el):
    return sv(child(el, <const char*>CBC, b"CompanyID"))


cdef int se_r_003(Engine e, xmlNode* el, object param) except -1:
    return bool(_xpath_number(company_id(el)))


cdef int se_r_004(Engine e, xmlNode* el, object param) except -1:
    return len(nsp(company_id(el))) == 10


cdef int se_r_013(Engine e, xmlNode* el, object param) except -1:
    return bool(_se_orgnr_check(nsp(company_id(el))))


cdef int se_r_005(Engine e, xmlNode* el, object param) except -1:
    return nsp(sv(el).upper()) == "GODKÄND FÖR F-SKATT"


cdef int se_r_006(Engine e, xmlNode* el, object param) except -1:
    cdef xmlNode* percent = child(el, <const char*>CBC, b"Percent")
    return num(percent) in SE_RATES


cdef int se_numeric(Engine e, xmlNode* el, object param) except -1:
    return bool(_xpath_number(nsp(sv(el))))


cdef int se_r_010(Engine e, xmlNode* el, object param) except -1:
    return 2 <= len(nsp(sv(el))) <= 8


cdef int se_r_009(Engine e, xmlNode* el, object param) except -1:
    return len(nsp(sv(el))) in (7, 8)


# ------------------------------------------------------------------ registration


def _default(rule_id):
    """The one default argument (``_c=...``) of a rule built in a loop of peppol.py."""
    for item in RULES:
        if item.id == rule_id and item.test.__module__ == peppol.__name__:
            defaults = item.test.__defaults__ or ()
            if len(defaults) != 1:
                raise ValueError(f"{rule_id}: expected one default argument, got {defaults!r}")
            return defaults[0]
    raise KeyError(rule_id)


for _id in ("PEPPOL-EN16931-R008", "PEPPOL-EN16931-R041", "PEPPOL-EN16931-R042", "SE-R-011", "SE-R-012"):
    register(_id, t_false)
for _id, _path in (("PEPPOL-EN16931-R001", "cbc:ProfileID"), ("PEPPOL-EN16931-R010", "cbc:EndpointID"),
                   ("PEPPOL-EN16931-R020", "cbc:EndpointID"), ("PEPPOL-EN16931-R061", "cac:PaymentMandate/cbc:ID")):
    register(_id, t_exists, cpath(_path))
# the rule's own check function is read from its default argument; GLN and orgnr run natively
for _id in ("PEPPOL-COMMON-R040", "PEPPOL-COMMON-R041", "PEPPOL-COMMON-R043", "PEPPOL-COMMON-R044",
            "PEPPOL-COMMON-R045", "PEPPOL-COMMON-R047", "PEPPOL-COMMON-R049", "PEPPOL-COMMON-R050"):
    _check = _default(_id)
    if _check is peppol._gln:
        register(_id, common_gln)
    elif _check is peppol._no_orgnr:
        register(_id, common_no_orgnr)
    else:
        register(_id, t_check, _check)
for _id in ("PEPPOL-EN16931-P0104", "PEPPOL-EN16931-P0105", "PEPPOL-EN16931-P0106", "PEPPOL-EN16931-P0107",
            "PEPPOL-EN16931-P0108", "PEPPOL-EN16931-P0109", "PEPPOL-EN16931-P0110", "PEPPOL-EN16931-P0111"):
    register(_id, t_category, _default(_id))

register("PEPPOL-EN16931-R080", r080)
register("PEPPOL-EN16931-R007", r007)
register("PEPPOL-EN16931-R002", r002)
register("PEPPOL-EN16931-R003", r003)
register("PEPPOL-EN16931-R004", r004)
register("PEPPOL-EN16931-R053", r053)
register("PEPPOL-EN16931-R054", r054)
register("PEPPOL-EN16931-R055", r055)
register("PEPPOL-EN16931-R005", r005)
register("PEPPOL-EN16931-R040", r040)
register("PEPPOL-EN16931-R043", r043)
register("PEPPOL-EN16931-R051", r051)
register("PEPPOL-EN16931-R110", r110)
register("PEPPOL-EN16931-R111", r111)
register("PEPPOL-EN16931-R120", r120)
register("PEPPOL-EN16931-R121", r121)
register("PEPPOL-EN16931-R100", r100)
register("PEPPOL-EN16931-R101", r101)
register("PEPPOL-EN16931-R044", r044)
register("PEPPOL-EN16931-R046", r046)
register("PEPPOL-EN16931-R130", r130)
register("PEPPOL-COMMON-R042", common_r042)
register("PEPPOL-COMMON-R046", common_r046)
register("NO-R-002", no_r_002)
register("NO-R-001", no_r_001)
register("PEPPOL-EN16931-CL001", t_attr_in, (b"mimeCode", MIME))
register("PEPPOL-EN16931-CL002", t_text_in, UNCL5189)
register("PEPPOL-EN16931-CL003", t_text_in, UNCL7161)
register("PEPPOL-EN16931-CL006", t_text_in, UNCL2005)
register("PEPPOL-EN16931-CL007", t_attr_in, (b"currencyID", ISO4217))
register("PEPPOL-EN16931-CL008", t_attr_in, (b"schemeID", PEPPOL_EAS))
register("PEPPOL-EN16931-P0100", p0100, peppol.P0100_CODES)
register("PEPPOL-EN16931-P0101", p0100, peppol.P0101_CODES)
register("PEPPOL-EN16931-P0112", p0112)
register("PEPPOL-EN16931-F001", f001)
register("SE-R-001", se_r_001)
register("SE-R-002", se_r_002)
register("SE-R-003", se_r_003)
register("SE-R-004", se_r_004)
register("SE-R-013", se_r_013)
register("SE-R-005", se_r_005)
register("SE-R-006", se_r_006)
register("SE-R-007", se_numeric)
register("SE-R-010", se_r_010)
register("SE-R-008", se_numeric)
register("SE-R-009", se_r_009)
