"""Peppol BIS Invoice Response 3.1 (UBL 2.1 ApplicationResponse): the insurer's electronic answer.

Build it from plain dataclasses, read it back strictly, and check the transaction's own rules
(PEPPOL-T111-R001..R007). The element order is UBL 2.1's; the codes are the BIS's:

* ResponseCode (UNCL4343 subset): AB received, IP in process, UQ under query, CA conditionally
  accepted, RE rejected, AP accepted, PD paid. CA, UQ and RE need a clarification code.
* Clarification: ``StatusReasonCode listID="OPStatusReason"`` (why) or ``listID="OPStatusAction"``
  (what the issuer should do), with an optional ``StatusReason`` text and ``Condition`` s naming the
  business term (``AttributeID`` e.g. ``BT-13``) and the value or line concerned (``Description``).

``response_for`` maps a claims verdict and its findings to one such document.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from lxml import etree

from kvitt.core.xmlsafe import XmlError, parse_xml

APPLICATION_RESPONSE_NS = "urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2"
CAC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NSMAP = {None: APPLICATION_RESPONSE_NS, "cac": CAC_NS, "cbc": CBC_NS}
_NS = {"ar": APPLICATION_RESPONSE_NS, "cac": CAC_NS, "cbc": CBC_NS}

CUSTOMIZATION_ID = "urn:fdc:peppol.eu:poacc:trns:invoice_response:3"
PROFILE_ID = "urn:fdc:peppol.eu:poacc:bis:invoice_response:3"
PROFILE_IDS = (PROFILE_ID, "urn:peppol:bis:billing_with_response")

RESPONSE_CODES = ("AB", "IP", "UQ", "CA", "RE", "AP", "PD")
NEEDS_CLARIFICATION = frozenset({"CA", "UQ", "RE"})
STATUS_REASON_LIST = "OPStatusReason"
STATUS_ACTION_LIST = "OPStatusAction"
STATUS_REASONS = ("NON", "REF", "LEG", "REC", "QUA", "DEL", "PRI", "QTY", "ITM", "PAY", "PPD", "UNR", "FIN", "OTH")
STATUS_ACTIONS = ("NOA", "PIN", "NIN", "CNF", "CNP", "CNA", "OTH")
CODE_LISTS = {STATUS_REASON_LIST: STATUS_REASONS, STATUS_ACTION_LIST: STATUS_ACTIONS}

# The business term of an EHF invoice a line finding points at (EN 16931 BT-126: line identifier).
BT_LINE_ID = "BT-126"


class InvoiceResponseError(ValueError):
    """An Invoice Response that cannot be built or read; names the element."""


@dataclass(frozen=True)
class ResponseParty:
    endpoint_id: str
    endpoint_scheme: str  # EAS code, e.g. 0192 for a Norwegian organisation number
    registration_name: str
    party_id: str | None = None
    party_id_scheme: str | None = None


@dataclass(frozen=True)
class Condition:
    attribute_id: str  # the business term of the referenced document (BT-13, BT-126 ...)
    description: str | None = None


@dataclass(frozen=True)
class Status:
    reason_code: str
    list_id: str = STATUS_REASON_LIST
    reason: str | None = None
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class InvoiceResponse:
    id: str
    issue_date: datetime.date
    sender: ResponseParty  # the invoice receiver (the insurer)
    receiver: ResponseParty  # the invoice issuer (the clinic company)
    response_code: str
    document_id: str
    document_type_code: str = "380"
    document_issue_date: datetime.date | None = None
    statuses: tuple[Status, ...] = ()
    issue_time: datetime.time | None = None
    note: str | None = None
    effective_date: datetime.date | None = None
    customization_id: str = CUSTOMIZATION_ID
    profile_id: str = PROFILE_ID


# --- rules -------------------------------------------------------------------------------------


def rule_violations(resp: InvoiceResponse) -> list[str]:
    """PEPPOL-T111 rules and the BIS's code lists; an empty list means the document obeys them."""
    problems = []
    if resp.response_code not in RESPONSE_CODES:
        problems.append(f"ResponseCode {resp.response_code!r} is not one of {', '.join(RESPONSE_CODES)}")
    if resp.response_code in NEEDS_CLARIFICATION and not resp.statuses:
        problems.append("PEPPOL-T111-R001: status CA, UQ or RE needs a clarification code (Status/StatusReasonCode)")
    if not resp.customization_id.startswith(CUSTOMIZATION_ID):
        problems.append(f"PEPPOL-T111-R003: CustomizationID must start with {CUSTOMIZATION_ID}")
    if resp.profile_id not in PROFILE_IDS:
        problems.append(f"PEPPOL-T111-R005: ProfileID must be one of {', '.join(PROFILE_IDS)}")
    for status in resp.statuses:
        allowed = CODE_LISTS.get(status.list_id)
        if allowed is None:
            problems.append(f"StatusReasonCode listID {status.list_id!r} is neither OPStatusReason nor OPStatusAction")
        elif status.reason_code not in allowed:
            rule = "R007" if status.list_id == STATUS_REASON_LIST else "R006"
            problems.append(f"PEPPOL-T111-{rule}: {status.reason_code!r} is not in the {status.list_id} code list")
        if status.reason_code == "PPD":
            if not status.reason:
                problems.append("PEPPOL-T111-R004: clarification PPD needs a StatusReason text")
            if resp.response_code != "PD":
                problems.append("PEPPOL-T111-R005: clarification PPD only goes with status PD")
    for role, party in (("SenderParty", resp.sender), ("ReceiverParty", resp.receiver)):
        if not party.endpoint_id or not party.endpoint_scheme:
            problems.append(f"{role}: EndpointID with schemeID is required")
        if not party.registration_name:
            problems.append(f"{role}: PartyLegalEntity/RegistrationName is required")
    if not resp.document_id:
        problems.append("DocumentResponse/DocumentReference/ID is required")
    return problems


