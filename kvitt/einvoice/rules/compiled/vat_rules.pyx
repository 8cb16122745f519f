# distutils: language = c++
# cython: language_level=3, boundscheck=False, wraparound=False, annotation_typing=False
"""Compiled twins of the rules in kvitt/einvoice/rules/vat.py (same ids, same meaning).

vat.py builds its tests with factories parameterised by the VAT category (``_exactly_one(code)``,
``_requires_ids(code, where, ids)``, ``_per_rate_taxable(code, require_usage)``, ...): each
factory is ported once here and registered per rule with the parameters read out of the Python
closure, so no category, path or flag is transcribed by hand. The per-document lookups
(categories by code, seller/buyer identifiers, the taxable basis per category and rate) are
cached in ``e.memo`` as vat.py caches them in ``doc.memo`` (or recomputes them: same results).
"""

from lxml.includes.tree cimport xmlNode

from kvitt.einvoice.rules.compiled.engine cimport (
    CPath, Engine, Nodes, category_id, cpath, dec, dsum, exists, first, is_tag, is_vat_scheme,
    is_xpath_vat_scheme, nodes, num, parent, register, sv,
)

from decimal import Decimal

from kvitt.einvoice.rules import RULES, vat
from kvitt.einvoice.rules.base import xbool as _xbool, xround
from kvitt.einvoice.rules.cen import CI_FALSE, CI_TRUE, VAT

# ------------------------------------------------------------------ paths (as vat.py writes them)
# (the document-wide ones vat.py reads with doc.all are found in one pass: see Facts)

cdef str LINE_VAT_CATEGORIES = f"//cac:ClassifiedTaxCategory{VAT}"
cdef str ALLOWANCE_VAT_CATEGORIES = f"//cac:AllowanceCharge{CI_FALSE}/cac:TaxCategory{VAT}"
cdef str CHARGE_VAT_CATEGORIES = f"//cac:AllowanceCharge{CI_TRUE}/cac:TaxCategory{VAT}"
cdef tuple LINE_TAGS = ("InvoiceLine", "CreditNoteLine")
cdef dict DOC_LINES = {tag: f"/*/cac:{tag}" for tag in LINE_TAGS}
cdef str DOC_CHARGES = "/*/cac:AllowanceCharge"

cdef CPath BREAKDOWN = cpath("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory")
cdef CPath PERCENT = cpath("cbc:Percent")
cdef CPath UP_TAXABLE = cpath("../cbc:TaxableAmount")
cdef CPath UP_TAX = cpath("../cbc:TaxAmount")
cdef CPath REASON = cpath("cbc:TaxExemptionReason")
cdef CPath REASON_CODE = cpath("cbc:TaxExemptionReasonCode")
cdef CPath ITEM_CATEGORIES = cpath("cac:Item/cac:ClassifiedTaxCategory")
cdef CPath LINE_EXTENSION = cpath("cbc:LineExtensionAmount")
cdef CPath TAX_CATEGORY = cpath("cac:TaxCategory")
cdef CPath CHARGE_INDICATOR = cpath("cbc:ChargeIndicator")
cdef CPath AMOUNT = cpath("cbc:Amount")
cdef CPath DELIVERY_DATE = cpath("cac:Delivery/cbc:ActualDeliveryDate")
cdef CPath PERIOD_CHILD = cpath("cac:InvoicePeriod/*")
cdef CPath DELIVERY_COUNTRY = cpath("cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/cbc:IdentificationCode")
cdef CPath SUPPLIER_COUNTRY = cpath("cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode")
cdef CPath CUSTOMER_COUNTRY = cpath("cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode")



# ------------------------------------------------------------------ values


cdef object xbool_node(xmlNode* node):
    """base.xbool on a node (None when not castable)."""
    return _xbool(sv(node))


# ------------------------------------------------------------------ per-document lookups


cdef bytes CAC_NS = b"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
cdef bytes CBC_NS = b"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

cdef enum:
    TAX = 0      # //cac:TaxCategory
    LINE = 1     # //cac:ClassifiedTaxCategory
    CHARGE = 2   # //cac:AllowanceCharge/cac:TaxCategory


