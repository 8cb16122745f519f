# distutils: language = c++
# The compiled rule engine's C-level interface, cimported by the compiled rule modules.
from libcpp.string cimport string
from libcpp.unordered_map cimport unordered_map
from libcpp.vector cimport vector
from lxml.includes.tree cimport xmlNode

ctypedef vector[xmlNode*] Nodes


cdef class Pred:
    cdef int kind
    cdef bytes ns, local, value
    cdef object python  # the Python predicate (callable on an lxml element) for kind P_PYTHON
    cdef str text


cdef class Step:
    cdef int kind
    cdef bytes ns, local
    cdef list preds


cdef class CPath:
    cdef list steps
    cdef str text


cdef class Engine


cdef class Branch:
    cdef bint absolute
    cdef list steps  # Step, last step first
    cdef int context


cdef struct CStep:
    const char* ns       # NULL for *
    const char* local    # NULL for *
    bint has_preds


cdef class Plan:
    # C copies of the branches and the UBL-CR trie for the index pass; the plan owns them, so
    # a document indexed with one plan never reads another's
    cdef vector[vector[CStep]] branch_steps    # per branch, last step first
    cdef vector[int] branch_context
    cdef vector[bint] branch_absolute
    cdef unordered_map[string, int] trie_edges  # "<trie node>|<ns>|<local>" -> child trie node
    cdef vector[int] trie_hit                   # trie node -> key in trie_hits, or -1
    cdef list keep_alive                        # the bytes the CStep pointers point into
    cdef list expressions          # index -> expression
    cdef dict index_of             # expression -> index
    cdef unordered_map[string, vector[int]] by_local
    cdef list branches
    cdef dict groups               # source -> [(context index or callable or str, [(Rule, RuleImpl or None)])]
    cdef list trie                 # UBL-CR: per node a dict (ns, local) -> node index
    cdef dict trie_hits            # node index -> (order, rule id, text)
    cdef list cr_paths             # UBL-CR rules on other paths: (order, id, CPath, text)
    cdef int size


cdef class NodeList:
    cdef Nodes nodes

ctypedef int (*RuleFn)(Engine e, xmlNode* el, object param) except -1


cdef class RuleImpl:
    cdef RuleFn fn
    cdef object param


cdef class Engine:
    cdef object root_element      # the lxml root
    cdef object lxml_doc          # its _Document, for making proxies
    cdef xmlNode* root
    cdef public bint is_invoice
    cdef public bint is_credit_note
    cdef vector[Nodes] contexts   # per compiled context expression (index order)
    cdef Nodes elements
    cdef Nodes empty
    cdef set attribute_names
    cdef public dict memo
    cdef dict extra               # expression -> Nodes wrapper for contexts met later
    cdef object pydoc
    cdef Plan plan                # the plan this document is indexed with
    cdef list cr_hits
    cdef void _index(self, Plan p) except *
    cdef void _visit(self, Plan p, xmlNode* node, int trie_node) except *
    cdef int _trie_child(self, Plan p, int trie_parent, xmlNode* child) except -2
    cdef object proxy(self, xmlNode* node)
    cdef Nodes all(self, str expr) except *
    cdef object python_doc(self)


# ---- helpers for the compiled rules (same meaning as kvitt.einvoice.rules.base)
cdef CPath cpath(str text)
cdef Nodes nodes(Engine e, xmlNode* el, CPath path) except *
cdef xmlNode* first(Engine e, xmlNode* el, CPath path) except? NULL
cdef bint exists(Engine e, xmlNode* el, CPath path) except -1
cdef str sv(xmlNode* node)
cdef object sv_or_none(xmlNode* node)
cdef str svp(Engine e, xmlNode* el, CPath path)
cdef str nsp(str text)
cdef object dec(xmlNode* node)
cdef object num(xmlNode* node)
cdef object attr(xmlNode* node, const char* name)
cdef bint is_tag(xmlNode* node, const char* ns, const char* local) noexcept
cdef bint any_not_empty(Engine e, xmlNode* el, CPath path) except -1
cdef xmlNode* parent(xmlNode* node) noexcept
cdef bint is_vat_scheme(xmlNode* el) except -1
cdef bint is_xpath_vat_scheme(xmlNode* el) except -1
cdef xmlNode* child(xmlNode* el, const char* ns, const char* local) noexcept
cdef xmlNode* named_from(xmlNode* node, const char* ns, const char* local) noexcept
cdef str text_of(xmlNode* node)
cdef set sv_set(Nodes found)
cdef object dsum(Nodes found)
cdef str category_id(xmlNode* el)
cdef void register(str rule_id, RuleFn fn, object param=*)

# A document-level condition without which a Python context function selects nothing
# (e.g. "the supplier is Danish"): the engine then skips calling it.
ctypedef bint (*GateFn)(Engine e) except -1


cdef class GateImpl:
    cdef GateFn fn


cdef void register_gate(object python_context, GateFn fn)
