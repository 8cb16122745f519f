"""AppRec 1.0 (KITH 2004-11-21): Helfo's application receipt for a BKM sent as XML.

Status 1 = OK, 2 = rejected (avvist), 3 = OK with errors in part. Errors carry a code
(``V``), a text (``DN``) and sometimes a code system (``S``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kvitt.core.xmlsafe import XmlError, local_name, namespace, parse_xml

APPREC_NS = "http://www.kith.no/xmlstds/apprec/2004-11-21"
STATUSES = {"1": "ok", "2": "rejected", "3": "partly_ok"}


@dataclass(frozen=True)
class AppRecError:
    code: str
    text: str
    system: str = ""
    details: str = ""


@dataclass
class AppRec:
    id: str
    gen_date: str
    status: str  # "1", "2" or "3"
    status_text: str
    original_msg_id: str
    original_msg_type: str
    errors: list[AppRecError] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        return STATUSES[self.status]


def parse_apprec(data: bytes | str) -> AppRec:
    root = parse_xml(data)
    if namespace(root) != APPREC_NS or local_name(root) != "AppRec":
        raise XmlError(f"expected AppRec in {APPREC_NS}, found {{{namespace(root)}}}{local_name(root)}")
    ns = {"a": APPREC_NS}

    def required(path: str):
        el = root.find(path, ns)
        if el is None:
            raise XmlError(f"AppRec: element {path.replace('a:', '')} is missing", line=root.sourceline)
        return el

    msg_type = required("a:MsgType").get("V")
    if msg_type != "APPREC":
        raise XmlError(f"AppRec: MsgType is {msg_type!r}, expected 'APPREC'")
    status = required("a:Status")
    code = status.get("V", "")
    if code not in STATUSES:
        raise XmlError(f"AppRec: Status V={code!r} is not 1, 2 or 3", line=status.sourceline)
    original = required("a:OriginalMsgId")
    original_id = (original.findtext("a:Id", namespaces=ns) or "").strip()
    if not original_id:
        raise XmlError("AppRec: OriginalMsgId/Id is missing", line=original.sourceline)
    original_type = original.find("a:MsgType", ns)
    errors = [
        AppRecError(
            code=el.get("V", ""),
            text=el.get("DN", ""),
            system=el.get("S", ""),
            details=(root.findtext("a:AdditionalInfo", namespaces=ns) or "").strip(),
        )
        for el in root.findall("a:Error", ns)
    ]
    if code == "2" and not errors:
        raise XmlError("AppRec: a rejection (Status 2) must name at least one Error")
    return AppRec(
        id=(required("a:Id").text or "").strip(),
        gen_date=(required("a:GenDate").text or "").strip(),
        status=code,
        status_text=status.get("DN", ""),
        original_msg_id=original_id,
        original_msg_type=original_type.get("V", "") if original_type is not None else "",
        errors=errors,
    )
