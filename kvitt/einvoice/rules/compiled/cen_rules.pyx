# distutils: language = c++
# cython: language_level=3, boundscheck=False, wraparound=False, annotation_typing=False
"""Compiled twins of the rules in kvitt/einvoice/rules/cen.py (same ids, same meaning)."""

from lxml.includes.tree cimport xmlNode

from kvitt.einvoice.rules.compiled.engine cimport (
    CPath, Engine, Nodes, RuleFn, any_not_empty, attr, category_id, child, cpath, dec, dsum, exists, first,
    is_tag, is_vat_scheme, is_xpath_vat_scheme, named_from, nodes, nsp, num, parent, register, sv, sv_or_none,
    sv_set,
)

from kvitt.einvoice.rules import RULES, cen


cdef int t_exists(Engine e, xmlNode* el, object param) except -1:
    return exists(e, el, <CPath>param)


cdef int t_not_empty(Engine e, xmlNode* el, object param) except -1:
    return any_not_empty(e, el, <CPath>param)


def _closure(test) -> dict:
    return dict(zip(test.__code__.co_freevars, (c.cell_contents for c in test.__closure__ or ())))


# Rules built by a combinator carry their parameter in the closure: register them all at once.
for _rule in RULES:
    if _rule.test.__module__ != cen.__name__:
        continue
    _name = _rule.test.__qualname__
    if _name == "_exists.<locals>.<lambda>":
        register(_rule.id, t_exists, cpath(_closure(_rule.test)["path"]))
    elif _name == "_not_empty.<locals>.<lambda>":
        register(_rule.id, t_not_empty, cpath(_closure(_rule.test)["path"]))


# ------------------------------------------------------------------ hand-ported rules
#
# Everything below mirrors one test of kvitt/einvoice/rules/cen.py. Where the Python rule asks
# lxml's XPath (paths with predicates or ``..``), the XPath 1.0 semantics are kept here too
# (the engine's is_xpath_vat_scheme; cpath predicates already have them).

from decimal import Decimal

from kvitt.einvoice.rules import base as pybase

cdef bytes CBC = pybase.CBC_NS.encode()
cdef bytes CAC = pybase.CAC_NS.encode()
cdef const char* cbc = CBC
cdef const char* cac = CAC

cdef object ZERO = Decimal(0)
cdef object round2 = pybase.round2
cdef object xdate = pybase.xdate
cdef str UNCL4451 = cen._UNCL4451_STRING
cdef str VAT_PREFIXES = cen._VAT_PREFIXES
cdef inline bint has_child(xmlNode* el, const char* ns, const char* local) noexcept:
    return child(el, ns, local) is not NULL


cdef int decimals_after_point(xmlNode* node) except -1:
    cdef str text = sv(node)
    cdef Py_ssize_t dot = text.find(".")
    return 0 if dot < 0 else len(text) - dot - 1


cdef bint has_reason(xmlNode* el) noexcept:
    return has_child(el, cbc, b"AllowanceChargeReason") or has_child(el, cbc, b"AllowanceChargeReasonCode")


cdef bint period_has_date(xmlNode* el) noexcept:
    return has_child(el, cbc, b"StartDate") or has_child(el, cbc, b"EndDate")


# ---- combinator rules (parameter from the closure)


cdef int t_decimals(Engine e, xmlNode* el, object param) except -1:
    return decimals_after_point(first(e, el, <CPath>param)) <= 2


cdef int t_reason(Engine e, xmlNode* el, object param) except -1:
    return has_reason(el)


cdef int t_ok_period(Engine e, xmlNode* el, object param) except -1:
    cdef xmlNode* start = child(el, cbc, b"StartDate")
    cdef xmlNode* end = child(el, cbc, b"EndDate")
    if start is NULL or end is NULL:
        return True
    s, t = xdate(sv(start)), xdate(sv(end))
    return s is not None and t is not None and t >= s