cdef class Facts:
    """What vat.py asks of the whole document (``doc.all`` of a dozen paths), found in one pass
    over the elements: categories counted by code (vat._by_code; only counts are used), the
    allowance/charge categories by indicator (vat._charge_categories) and which identifiers
    exist (vat._seller_ids, _buyer_vat, _buyer_ids) and which line kinds."""
    cdef list counts          # [kind * 2 + vat_only] -> {code: count}
    cdef dict by_indicator    # (charge, doc_level) -> {code: count} (VAT categories only)
    cdef bint supplier_any, supplier_vat, representative_vat, buyer_vat, buyer_legal
    cdef bint invoice_lines, credit_note_lines


cdef inline void _count(dict counts, str code):
    counts[code] = counts.get(code, 0) + 1


cdef inline bint _cac(xmlNode* node, const char* local) noexcept:
    return is_tag(node, <const char*>CAC_NS, local)


cdef Facts _facts(Engine e):
    cdef Facts f = Facts()
    cdef xmlNode* node
    cdef xmlNode* up
    cdef xmlNode* party
    cdef size_t i
    cdef bint vat_scheme, charge_parent
    f.counts = [{}, {}, {}, {}, {}, {}]
    f.by_indicator = {(False, False): {}, (False, True): {}, (True, False): {}, (True, True): {}}
    for i in range(e.elements.size()):
        node = e.elements[i]
        if node.ns is NULL:
            continue
        if _cac(node, b"TaxCategory") or _cac(node, b"ClassifiedTaxCategory"):
            code = category_id(node)
            vat_scheme = is_vat_scheme(node)
            if _cac(node, b"ClassifiedTaxCategory"):
                _count(f.counts[LINE * 2], code)
                if vat_scheme:
                    _count(f.counts[LINE * 2 + 1], code)
                continue
            _count(f.counts[TAX * 2], code)
            if vat_scheme:
                _count(f.counts[TAX * 2 + 1], code)
            up = parent(node)
            if not _cac(up, b"AllowanceCharge"):
                continue
            _count(f.counts[CHARGE * 2], code)
            if not vat_scheme:
                continue
            _count(f.counts[CHARGE * 2 + 1], code)
            indicator = xbool_node(first(e, up, CHARGE_INDICATOR))
            if indicator is None:
                continue
            _count(f.by_indicator[(indicator, False)], code)
            if parent(up) is not NULL and parent(up) == e.root:
                _count(f.by_indicator[(indicator, True)], code)
        elif _cac(node, b"InvoiceLine"):
            f.invoice_lines = True
        elif _cac(node, b"CreditNoteLine"):
            f.credit_note_lines = True
        elif is_tag(node, <const char*>CBC_NS, b"CompanyID"):
            up = parent(node)
            if _cac(up, b"PartyTaxScheme"):
                party = parent(up)
                if _cac(party, b"Party"):
                    if _cac(parent(party), b"AccountingSupplierParty"):
                        f.supplier_any = True
                        if not f.supplier_vat and is_vat_scheme(up):
                            f.supplier_vat = True
                    elif _cac(parent(party), b"AccountingCustomerParty"):
                        if not f.buyer_vat and is_vat_scheme(up):
                            f.buyer_vat = True
                elif _cac(party, b"TaxRepresentativeParty"):
                    if not f.representative_vat and is_vat_scheme(up):
                        f.representative_vat = True
            elif _cac(up, b"PartyLegalEntity"):
                party = parent(up)
                if _cac(party, b"Party") and _cac(parent(party), b"AccountingCustomerParty"):
                    f.buyer_legal = True
    return f


cdef Facts facts(Engine e):
    found = e.memo.get("vat.facts")
    if found is None:
        found = _facts(e)
        e.memo["vat.facts"] = found
    return <Facts>found


cdef inline int categories(Engine e, int kind, str code, bint vat_only=True) except -1:
    return (<dict>(facts(e).counts[kind * 2 + vat_only])).get(code, 0)


cdef int charge_categories(Engine e, bint charge, str code, bint doc_level) except -1:
    """len(vat._charge_categories(doc, charge, code, doc_level=doc_level)) (VAT only)."""
    return (<dict>(facts(e).by_indicator[(charge, doc_level)])).get(code, 0)


cdef bint any_lines(Engine e, str line_tag) except -1:
    cdef Facts f = facts(e)
    return f.invoice_lines if line_tag == "InvoiceLine" else f.credit_note_lines


