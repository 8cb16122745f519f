# distutils: language = c++
# cython: language_level=3, boundscheck=False, wraparound=False, annotation_typing=False
"""The compiled twin of the Python rule engine (kvitt.einvoice.rules): the same rules, the same
contexts, the same findings, evaluated on libxml2's tree in C instead of through lxml proxies.

Why: the Python engine spends its time on the per-element work every XPath-like question costs
in Python (proxies, Clark names, lists); the rules themselves are simple. Here the index pass,
context selection, path steps and string values are C loops over ``xmlNode``. Rules that have
a compiled implementation (the rule modules beside this one register them) run in C; every other
rule runs its Python test unchanged on an lxml element, so the results are always the Python
engine's results (``tests/einvoice/test_compiled_engine.py`` compares both on every official
unit test).
"""

from cpython.unicode cimport PyUnicode_DecodeUTF8
from cython.operator cimport dereference as deref
from libc.string cimport strcmp, strlen
from libcpp.string cimport string, to_string
from libcpp.unordered_map cimport unordered_map
from libcpp.vector cimport vector

cimport lxml.includes.etreepublic as cetree
from lxml.includes cimport tree
from lxml.includes.tree cimport xmlAttr, xmlNode

cetree.import_lxml__etree()

import re as _re
from decimal import Decimal

from lxml import etree

from kvitt.einvoice.rules import base as pybase
from kvitt.einvoice.rules import peppol as pypeppol
from kvitt.einvoice.rules import syntax as pysyntax
from kvitt.einvoice.rules import ubl_cr as pyubl_cr
from kvitt.einvoice.rules.base import FATAL, WARNING, Finding, element_path

cdef enum:
    ELEMENT = 1
    ATTRIBUTE = 2
    TEXT = 3
    CDATA = 4
    DOCUMENT = 9
    XINCLUDE_START = 19
    XINCLUDE_END = 20

# Step kinds
cdef enum:
    S_CHILD = 1      # ns:local or * (local None)
    S_PARENT = 2     # ..
    S_ROOT = 3       # /* or /ns:local: the document element
    S_ATTR = 4       # @name
    S_DESC = 5       # //ns:local or //*: every element of the document with that name
    S_DESC_ATTR = 6  # //@name: that attribute on every element

# Predicate kinds
cdef enum:
    P_PYTHON = 0
    P_VAT = 1
    P_CI_FALSE = 2
    P_CI_TRUE = 3
    P_ID_EQ = 4
    P_ATTR_EQ = 5
    P_ATTR = 6
    P_UPPER_CHILD_EQ = 7
    # The same predicates with XPath's own semantics, for paths inside rule tests: the Python
    # engine evaluates those with lxml's XPath (normalize-space trims only XML white space,
    # translate() maps only the letters it lists), its contexts with the Python predicates.
    P_X_VAT = 11
    P_X_CI_FALSE = 12
    P_X_CI_TRUE = 13
    P_X_ID_EQ = 14
    # XPath-only predicates of the official contexts, natively (same XPath 1.0 meaning)
    P_CHILD_EQ_ANY = 20      # cbc:X = 'a' / cbc:X='a' or cbc:X='b': some X child has that value
    P_FIRST_XNSP_IN = 21     # normalize-space(cbc:X)='a' or normalize-space(cbc:X)='b'
    P_MULTIPLIER_BASE = 22   # the MultiplierFactorNumeric / BaseAmount combinations
    P_PATH_EXISTS = 23       # cac:TaxSubtotal, cac:InvoicePeriod/cbc:StartDate
    P_NOT_UNDER_LINE = 24    # not(parent::cac:InvoiceLine) and not(parent::cac:CreditNoteLine)
    P_ATTR_TRANSLATE_EQ = 25 # [not(]translate(@schemeID, 'sepa', 'SEPA') = 'SEPA'[)]
    P_NO_RAW_VAT_SCHEME = 26 # not(cac:TaxScheme/cbc:ID[translate(., 'vat', 'VAT')='VAT'])

NAMESPACES = {prefix: uri.encode() for prefix, uri in pybase.NS.items()}
cdef bytes CBC = pybase.CBC_NS.encode()
cdef bytes CAC = pybase.CAC_NS.encode()
cdef bytes INVOICE = pybase.INVOICE_NS.encode()
cdef bytes CREDITNOTE = pybase.CREDITNOTE_NS.encode()


# ------------------------------------------------------------------ nodes


cdef inline bint is_element(xmlNode* node) noexcept:
    return node is not NULL and node.type == ELEMENT


cdef bint is_tag(xmlNode* node, const char* ns, const char* local) noexcept:
    if node is NULL or node.type != ELEMENT:
        return False
    if local is not NULL and strcmp(<const char*>node.name, local) != 0:
        return False
    if ns is NULL:
        return True
    return node.ns is not NULL and strcmp(<const char*>node.ns.href, ns) == 0


cdef inline bint step_tag(xmlNode* node, Step step) noexcept:
    if node.type != ELEMENT:
        return False
    if step.local is None:
        return True
    if strcmp(<const char*>node.name, <const char*>step.local) != 0:
        return False
    return node.ns is not NULL and strcmp(<const char*>node.ns.href, <const char*>step.ns) == 0


cdef xmlNode* parent(xmlNode* node) noexcept:
    if node is NULL or node.parent is NULL or node.parent.type != ELEMENT:
        return NULL
    return node.parent


