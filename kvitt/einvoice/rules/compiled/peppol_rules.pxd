# The pieces of peppol_rules that other compiled rule modules use.
from kvitt.einvoice.rules.compiled.engine cimport Engine


cdef str supplier_country(Engine e)