# --- build -------------------------------------------------------------------------------------


def _sub(parent, ns: str, name: str, text: str | None = None, **attrib) -> etree._Element:
    node = etree.SubElement(parent, f"{{{ns}}}{name}", {k: v for k, v in attrib.items() if v})
    if text is not None:
        node.text = text
    return node


def _cbc(parent, name, text=None, **attrib):
    return _sub(parent, CBC_NS, name, text, **attrib)


def _cac(parent, name):
    return _sub(parent, CAC_NS, name)


def _party(parent, tag: str, party: ResponseParty) -> None:
    node = _cac(parent, tag)
    _cbc(node, "EndpointID", party.endpoint_id, schemeID=party.endpoint_scheme)
    if party.party_id:
        _cbc(_cac(node, "PartyIdentification"), "ID", party.party_id, schemeID=party.party_id_scheme)
    _cbc(_cac(node, "PartyLegalEntity"), "RegistrationName", party.registration_name)


def build_element(resp: InvoiceResponse) -> etree._Element:
    problems = rule_violations(resp)
    if problems:
        raise InvoiceResponseError("; ".join(problems))
    root = etree.Element(f"{{{APPLICATION_RESPONSE_NS}}}ApplicationResponse", nsmap=NSMAP)
    _cbc(root, "CustomizationID", resp.customization_id)
    _cbc(root, "ProfileID", resp.profile_id)
    _cbc(root, "ID", resp.id)
    _cbc(root, "IssueDate", resp.issue_date.isoformat())
    if resp.issue_time is not None:
        _cbc(root, "IssueTime", resp.issue_time.replace(microsecond=0, tzinfo=None).isoformat())
    if resp.note:
        _cbc(root, "Note", resp.note)
    _party(root, "SenderParty", resp.sender)
    _party(root, "ReceiverParty", resp.receiver)
    document_response = _cac(root, "DocumentResponse")
    response = _cac(document_response, "Response")
    _cbc(response, "ResponseCode", resp.response_code)
    if resp.effective_date is not None:
        _cbc(response, "EffectiveDate", resp.effective_date.isoformat())
    for status in resp.statuses:
        node = _cac(response, "Status")
        _cbc(node, "StatusReasonCode", status.reason_code, listID=status.list_id)
        if status.reason:
            _cbc(node, "StatusReason", status.reason)
        for condition in status.conditions:
            cond = _cac(node, "Condition")
            _cbc(cond, "AttributeID", condition.attribute_id)
            if condition.description:
                _cbc(cond, "Description", condition.description)
    reference = _cac(document_response, "DocumentReference")
    _cbc(reference, "ID", resp.document_id)
    if resp.document_issue_date is not None:
        _cbc(reference, "IssueDate", resp.document_issue_date.isoformat())
    _cbc(reference, "DocumentTypeCode", resp.document_type_code)
    return root