cdef void _collect_text(xmlNode* node, string& out) noexcept:
    cdef xmlNode* kid = node.children
    while kid is not NULL:
        if kid.type == TEXT or kid.type == CDATA:
            if kid.content is not NULL:
                out.append(<const char*>kid.content)
        elif kid.type == ELEMENT:
            _collect_text(kid, out)
        kid = kid.next


cdef str sv(xmlNode* node):
    """XPath string value of an element or attribute (the same as base.sv)."""
    cdef string out
    if node is NULL:
        return ""
    if node.type == TEXT or node.type == CDATA:
        if node.content is NULL:
            return ""
        return PyUnicode_DecodeUTF8(<const char*>node.content, strlen(<const char*>node.content), NULL)
    _collect_text(node, out)
    return PyUnicode_DecodeUTF8(out.c_str(), out.size(), NULL)


cdef object sv_or_none(xmlNode* node):
    """sv(node), or None when there is no node: for the Python helpers that tell an absent
    element from an empty one (they take an element or its string value)."""
    return sv(node) if node is not NULL else None


cdef bint _blank(xmlNode* node) except -1:
    """``not nsp(sv(node))`` on the bytes: blank when only XML white space (space, tab, CR,
    LF); any other byte, a non-ASCII one too, is content."""
    cdef string text
    cdef size_t i
    cdef unsigned char c
    _collect_text(node, text)
    for i in range(text.size()):
        c = <unsigned char>text[i]
        if not (c == 32 or c == 9 or c == 10 or c == 13):
            return False
    return True


_nsp = pybase.nsp


cdef str nsp(str text):
    """XPath normalize-space(): base.nsp, with its ASCII branch inlined (the call it saves per
    value is 6 % of the engine's instructions, measured with callgrind)."""
    if text.isascii():
        return " ".join(text.split())
    return _nsp(text)


cdef object attr(xmlNode* node, const char* name):
    """The value of an attribute without namespace, or None (lxml's ``el.get(name)``)."""
    cdef xmlAttr* a
    if node is NULL or node.type != ELEMENT:
        return None
    a = node.properties
    while a is not NULL:
        if a.ns is NULL and strcmp(<const char*>a.name, name) == 0:
            return sv(<xmlNode*>a)
        a = a.next
    return None


cdef xmlAttr* _attribute(xmlNode* node, const char* name) noexcept:
    cdef xmlAttr* a = node.properties
    while a is not NULL:
        if a.ns is NULL and strcmp(<const char*>a.name, name) == 0:
            return a
        a = a.next
    return NULL


_dec = pybase.dec
_ZERO = Decimal(0)
_num = pybase.num


cdef object dec(xmlNode* node):
    if node is NULL:
        return None
    return _dec(sv(node))


cdef object num(xmlNode* node):
    if node is NULL:
        return None
    return _num(sv(node))


# ------------------------------------------------------------------ compiled paths


cdef class Pred:
    pass


cdef class Step:
    pass


cdef class CPath:
    def __repr__(self):
        return f"CPath({self.text!r})"


cdef dict _PATHS = {}


def _clark_split(name):
    prefix, local = name.split(":")
    return NAMESPACES[prefix], local.encode()


cdef dict _XPATH_PREDICATES = {}

_CHILD_EQ_ONE = _re.compile(r"^cbc:(\w+) ?= ?'([^']*)'$")
_CHILD_EQ_TWO = _re.compile(r"^cbc:(\w+) ?= ?'([^']*)' or cbc:(\w+) ?= ?'([^']*)'$")
_FIRST_XNSP_TWO = _re.compile(r"^normalize-space\(cbc:(\w+)\) ?= ?'([^']*)' or normalize-space\(cbc:(\w+)\) ?= ?'([^']*)'$")
_CHILD_PATH = _re.compile(r"^(cac|cbc):\w+(/(cac|cbc):\w+)*$")
_MULTIPLIER_BASE = {
    "not(cbc:MultiplierFactorNumeric and not(cbc:BaseAmount)) and not(not(cbc:MultiplierFactorNumeric) and cbc:BaseAmount)": 0,
    "cbc:MultiplierFactorNumeric and not(cbc:BaseAmount)": 1,
    "not(cbc:MultiplierFactorNumeric) and cbc:BaseAmount": 2,
}
_NOT_UNDER_LINE = "not(parent::cac:InvoiceLine) and not(parent::cac:CreditNoteLine)"
_ATTR_TRANSLATE_EQ = _re.compile(r"^(not\()?translate\(@(\w+), '([a-z]+)', '([A-Z]+)'\) ?= ?'([^']*)'(\))?$")
_NO_RAW_VAT_SCHEME = "not(cac:TaxScheme/cbc:ID[translate(., 'vat', 'VAT')='VAT'])"


