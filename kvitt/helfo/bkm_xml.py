"""The behandlerkravmelding as KITH XML (BKM 2006-12-20) inside MsgHead v1.2.

This is the channel for clinics without a Helsenett connection: the signed file is
uploaded in Helfo's portal. Element names follow the "Felt i BKM XML" column of the KUHR
JSON documentation and public BKM examples; element order follows those examples (the
XSD itself was not available to check against, see docs/integrations/helfo.md).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from lxml import etree

from kvitt.helfo.bkm_json import nok
from kvitt.helfo.model import Bill, Claim, Diagnosis, Ident

MSGHEAD_NS = "http://www.kith.no/xmlstds/msghead/2006-05-24"
BKM_NS = "http://www.kith.no/xmlstds/bkm/2006-12-20"
MIG_VERSION = "v1.2 2006-05-24"

ID_TYPE_OID = "2.16.578.1.12.4.1.1.8116"
ORG_ID_TYPE_OID = "2.16.578.1.12.4.1.1.9051"
ID_TYPE_NAMES = {
    "FNR": "Fødselsnummer",
    "DNR": "D-nummer",
    "HNR": "H-nummer",
    "HPR": "Helsepersonellnummer",
    "PNR": "Passnummer",
    "UID": "Utenlandsk personID",
    "DUF": "DUF-nummer",
}


@dataclass(frozen=True)
class Party:
    """A MsgHead sender or receiver: an organisation with optional HER-id and practitioner."""

    name: str
    org_number: str
    her_id: str = ""
    practitioner_name: str = ""
    practitioner_hpr: str = ""


@dataclass(frozen=True)
class MessageType:
    """MsgHead/MsgInfo/Type from kodeverk 8279; LOM (legeoppgjørsmelding) and POM are the
    codes seen in public examples. Configure per practice when Helfo names another."""

    code: str = "LOM"
    name: str = "Legeoppgjørsmelding"


# Helfo as receiver. The organisation number and HER-id come from a public MsgHead
# example and are deployment settings, not facts Kvitt can check.
DEFAULT_RECEIVER = Party(name="Helfo", org_number="889640782", her_id="93972")


def _m(tag: str) -> str:
    return f"{{{MSGHEAD_NS}}}{tag}"


def _b(tag: str) -> str:
    return f"{{{BKM_NS}}}{tag}"


def _sub(parent, tag: str, text: str | None = None, **attrib) -> etree._Element:
    el = etree.SubElement(parent, tag, {k: v for k, v in attrib.items() if v is not None})
    if text is not None:
        el.text = text
    return el


def _cv(parent, tag: str, v: str, s: str | None = None, dn: str | None = None) -> etree._Element:
    return _sub(parent, tag, V=v, S=s, DN=dn)


def _money(parent, tag: str, ore: int) -> etree._Element:
    return _sub(parent, tag, U="NOK", V=format(nok(ore), "f"))


def _ident(parent, tag: str, ident: Ident, ns) -> None:
    el = _sub(parent, ns(tag))
    _sub(el, ns("Id"), ident.id)
    _cv(el, ns("TypeId"), ident.type, ID_TYPE_OID, ID_TYPE_NAMES.get(ident.type))


def _org_ident(parent, value: str, kind: str, name: str) -> None:
    el = _sub(parent, _m("Ident"))
    _sub(el, _m("Id"), value)
    _cv(el, _m("TypeId"), kind, ORG_ID_TYPE_OID, name)


def _party(parent, tag: str, party: Party) -> None:
    wrapper = _sub(parent, _m(tag))
    org = _sub(wrapper, _m("Organisation"))
    _sub(org, _m("OrganisationName"), party.name)
    _org_ident(org, party.org_number, "ENH", "Organisasjonsnummeret i Enhetsregister")
    if party.her_id:
        _org_ident(org, party.her_id, "HER", "Identifikator fra Helsetjenesteenhetsregisteret")
    if party.practitioner_hpr:
        hcp = _sub(org, _m("HealthcareProfessional"))
        given, _, family = party.practitioner_name.rpartition(" ")
        if family:
            _sub(hcp, _m("FamilyName"), family)
        if given:
            _sub(hcp, _m("GivenName"), given)
        _ident(hcp, "Ident", Ident(party.practitioner_hpr, "HPR"), _m)


def _timestamp(value: datetime.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("a bill's time must carry its UTC offset")
    return value.replace(microsecond=0).isoformat()


def _diagnosis(parent, tag: str, diagnosis: Diagnosis) -> None:
    _cv(parent, _b(tag), diagnosis.code, diagnosis.oid)


def _bill(parent, bill: Bill) -> None:
    el = _sub(parent, _b("Enkeltregning"))
    # "Guid" as in public BKM files (the JSON documentation writes Enkeltregning.GUID).
    _sub(el, _b("Guid"), bill.guid)
    if bill.egenandel_paid is not None:
        _sub(
            el,
            _b("BetaltEgenandel"),
            erBetalt="true" if bill.egenandel_paid else "false",
            korrigering="true" if bill.egenandel_correction else "false",
        )
    if bill.credit:
        _sub(el, _b("Kreditering"), "true")
    _sub(el, _b("RegningNr"), bill.bill_number)
    if bill.time is not None:
        _sub(el, _b("DatoTid"), _timestamp(bill.time))
    if bill.remark:
        _sub(el, _b("Merknad"), bill.remark)
    if bill.patient is not None:
        p = bill.patient
        patient = _sub(el, _b("Patient"))
        if p.family_name:
            _sub(patient, _b("FamilyName"), p.family_name)
        if p.given_name:
            _sub(patient, _b("GivenName"), p.given_name)
        if p.sex:
            _cv(patient, _b("Sex"), p.sex, "2.16.578.1.12.4.1.1.3101")
        if p.nationality:
            _cv(patient, _b("Nationality"), p.nationality, "2.16.578.1.12.4.1.1.9043")
        if p.ident is not None:
            _ident(patient, "Ident", p.ident, _b)
        if p.birth_date is not None:
            _sub(patient, _b("DateOfBirth"), p.birth_date.isoformat())
    treatment = _sub(el, _b("Behandling"))
    if bill.exemption_code:
        _cv(treatment, _b("KodeEgenandel"), bill.exemption_code, "2.16.578.1.12.4.1.1.7461")
    for d in bill.diagnoses:
        _diagnosis(treatment, "Diagnose", d)
    if bill.rare_condition:
        _sub(treatment, _b("Sykdomslistepunkt"), bill.rare_condition)
    ref = bill.referral
    if ref is not None:
        if ref.date is not None:
            _sub(treatment, _b("HenvisningsDato"), ref.date.isoformat())
        if ref.id:
            _sub(treatment, _b("HenvisningsId"), ref.id)
        for d in ref.diagnoses:
            _diagnosis(treatment, "HenvisningsDiagnose", d)
        if ref.referred_by is not None:
            _ident(treatment, "RelatertBehandler", ref.referred_by, _b)
    if bill.related_practitioner is not None and (ref is None or ref.referred_by is None):
        _ident(treatment, "RelatertBehandler", bill.related_practitioner, _b)
    if bill.performing_practitioner is not None:
        _ident(treatment, "Behandlerident", bill.performing_practitioner, _b)
    if bill.moderation_code:
        _sub(treatment, _b("Moderasjonskode"), bill.moderation_code)
    if bill.benefit_point:
        _sub(treatment, _b("Behandlingsform"), bill.benefit_point)
    for line in bill.tariffs:
        takst = _sub(treatment, _b("Takst"))
        _money(takst, _b("Verdi"), line.amount)
        _sub(takst, _b("Kode"), line.code)
        _sub(takst, _b("Antall"), str(line.count))
        for tooth in line.teeth:
            _sub(takst, _b("Tann"), tooth)
    for proc in bill.procedure_codes:
        pc = _sub(treatment, _b("Prosedyrekode"))
        _sub(pc, _b("Kodeverk"), proc.system)
        _sub(pc, _b("Kode"), proc.code)
    total = _sub(treatment, _b("SumKrav"))
    if bill.egenandel_amount is not None:
        _money(total, _b("EgenandelHonorar"), bill.egenandel_amount)
    _money(total, _b("Refusjon"), bill.claimed)


def build_behandlerkrav(claim: Claim) -> etree._Element:
    if not claim.bills:
        raise ValueError("a behandlerkravmelding needs at least one bill")
    root = etree.Element(
        _b("BehandlerKrav"),
        {k: v for k, v in (("navnEPJ", claim.epj_name), ("versjonEPJ", claim.epj_version)) if v},
        nsmap={None: BKM_NS},
    )
    if claim.department:
        _sub(root, _b("Avdeling"), claim.department)
    if claim.resh_id:
        _sub(root, _b("RESH"), claim.resh_id)
    if claim.account:
        _sub(root, _b("Konto"), claim.account)
    for bill in claim.bills:
        _bill(root, bill)
    krav = _sub(root, _b("Krav"))
    _sub(krav, _b("AntallRegninger"), str(len(claim.bills)))
    _money(krav, _b("SumKravSamlet"), claim.total)
    return root


def build_msghead(
    claim: Claim,
    *,
    sender: Party,
    receiver: Party = DEFAULT_RECEIVER,
    message_type: MessageType = MessageType(),
    msg_id: str | None = None,
    generated: datetime.datetime | None = None,
) -> etree._Element:
    """MsgHead v1.2 carrying the BehandlerKrav in Document/RefDoc/Content (unsigned)."""
    generated = generated or datetime.datetime.now(datetime.timezone.utc)
    head = etree.Element(_m("MsgHead"), nsmap={None: MSGHEAD_NS})
    info = _sub(head, _m("MsgInfo"))
    _cv(info, _m("Type"), message_type.code, dn=message_type.name)
    _sub(info, _m("MIGversion"), MIG_VERSION)
    _sub(info, _m("GenDate"), generated.replace(microsecond=0).isoformat())
    _sub(info, _m("MsgId"), msg_id or str(uuid.uuid4()))
    _cv(info, _m("Ack"), "J", dn="Ja")
    _party(info, "Sender", sender)
    _party(info, "Receiver", receiver)
    document = _sub(head, _m("Document"))
    refdoc = _sub(document, _m("RefDoc"))
    _cv(refdoc, _m("MsgType"), "XML", dn="XML-instans")
    _sub(refdoc, _m("MimeType"), "text/xml")
    _sub(refdoc, _m("Description"), "BehandlerKrav")
    content = _sub(refdoc, _m("Content"))
    content.append(build_behandlerkrav(claim))
    return head


def to_bytes(element: etree._Element) -> bytes:
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8")