cdef bint seller(Engine e) except -1:
    cdef Facts f = facts(e)
    return f.supplier_any or f.representative_vat


cdef bint seller_vat(Engine e) except -1:
    cdef Facts f = facts(e)
    return f.supplier_vat or f.representative_vat


cdef bint buyer_vat(Engine e) except -1:
    return facts(e).buyer_vat


cdef bint buyer_ids(Engine e) except -1:
    cdef Facts f = facts(e)
    return f.buyer_vat or f.buyer_legal


cdef enum:
    IDS_SELLER = 0
    IDS_SELLER_VAT = 1
    IDS_INTRA = 2      # K
    IDS_REVERSE = 3    # AE
    IDS_NONE = 4       # O: no VAT identifiers at all


cdef bint ids_hold(Engine e, int kind) except -1:
    if kind == IDS_SELLER:
        return seller(e)
    if kind == IDS_SELLER_VAT:
        return seller_vat(e)
    if kind == IDS_INTRA:
        return seller_vat(e) and buyer_vat(e)
    if kind == IDS_REVERSE:
        return seller(e) and buyer_ids(e)
    return not (seller_vat(e) or buyer_vat(e))


cdef int breakdown_ids(Engine e, xmlNode* el, str code, bint vat_only=True) except -1:
    """len(vat._breakdown_ids(el, code, vat_only))."""
    cdef Nodes found = nodes(e, el, BREAKDOWN)
    cdef size_t i
    cdef int count = 0
    for i in range(found.size()):
        if category_id(found[i]) == code and (not vat_only or is_vat_scheme(found[i])):
            count += 1
    return count


cdef class Cat:
    """A line's or allowance/charge's category as vat._matches reads it: the code, and the
    rounded rate worked out on first need (kept with the error it raised, if any, so that each
    later use raises again as the Python test would)."""
    cdef str code
    cdef xmlNode* node
    cdef int state      # 0 = rate not read yet, 1 = read (None: no decimal rate), 2 = raised
    cdef object rounded


cdef class Entry:
    """A document level line or allowance/charge with its categories and Σ amounts (dsum,
    worked out on first need, errors kept as for Cat)."""
    cdef list cats
    cdef xmlNode* node
    cdef CPath amounts
    cdef int state
    cdef object value
    cdef object indicator


cdef list entries(Engine e, str which):
    """The lines of one kind (``InvoiceLine``/``CreditNoteLine``) or the document level
    allowances/charges (``AllowanceCharge``), read once per document for every _basis."""
    cdef Nodes found
    cdef Nodes cats
    cdef size_t i, k
    cdef Entry entry
    cdef Cat cat
    key = ("vat.entries", which)
    cached = e.memo.get(key)
    if cached is not None:
        return <list>cached
    charges = which == "AllowanceCharge"
    found = e.all(DOC_CHARGES if charges else DOC_LINES[which])
    result = []
    for i in range(found.size()):
        entry = Entry()
        entry.node = found[i]
        entry.amounts = AMOUNT if charges else LINE_EXTENSION
        entry.indicator = xbool_node(first(e, found[i], CHARGE_INDICATOR)) if charges else None
        entry.cats = []
        cats = nodes(e, found[i], TAX_CATEGORY if charges else ITEM_CATEGORIES)
        for k in range(cats.size()):
            cat = Cat()
            cat.node = cats[k]
            cat.code = category_id(cats[k])
            entry.cats.append(cat)
        result.append(entry)
    e.memo[key] = result
    return result


cdef bint matches(Engine e, Cat cat, str code, object rate) except -1:
    """vat._matches: the category's code, and its rounded rate when ``rate`` is given."""
    if cat.code != code:
        return False
    if rate is None:
        return True
    if cat.state == 0:
        try:
            percent = dec(first(e, cat.node, PERCENT))
            cat.rounded = None if percent is None else xround(percent)
            cat.state = 1
        except (ArithmeticError, ValueError, TypeError) as error:
            cat.rounded, cat.state = error, 2
    if cat.state == 2:
        raise cat.rounded
    return cat.rounded is not None and cat.rounded == rate