cdef bint _native_xpath_predicate(Pred p, str text) except -1:
    """The XPath-only predicates the official contexts use, evaluated natively with XPath 1.0's
    meaning (general comparisons over child node sets, normalize-space of the first node)."""
    match = _CHILD_EQ_ONE.match(text)
    if match:
        p.kind, p.ns, p.local, p.python = P_CHILD_EQ_ANY, CBC, match.group(1).encode(), (match.group(2),)
        return True
    match = _CHILD_EQ_TWO.match(text)
    if match and match.group(1) == match.group(3):
        p.kind, p.ns, p.local, p.python = P_CHILD_EQ_ANY, CBC, match.group(1).encode(), (match.group(2), match.group(4))
        return True
    match = _FIRST_XNSP_TWO.match(text)
    if match and match.group(1) == match.group(3):
        p.kind, p.ns, p.local, p.python = P_FIRST_XNSP_IN, CBC, match.group(1).encode(), (match.group(2), match.group(4))
        return True
    if text in _MULTIPLIER_BASE:
        p.kind, p.value = P_MULTIPLIER_BASE, str(_MULTIPLIER_BASE[text]).encode()
        return True
    if _CHILD_PATH.match(text):
        p.kind, p.python = P_PATH_EXISTS, cpath(text)
        return True
    if text == _NOT_UNDER_LINE:
        p.kind = P_NOT_UNDER_LINE
        return True
    match = _ATTR_TRANSLATE_EQ.match(text)
    if match and bool(match.group(1)) == bool(match.group(6)):
        # an absent attribute translates to "" (XPath's string of an empty node set)
        p.kind, p.local = P_ATTR_TRANSLATE_EQ, match.group(2).encode()
        p.python = (str.maketrans(match.group(3), match.group(4)), match.group(5), bool(match.group(1)))
        return True
    if text == _NO_RAW_VAT_SCHEME:
        p.kind = P_NO_RAW_VAT_SCHEME
        return True
    return False


cdef Pred _pred(str text, bint xpath=False):
    """A predicate as the Python engine evaluates it: in a context (``xpath`` false) with its
    Python predicates, in a rule's path (``xpath`` true) with lxml's XPath."""
    cdef Pred p = Pred()
    p.text = text
    p.kind = P_PYTHON
    if text == pybase._VAT_PREDICATE:
        p.kind = P_X_VAT if xpath else P_VAT
        return p
    if text in pybase._CI_PREDICATES:
        if pybase._CI_PREDICATES[text] == ("false", "0"):
            p.kind = P_X_CI_FALSE if xpath else P_CI_FALSE
        else:
            p.kind = P_X_CI_TRUE if xpath else P_CI_TRUE
        return p
    match = pybase._ID_PREDICATE.match(text)
    if match:
        p.kind, p.value = (P_X_ID_EQ if xpath else P_ID_EQ), match.group(1).encode()
        return p
    match = pybase._ATTRIBUTE_EQUALS.match(text)
    if match:
        p.kind, p.local, p.value = P_ATTR_EQ, match.group(1).encode(), match.group(2).encode()
        return p
    match = pybase._ATTRIBUTE_EXISTS.match(text)
    if match:
        p.kind, p.local = P_ATTR, match.group(1).encode()
        return p
    match = pybase._UPPER_CHILD_EQUALS.match(text)
    if match:
        p.kind, p.ns, p.local, p.value = P_UPPER_CHILD_EQ, CBC, match.group(1).encode(), match.group(2).encode()
        return p
    if _native_xpath_predicate(p, text):
        return p
    if xpath:
        python = _XPATH_PREDICATES.get(text)
        if python is None:
            python = _XPATH_PREDICATES[text] = etree.XPath(f"boolean(self::*[{text}])", namespaces=pybase.NS)
    else:
        python = pybase._PREDICATES.get(text)
        if python is None:
            python = pybase._python_predicate(text) or etree.XPath(f"boolean(self::*[{text}])", namespaces=pybase.NS)
            pybase._PREDICATES[text] = python
    p.python = python
    return p


cdef Step _step(str raw, int kind, bint xpath=True):
    cdef Step s = Step()
    s.kind = kind
    s.preds = []
    s.ns = None
    s.local = None
    match = pybase._STEP_RE.match(raw)
    if not match:
        raise ValueError(f"path step {raw!r} is not supported by the compiled engine")
    name, predicates = match.group(1), match.group(2)
    if name != "*":
        s.ns, s.local = _clark_split(name)
    for text in pybase._split_predicates(predicates or ""):
        s.preds.append(_pred(text, xpath))
    return s


cdef CPath cpath(str text):
    """A path as the helpers take it: relative child steps, ``..``, ``*``, predicates,
    a final ``@name``, or absolute ``/*``, ``/ns:Root``, ``//ns:Name``, ``//@name``."""
    cdef CPath path = _PATHS.get(text)
    cdef Step s
    if path is not None:
        return path
    path = CPath()
    path.text = text
    path.steps = []
    body = text.strip()
    if body.startswith("//"):
        parts = pybase._split_top(body[2:], "/")
        head = parts[0].strip()
        if head.startswith("@"):
            s = Step()
            s.kind, s.local, s.preds = S_DESC_ATTR, head[1:].encode(), []
            path.steps.append(s)
        else:
            path.steps.append(_step(head, S_DESC))
        parts = parts[1:]
    elif body.startswith("/"):
        parts = pybase._split_top(body[1:], "/")
        path.steps.append(_step(parts[0].strip(), S_ROOT))
        parts = parts[1:]
    else:
        parts = pybase._split_top(body, "/")
    for raw in parts:
        raw = raw.strip()
        if raw == "..":
            s = Step()
            s.kind, s.preds = S_PARENT, []
            path.steps.append(s)
        elif raw.startswith("@"):
            s = Step()
            s.kind, s.local, s.preds = S_ATTR, raw[1:].encode(), []
            if not pybase._ATTRIBUTE_NAME.match(raw[1:]):
                raise ValueError(f"path {text!r}: attribute step {raw!r} is not supported")
            path.steps.append(s)
        elif raw == "" or "(" in raw.split("[", 1)[0]:
            raise ValueError(f"path {text!r} is not supported by the compiled engine")
        else:
            path.steps.append(_step(raw, S_CHILD))
    _PATHS[text] = path
    return path


