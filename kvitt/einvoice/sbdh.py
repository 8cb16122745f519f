"""The Peppol envelope: a UN/CEFACT Standard Business Document Header around a UBL document.

Access points route on the header alone: sender and receiver participant ids
(``0192:<orgnr>`` with Authority ``iso6523-actorid-upis``), the document type id
(DOCUMENTID scope), the process id (PROCESSID scope) and the sender's country (COUNTRY_C1).
``InstanceIdentifier`` is the message id; Kvitt derives it from the document so a retry of the
same invoice carries the same id and the access point can drop the duplicate.
"""

from __future__ import annotations

import copy
import datetime
import uuid
from dataclasses import dataclass

from lxml import etree

from kvitt.core.xmlsafe import XmlError, parse_xml
from kvitt.einvoice.parser import check_root, parse_root
from kvitt.einvoice.ubl import (
    PEPPOL_PARTICIPANT_AUTHORITY,
    PROFILE_ID,
    ROOT_NAMESPACES,
    UBL_VERSION,
    EInvoiceError,
    document_type_identifier,
    qualified,
)

SBDH_NS = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
HEADER_VERSION = "1.0"
SCOPE_DOCUMENT_ID = "DOCUMENTID"
SCOPE_PROCESS_ID = "PROCESSID"
SCOPE_COUNTRY_C1 = "COUNTRY_C1"
DOCUMENT_ID_SCHEME = "busdox-docid-qns"
PROCESS_ID_SCHEME = "cenbii-procid-ubl"

# Message ids are UUIDv5 in this namespace over (sender, document type, document number).
MESSAGE_ID_NAMESPACE = uuid.UUID("0f1e4d3c-6b3a-5c5e-9a51-6b7669747430")


@dataclass(frozen=True)
class SbdhHeader:
    sender: str
    receiver: str
    standard: str
    type_version: str
    instance_identifier: str
    document_type: str
    created: datetime.datetime
    document_id: str
    process_id: str
    country_c1: str | None = None
    authority: str = PEPPOL_PARTICIPANT_AUTHORITY

    @property
    def message_id(self) -> str:
        return self.instance_identifier


def _tag(name: str) -> str:
    return f"{{{SBDH_NS}}}{name}"


def message_id_for(sender: str, kind: str, number: str) -> str:
    """The idempotent message id for one document: the same document always gets the same id."""
    return str(uuid.uuid5(MESSAGE_ID_NAMESPACE, f"{sender.lower()}|{kind}|{number}"))


def _participant(party: etree._Element | None, role: str) -> str:
    endpoint = None if party is None else party.find(f"{qualified('cac:Party')}/{qualified('cbc:EndpointID')}")
    if endpoint is None or not (endpoint.text or "").strip() or not endpoint.get("schemeID"):
        raise EInvoiceError(f"the {role} has no EndpointID with schemeID; it cannot be addressed in Peppol", element=f"cac:{role}/cac:Party/cbc:EndpointID")
    return f"{endpoint.get('schemeID')}:{endpoint.text.strip()}"


def header_for(
    root: etree._Element,
    message_id: str | None = None,
    *,
    created: datetime.datetime | None = None,
    country_c1: str | None = None,
) -> SbdhHeader:
    """The header a UBL document needs, read from the document itself."""
    kind = check_root(root)
    sender = _participant(root.find(qualified("cac:AccountingSupplierParty")), "AccountingSupplierParty")
    receiver = _participant(root.find(qualified("cac:AccountingCustomerParty")), "AccountingCustomerParty")
    customization = (root.findtext(qualified("cbc:CustomizationID")) or "").strip()
    profile = (root.findtext(qualified("cbc:ProfileID")) or "").strip() or PROFILE_ID
    if not customization:
        raise EInvoiceError("the document has no CustomizationID; the document type id needs it", element=f"/{kind}/cbc:CustomizationID")
    if country_c1 is None:
        country_c1 = (
            root.findtext(
                "/".join(qualified(n) for n in ("cac:AccountingSupplierParty", "cac:Party", "cac:PostalAddress", "cac:Country", "cbc:IdentificationCode"))
            )
            or ""
        ).strip() or None
    number = (root.findtext(qualified("cbc:ID")) or "").strip()
    created = created or datetime.datetime.now(datetime.timezone.utc)
    if created.tzinfo is None:
        raise ValueError("the creation time must carry a time zone")
    return SbdhHeader(
        sender=sender,
        receiver=receiver,
        standard=ROOT_NAMESPACES[kind],
        type_version=UBL_VERSION,
        instance_identifier=message_id or message_id_for(sender, kind, number),
        document_type=kind,
        created=created.replace(microsecond=0),
        document_id=document_type_identifier(kind, customization),
        process_id=profile,
        country_c1=country_c1,
    )