cdef bint entry_matches(Engine e, Entry entry, str code, object rate) except -1:
    cdef Cat cat
    for cat in entry.cats:
        if matches(e, cat, code, rate):
            return True
    return False


cdef object entry_value(Engine e, Entry entry):
    cdef Nodes values
    if entry.state == 0:
        try:
            values = nodes(e, entry.node, entry.amounts)
            entry.value = dsum(values)
            entry.state = 1
        except (ArithmeticError, ValueError, TypeError) as error:
            entry.value, entry.state = error, 2
    if entry.state == 2:
        raise entry.value
    return entry.value


cdef tuple basis(Engine e, str line_tag, str code, object rate):
    """vat._basis: (Σ line net + Σ charges − Σ allowances for the category, any found), computed
    once per document and (line tag, code, rate)."""
    key = ("vat.basis", line_tag, code, rate)
    cached = e.memo.get(key)
    if cached is None:
        cached = _basis(e, line_tag, code, rate)
        e.memo[key] = cached
    return <tuple>cached


cdef tuple _basis(Engine e, str line_tag, str code, object rate):
    cdef Entry entry
    total = Decimal(0)
    found = False
    for entry in entries(e, line_tag):
        if entry_matches(e, entry, code, rate):
            value = entry_value(e, entry)
            if value is None:
                return None, found
            total += value
            found = True
    for entry in entries(e, "AllowanceCharge"):
        if not entry_matches(e, entry, code, rate):
            continue
        indicator = entry.indicator
        value = entry_value(e, entry)
        if value is None or indicator is None:
            return None, found
        total += value if indicator else -value
        found = True
    return total, found


# ------------------------------------------------------------------ parameters


cdef class Param:
    cdef str code
    cdef int ids            # IDS_*
    cdef int where          # 0 line, 1 allowance, 2 charge
    cdef bint flag          # require_usage (-08 per rate)
    cdef int kind           # rate test kind


def make_param(str code, int ids=0, int where=0, bint flag=False, int kind=0):
    cdef Param p = Param()
    p.code, p.ids, p.where, p.flag, p.kind = code, ids, where, flag, kind
    return p


# ------------------------------------------------------------------ -01 .. -04 and document rules


cdef int t_br_s_01(Engine e, xmlNode* el, object _) except -1:
    cdef int used = categories(e, CHARGE, "S", False) + categories(e, LINE, "S", False)
    cdef int in_breakdown = breakdown_ids(e, el, "S", False)
    return (used > 0 and in_breakdown > 0) or (used == 0 and in_breakdown == 0)


cdef int t_at_least_one(Engine e, xmlNode* el, object param) except -1:
    cdef str code = (<Param>param).code
    cdef int used = categories(e, CHARGE, code) + categories(e, LINE, code)
    cdef int in_breakdown = breakdown_ids(e, el, code)
    return (used > 0 and in_breakdown > 0) or (used == 0 and in_breakdown == 0)


cdef int t_exactly_one(Engine e, xmlNode* el, object param) except -1:
    cdef str code = (<Param>param).code
    if not categories(e, TAX, code) and not categories(e, LINE, code):
        return True
    return breakdown_ids(e, el, code) == 1


cdef int t_requires_ids(Engine e, xmlNode* el, object param) except -1:
    cdef Param p = <Param>param
    cdef int present
    if p.where == 0:
        present = categories(e, LINE, p.code)
    else:
        present = charge_categories(e, p.where == 2, p.code, p.code == "O")
    return not present or ids_hold(e, p.ids)


cdef bint any_other_than_o(Engine e, Nodes& found) except -1:
    cdef size_t i
    for i in range(found.size()):
        if category_id(found[i]) != "O":
            return True
    return False


cdef int t_br_o_11(Engine e, xmlNode* el, object _) except -1:
    if not breakdown_ids(e, el, "O"):
        return True
    cdef Nodes found = nodes(e, el, BREAKDOWN)
    cdef size_t i
    for i in range(found.size()):
        if is_xpath_vat_scheme(found[i]) and category_id(found[i]) != "O":
            return False
    return True


cdef int t_o_only(Engine e, xmlNode* el, object path) except -1:
    # BR-O-12..14: no line / allowance / charge category other than O under an O breakdown
    if not breakdown_ids(e, el, "O"):
        return True
    cdef Nodes found = e.all(<str>path)
    return not any_other_than_o(e, found)