def compile_path(text):
    """Python access for tests: raises ValueError for paths the compiled engine cannot take."""
    return cpath(text)


# ------------------------------------------------------------------ predicates and steps


_VAT_LETTERS = str.maketrans("vat", "VAT")


cdef bint _vat_scheme(xmlNode* el, bint xpath) except -1:
    # cac:TaxScheme/cbc:ID[translate(normalize-space(.),'vat','VAT')='VAT'], with XPath's
    # semantics (xpath) or the Python engine's context predicate (nsp, upper)
    cdef xmlNode* scheme = el.children
    cdef xmlNode* ident
    while scheme is not NULL:
        if is_tag(scheme, <const char*>CAC, b"TaxScheme"):
            ident = scheme.children
            while ident is not NULL:
                if is_tag(ident, <const char*>CBC, b"ID"):
                    value = sv(ident)
                    if (nsp(value).translate(_VAT_LETTERS) if xpath else nsp(value).upper()) == "VAT":
                        return True
                ident = ident.next
        scheme = scheme.next
    return False


cdef bint is_vat_scheme(xmlNode* el) except -1:
    """base.is_vat_scheme: ``[cac:TaxScheme/normalize-space(upper-case(cbc:ID))='VAT']``."""
    return _vat_scheme(el, False)


cdef str category_id(xmlNode* el):
    """base.category_id: normalize-space(cbc:ID)."""
    return nsp(sv(child(el, <const char*>CBC, b"ID")))


cdef bint _charge_indicator(xmlNode* el, tuple accepted) except -1:
    cdef xmlNode* kid = el.children
    while kid is not NULL:
        if is_tag(kid, <const char*>CBC, b"ChargeIndicator"):
            value = sv(kid)
            if nsp(value) in accepted:
                return True
        kid = kid.next
    return False


cdef xmlNode* named_from(xmlNode* node, const char* ns, const char* local) noexcept:
    """The first element from ``node`` on (it and its following siblings) with that name."""
    while node is not NULL:
        if is_tag(node, ns, local):
            return node
        node = node.next
    return NULL


cdef xmlNode* child(xmlNode* el, const char* ns, const char* local) noexcept:
    """The first child element with that name (NULL for a NULL ``el``)."""
    return named_from(el.children, ns, local) if el is not NULL else NULL


cdef str text_of(xmlNode* node):
    """lxml's ``el.text or ""``: the text and CDATA nodes before the first other child (the
    string value ``sv`` differs when an element holds a comment or child elements)."""
    cdef string out
    cdef xmlNode* node_child = node.children if node is not NULL else NULL
    while node_child is not NULL:
        if node_child.type == TEXT or node_child.type == CDATA:
            if node_child.content is not NULL:
                out.append(<const char*>node_child.content)
        elif node_child.type != XINCLUDE_START and node_child.type != XINCLUDE_END:
            break
        node_child = node_child.next
    return PyUnicode_DecodeUTF8(out.c_str(), out.size(), NULL)


cdef set sv_set(Nodes found):
    cdef size_t i
    return {sv(found[i]) for i in range(found.size())}


cdef object dsum(Nodes found):
    """base.dsum: the xs:decimal sum, None when one value is not an xs:decimal."""
    cdef size_t i
    total = _ZERO
    for i in range(found.size()):
        value = dec(found[i])
        if value is None:
            return None
        total = total + value
    return total


cdef bint is_xpath_vat_scheme(xmlNode* el) except -1:
    """``[cac:TaxScheme/cbc:ID[translate(normalize-space(.),'vat','VAT')='VAT']]`` as lxml's
    XPath evaluates it (rule paths), where ``is_vat_scheme`` is the Python engine's predicate."""
    return _vat_scheme(el, True)


_ASCII_UPPER = pybase._ASCII_UPPER