def _header_element(header: SbdhHeader) -> etree._Element:
    sbdh = etree.Element(_tag("StandardBusinessDocumentHeader"))
    etree.SubElement(sbdh, _tag("HeaderVersion")).text = HEADER_VERSION
    for role, value in (("Sender", header.sender), ("Receiver", header.receiver)):
        identifier = etree.SubElement(etree.SubElement(sbdh, _tag(role)), _tag("Identifier"), Authority=header.authority)
        identifier.text = value
    ident = etree.SubElement(sbdh, _tag("DocumentIdentification"))
    for name, value in (
        ("Standard", header.standard),
        ("TypeVersion", header.type_version),
        ("InstanceIdentifier", header.instance_identifier),
        ("Type", header.document_type),
        ("CreationDateAndTime", header.created.isoformat()),
    ):
        etree.SubElement(ident, _tag(name)).text = value
    scope_list = etree.SubElement(sbdh, _tag("BusinessScope"))
    scopes = [
        (SCOPE_DOCUMENT_ID, header.document_id, DOCUMENT_ID_SCHEME),
        (SCOPE_PROCESS_ID, header.process_id, PROCESS_ID_SCHEME),
    ]
    if header.country_c1:
        scopes.append((SCOPE_COUNTRY_C1, header.country_c1, None))
    for scope_type, instance, scheme in scopes:
        scope = etree.SubElement(scope_list, _tag("Scope"))
        etree.SubElement(scope, _tag("Type")).text = scope_type
        etree.SubElement(scope, _tag("InstanceIdentifier")).text = instance
        if scheme:
            etree.SubElement(scope, _tag("Identifier")).text = scheme
    return sbdh


def wrap(
    document: bytes,
    message_id: str | None = None,
    *,
    created: datetime.datetime | None = None,
    country_c1: str | None = None,
) -> bytes:
    """Wrap UBL bytes in a Standard Business Document; returns the envelope as UTF-8 bytes."""
    root = parse_root(document)
    header = header_for(root, message_id, created=created, country_c1=country_c1)
    return wrap_with_header(root, header)


def wrap_with_header(root: etree._Element, header: SbdhHeader) -> bytes:
    envelope = etree.Element(_tag("StandardBusinessDocument"), nsmap={None: SBDH_NS})
    envelope.append(_header_element(header))
    envelope.append(root)
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


# --- reading ---------------------------------------------------------------------------------


def _required(parent: etree._Element, *names: str) -> etree._Element:
    node = parent
    for name in names:
        child = node.find(_tag(name))
        if child is None:
            path = "/".join(("StandardBusinessDocumentHeader",) + names)
            raise EInvoiceError(f"the SBDH lacks {name}", element=path, line=node.sourceline)
        node = child
    return node


def _required_text(parent: etree._Element, *names: str) -> str:
    node = _required(parent, *names)
    value = (node.text or "").strip()
    if not value:
        raise EInvoiceError(f"SBDH {names[-1]} is empty", element="/".join(("StandardBusinessDocumentHeader",) + names), line=node.sourceline)
    return value


def _participant_of(sbdh: etree._Element, role: str) -> tuple[str, str]:
    identifier = _required(sbdh, role, "Identifier")
    value = _required_text(sbdh, role, "Identifier")
    authority = identifier.get("Authority", "")
    if authority != PEPPOL_PARTICIPANT_AUTHORITY:
        raise EInvoiceError(
            f"SBDH {role} Authority is {authority!r}; Peppol uses {PEPPOL_PARTICIPANT_AUTHORITY!r}",
            element=f"StandardBusinessDocumentHeader/{role}/Identifier/@Authority",
        )
    return value, authority