def build_invoice_response(resp: InvoiceResponse) -> bytes:
    """The ApplicationResponse as UTF-8 bytes with an XML declaration."""
    return etree.tostring(build_element(resp), xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- read --------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, root):
        self.root = root

    def first(self, node, path: str):
        found = node.xpath(path, namespaces=_NS)
        return found[0] if found else None

    def text(self, node, path: str) -> str | None:
        el = self.first(node, path)
        return el.text.strip() if el is not None and el.text and el.text.strip() else None

    def required(self, node, path: str):
        el = self.first(node, path)
        if el is None:
            raise InvoiceResponseError(f"{path} is missing in {etree.QName(node).localname}")
        return el

    def required_text(self, node, path: str) -> str:
        value = self.text(node, path)
        if value is None:
            raise InvoiceResponseError(f"{path} is missing or empty in {etree.QName(node).localname}")
        return value

    def date(self, node, path: str, required: bool = False) -> datetime.date | None:
        value = self.required_text(node, path) if required else self.text(node, path)
        if value is None:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise InvoiceResponseError(f"{path} {value!r} is not a date (YYYY-MM-DD)") from None

    def party(self, path: str) -> ResponseParty:
        node = self.required(self.root, path)
        endpoint = self.required(node, "cbc:EndpointID")
        party_id = self.first(node, "cac:PartyIdentification/cbc:ID")
        return ResponseParty(
            endpoint_id=(endpoint.text or "").strip(),
            endpoint_scheme=endpoint.get("schemeID", ""),
            registration_name=self.required_text(node, "cac:PartyLegalEntity/cbc:RegistrationName"),
            party_id=(party_id.text or "").strip() if party_id is not None else None,
            party_id_scheme=party_id.get("schemeID") if party_id is not None else None,
        )


def parse_invoice_response(data: bytes) -> InvoiceResponse:
    """Read an Invoice Response strictly (safe XML parsing; the element is named on errors)."""
    try:
        root = parse_xml(data)
    except XmlError as exc:
        raise InvoiceResponseError(f"not well-formed XML: {exc}") from None
    if root.tag != f"{{{APPLICATION_RESPONSE_NS}}}ApplicationResponse":
        raise InvoiceResponseError(f"root element is {etree.QName(root).text!r}; expected a UBL ApplicationResponse")
    r = _Reader(root)
    response = r.required(root, "cac:DocumentResponse/cac:Response")
    statuses = []
    for node in response.xpath("cac:Status", namespaces=_NS):
        code = r.required(node, "cbc:StatusReasonCode")
        conditions = tuple(
            Condition(r.required_text(c, "cbc:AttributeID"), r.text(c, "cbc:Description"))
            for c in node.xpath("cac:Condition", namespaces=_NS)
        )
        statuses.append(Status((code.text or "").strip(), code.get("listID", ""), r.text(node, "cbc:StatusReason"), conditions))
    time_text = r.text(root, "cbc:IssueTime")
    try:
        issue_time = datetime.time.fromisoformat(time_text) if time_text else None
    except ValueError:
        raise InvoiceResponseError(f"cbc:IssueTime {time_text!r} is not a time (hh:mm:ss)") from None
    reference = r.required(root, "cac:DocumentResponse/cac:DocumentReference")
    return InvoiceResponse(
        id=r.required_text(root, "cbc:ID"),
        issue_date=r.date(root, "cbc:IssueDate", required=True),
        issue_time=issue_time,
        note=r.text(root, "cbc:Note"),
        sender=r.party("cac:SenderParty"),
        receiver=r.party("cac:ReceiverParty"),
        response_code=r.required_text(response, "cbc:ResponseCode"),
        effective_date=r.date(response, "cbc:EffectiveDate"),
        statuses=tuple(statuses),
        document_id=r.required_text(reference, "cbc:ID"),
        document_issue_date=r.date(reference, "cbc:IssueDate"),
        document_type_code=r.text(reference, "cbc:DocumentTypeCode") or "",
        customization_id=r.required_text(root, "cbc:CustomizationID"),
        profile_id=r.required_text(root, "cbc:ProfileID"),
    )


# --- from a claims verdict ---------------------------------------------------------------------