cdef bint pred_holds(Engine e, Pred p, xmlNode* el) except -1:
    cdef xmlAttr* a
    cdef xmlNode* kid
    cdef xmlNode* up
    cdef xmlNode* scheme
    cdef xmlNode* ident
    cdef bint multiplier, base_amount
    if p.kind == P_VAT:
        return _vat_scheme(el, False)
    # normalize-space has one meaning in both engines, so the XPath and the context forms of
    # the ChargeIndicator and ID predicates are the same test
    if p.kind == P_CI_FALSE or p.kind == P_X_CI_FALSE:
        return _charge_indicator(el, ("false", "0"))
    if p.kind == P_CI_TRUE or p.kind == P_X_CI_TRUE:
        return _charge_indicator(el, ("true", "1"))
    if p.kind == P_ID_EQ or p.kind == P_X_ID_EQ:
        return nsp(sv(child(el, <const char*>CBC, b"ID"))) == p.value.decode()
    if p.kind == P_ATTR_EQ:
        value = attr(el, <const char*>p.local)
        return value is not None and value == p.value.decode()
    if p.kind == P_ATTR:
        return _attribute(el, <const char*>p.local) is not NULL
    if p.kind == P_X_VAT:
        return _vat_scheme(el, True)
    if p.kind == P_CHILD_EQ_ANY:
        kid = el.children
        while kid is not NULL:
            if is_tag(kid, <const char*>p.ns, <const char*>p.local) and sv(kid) in p.python:
                return True
            kid = kid.next
        return False
    if p.kind == P_FIRST_XNSP_IN:
        return nsp(sv(child(el, <const char*>p.ns, <const char*>p.local))) in p.python
    if p.kind == P_MULTIPLIER_BASE:
        multiplier = child(el, <const char*>CBC, b"MultiplierFactorNumeric") is not NULL
        base_amount = child(el, <const char*>CBC, b"BaseAmount") is not NULL
        mode = p.value
        if mode == b"0":
            return multiplier == base_amount
        if mode == b"1":
            return multiplier and not base_amount
        return base_amount and not multiplier
    if p.kind == P_PATH_EXISTS:
        return exists(e, el, <CPath>p.python)
    if p.kind == P_NOT_UNDER_LINE:
        up = el.parent
        return not (is_tag(up, <const char*>CAC, b"InvoiceLine") or is_tag(up, <const char*>CAC, b"CreditNoteLine"))
    if p.kind == P_ATTR_TRANSLATE_EQ:
        table, expected, negated = p.python
        value = attr(el, <const char*>p.local)
        return ((value or "").translate(table) == expected) != negated
    if p.kind == P_NO_RAW_VAT_SCHEME:
        scheme = named_from(el.children, <const char*>CAC, b"TaxScheme")
        while scheme is not NULL:
            ident = named_from(scheme.children, <const char*>CBC, b"ID")
            while ident is not NULL:
                if sv(ident).translate(_VAT_LETTERS) == "VAT":
                    return False
                ident = named_from(ident.next, <const char*>CBC, b"ID")
            scheme = named_from(scheme.next, <const char*>CAC, b"TaxScheme")
        return True
    if p.kind == P_UPPER_CHILD_EQ:
        return sv(child(el, <const char*>p.ns, <const char*>p.local)).translate(_ASCII_UPPER) == p.value.decode()
    return bool(p.python(e.proxy(el)))


cdef inline bint preds_hold(Engine e, Step s, xmlNode* el) except -1:
    cdef Pred p
    for p in s.preds:
        if not pred_holds(e, p, el):
            return False
    return True


cdef void _push_unique(Nodes& out, xmlNode* node) noexcept:
    # Steps from one context node give each node once, except ``..`` from siblings.
    cdef size_t i
    for i in range(out.size()):
        if out[i] == node:
            return
    out.push_back(node)


cdef Nodes nodes(Engine e, xmlNode* el, CPath path) except *:
    """The nodes a path selects from ``el`` (attributes come back as attribute nodes)."""
    cdef Nodes current, following
    cdef Step s
    cdef xmlNode* node
    cdef xmlNode* kid
    cdef xmlAttr* a
    cdef size_t i, k
    current.push_back(el)
    for s in path.steps:
        following.clear()
        if s.kind == S_CHILD:
            for i in range(current.size()):
                kid = current[i].children if current[i].type == ELEMENT else NULL
                while kid is not NULL:
                    if step_tag(kid, s) and preds_hold(e, s, kid):
                        following.push_back(kid)
                    kid = kid.next
        elif s.kind == S_PARENT:
            for i in range(current.size()):
                node = parent(current[i]) if current[i].type == ELEMENT else <xmlNode*>current[i].parent
                if node is not NULL:
                    _push_unique(following, node)
        elif s.kind == S_ATTR:
            for i in range(current.size()):
                if current[i].type == ELEMENT:
                    a = _attribute(current[i], <const char*>s.local)
                    if a is not NULL:
                        following.push_back(<xmlNode*>a)
        elif s.kind == S_ROOT:
            if step_tag(e.root, s) and preds_hold(e, s, e.root):
                following.push_back(e.root)
        elif s.kind == S_DESC:
            for k in range(e.elements.size()):
                node = e.elements[k]
                if step_tag(node, s) and preds_hold(e, s, node):
                    following.push_back(node)
        elif s.kind == S_DESC_ATTR:
            if s.local.decode() in e.attribute_names:
                for k in range(e.elements.size()):
                    a = _attribute(e.elements[k], <const char*>s.local)
                    if a is not NULL:
                        following.push_back(<xmlNode*>a)
        current.swap(following)
        if current.empty():
            break
    return current


cdef xmlNode* first(Engine e, xmlNode* el, CPath path) except? NULL:
    cdef Step s
    cdef xmlNode* kid
    if len(path.steps) == 1:
        s = path.steps[0]
        if s.kind == S_CHILD and not s.preds:
            kid = el.children
            while kid is not NULL:
                if step_tag(kid, s):
                    return kid
                kid = kid.next
            return NULL
    cdef Nodes found = nodes(e, el, path)
    return found[0] if not found.empty() else NULL


cdef bint exists(Engine e, xmlNode* el, CPath path) except -1:
    return first(e, el, path) is not NULL


cdef str svp(Engine e, xmlNode* el, CPath path):
    return sv(first(e, el, path))


cdef bint any_not_empty(Engine e, xmlNode* el, CPath path) except -1:
    cdef Nodes found = nodes(e, el, path)
    cdef size_t i
    for i in range(found.size()):
        if sv(found[i]) != "":
            return True
    return False


