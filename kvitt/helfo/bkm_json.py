"""The behandlerkravmelding as JSON, field for field as the KUHR Krav API documents it.

Source: navikt/kuhr-krav-api-dokumentasjon, behandlerkravmelding_json.md. Fields that are
``None`` in the plain data are left out (the documentation's examples leave optional
fields out rather than sending null). Amounts are NOK with two decimals, written as JSON
numbers without ever passing through float.
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

from kvitt.helfo.model import Bill, Claim, Ident, PatientInfo, Referral


def nok(ore: int) -> Decimal:
    return (Decimal(ore) / 100).quantize(Decimal("0.01"))


def _ident(ident: Ident) -> dict:
    return {"id": ident.id, "type": ident.type}


def _diagnoses(diagnoses) -> list[dict]:
    return [{"kodeverk": d.oid, "kode": d.code} for d in diagnoses]


def _put(target: dict, key: str, value) -> None:
    if value is not None:
        target[key] = value


def _timestamp(value: datetime.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("a bill's time must carry its UTC offset (YYYY-MM-DDTHH:mm:ss±hh:mm)")
    return value.replace(microsecond=0).isoformat()


def _patient(patient: PatientInfo) -> dict:
    out: dict = {}
    _put(out, "etternavn", patient.family_name)
    _put(out, "fornavn", patient.given_name)
    _put(out, "kjonn", patient.sex)
    _put(out, "trygdenasjon", patient.nationality)
    if patient.ident is not None:
        out["identifikasjon"] = _ident(patient.ident)
    if patient.birth_date is not None:
        out["fodselsdato"] = patient.birth_date.isoformat()
    if patient.eea is not None:
        eea = patient.eea
        out["eea"] = {
            "Dok": eea.document,
            "CardId": eea.card_id,
            "Id": eea.id,
            "TrygdekontorNavn": eea.office_name,
            "TrygdekontorNr": eea.office_number,
            "eeaGyldighetFra": eea.valid_from,
            "eeaGyldighet": eea.valid_to,
        }
    return out


def _referral(referral: Referral) -> dict:
    out: dict = {}
    if referral.date is not None:
        out["dato"] = referral.date.isoformat()
    _put(out, "id", referral.id)
    if referral.diagnoses:
        out["diagnoser"] = _diagnoses(referral.diagnoses)
    if referral.referred_by is not None:
        out["henvistFra"] = _ident(referral.referred_by)
    return out


def build_bill(bill: Bill) -> dict:
    out: dict = {"guid": bill.guid}
    _put(out, "korrigeringBetaltEgenandel", bill.egenandel_correction)
    _put(out, "betaltEgenandel", bill.egenandel_paid)
    _put(out, "kreditering", bill.credit)
    out["regningsnummer"] = bill.bill_number
    if bill.time is not None:
        out["tidspunkt"] = _timestamp(bill.time)
    _put(out, "merknad", bill.remark)
    if bill.patient is not None:
        out["pasient"] = _patient(bill.patient)
    _put(out, "arsakFriEgenandel", bill.exemption_code)
    if bill.diagnoses:
        out["diagnoser"] = _diagnoses(bill.diagnoses)
    _put(out, "sjeldenMedisinskTilstand", bill.rare_condition)
    if bill.referral is not None:
        out["henvisning"] = _referral(bill.referral)
    if bill.performing_practitioner is not None:
        out["utforendeBehandler"] = _ident(bill.performing_practitioner)
    if bill.related_practitioner is not None:
        out["relatertBehandler"] = _ident(bill.related_practitioner)
    _put(out, "moderasjonskode", bill.moderation_code)
    _put(out, "stonadspunkt", bill.benefit_point)
    if bill.procedure_codes:
        out["prosedyrekoder"] = [{"kodeverk": p.system, "kode": p.code} for p in bill.procedure_codes]
    if bill.tariffs:
        lines = []
        for line in bill.tariffs:
            item = {"belop": nok(line.amount), "kode": line.code, "antall": line.count}
            if line.teeth:
                item["tenner"] = [{"tannkode": t} for t in line.teeth]
            lines.append(item)
        out["takster"] = lines
    out["belop"] = nok(bill.claimed)
    return out


def build(claim: Claim) -> dict:
    """The BKM JSON document (a dict with Decimal amounts) for ``claim``."""
    if not claim.bills:
        raise ValueError("a behandlerkravmelding needs at least one bill")
    krav: dict = {}
    _put(krav, "avdeling", claim.department)
    _put(krav, "navnEPJ", claim.epj_name)
    _put(krav, "reshId", claim.resh_id)
    krav["regninger"] = [build_bill(b) for b in claim.bills]
    krav["antallRegninger"] = len(claim.bills)
    krav["belop"] = nok(claim.total)
    return {"praksisId": claim.practice_id, "behandlerkrav": krav}


_MARK = "\x00D"
_MARKED = re.compile(r'"\\u0000D(-?[0-9]+(?:\.[0-9]+)?)\\u0000"')


def dumps(document: dict) -> bytes:
    """JSON text with Decimal amounts written as exact numbers (never through float).

    json's C encoder hands each Decimal to ``default``, which wraps its exact text in NUL
    markers; one substitution then turns the marked strings back into bare numbers.
    """
    count = 0

    def default(value):
        nonlocal count
        if isinstance(value, Decimal):
            if not value.is_finite():
                raise ValueError("amount is not finite")
            count += 1
            return f"{_MARK}{value:f}\x00"
        raise TypeError(f"{type(value).__name__} cannot go into a BKM")

    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=default)
    _reject_floats(document)
    text, replaced = _MARKED.subn(r"\1", encoder.encode(document))
    if replaced != count:
        raise ValueError("a text field contains a NUL character")
    return text.encode("utf-8")


def _reject_floats(value) -> None:
    if isinstance(value, float):
        raise TypeError("floats are not allowed in a BKM; use Decimal")
    if isinstance(value, dict):
        for item in value.values():
            _reject_floats(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _reject_floats(item)


def loads(data: bytes | str) -> dict:
    """Read a BKM JSON (amounts as Decimal)."""
    return json.loads(data, parse_float=Decimal)


def to_bytes(claim: Claim) -> bytes:
    return dumps(build(claim))