cdef int t_br_ic_11(Engine e, xmlNode* el, object _) except -1:
    if not breakdown_ids(e, el, "K"):
        return True
    return len(sv(first(e, el, DELIVERY_DATE))) > 1 or exists(e, el, PERIOD_CHILD)


cdef int t_br_ic_12(Engine e, xmlNode* el, object _) except -1:
    if not breakdown_ids(e, el, "K"):
        return True
    return len(sv(first(e, el, DELIVERY_COUNTRY))) > 1


cdef bint split_payment_used(Engine e) except -1:
    return categories(e, TAX, "B") > 0 or categories(e, LINE, "B") > 0


cdef int t_br_b_01(Engine e, xmlNode* el, object _) except -1:
    if not split_payment_used(e):
        return True
    return (sv(first(e, e.root, SUPPLIER_COUNTRY)).strip() == "IT"
            and sv(first(e, e.root, CUSTOMER_COUNTRY)).strip() == "IT")


cdef int t_br_b_02(Engine e, xmlNode* el, object _) except -1:
    if not split_payment_used(e):
        return True
    return not (categories(e, LINE, "S") or categories(e, CHARGE, "S"))


# ------------------------------------------------------------------ -05 .. -07 (rates)

cdef enum:
    RATE_ABSENT = 0     # O: no rate at all
    RATE_POSITIVE = 1   # S
    RATE_NOT_NEG = 2    # L, M
    RATE_ZERO = 3       # the others


cdef int t_rate(Engine e, xmlNode* el, object param) except -1:
    cdef int kind = (<Param>param).kind
    if kind == RATE_ABSENT:
        return not exists(e, el, PERCENT)
    cdef Nodes found = nodes(e, el, PERCENT)
    cdef size_t i
    for i in range(found.size()):
        value = num(found[i])
        if value is None:
            continue
        if kind == RATE_POSITIVE:
            if value > 0:
                return True
        elif kind == RATE_NOT_NEG:
            if value >= 0:
                return True
        elif value == 0:
            return True
    return False


# ------------------------------------------------------------------ -08 .. -10 (breakdown)


cdef int t_exact_taxable(Engine e, xmlNode* el, object param) except -1:
    cdef str code = (<Param>param).code
    taxable = dec(first(e, el, UP_TAXABLE))
    if taxable is None:
        return False
    for line_tag in LINE_TAGS:
        if not any_lines(e, line_tag):
            continue
        total = basis(e, line_tag, code, None)[0]
        if total is not None and taxable == total:
            return True
    return False


cdef int t_per_rate_taxable(Engine e, xmlNode* el, object param) except -1:
    cdef Param p = <Param>param
    cdef xmlNode* percent_node = first(e, el, PERCENT)
    percent = dec(percent_node)
    if percent is None:
        return percent_node is NULL
    rate = xround(percent)
    taxable = num(first(e, el, UP_TAXABLE))
    for line_tag in LINE_TAGS:
        if not p.flag and not any_lines(e, line_tag):
            continue
        total, used = basis(e, line_tag, p.code, rate)
        if p.flag and not used:
            continue
        if total is not None and taxable is not None and taxable - 1 < total < taxable + 1:
            return True
    return False


_tax_matches_rate = vat.tax_matches_rate


cdef int t_tax_matches_rate(Engine e, xmlNode* el, object _) except -1:
    return _tax_matches_rate(dec(first(e, el, UP_TAX)), dec(first(e, el, UP_TAXABLE)), dec(first(e, el, PERCENT)))


cdef int t_tax_matches_rate_igic(Engine e, xmlNode* el, object _) except -1:
    return _tax_matches_rate(num(first(e, el, UP_TAX)), dec(first(e, el, UP_TAXABLE)), dec(first(e, el, PERCENT)),
                             igic=True)


cdef int t_any_zero(Engine e, xmlNode* el, object path) except -1:
    # any_num(el, path, lambda v: v == 0)
    cdef Nodes found = nodes(e, el, <CPath>path)
    cdef size_t i
    for i in range(found.size()):
        value = num(found[i])
        if value is not None and value == 0:
            return True
    return False


cdef int t_has_reason(Engine e, xmlNode* el, object _) except -1:
    return exists(e, el, REASON) or exists(e, el, REASON_CODE)


