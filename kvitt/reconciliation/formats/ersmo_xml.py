"""ERSMO-style care-event files: what GVR passes on to Ersmo for a provider and month.

The layout is Kvitt's own, modelled on the GVR -> Ersmo flow and documented in
docs/integrations/reconciliation-files.md: one ``Vardhandelse`` per reported care event with
the patient, the care contact, diagnoses, procedures, the reimbursement events Ersmo derived
(product code and price) and the voided (makulerad) flag. Parsed with ``kvitt.core.xmlsafe``;
unknown or missing elements are refused with the element's path and line.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lxml import etree

from kvitt.core.xmlsafe import XmlError, local_name, namespace, parse_xml
from kvitt.reconciliation.formats.records import CareEventRecord, CodedValue, FeedError, ProductLine

NS = "urn:kvitt:se:ersmo:vardhandelser:1"
ID_TYPES = ("personnummer", "samordningsnummer", "reservnummer")
CONTACT_TYPES = ("besok", "telefon", "video", "hembesok", "vardtillfalle", "dagkirurgi")
DIAGNOSIS_SYSTEMS = ("ICD-10-SE", "ICD-10", "ICPC-2")
PROCEDURE_SYSTEMS = ("KVÅ", "KVA")
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_AMOUNT = re.compile(r"^-?\d{1,9}(\.\d{1,2})?$")


@dataclass
class ErsmoFile:
    provider_org_number: str
    provider_name: str
    period: str
    created: datetime.datetime
    delivery_id: str
    events: list[CareEventRecord] = field(default_factory=list)


def _fail(element: etree._Element, path: str, message: str) -> FeedError:
    return FeedError(message, line=element.sourceline, column=path)


def _children(element: etree._Element, path: str, allowed: tuple[str, ...]) -> dict[str, list[etree._Element]]:
    found: dict[str, list[etree._Element]] = {}
    for child in element:
        if not isinstance(child.tag, str):  # comments
            continue
        name = local_name(child)
        if namespace(child) != NS or name not in allowed:
            raise _fail(child, f"{path}/{name}", f"unexpected element {child.tag}")
        found.setdefault(name, []).append(child)
    return found


def _one(children, element, path: str, name: str, *, required: bool = True) -> etree._Element | None:
    items = children.get(name, [])
    if len(items) > 1:
        raise _fail(items[1], f"{path}/{name}", f"{name} may appear only once")
    if not items:
        if required:
            raise _fail(element, f"{path}/{name}", f"{name} is missing")
        return None
    return items[0]


def _text(element: etree._Element, path: str, *, required: bool = True, max_length: int = 200) -> str:
    text = (element.text or "").strip()
    if required and not text:
        raise _fail(element, path, "is empty")
    if len(text) > max_length:
        raise _fail(element, path, f"longer than {max_length} characters")
    return text


def _attr(element: etree._Element, path: str, name: str, *, required: bool = True) -> str:
    value = (element.get(name) or "").strip()
    if required and not value:
        raise _fail(element, f"{path}/@{name}", f"attribute {name} is missing")
    return value


def _datetime(element: etree._Element, path: str) -> datetime.datetime:
    text = _text(element, path)
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise _fail(element, path, f"{text!r} is not a date-time like 2026-10-05T09:30:00+02:00") from None
    if moment.tzinfo is None or len(text) < 19:
        raise _fail(element, path, f"{text!r} needs seconds and a UTC offset, e.g. 2026-10-05T09:30:00+02:00")
    return moment


def _boolean(element: etree._Element, path: str) -> bool:
    text = _text(element, path)
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise _fail(element, path, f"{text!r} is not true or false")


def _amount_ore(element: etree._Element, path: str, text: str) -> int:
    if not _AMOUNT.match(text):
        raise _fail(element, path, f"{text!r} is not an amount in kronor with at most two decimals (e.g. 450.00)")
    try:
        return int(Decimal(text) * 100)
    except InvalidOperation:  # pragma: no cover - the pattern already guarantees a decimal
        raise _fail(element, path, f"{text!r} is not an amount") from None


def _patient_id(element: etree._Element, path: str) -> tuple[str, str]:
    id_type = _attr(element, path, "typ")
    if id_type not in ID_TYPES:
        raise _fail(element, f"{path}/@typ", f"unknown id type {id_type!r}; expected {', '.join(ID_TYPES)}")
    number = _text(element, path, max_length=20)
    try:
        if id_type == "personnummer":
            from stdnum.se import personnummer

            return id_type, personnummer.compact(personnummer.validate(number))
        if id_type == "samordningsnummer":
            from kvitt.core.identifiers.se import samordningsnummer

            return id_type, samordningsnummer.compact(samordningsnummer.validate(number))
        from kvitt.core.identifiers.se import reservnummer

        return id_type, reservnummer.compact(reservnummer.validate(number))
    except Exception as exc:  # stdnum raises ValidationError subclasses with a message
        raise _fail(element, path, f"invalid {id_type} {number!r}: {exc}") from None


def _hsa_id(element: etree._Element, path: str, *, required: bool) -> str:
    value = _attr(element, path, "hsaId", required=required)
    if not value:
        return ""
    from kvitt.core.identifiers.se import hsaid

    try:
        return hsaid.compact(hsaid.validate(value))
    except Exception as exc:
        raise _fail(element, f"{path}/@hsaId", f"invalid HSA-id {value!r}: {exc}") from None


def _coded(parent: etree._Element, path: str, item: str, systems: tuple[str, ...]) -> list[CodedValue]:
    values = []
    children = _children(parent, path, (item,))
    for index, element in enumerate(children.get(item, []), start=1):
        item_path = f"{path}/{item}[{index}]"
        system = _attr(element, item_path, "kodverk")
        if system not in systems:
            raise _fail(element, f"{item_path}/@kodverk", f"unknown code system {system!r}; expected {', '.join(systems)}")
        code = _attr(element, item_path, "kod")
        values.append(CodedValue(system=system, code=code, text=_text(element, item_path, required=False)))
    return values


def _products(parent: etree._Element, path: str) -> list[ProductLine]:
    products = []
    children = _children(parent, path, ("Ersattningshandelse",))
    for index, element in enumerate(children.get("Ersattningshandelse", []), start=1):
        item_path = f"{path}/Ersattningshandelse[{index}]"
        code = _attr(element, item_path, "produktkod")
        raw = _attr(element, item_path, "belopp", required=False)
        amount = _amount_ore(element, f"{item_path}/@belopp", raw) if raw else None
        products.append(ProductLine(code=code, amount_ore=amount))
    return products


def _event(element: etree._Element, path: str) -> CareEventRecord:
    children = _children(
        element, path,
        ("Vardhandelsenummer", "Makulerad", "Patient", "Vardkontakt", "Diagnoser", "Atgarder", "Ersattningshandelser"),
    )
    number_el = _one(children, element, path, "Vardhandelsenummer")
    number = _text(number_el, f"{path}/Vardhandelsenummer", max_length=64)
    voided_el = _one(children, element, path, "Makulerad", required=False)
    voided = _boolean(voided_el, f"{path}/Makulerad") if voided_el is not None else False

    patient_path = f"{path}/Patient"
    patient_el = _one(children, element, path, "Patient")
    patient = _children(patient_el, patient_path, ("Id", "Namn", "Lan"))
    id_el = _one(patient, patient_el, patient_path, "Id")
    id_type, patient_id = _patient_id(id_el, f"{patient_path}/Id")
    name_el = _one(patient, patient_el, patient_path, "Namn", required=False)
    county_el = _one(patient, patient_el, patient_path, "Lan", required=False)
    county = _text(county_el, f"{patient_path}/Lan", max_length=2) if county_el is not None else ""
    if county and not (county.isdigit() and len(county) == 2):
        raise _fail(county_el, f"{patient_path}/Lan", f"{county!r} is not a two-digit county (län) code")

    contact_path = f"{path}/Vardkontakt"
    contact_el = _one(children, element, path, "Vardkontakt")
    contact = _children(contact_el, contact_path, ("KontaktId", "Kontakttyp", "Start", "Langd", "Vardenhet", "Utforare"))
    contact_type_el = _one(contact, contact_el, contact_path, "Kontakttyp")
    contact_type = _text(contact_type_el, f"{contact_path}/Kontakttyp")
    if contact_type not in CONTACT_TYPES:
        raise _fail(contact_type_el, f"{contact_path}/Kontakttyp", f"unknown contact type {contact_type!r}; expected {', '.join(CONTACT_TYPES)}")
    length_el = _one(contact, contact_el, contact_path, "Langd", required=False)
    duration = 0
    if length_el is not None:
        raw = _text(length_el, f"{contact_path}/Langd")
        if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= 24 * 60:
            raise _fail(length_el, f"{contact_path}/Langd", f"{raw!r} is not a length in minutes (1-1440)")
        duration = int(raw)
    unit_el = _one(contact, contact_el, contact_path, "Vardenhet")
    practitioner_el = _one(contact, contact_el, contact_path, "Utforare", required=False)
    contact_id_el = _one(contact, contact_el, contact_path, "KontaktId", required=False)

    products_el = _one(children, element, path, "Ersattningshandelser", required=False)
    diagnoses_el = _one(children, element, path, "Diagnoser", required=False)
    procedures_el = _one(children, element, path, "Atgarder", required=False)
    return CareEventRecord(
        line=element.sourceline,
        event_number=number,
        voided=voided,
        patient_id=patient_id,
        patient_id_type=id_type,
        patient_name=_text(name_el, f"{patient_path}/Namn", required=False) if name_el is not None else "",
        county_code=county,
        start=_datetime(_one(contact, contact_el, contact_path, "Start"), f"{contact_path}/Start"),
        contact_id=_text(contact_id_el, f"{contact_path}/KontaktId", max_length=64) if contact_id_el is not None else "",
        contact_type=contact_type,
        duration_minutes=duration,
        unit_hsa_id=_hsa_id(unit_el, f"{contact_path}/Vardenhet", required=True),
        unit_name=_text(unit_el, f"{contact_path}/Vardenhet", required=False),
        practitioner_id=_hsa_id(practitioner_el, f"{contact_path}/Utforare", required=False) if practitioner_el is not None else "",
        practitioner_name=_text(practitioner_el, f"{contact_path}/Utforare", required=False) if practitioner_el is not None else "",
        profession_code=_attr(practitioner_el, f"{contact_path}/Utforare", "yrkeskod", required=False) if practitioner_el is not None else "",
        diagnoses=_coded(diagnoses_el, f"{path}/Diagnoser", "Diagnos", DIAGNOSIS_SYSTEMS) if diagnoses_el is not None else [],
        procedures=_coded(procedures_el, f"{path}/Atgarder", "Atgard", PROCEDURE_SYSTEMS) if procedures_el is not None else [],
        products=_products(products_el, f"{path}/Ersattningshandelser") if products_el is not None else [],
    )


def _header(root: etree._Element) -> tuple[str, str, str, datetime.datetime, str]:
    children = _children(root, "Vardhandelser", ("Huvud", "Vardhandelse"))
    head = _one(children, root, "Vardhandelser", "Huvud")
    path = "Vardhandelser/Huvud"
    parts = _children(head, path, ("Vardgivare", "Period", "Skapad", "Leverans"))
    provider = _one(parts, head, path, "Vardgivare")
    org_number = _attr(provider, f"{path}/Vardgivare", "orgnr")
    from stdnum.se import orgnr

    if not orgnr.is_valid(org_number):
        raise _fail(provider, f"{path}/Vardgivare/@orgnr", f"invalid organisation number {org_number!r}")
    period_el = _one(parts, head, path, "Period")
    period = _text(period_el, f"{path}/Period")
    if not _PERIOD.match(period):
        raise _fail(period_el, f"{path}/Period", f"{period!r} is not a month like 2026-10")
    created = _datetime(_one(parts, head, path, "Skapad"), f"{path}/Skapad")
    delivery = _text(_one(parts, head, path, "Leverans"), f"{path}/Leverans", max_length=64)
    return orgnr.compact(org_number), _text(provider, f"{path}/Vardgivare", required=False), period, created, delivery


def read_ersmo_xml(data: bytes) -> ErsmoFile:
    """Parse a whole file; ``FeedError`` names the element path and line of the first problem."""
    try:
        root = parse_xml(data)
    except XmlError as exc:
        raise FeedError(exc.message, line=exc.line) from None
    if namespace(root) != NS or local_name(root) != "Vardhandelser":
        raise FeedError(f"root element must be {{{NS}}}Vardhandelser, not {root.tag}", line=root.sourceline)
    if root.get("version") != "1.0":
        raise _fail(root, "Vardhandelser/@version", f"unsupported version {root.get('version')!r}; expected 1.0")
    org_number, name, period, created, delivery = _header(root)
    result = ErsmoFile(org_number, name, period, created, delivery)
    seen: dict[str, int] = {}
    index = 0
    for element in root:
        if not isinstance(element.tag, str) or local_name(element) != "Vardhandelse":
            continue
        index += 1
        event = _event(element, f"Vardhandelser/Vardhandelse[{index}]")
        if event.event_number in seen:
            raise _fail(
                element, f"Vardhandelser/Vardhandelse[{index}]/Vardhandelsenummer",
                f"care event {event.event_number} already given on line {seen[event.event_number]}",
            )
        seen[event.event_number] = element.sourceline
        result.events.append(event)
    return result


def _kronor(ore: int) -> str:
    sign = "-" if ore < 0 else ""
    return f"{sign}{abs(ore) // 100}.{abs(ore) % 100:02d}"


def build_ersmo_xml(file: ErsmoFile) -> bytes:
    """Write a file in the same layout (for test data, the benchmark and round trips)."""
    E = lambda tag, *children, **attrs: _element(tag, children, attrs)  # noqa: E731
    root = E("Vardhandelser", version="1.0")
    head = E("Huvud")
    head.append(E("Vardgivare", file.provider_name, orgnr=file.provider_org_number))
    head.append(E("Period", file.period))
    head.append(E("Skapad", file.created.isoformat()))
    head.append(E("Leverans", file.delivery_id))
    root.append(head)
    for event in file.events:
        element = E("Vardhandelse", E("Vardhandelsenummer", event.event_number), E("Makulerad", "true" if event.voided else "false"))
        patient = E("Patient", E("Id", event.patient_id, typ=event.patient_id_type))
        if event.patient_name:
            patient.append(E("Namn", event.patient_name))
        if event.county_code:
            patient.append(E("Lan", event.county_code))
        element.append(patient)
        contact = E("Vardkontakt")
        if event.contact_id:
            contact.append(E("KontaktId", event.contact_id))
        contact.append(E("Kontakttyp", event.contact_type))
        contact.append(E("Start", event.start.isoformat()))
        if event.duration_minutes:
            contact.append(E("Langd", str(event.duration_minutes)))
        contact.append(E("Vardenhet", event.unit_name, hsaId=event.unit_hsa_id))
        if event.practitioner_id or event.practitioner_name:
            attrs = {"hsaId": event.practitioner_id} if event.practitioner_id else {}
            if event.profession_code:
                attrs["yrkeskod"] = event.profession_code
            contact.append(E("Utforare", event.practitioner_name, **attrs))
        element.append(contact)
        if event.diagnoses:
            element.append(E("Diagnoser", *[E("Diagnos", d.text, kodverk=d.system, kod=d.code) for d in event.diagnoses]))
        if event.procedures:
            element.append(E("Atgarder", *[E("Atgard", p.text, kodverk=p.system, kod=p.code) for p in event.procedures]))
        if event.products:
            lines = []
            for product in event.products:
                attrs = {"produktkod": product.code}
                if product.amount_ore is not None:
                    attrs["belopp"] = _kronor(product.amount_ore)
                lines.append(E("Ersattningshandelse", **attrs))
            element.append(E("Ersattningshandelser", *lines))
        root.append(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _element(tag: str, children, attrs) -> etree._Element:
    element = etree.Element(f"{{{NS}}}{tag}", nsmap={None: NS})
    for key, value in attrs.items():
        element.set(key, value)
    for child in children:
        if isinstance(child, str):
            element.text = child
        else:
            element.append(child)
    return element