cdef int t_period_has_date(Engine e, xmlNode* el, object param) except -1:
    return period_has_date(el)


cdef int t_allowance_total(Engine e, xmlNode* el, object param) except -1:
    # BR-CO-11/12: param = (accepted ChargeIndicator values, total element name)
    accepted, total_name = param
    cdef Nodes amounts
    cdef xmlNode* up = parent(el)
    cdef xmlNode* item = child(up, cac, b"AllowanceCharge")
    cdef xmlNode* flag
    cdef xmlNode* amount
    cdef bint items = False
    cdef bytes name = total_name
    while item is not NULL:
        flag = child(item, cbc, b"ChargeIndicator")
        while flag is not NULL:
            if nsp(sv(flag)) in accepted:
                items = True
                amount = child(item, cbc, b"Amount")
                while amount is not NULL:
                    amounts.push_back(amount)
                    amount = named_from(amount.next, cbc, b"Amount")
                break
            flag = named_from(flag.next, cbc, b"ChargeIndicator")
        item = named_from(item.next, cac, b"AllowanceCharge")
    cdef xmlNode* total = child(el, cbc, <const char*>name)
    if total is NULL and not items:
        return True
    value = dec(total)
    summed = dsum(amounts)
    return value is not None and summed is not None and value == round2(summed)


# ---- named and lambda rules




cdef int t_br_co_25(Engine e, xmlNode* el, object param) except -1:
    value = num(el)
    if value is None:
        return False
    if value > 0:
        return not e.all("//cbc:DueDate").empty() or not e.all("//cac:PaymentTerms/cbc:Note").empty()
    return True


cdef int t_br_51(Engine e, xmlNode* el, object param) except -1:
    return len(sv(child(el, cbc, b"PrimaryAccountNumberID"))) <= 10


cdef int t_br_co_10(Engine e, xmlNode* el, object param) except -1:
    total = dec(child(el, cbc, b"LineExtensionAmount"))
    if total is None:
        return False
    for expr in ("//cac:InvoiceLine/cbc:LineExtensionAmount", "//cac:CreditNoteLine/cbc:LineExtensionAmount"):
        summed = dsum(e.all(expr))
        if summed is not None and total == round2(summed):
            return True
    return False


# The totals rules' arithmetic is cen.py's own (br_co_13_holds, br_co_16_holds,
# br_co_17_holds); only finding the values is native here.
_br_co_13_holds = cen.br_co_13_holds
_br_co_16_holds = cen.br_co_16_holds
_br_co_17_holds = cen.br_co_17_holds


cdef int t_br_co_13(Engine e, xmlNode* el, object param) except -1:
    return _br_co_13_holds(sv_or_none(child(el, cbc, b"TaxExclusiveAmount")),
                           sv_or_none(child(el, cbc, b"LineExtensionAmount")),
                           sv_or_none(child(el, cbc, b"ChargeTotalAmount")),
                           sv_or_none(child(el, cbc, b"AllowanceTotalAmount")))


cdef int t_br_co_16(Engine e, xmlNode* el, object param) except -1:
    return _br_co_16_holds(dec(child(el, cbc, b"PrepaidAmount")), dec(child(el, cbc, b"PayableRoundingAmount")),
                           dec(child(el, cbc, b"PayableAmount")), dec(child(el, cbc, b"TaxInclusiveAmount")))


cdef int t_br_04(Engine e, xmlNode* el, object param) except -1:
    cdef xmlNode* node
    for name in (b"InvoiceTypeCode", b"CreditNoteTypeCode"):
        node = child(el, cbc, <const char*>name)
        while node is not NULL:
            if sv(node) != "":
                return True
            node = named_from(node.next, cbc, <const char*>name)
    return False


cdef int t_br_16(Engine e, xmlNode* el, object param) except -1:
    return has_child(el, cac, b"InvoiceLine") or has_child(el, cac, b"CreditNoteLine")