cdef int t_no_reason(Engine e, xmlNode* el, object _) except -1:
    return not (exists(e, el, REASON) or exists(e, el, REASON_CODE))


# ------------------------------------------------------------------ registration


def _closure(test) -> dict:
    return dict(zip(test.__code__.co_freevars, (c.cell_contents for c in test.__closure__ or ())))


_IDS_KIND = {
    id(vat._seller): IDS_SELLER,
    id(vat._seller_vat): IDS_SELLER_VAT,
    id(vat.IDS_FOR["K"]): IDS_INTRA,
    id(vat.IDS_FOR["AE"]): IDS_REVERSE,
    id(vat.IDS_FOR["O"]): IDS_NONE,
}
_WHERE = {"line": 0, "allowance": 1, "charge": 2}
# _rate_test returns one of four lambdas; each is told apart by its code object.
_RATE_KIND = {
    vat._rate_test("O").__code__: RATE_ABSENT,
    vat._rate_test("S").__code__: RATE_POSITIVE,
    vat._rate_test("L").__code__: RATE_NOT_NEG,
    vat._rate_test("Z").__code__: RATE_ZERO,
}


cdef void _register_lambda(str rule_id, object test):
    """The module-level lambdas of vat.py (one rule each, or the shared -09 ``TaxAmount = 0``)."""
    consts = test.__code__.co_consts
    if rule_id == "BR-O-11":
        register(rule_id, t_br_o_11)
    elif rule_id == "BR-O-12":
        register(rule_id, t_o_only, LINE_VAT_CATEGORIES)
    elif rule_id == "BR-O-13":
        register(rule_id, t_o_only, ALLOWANCE_VAT_CATEGORIES)
    elif rule_id == "BR-O-14":
        register(rule_id, t_o_only, CHARGE_VAT_CATEGORIES)
    elif rule_id == "BR-IC-11":
        register(rule_id, t_br_ic_11)
    elif rule_id == "BR-IC-12":
        register(rule_id, t_br_ic_12)
    elif rule_id == "BR-B-01":
        register(rule_id, t_br_b_01)
    elif rule_id == "BR-B-02":
        register(rule_id, t_br_b_02)
    elif "any_num" in test.__code__.co_names and len([c for c in consts if isinstance(c, str)]) == 1:
        register(rule_id, t_any_zero, cpath([c for c in consts if isinstance(c, str)][0]))


for _rule in RULES:
    _test = _rule.test
    if getattr(_test, "__module__", None) != vat.__name__:
        continue
    _name = _test.__qualname__
    _id = _rule.id
    if _name == "_br_s_01":
        register(_id, t_br_s_01)
    elif _name == "_at_least_one.<locals>.test":
        register(_id, t_at_least_one, make_param(_closure(_test)["code"]))
    elif _name == "_exactly_one.<locals>.test":
        register(_id, t_exactly_one, make_param(_closure(_test)["code"]))
    elif _name == "_requires_ids.<locals>.test":
        _c = _closure(_test)
        _kind = _IDS_KIND.get(id(_c["ids"]))
        if _kind is not None and _c["where"] in _WHERE:
            register(_id, t_requires_ids, make_param(_c["code"], ids=_kind, where=_WHERE[_c["where"]]))
    elif _name == "_rate_test.<locals>.<lambda>":
        _kind = _RATE_KIND.get(_test.__code__)
        if _kind is not None:
            register(_id, t_rate, make_param("", kind=_kind))
    elif _name == "_exact_taxable.<locals>.test":
        register(_id, t_exact_taxable, make_param(_closure(_test)["code"]))
    elif _name == "_per_rate_taxable.<locals>.test":
        _c = _closure(_test)
        register(_id, t_per_rate_taxable, make_param(_c["code"], flag=_c["require_usage"]))
    elif _test is vat._tax_matches_rate:
        register(_id, t_tax_matches_rate)
    elif _test is vat._tax_matches_rate_igic:
        register(_id, t_tax_matches_rate_igic)
    elif _test is vat._has_reason:
        register(_id, t_has_reason)
    elif _test is vat._no_reason:
        register(_id, t_no_reason)
    elif _name == "<lambda>":
        _register_lambda(_id, _test)