# ------------------------------------------------------------------ registry


cdef class RuleImpl:
    pass


cdef dict IMPLS = {}


cdef void register(str rule_id, RuleFn fn, object param=None):
    cdef RuleImpl impl = RuleImpl()
    impl.fn = fn
    impl.param = param
    IMPLS[rule_id] = impl


cdef class GateImpl:
    pass


cdef dict CONTEXT_GATES = {}


cdef void register_gate(object python_context, GateFn fn):
    """``fn(e)`` false means ``python_context(doc)`` is empty for this document."""
    cdef GateImpl gate = GateImpl()
    gate.fn = fn
    CONTEXT_GATES[python_context] = gate


cdef bint _swedish_supplier(Engine e) except -1:
    # peppol._se_supplier_parties: supplier parties whose country code is exactly "SE"
    cdef Nodes parties = e.all("//cac:AccountingSupplierParty/cac:Party")
    cdef Nodes codes
    cdef size_t i, k
    for i in range(parties.size()):
        codes = nodes(e, parties[i], _SE_COUNTRY)
        for k in range(codes.size()):
            if sv(codes[k]) == "SE":
                return True
    return False


cdef CPath _SE_COUNTRY = cpath("cac:PostalAddress/cac:Country/cbc:IdentificationCode")

# peppol.py's Swedish contexts all start from _se_supplier_parties: nothing without a Swedish supplier.
for _rule in pybase.RULES:
    if callable(_rule.context) and _rule.context.__module__ == pypeppol.__name__ \
            and _rule.context.__qualname__.startswith("_se_"):
        register_gate(_rule.context, _swedish_supplier)


def compiled_rule_ids():
    return set(IMPLS)


# ------------------------------------------------------------------ contexts (the index pass)


cdef class Branch:
    pass


cdef class Plan:
    """Everything derived from the registered rules once: contexts, dispatch, groups, UBL-CR."""
    pass


cdef Plan _PLAN = None
cdef tuple _PLAN_KEY = None



cdef Plan _build_plan():
    from kvitt.einvoice import rules as pyrules

    cdef Plan plan = Plan()
    cdef Branch branch
    cdef Step s, last
    table, contexts = pybase.DISPATCH.state
    plan.expressions = list(contexts)
    plan.index_of = {expr: i for i, expr in enumerate(plan.expressions)}
    plan.branches = []
    c_branches = []
    for i, expr in enumerate(plan.expressions):
        for compiled in pybase.compiled_context(expr):
            branch = Branch()
            branch.absolute = compiled.absolute
            branch.context = i
            branch.steps = []
            for step in reversed(compiled.steps):
                s = Step()
                s.kind = S_CHILD
                s.ns = s.local = None
                if step.tag is not None:
                    ns, local = step.tag[1:].split("}")
                    s.ns, s.local = ns.encode(), local.encode()
                s.preds = [_pred(text) for text, _ in step.predicates]
                branch.steps.append(s)
            plan.branches.append(branch)
            last = branch.steps[0]
            key = last.local if last.local is not None else b"*"
            plan.by_local[key].push_back(len(plan.branches) - 1)
            c_steps = []
            for s in branch.steps:
                c_steps.append((s.ns, s.local, bool(s.preds)))
            c_branches.append((c_steps, i, branch.absolute))
    plan.size = len(plan.expressions)
    plan.groups = {}
    for source in pyrules.SOURCES:
        groups = []
        for context, items in pyrules._GROUPS[(source,)]:
            target = plan.index_of.get(context, context) if isinstance(context, str) else context
            groups.append((target, [(item, IMPLS.get(item.id)) for item in items]))
        plan.groups[source] = groups
    # UBL-CR: a trie over the forbidden element paths from the root.
    plan.trie = [{}]
    plan.trie_hits = {}
    for tags, hit in pyubl_cr._BY_TAGS.items():
        node = 0
        for tag in tags:
            ns, local = tag[1:].split("}")
            key = (ns, local)
            following = plan.trie[node].get(key)
            if following is None:
                following = len(plan.trie)
                plan.trie[node][key] = following
                plan.trie.append({})
            node = following
        plan.trie_hits[node] = hit
    plan.cr_paths = [(order, rule_id, cpath(path), text) for order, rule_id, path, text in pyubl_cr._BY_XPATH]
    _load_c_plan(c_branches, plan)
    return plan


cdef void _load_c_plan(list c_branches, Plan plan) except *:
    cdef CStep step
    cdef vector[CStep] steps
    cdef string edge
    plan.keep_alive = []
    for c_steps, context, absolute in c_branches:
        steps.clear()
        for ns, local, has_preds in c_steps:
            plan.keep_alive.append(ns)
            plan.keep_alive.append(local)
            step.ns = NULL
            step.local = NULL
            if ns is not None:
                step.ns = <const char*>ns
            if local is not None:
                step.local = <const char*>local
            step.has_preds = has_preds
            steps.push_back(step)
        plan.branch_steps.push_back(steps)
        plan.branch_context.push_back(context)
        plan.branch_absolute.push_back(absolute)
    hits = list(plan.trie_hits.items())
    plan.trie_hit.resize(len(plan.trie), -1)
    for node, following in enumerate(plan.trie):
        for (ns, local), kid in following.items():
            edge = _edge_key(node, ns.encode(), local.encode())
            plan.trie_edges[edge] = kid
    for index, (node, hit) in enumerate(hits):
        plan.trie_hit[node] = index
    plan.trie_hits = {index: hit for index, (node, hit) in enumerate(hits)}