cdef int t_br_53(Engine e, xmlNode* el, object param) except -1:
    cdef xmlNode* code = child(el, cbc, b"TaxCurrencyCode")
    cdef Nodes amounts
    cdef size_t i
    if code is NULL:
        return True
    amounts = e.all("//cac:TaxTotal/cbc:TaxAmount")
    currencies = {attr(amounts[i], b"currencyID") for i in range(amounts.size())}
    while code is not NULL:
        if sv(code) not in currencies:
            return False
        code = named_from(code.next, cbc, b"TaxCurrencyCode")
    return True


cdef int count_grandchildren(xmlNode* el, const char* local) noexcept:
    cdef int count = 0
    cdef xmlNode* means = child(el, cac, b"PaymentMeans")
    cdef xmlNode* node
    while means is not NULL:
        node = child(means, cac, local)
        while node is not NULL:
            count += 1
            node = named_from(node.next, cac, local)
        means = named_from(means.next, cac, b"PaymentMeans")
    return count


cdef int t_br_66(Engine e, xmlNode* el, object param) except -1:
    return count_grandchildren(el, b"CardAccount") <= 1


cdef int t_br_67(Engine e, xmlNode* el, object param) except -1:
    return count_grandchildren(el, b"PaymentMandate") <= 1


cdef CPath P_PERIOD_CODE = cpath("cac:InvoicePeriod/cbc:DescriptionCode")


cdef int t_br_co_03(Engine e, xmlNode* el, object param) except -1:
    return not (has_child(el, cbc, b"TaxPointDate") and exists(e, el, P_PERIOD_CODE))


cdef CPath P_INCLUSIVE = cpath("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount")
cdef CPath P_EXCLUSIVE = cpath("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount")
cdef CPath P_TAX_AMOUNT = cpath("cac:TaxTotal/cbc:TaxAmount")


cdef int t_br_co_15(Engine e, xmlNode* el, object param) except -1:
    cdef xmlNode* currency = child(el, cbc, b"DocumentCurrencyCode")
    cdef Nodes found
    cdef size_t i
    while currency is not NULL:
        code = sv(currency)
        found = nodes(e, el, P_INCLUSIVE)
        inclusive = [dec(found[i]) for i in range(found.size())]
        found = nodes(e, el, P_EXCLUSIVE)
        exclusive = [dec(found[i]) for i in range(found.size())]
        found = nodes(e, el, P_TAX_AMOUNT)
        taxes = [dec(found[i]) for i in range(found.size()) if attr(found[i], b"currencyID") == code]
        if len(exclusive) != 1 or len(taxes) != 1 or not inclusive:
            return False
        if None in inclusive or exclusive[0] is None or taxes[0] is None:
            return False
        expected = round2(exclusive[0] + taxes[0])
        if not any([value == expected for value in inclusive]):
            return False
        currency = named_from(currency.next, cbc, b"DocumentCurrencyCode")
    return True


cdef int t_true(Engine e, xmlNode* el, object param) except -1:
    return True


cdef int t_br_22(Engine e, xmlNode* el, object param) except -1:
    return has_child(el, cbc, b"InvoicedQuantity") or has_child(el, cbc, b"CreditedQuantity")


cdef CPath P_INVOICED_UNIT = cpath("cbc:InvoicedQuantity/@unitCode")
cdef CPath P_CREDITED_UNIT = cpath("cbc:CreditedQuantity/@unitCode")


cdef int t_br_23(Engine e, xmlNode* el, object param) except -1:
    return exists(e, el, P_INVOICED_UNIT) or exists(e, el, P_CREDITED_UNIT)


cdef bint any_non_negative(Engine e, xmlNode* el, CPath path) except -1:
    """base.any_num(el, path, lambda v: v >= 0)."""
    cdef Nodes found = nodes(e, el, path)
    cdef size_t i
    for i in range(found.size()):
        value = num(found[i])
        if value is not None and value >= 0:
            return True
    return False


