"""UBL 2.1 / Peppol BIS Billing 3.0 vocabulary shared by the parser, builder, SBDH and XSD code.

Names here are the ones the standards use, so a reader can grep the specification for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
EXT_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDITNOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"

INVOICE = "Invoice"
CREDIT_NOTE = "CreditNote"
ROOT_NAMESPACES = {INVOICE: INVOICE_NS, CREDIT_NOTE: CREDITNOTE_NS}
NSMAP_INVOICE = {None: INVOICE_NS, "cac": CAC_NS, "cbc": CBC_NS}
NSMAP_CREDIT_NOTE = {None: CREDITNOTE_NS, "cac": CAC_NS, "cbc": CBC_NS}
XPATH_NS = {"cbc": CBC_NS, "cac": CAC_NS, "inv": INVOICE_NS, "cn": CREDITNOTE_NS}

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
UBL_VERSION = "2.1"

INVOICE_TYPE_COMMERCIAL = "380"
CREDIT_NOTE_TYPE = "381"

# ISO 6523 ICD for the Norwegian organisation number (Enhetsregisteret).
SCHEME_NO_ORGNR = "0192"
PEPPOL_PARTICIPANT_AUTHORITY = "iso6523-actorid-upis"

PAYMENT_MEANS_CREDIT_TRANSFER = "30"
TAX_SCHEME_VAT = "VAT"
TAX_SCHEME_NO_REGISTER = "TAX"
FORETAKSREGISTERET = "Foretaksregisteret"

# Names of the insurers' per-line AdditionalItemProperty extension (see docs/domain.md).
PROP_TREATMENT_ID = "TreatmentId"
PROP_TREATMENT_DATETIME = "TreatmentDateTime"
PROP_TREATMENT_DURATION = "TreatmentDuration"
PROP_THERAPIST_HPR = "TherapistHpr"
PROP_THERAPIST_NAME = "TherapistName"
PROP_PROFESSION = "Profession"
PROP_DIAGNOSE = "Diagnose"
PROP_PATIENT_ID = "PatientId"
TREATMENT_PROPERTY_ORDER = (
    PROP_TREATMENT_ID,
    PROP_TREATMENT_DATETIME,
    PROP_TREATMENT_DURATION,
    PROP_THERAPIST_HPR,
    PROP_THERAPIST_NAME,
    PROP_PROFESSION,
    PROP_DIAGNOSE,
    PROP_PATIENT_ID,
)

CENT = Decimal("0.01")


@dataclass
class EInvoiceError(ValueError):
    """A UBL document Kvitt cannot read or build; ``element`` names where, ``line`` the source line."""

    message: str
    element: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = []
        if self.element:
            where.append(self.element)
        if self.line:
            where.append(f"line {self.line}")
        return f"{self.message} ({', '.join(where)})" if where else self.message


def cbc(name: str) -> str:
    return f"{{{CBC_NS}}}{name}"


def cac(name: str) -> str:
    return f"{{{CAC_NS}}}{name}"


def qualified(name: str) -> str:
    """``'cac:Party'`` -> Clark notation, so paths can be written the way the standard prints them."""
    prefix, _, local = name.partition(":")
    return {"cbc": cbc, "cac": cac}[prefix](local)


def prefixed_name(element: etree._Element) -> str:
    qname = etree.QName(element)
    prefix = {CBC_NS: "cbc:", CAC_NS: "cac:"}.get(qname.namespace or "", "")
    return prefix + qname.localname


def element_path(element: etree._Element) -> str:
    """A readable path like ``/Invoice/cac:InvoiceLine[2]/cbc:LineExtensionAmount`` for messages."""
    parts = []
    node = element
    while node is not None:
        name = prefixed_name(node)
        parent = node.getparent()
        if parent is not None:
            siblings = [s for s in parent if s.tag == node.tag]
            if len(siblings) > 1:
                name += f"[{siblings.index(node) + 1}]"
        parts.append(name)
        node = parent
    return "/" + "/".join(reversed(parts))


def money(value: Decimal) -> Decimal:
    """Round to øre the way EN 16931 amounts are stated (two decimals, half up)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_decimal(value: Decimal) -> str:
    """Plain notation (never ``1E+2``), exactly the digits ``value`` carries."""
    return format(value, "f")


def document_type_identifier(kind: str, customization_id: str = CUSTOMIZATION_ID) -> str:
    """The Peppol document type identifier (the SBDH DOCUMENTID scope and SMP lookups use it)."""
    return f"{ROOT_NAMESPACES[kind]}::{kind}##{customization_id}::{UBL_VERSION}"