cdef inline string _edge_key(int node, const char* ns, const char* local) noexcept:
    cdef string key = to_string(node)
    key.append(b"|")
    key.append(ns)
    key.append(b"|")
    key.append(local)
    return key


cdef Plan plan():
    global _PLAN, _PLAN_KEY
    key = (len(pybase.DISPATCH.state[1]), len(IMPLS), len(pybase.RULES))
    if _PLAN is None or _PLAN_KEY != key:
        _PLAN = _build_plan()
        _PLAN_KEY = key
    return _PLAN


cdef inline bint _c_step_tag(xmlNode* node, CStep* step) noexcept:
    if node is NULL or node.type != ELEMENT:
        return False
    if step.local is NULL:
        return True
    if strcmp(<const char*>node.name, step.local) != 0:
        return False
    return node.ns is not NULL and strcmp(<const char*>node.ns.href, step.ns) == 0


cdef bint branch_matches(Engine e, Plan p, int b, xmlNode* el) except -1:
    """Does ``el`` match branch ``b``: tags up the ancestor chain first (C copies of the steps),
    predicates (the Python ``Step`` objects) only on a structural match, as base does."""
    cdef vector[CStep]* steps = &p.branch_steps[b]
    cdef size_t n = steps.size()
    cdef size_t i
    cdef xmlNode* chain[64]
    cdef xmlNode* node = el
    cdef bint any_preds = steps[0][0].has_preds
    cdef Step s
    if n > 64 or not _c_step_tag(el, &steps[0][0]):
        return False
    chain[0] = el
    for i in range(1, n):
        node = parent(node)
        if not _c_step_tag(node, &steps[0][i]):
            return False
        chain[i] = node
        any_preds = any_preds or steps[0][i].has_preds
    if p.branch_absolute[b] and parent(node) is not NULL:
        return False
    if any_preds:
        for i in range(n):
            s = (<Branch>p.branches[b]).steps[i]
            if s.preds and not preds_hold(e, s, chain[i]):
                return False
    return True


cdef class Engine:
    """One document: its index (every context's nodes), caches and the Python fallback doc."""

    def __init__(self, root):
        cdef cetree._Element element = <cetree._Element?>root
        self.root_element = root
        self.lxml_doc = element._doc
        self.root = element._c_node
        self.is_invoice = root.tag == f"{{{pybase.INVOICE_NS}}}Invoice"
        self.is_credit_note = root.tag == f"{{{pybase.CREDITNOTE_NS}}}CreditNote"
        self.memo = {}
        self.extra = {}
        self.attribute_names = set()
        self.pydoc = None

    cdef object proxy(self, xmlNode* node):
        return cetree.elementFactory(<cetree._Document>self.lxml_doc, node)

    cdef object python_doc(self):
        if self.pydoc is None:
            from kvitt.einvoice.rules.compiled.bridge import BridgeDoc

            self.pydoc = BridgeDoc(self.root_element, self)
        return self.pydoc

    cdef void _index(self, Plan p) except *:
        """One pass in document order: every context's nodes, all elements, the empty ones,
        the attribute names and the UBL-CR paths present."""
        self.contexts.resize(p.size)
        self.cr_hits = []
        # The plan this document is indexed with: a later plan (contexts met while validating
        # are added for the next document) does not fit this index.
        self.plan = p
        self._visit(p, self.root, -1)

    cdef void _visit(self, Plan p, xmlNode* node, int trie_node) except *:
        cdef xmlNode* kid
        cdef xmlAttr* a
        cdef vector[int]* candidates

        cdef size_t i
        cdef string key
        cdef bint has_element_child = False
        self.elements.push_back(node)
        a = node.properties
        while a is not NULL:
            if a.ns is NULL:
                self.attribute_names.add((<bytes>a.name).decode())
            else:
                self.attribute_names.add("{%s}%s" % ((<bytes>a.ns.href).decode(), (<bytes>a.name).decode()))
            a = a.next
        cdef int lookup, b, context
        cdef unordered_map[string, vector[int]].iterator found
        for lookup in range(2):
            key = string(<const char*>node.name) if lookup == 0 else string(b"*")
            found = p.by_local.find(key)
            if found != p.by_local.end():
                candidates = &deref(found).second
                for i in range(candidates.size()):
                    b = candidates[0][i]
                    context = p.branch_context[b]
                    if (self.contexts[context].empty() or self.contexts[context].back() != node) \
                            and branch_matches(self, p, b, node):
                        self.contexts[context].push_back(node)
        kid = node.children
        while kid is not NULL:
            if kid.type == ELEMENT:
                has_element_child = True
                self._visit(p, kid, self._trie_child(p, trie_node if node != self.root else 0, kid))
            kid = kid.next
        # empty: no element child and a string value of white space only (as base's index)
        if not has_element_child and _blank(node):
            self.empty.push_back(node)

    cdef int _trie_child(self, Plan p, int trie_parent, xmlNode* kid) except -2:
        cdef unordered_map[string, int].iterator found
        cdef int following
        if trie_parent < 0 or kid.ns is NULL:
            return -1
        found = p.trie_edges.find(_edge_key(trie_parent, <const char*>kid.ns.href, <const char*>kid.name))
        if found == p.trie_edges.end():
            return -1
        following = deref(found).second
        if p.trie_hit[following] >= 0:
            self.cr_hits.append(p.trie_hits[p.trie_hit[following]])
        return following

    cdef Nodes all(self, str expr) except *:
        """Absolute path evaluated once per document (``Doc.all``)."""
        cdef Plan p = self.plan
        index = p.index_of.get(expr)
        if index is not None:
            return self.contexts[index]
        cdef NodeList cached = self.extra.get(expr)
        if cached is None:
            cached = NodeList()
            if expr.startswith("//@") or pybase.compiled_context(expr) is None:
                # attribute paths and XPath-only expressions: lxml's XPath in the Python engine
                try:
                    cached.nodes = nodes(self, self.root, cpath(expr))
                except ValueError:
                    _python_context(self, expr, cached)
            else:
                # A context the Python engine matches with its own predicates; from the next
                # document on it is part of the index pass, as in the Python engine.
                pybase.DISPATCH.add(expr)
                _python_context(self, expr, cached)
            self.extra[expr] = cached
        return cached.nodes


    def context_elements(self, expr):
        """A context's nodes as lxml elements (for the Python rules' doc)."""
        cdef Plan p = self.plan
        index = p.index_of.get(expr)
        if index is None:
            return None
        return [self.proxy(node) for node in self.contexts[index]]

    def all_elements(self):
        return [self.proxy(node) for node in self.elements]

    def empty_elements(self):
        return [self.proxy(node) for node in self.empty]

    def document_attribute_names(self):
        return frozenset(self.attribute_names)