cdef CPath P_PRICE = cpath("cac:Price/cbc:PriceAmount")
cdef CPath P_GROSS = cpath("cac:Price/cac:AllowanceCharge/cbc:BaseAmount")


cdef int t_br_27(Engine e, xmlNode* el, object param) except -1:
    return any_non_negative(e, el, P_PRICE)


cdef int t_br_28(Engine e, xmlNode* el, object param) except -1:
    return any_non_negative(e, el, P_GROSS) or not exists(e, el, P_GROSS)


cdef int t_br_co_19(Engine e, xmlNode* el, object param) except -1:
    return period_has_date(el) or has_child(el, cbc, b"DescriptionCode")


cdef int t_br_54(Engine e, xmlNode* el, object param) except -1:
    return has_child(el, cbc, b"Name") and has_child(el, cbc, b"Value")


cdef int t_br_cl_08(Engine e, xmlNode* el, object param) except -1:
    text = sv(el)
    if "#" not in text:
        return True
    subject = text.partition("#")[2].partition("#")[0]
    # The official test is an unpadded contains() on the space separated list.
    return subject in UNCL4451


cdef tuple BR_17_PAIRS = tuple(
    (cpath(own), cpath("../cac:AccountingSupplierParty/cac:Party/" + own))
    for own in ("cac:PartyName/cbc:Name", "cac:PartyIdentification/cbc:ID", "cac:PartyLegalEntity/cbc:RegistrationName"))


cdef int t_br_17(Engine e, xmlNode* el, object param) except -1:
    cdef CPath own, theirs
    if not exists(e, el, <CPath>BR_17_PAIRS[0][0]):
        return False
    for own, theirs in BR_17_PAIRS:
        mine = sv_set(nodes(e, el, own))
        if mine & sv_set(nodes(e, el, theirs)):
            return False
    return True


cdef int t_br_61(Engine e, xmlNode* el, object param) except -1:
    cdef xmlNode* account
    if nsp(sv(child(el, cbc, b"PaymentMeansCode"))) not in ("30", "58"):
        return True
    account = child(el, cac, b"PayeeFinancialAccount")
    while account is not NULL:
        if has_child(account, cbc, b"ID"):
            return True
        account = named_from(account.next, cac, b"PayeeFinancialAccount")
    return False


cdef CPath P_PARTY_ID = cpath("cac:Party/cac:PartyIdentification/cbc:ID")
cdef CPath P_LEGAL_ID = cpath("cac:Party/cac:PartyLegalEntity/cbc:CompanyID")


cdef int t_br_co_26(Engine e, xmlNode* el, object param) except -1:
    cdef xmlNode* party = child(el, cac, b"Party")
    cdef xmlNode* scheme
    while party is not NULL:  # cac:Party/cac:PartyTaxScheme[VAT]/cbc:CompanyID
        scheme = child(party, cac, b"PartyTaxScheme")
        while scheme is not NULL:
            if has_child(scheme, cbc, b"CompanyID") and is_xpath_vat_scheme(scheme):
                return True
            scheme = named_from(scheme.next, cac, b"PartyTaxScheme")
        party = named_from(party.next, cac, b"Party")
    return exists(e, el, P_PARTY_ID) or exists(e, el, P_LEGAL_ID)


cdef CPath P_SUBTOTAL_TAX = cpath("cac:TaxSubtotal/cbc:TaxAmount")


cdef int t_br_co_14(Engine e, xmlNode* el, object param) except -1:
    cdef xmlNode* amount
    if not has_child(el, cac, b"TaxSubtotal"):
        return True
    total = []
    amount = child(el, cbc, b"TaxAmount")
    while amount is not NULL:
        total.append(dec(amount))
        amount = named_from(amount.next, cbc, b"TaxAmount")
    summed = dsum(nodes(e, el, P_SUBTOTAL_TAX))
    return len(total) == 1 and total[0] is not None and summed is not None and total[0] == round2(summed)