# Each reason code's clarification (OPStatusReason) and the business term it points at.
CLARIFICATION = {
    "CLM-100": ("LEG", "BT-24"),
    "CLM-101": ("REF", "BT-13"),
    "CLM-102": ("REF", "BT-13"),
    "CLM-103": ("REC", "BT-46"),
    "CLM-104": ("REF", "BT-13"),
    "CLM-105": ("REF", "BT-13"),
    "CLM-106": ("UNR", "BT-29"),
    "CLM-107": ("REF", "BT-13"),
    "CLM-108": ("OTH", "BT-1"),
    "CLM-109": ("REF", "BT-25"),
    "CLM-110": ("REF", "BT-25"),
    "CLM-111": ("FIN", "BT-5"),
    "CLM-112": ("PAY", "BT-84"),
    "CLM-113": ("PAY", "BT-83"),
    "CLM-201": ("ITM", BT_LINE_ID),
    "CLM-202": ("ITM", BT_LINE_ID),
    "CLM-203": ("ITM", BT_LINE_ID),
    "CLM-204": ("DEL", BT_LINE_ID),
    "CLM-205": ("DEL", BT_LINE_ID),
    "CLM-206": ("OTH", BT_LINE_ID),
    "CLM-207": ("OTH", BT_LINE_ID),
    "CLM-208": ("ITM", BT_LINE_ID),
    "CLM-209": ("QTY", BT_LINE_ID),
    "CLM-210": ("PRI", BT_LINE_ID),
    "CLM-211": ("PRI", BT_LINE_ID),
    "CLM-212": ("QTY", BT_LINE_ID),
    "CLM-213": ("ITM", BT_LINE_ID),
}

VERDICT_RESPONSE_CODES = {"approved": "AP", "deviation": "CA", "rejected": "RE"}


def status_for(finding, language: str) -> Status:
    code, term = CLARIFICATION[finding.code]
    detail = finding.line_id if term == BT_LINE_ID else finding.params.get("sakid") or finding.params.get("number")
    reason_text = f"{finding.code}: {finding.message(language)}"
    return Status(code, STATUS_REASON_LIST, reason_text, (Condition(term, detail),))


def response_for(
    *, response_id: str, issue_date: datetime.date, sender: ResponseParty, receiver: ResponseParty, verdict_outcome: str,
    findings, document_id: str, document_type_code: str, document_issue_date: datetime.date | None, language: str = "nb",
    note: str | None = None,
) -> InvoiceResponse:
    """AP for approved, CA (deviation, with the part not approved to be credited) or RE (with a new
    invoice expected); one Status per counting reject/deviation finding, warnings left out."""
    response_code = VERDICT_RESPONSE_CODES[verdict_outcome]
    statuses = [status_for(f, language) for f in findings if not f.waived and f.severity in ("reject", "deviation")]
    if response_code == "CA":
        statuses.append(Status("CNA", STATUS_ACTION_LIST))
    elif response_code == "RE":
        statuses.append(Status("NIN", STATUS_ACTION_LIST))
    return InvoiceResponse(
        id=response_id, issue_date=issue_date, sender=sender, receiver=receiver, response_code=response_code,
        statuses=tuple(statuses), document_id=document_id, document_type_code=document_type_code,
        document_issue_date=document_issue_date, note=note,
    )


# --- the SBDH envelope -------------------------------------------------------------------------


def unwrap_response(data: bytes):
    """Split an SBDH envelope carrying an ApplicationResponse into (header, response bytes).

    ``kvitt.einvoice.sbdh.unwrap`` only opens Invoice and CreditNote envelopes; the header is
    read with its ``parse_header`` and checked to announce what it carries.
    """
    import copy

    from kvitt.einvoice import sbdh

    try:
        root = parse_xml(data)
    except XmlError as exc:
        raise InvoiceResponseError(f"not well-formed XML: {exc}") from None
    if root.tag != f"{{{sbdh.SBDH_NS}}}StandardBusinessDocument":
        raise InvoiceResponseError(f"root element is {etree.QName(root).text!r}; expected an SBDH StandardBusinessDocument")
    children = [c for c in root if isinstance(c.tag, str)]
    if len(children) != 2 or children[0].tag != f"{{{sbdh.SBDH_NS}}}StandardBusinessDocumentHeader":
        raise InvoiceResponseError("StandardBusinessDocument must hold its header and exactly one document")
    header = sbdh.parse_header(children[0])
    payload = children[1]
    if payload.tag != f"{{{APPLICATION_RESPONSE_NS}}}ApplicationResponse" or header.document_type != "ApplicationResponse":
        raise InvoiceResponseError(f"the SBDH announces {header.document_type} and carries {etree.QName(payload).localname}")
    document = copy.deepcopy(payload)
    etree.cleanup_namespaces(document)
    return header, etree.tostring(document, xml_declaration=True, encoding="UTF-8")