def _parse_created(value: str) -> datetime.datetime:
    try:
        created = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise EInvoiceError(f"{value!r} is not an xsd:dateTime", element="StandardBusinessDocumentHeader/DocumentIdentification/CreationDateAndTime") from None
    if created.tzinfo is None:
        raise EInvoiceError(
            "CreationDateAndTime has no time zone (the Peppol envelope requires one)",
            element="StandardBusinessDocumentHeader/DocumentIdentification/CreationDateAndTime",
        )
    return created


def parse_header(sbdh: etree._Element) -> SbdhHeader:
    sender, authority = _participant_of(sbdh, "Sender")
    receiver, _ = _participant_of(sbdh, "Receiver")
    scopes: dict[str, str] = {}
    scope_list = _required(sbdh, "BusinessScope")
    for scope in scope_list.findall(_tag("Scope")):
        scope_type = (scope.findtext(_tag("Type")) or "").strip()
        scopes.setdefault(scope_type, (scope.findtext(_tag("InstanceIdentifier")) or "").strip())
    for needed in (SCOPE_DOCUMENT_ID, SCOPE_PROCESS_ID):
        if not scopes.get(needed):
            raise EInvoiceError(f"the SBDH has no {needed} scope", element="StandardBusinessDocumentHeader/BusinessScope")
    return SbdhHeader(
        sender=sender,
        receiver=receiver,
        standard=_required_text(sbdh, "DocumentIdentification", "Standard"),
        type_version=_required_text(sbdh, "DocumentIdentification", "TypeVersion"),
        instance_identifier=_required_text(sbdh, "DocumentIdentification", "InstanceIdentifier"),
        document_type=_required_text(sbdh, "DocumentIdentification", "Type"),
        created=_parse_created(_required_text(sbdh, "DocumentIdentification", "CreationDateAndTime")),
        document_id=scopes[SCOPE_DOCUMENT_ID],
        process_id=scopes[SCOPE_PROCESS_ID],
        country_c1=scopes.get(SCOPE_COUNTRY_C1) or None,
        authority=authority,
    )


def unwrap(data: bytes) -> tuple[SbdhHeader | None, bytes]:
    """Split an SBD into its header and the UBL document bytes; bare UBL comes back with ``None``."""
    try:
        root = parse_xml(data)
    except XmlError as exc:
        raise EInvoiceError(exc.message, element="document", line=exc.line) from None
    qname = etree.QName(root)
    if qname.namespace != SBDH_NS:
        check_root(root)
        return None, data
    if qname.localname != "StandardBusinessDocument":
        raise EInvoiceError(f"root element is {qname.localname!r}; expected StandardBusinessDocument", element=f"/{qname.localname}")
    children = [child for child in root if isinstance(child.tag, str)]
    if not children or children[0].tag != _tag("StandardBusinessDocumentHeader"):
        raise EInvoiceError("StandardBusinessDocument must start with StandardBusinessDocumentHeader", element="/StandardBusinessDocument")
    header = parse_header(children[0])
    payloads = children[1:]
    if len(payloads) != 1:
        raise EInvoiceError(f"StandardBusinessDocument carries {len(payloads)} documents; expected exactly one", element="/StandardBusinessDocument")
    payload = payloads[0]
    kind = check_root(payload)
    if header.document_type != kind or header.standard != ROOT_NAMESPACES[kind]:
        raise EInvoiceError(
            f"the SBDH announces {header.document_type} ({header.standard}) but carries a {kind}",
            element="StandardBusinessDocumentHeader/DocumentIdentification",
        )
    # Detach so the payload serialises as its own document, keeping the namespaces it uses.
    document = copy.deepcopy(payload)
    etree.cleanup_namespaces(document)
    return header, etree.tostring(document, xml_declaration=True, encoding="UTF-8")