cdef int t_br_48(Engine e, xmlNode* el, object param) except -1:
    cdef xmlNode* category = child(el, cac, b"TaxCategory")
    cdef bint any_o = False
    while category is not NULL:
        if is_xpath_vat_scheme(category):
            if has_child(category, cbc, b"Percent"):
                return True
            if not any_o and category_id(category) == "O":
                any_o = True
        category = named_from(category.next, cac, b"TaxCategory")
    return any_o


cdef int t_br_co_17(Engine e, xmlNode* el, object param) except -1:
    cdef xmlNode* category = child(el, cac, b"TaxCategory")
    while category is not NULL and not is_vat_scheme(category):
        category = named_from(category.next, cac, b"TaxCategory")
    percent = dec(child(category, cbc, b"Percent")) if category is not NULL else None
    return _br_co_17_holds(dec(child(el, cbc, b"TaxAmount")), percent, dec(child(el, cbc, b"TaxableAmount")))


cdef int t_br_co_09(Engine e, xmlNode* el, object param) except -1:
    return sv(child(el, cbc, b"CompanyID"))[:2] in VAT_PREFIXES


cdef RuleFn by_name(str name, str rule_id) except? NULL:
    """The compiled test of a named cen.py function, or of a lambda rule by its id."""
    if name == "_reason": return t_reason
    if name == "_ok_period": return t_ok_period
    if name == "_period_has_date": return t_period_has_date
    if name == "_decimals.<locals>.<lambda>": return t_decimals
    if name == "_br_co_11_12.<locals>.test": return t_allowance_total
    if name == "_br_co_25": return t_br_co_25
    if name == "_br_co_10": return t_br_co_10
    if name == "_br_co_13": return t_br_co_13
    if name == "_br_co_16": return t_br_co_16
    if name == "_br_53": return t_br_53
    if name == "_br_co_15": return t_br_co_15
    if name == "_br_cl_08": return t_br_cl_08
    if name == "_br_17": return t_br_17
    if name == "_br_co_14": return t_br_co_14
    if name == "_br_48": return t_br_48
    if name == "_br_co_17": return t_br_co_17
    if name != "<lambda>":
        return NULL
    if rule_id == "BR-51": return t_br_51
    if rule_id == "BR-04": return t_br_04
    if rule_id == "BR-16": return t_br_16
    if rule_id == "BR-66": return t_br_66
    if rule_id == "BR-67": return t_br_67
    if rule_id == "BR-CO-03": return t_br_co_03
    if rule_id in ("BR-DEC-13", "BR-DEC-15"): return t_true
    if rule_id == "BR-22": return t_br_22
    if rule_id == "BR-23": return t_br_23
    if rule_id == "BR-27": return t_br_27
    if rule_id == "BR-28": return t_br_28
    if rule_id == "BR-CO-19": return t_br_co_19
    if rule_id == "BR-54": return t_br_54
    if rule_id == "BR-61": return t_br_61
    if rule_id == "BR-CO-26": return t_br_co_26
    if rule_id == "BR-CO-09": return t_br_co_09
    return NULL


_CHARGE_VALUES = {cen.CI_FALSE: ("false", "0"), cen.CI_TRUE: ("true", "1")}


def _param(str name, test):
    if name == "_decimals.<locals>.<lambda>":
        return cpath(_closure(test)["path"])
    if name == "_br_co_11_12.<locals>.test":
        found = _closure(test)
        return (_CHARGE_VALUES[found["flag_path"]], found["total_name"].encode())
    return None


cdef RuleFn _fn
for _rule in RULES:
    if _rule.test.__module__ != cen.__name__ or _rule.test.__qualname__ in (
            "_not_empty.<locals>.<lambda>", "_exists.<locals>.<lambda>"):
        continue
    _fn = by_name(_rule.test.__qualname__, _rule.id)
    if _fn is not NULL:  # anything not known here keeps running its Python test
        register(_rule.id, _fn, _param(_rule.test.__qualname__, _rule.test))