cdef class NodeList:
    pass


cdef void _python_context(Engine e, str expr, NodeList into) except *:
    for element in e.python_doc().context(expr):
        into.nodes.push_back((<cetree._Element>element)._c_node)


# ------------------------------------------------------------------ native contexts


cdef Nodes _amount_elements(Engine e) except *:
    cdef Nodes out
    cdef xmlNode* node
    cdef xmlNode* up
    cdef size_t i
    cdef bint under
    for i in range(e.elements.size()):
        node = e.elements[i]
        name = (<bytes>node.name)
        if not name.endswith(b"Amount") or name.endswith(b"PriceAmount"):
            continue
        under = False
        up = parent(node)
        while up is not NULL:
            if is_tag(up, <const char*>CAC, b"AllowanceCharge") and is_tag(parent(up), <const char*>CAC, b"Price"):
                under = True
                break
            up = parent(up)
        if not under:
            out.push_back(node)
    return out


cdef Nodes _binary_objects(Engine e) except *:
    cdef Nodes out
    cdef size_t i
    for i in range(e.elements.size()):
        if (<bytes>e.elements[i].name).endswith(b"BinaryObject"):
            out.push_back(e.elements[i])
    return out


# The //* contexts that base.py writes as Python functions, computed from the index pass.
_NATIVE_CONTEXTS = {pysyntax._amount_elements: 1, pysyntax._binary_objects: 2, pypeppol._empty_elements: 3}


cdef Nodes _context_nodes(Engine e, object target) except *:
    cdef Nodes out
    if isinstance(target, int):
        return e.contexts[<int>target]
    gate = CONTEXT_GATES.get(target)
    if gate is not None and not (<GateImpl>gate).fn(e):
        return out
    native = _NATIVE_CONTEXTS.get(target)
    if native == 1:
        return _amount_elements(e)
    if native == 2:
        return _binary_objects(e)
    if native == 3:
        return e.empty
    if isinstance(target, str):
        return e.all(target)
    for element in target(e.python_doc()):
        out.push_back((<cetree._Element>element)._c_node)
    return out


# ------------------------------------------------------------------ evaluation


cdef _run(Engine e, list groups, list findings):
    cdef Nodes elements
    cdef RuleImpl impl
    cdef size_t i
    cdef int ok
    for target, items in groups:
        elements = _context_nodes(e, target)
        if elements.empty():
            continue
        for i in range(elements.size()):
            for item, impl_object in items:
                try:
                    if impl_object is not None:
                        impl = <RuleImpl>impl_object
                        ok = impl.fn(e, elements[i], impl.param)
                    else:
                        ok = bool(item.test(e.proxy(elements[i]), e.python_doc()))
                except (ArithmeticError, ValueError, TypeError):
                    ok = False  # as the Python engine: the official XSLT stops with a dynamic error
                if not ok:
                    findings.append(Finding(item.id, item.flag, item.message, element_path(e.proxy(elements[i]))))


cdef list _ubl_cr_findings(Engine e, Plan p):
    if not e.is_invoice:
        return []
    hits = list(e.cr_hits)
    cdef CPath path
    cdef Nodes found
    for order, rule_id, path, text in p.cr_paths:
        found = nodes(e, e.root, path)
        if not found.empty():
            hits.append((order, rule_id, text))
    location = element_path(e.root_element)
    return [Finding(rule_id, WARNING, text, location) for _, rule_id, text in sorted(set(hits))]


def check(root, sources=("CEN", "PEPPOL")):
    """The findings of ``kvitt.einvoice.rules.check``, computed by the compiled engine."""
    cdef Plan p = plan()
    cdef Engine e = Engine(root)
    e._index(p)
    findings = []
    for source in sources:
        _run(e, p.groups[source], findings)
        if source == "CEN":
            findings.extend(_ubl_cr_findings(e, p))
    return findings
