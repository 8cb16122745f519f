# distutils: language = c++
# cython: language_level=3, boundscheck=False, wraparound=False, annotation_typing=False
"""Compiled twins of the rules in kvitt/einvoice/rules/syntax.py (same ids, same meaning):
the BR-CL code-list rules, the UBL-SR "maximum once" rules and the UBL-DT rules."""

from lxml.includes.tree cimport xmlAttr, xmlNode

from kvitt.einvoice.rules.compiled.engine cimport (
    CPath, Engine, Nodes, attr, cpath, exists, is_tag, nodes, nsp, parent, register, sv,
)

from kvitt.einvoice.rules import RULES, syntax
from kvitt.einvoice.rules.codelists import UNCL1001_CREDIT_NOTE, UNCL1001_INVOICE, codes

cdef bytes CBC = b"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
cdef bytes CAC = b"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"

cdef frozenset ICD = codes("icd")
cdef frozenset VATEX = codes("vatex")
cdef frozenset MIME = codes("mime")
# XPath translate() with these maps only touches the listed lower-case letters (not upper()).


# ------------------------------------------------------------------ combinators


cdef int t_value_in(Engine e, xmlNode* el, object param) except -1:
    # _value_in(name_or_set, attribute): nsp(el.get(attribute) or sv(el)) in the code list
    cdef frozenset allowed = <frozenset>param[0]
    cdef bytes name = <bytes>param[1]
    if name is None:
        value = sv(el)
    else:
        value = attr(el, <const char*>name)
        if value is None:
            value = ""
    return nsp(value) in allowed


cdef int t_at_most(Engine e, xmlNode* el, object param) except -1:
    # _at_most(path, limit): len(nodes(el, path)) <= limit
    return nodes(e, el, <CPath>param[0]).size() <= <size_t>(<int>param[1])


cdef int t_no_attribute(Engine e, xmlNode* el, object param) except -1:
    # not doc.all("//@name"): the index pass collected every (unqualified) attribute name
    return param not in e.attribute_names


# ------------------------------------------------------------------ BR-CL


cdef int t_type_code(Engine e, xmlNode* el, object param) except -1:
    value = nsp(sv(el))
    if is_tag(el, <const char*>CBC, b"InvoiceTypeCode"):
        return value in UNCL1001_INVOICE
    return value in UNCL1001_CREDIT_NOTE


cdef int t_br_cl_10(Engine e, xmlNode* el, object param) except -1:
    cdef xmlNode* up
    scheme = attr(el, b"schemeID")
    scheme = nsp(scheme or "")
    if scheme in ICD:
        return True
    if scheme != "SEPA":
        return False
    # ancestor::*[local-name()='AccountingSupplierParty' or local-name()='PayeeParty']
    up = parent(el)
    while up is not NULL:
        if is_tag(up, NULL, b"AccountingSupplierParty") or is_tag(up, NULL, b"PayeeParty"):
            return True
        up = parent(up)
    return False


cdef int t_br_cl_22(Engine e, xmlNode* el, object param) except -1:
    return nsp(sv(el)).lower() in VATEX


cdef int t_br_cl_24(Engine e, xmlNode* el, object param) except -1:
    return attr(el, b"mimeCode") in MIME


# ------------------------------------------------------------------ UBL-SR


cdef CPath DOCUMENT_TYPE_CODE = cpath("cbc:DocumentTypeCode")
cdef CPath ID_SCHEME = cpath("cbc:ID/@schemeID")


cdef int t_ubl_sr_43(Engine e, xmlNode* el, object param) except -1:
    cdef Nodes found = nodes(e, el, DOCUMENT_TYPE_CODE)
    cdef size_t i
    code = [sv(found[i]) for i in range(found.size())]
    if "130" in code:
        return True
    if e.is_credit_note and "50" in code:
        return True
    return not exists(e, el, ID_SCHEME) and not code


cdef int t_set_at_most_one(Engine e, xmlNode* el, object param) except -1:
    # len({sv(n) for n in nodes(el, path)}) <= 1
    cdef Nodes found = nodes(e, el, <CPath>param)
    cdef size_t i
    if found.size() <= 1:
        return True
    value = sv(found[0])
    for i in range(1, found.size()):
        if sv(found[i]) != value:
            return False
    return True


cdef int t_ubl_sr_07(Engine e, xmlNode* el, object param) except -1:
    return exists(e, el, <CPath>param)


cdef CPath PAYEE_NAMES = cpath("cac:PartyName/cbc:Name")
cdef CPath SELLER_NAMES = cpath("../cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName")


cdef bint payee_differs(Engine e, xmlNode* el) except -1:
    cdef Nodes found = nodes(e, el, PAYEE_NAMES)
    cdef Nodes seller_found = nodes(e, el, SELLER_NAMES)
    cdef size_t i
    names = {sv(found[i]) for i in range(found.size())}
    seller = {sv(seller_found[i]) for i in range(seller_found.size())}
    return any(a != b for a in names for b in seller)


cdef int t_payee(Engine e, xmlNode* el, object param) except -1:
    # UBL-SR-19/21: len(nodes(el, path)) <= 1 and _payee_differs(el)
    return nodes(e, el, <CPath>param).size() <= 1 and payee_differs(e, el)


# ------------------------------------------------------------------ UBL-DT


cdef int t_decimals(Engine e, xmlNode* el, object param) except -1:
    # decimals_after_point(el) <= 2
    head, dot, tail = sv(el).partition(".")
    return (len(tail) if dot else 0) <= 2


cdef int t_has_attribute(Engine e, xmlNode* el, object param) except -1:
    return attr(el, <const char*>(<bytes>param)) is not None


cdef int t_ubl_dt_18(Engine e, xmlNode* el, object param) except -1:
    # len(//@name) - len(//cbc:PaymentMeansCode/@name) <= 0: only payment means codes carry @name
    cdef Nodes found
    cdef size_t i
    if "name" not in e.attribute_names:
        return True
    found = e.all("//@name")
    for i in range(found.size()):
        if not is_tag(found[i].parent, <const char*>CBC, b"PaymentMeansCode"):
            return False
    return True


# ------------------------------------------------------------------ registration


def _closure(test) -> dict:
    return dict(zip(test.__code__.co_freevars, (c.cell_contents for c in test.__closure__ or ())))


# Hand-ported lambdas: registered only while the lambda still has the names and constants the
# port was written from (so an edit of syntax.py sends the rule back to Python, not to a stale twin).
LAMBDAS = {
    "BR-CL-22": (("nsp", "sv", "lower", "codes"), ("vatex",)),
    "BR-CL-24": (("get", "codes"), ("mimeCode", "mime")),
    "UBL-DT-01": (("decimals_after_point",), (2,)),
    "UBL-DT-06": (("get",), ("mimeCode",)),
    "UBL-DT-07": (("get",), ("filename",)),
    "UBL-DT-18": (("len", "all"), ("//@name", "//cbc:PaymentMeansCode/@name", 0)),
    "UBL-SR-19": (("len", "nodes", "_payee_differs"), ("cac:PartyName/cbc:Name", 1)),
    "UBL-SR-20": (("len", "nodes", "_payee_differs"),
                  ("cac:PartyIdentification/cbc:ID[not(translate(@schemeID, 'sepa', 'SEPA') = 'SEPA')]", 1)),
    "UBL-SR-21": (("len", "nodes", "_payee_differs"), ("cac:PartyLegalEntity/cbc:CompanyID", 1)),
    "UBL-SR-07": (("exists",), ("cac:InvoiceDocumentReference/cbc:ID",)),
}


def _fingerprint(test) -> tuple:
    return test.__code__.co_names, tuple(c for c in test.__code__.co_consts if c is not None)


cdef void _register_all() except *:
    for rule in RULES:
        test = rule.test
        if test.__module__ != syntax.__name__ or rule.batched:
            continue
        name = test.__qualname__
        if name == "_value_in.<locals>.test":
            cells = _closure(test)
            allowed = cells["name_or_set"]
            allowed = codes(allowed) if isinstance(allowed, str) else frozenset(allowed)
            attribute = cells["attribute"]
            register(rule.id, t_value_in, (allowed, attribute.encode() if attribute else None))
        elif name == "_at_most.<locals>.<lambda>":
            cells = _closure(test)
            register(rule.id, t_at_most, (cpath(cells["path"]), int(cells["limit"])))
        elif name == "<lambda>" and test.__code__.co_varnames[2:3] == ("_a",) and test.__defaults__:
            register(rule.id, t_no_attribute, test.__defaults__[0])
        elif name == "_type_code":
            register(rule.id, t_type_code)
        elif name == "_br_cl_10":
            register(rule.id, t_br_cl_10)
        elif name == "_ubl_sr_43":
            register(rule.id, t_ubl_sr_43)
        elif name == "_ubl_sr_44":
            register(rule.id, t_set_at_most_one, cpath("cac:PaymentMeans/cbc:PaymentID"))
        elif name == "_ubl_sr_47":
            register(rule.id, t_set_at_most_one, cpath("cac:PaymentMeans/cbc:PaymentMeansCode"))
        elif name != "<lambda>":
            continue
        elif LAMBDAS.get(rule.id) != _fingerprint(test):
            continue  # changed since the port: stays in Python
        elif rule.id == "BR-CL-22":
            register(rule.id, t_br_cl_22)
        elif rule.id == "BR-CL-24":
            register(rule.id, t_br_cl_24)
        elif rule.id == "UBL-DT-01":
            register(rule.id, t_decimals)
        elif rule.id in ("UBL-DT-06", "UBL-DT-07"):
            register(rule.id, t_has_attribute, LAMBDAS[rule.id][1][0].encode())
        elif rule.id == "UBL-DT-18":
            register(rule.id, t_ubl_dt_18)
        elif rule.id in ("UBL-SR-19", "UBL-SR-20", "UBL-SR-21"):
            register(rule.id, t_payee, cpath(LAMBDAS[rule.id][1][0]))
        elif rule.id == "UBL-SR-07":
            register(rule.id, t_ubl_sr_07, cpath(LAMBDAS[rule.id][1][0]))


_register_all()
