"""Fuzz the Helfo readers: AppRec, KUHR status and practice JSON, the tariff open data,
the BKM JSON as the local KUHR stand-in reads it, and signed BKM XML.

Domain errors: ``XmlError`` (AppRec), ``KuhrError`` (parse_status / parse_practices),
``TariffFormatError`` (read_open_data), ``XmlError`` or ``SignatureInvalid`` (signed BKM XML);
the KUHR stand-in answers every BKM with HTTP 200 or a 400 error receipt.
"""

import datetime
import json

import pytest
from hypothesis import given, strategies as st

from kvitt.core.xmlsafe import XmlError
from kvitt.helfo import bkm_json, bkm_xml, jwe
from kvitt.helfo.apprec import AppRec, parse_apprec
from kvitt.helfo.devcerts import make_p12
from kvitt.helfo.kuhr_client import KuhrError, parse_practices, parse_status
from kvitt.helfo.model import Bill, Claim, Diagnosis, Ident, PatientInfo, Referral, TariffLine
from kvitt.helfo.signing import Pkcs12Signer, SignatureInvalid, verify
from kvitt.helfo.tariffs import TariffFormatError, demo_table_bytes, read_open_data
from kvitt.helfo.testserver import KuhrTestServer
from tests.helfo.test_apprec import HEAD as APPREC_HEAD
from tests.hardening.strategies import (
    FUZZ, JsonSeed, Seed, any_mutation, any_xml_mutation, dumps, expect, json_value, mutated_json, tried,
)

# The AppRec of tests/helfo/test_apprec.py, partly OK with one error.
APPREC = Seed("AppRec", APPREC_HEAD.replace(
    "{status}",
    '<Status DN="Delvis OK" V="3"/><Error V="X99" DN="Ugyldig takst" S="2.16.578.1.12.4.1.1.8221"/>\n'
    "  <AdditionalInfo>Regning 2</AdditionalInfo>",
).encode())

# Helfo's documentation example of one claim's status, with every part filled in.
STATUS = JsonSeed("KUHR status", {
    "behandlerkravmeldingId": "f00ddf25-f4f1-49b7-acd7-88cf4cbf9c71",
    "meldingsstatus": "ferdig_behandlet",
    "kontrollstatus": "ferdig_kontrollert",
    "utbetalingsstatus": "utbetalt",
    "innsendingId": "100001812532014",
    "vedtakId": "100001812531790",
    "praksisId": "1004326178",
    "mottattidspunkt": "2026-01-06T15:45:57+01:00",
    "sumKravbelop": 64,
    "sumUtbetaltbelop": 64,
    "antallRegninger": 1,
    "innsending": {"regninger": [{"status": "godkjent", "guid": "32b24c0b-facd-4f5e-aff9-9849ae477db5",
                                  "regningsnummer": "6", "merknader": [{"nummer": 12, "tekst": "Merknad"}]}],
                   "merknader": [{"kode": "A1", "melding": "x"}]},
    "vedtak": {"utbetaling": {"belop": 360, "utbetaltdato": "2026-01-07T23:45:57+01:00",
                              "kontonr": "12345678901", "kid": None}, "merknader": []},
})
PRACTICES = JsonSeed("KUHR practices", {"praksiser": [
    {"praksisId": "1004326178", "navn": "Kurbadet Helsesenter", "orgnr": "999999999", "type": "FALE", "status": "ok",
     "gyldigePerioder": [{"fraOgMedDato": "2020-01-01", "tilOgMedDato": "2028-07-15"}]},
]})
TARIFFS = Seed("Helfo tariff open data", demo_table_bytes())
TARIFF_JSON = JsonSeed("Helfo tariff open data (JSON)", json.loads(TARIFFS, parse_float=__import__("decimal").Decimal))

CET = datetime.timezone(datetime.timedelta(hours=1))


def _claim() -> Claim:
    bill = Bill(
        guid="7e1f3a52-1d7b-4ad7-8d8e-3c1f9a0b2c11", bill_number="1001",
        time=datetime.datetime(2026, 1, 6, 13, 35, tzinfo=CET),
        patient=PatientInfo(ident=Ident("47908702367", "FNR")),
        egenandel_paid=True, egenandel_correction=False, exemption_code=None,
        diagnoses=(Diagnosis("ICPC-2", "L92"),),
        referral=Referral(date=datetime.date(2025, 12, 1), id="R-1", referred_by=Ident("9144900", "HPR")),
        performing_practitioner=Ident("9144900", "HPR"),
        tariffs=(TariffLine("A1a", 16700, 1), TariffLine("A2a", 6700, 2)), egenandel_amount=37100,
    )
    return Claim(practice_id="1004326178", epj_name="Kvitt", epj_version="0.1", account="12345678903", bills=[bill])


BKM = JsonSeed("BKM JSON", bkm_json.loads(bkm_json.to_bytes(_claim())))


def test_the_seeds_are_valid():
    assert parse_apprec(APPREC).outcome == "partly_ok"
    assert parse_status(dict(STATUS)).payout.amount == 36000
    assert parse_practices(dict(PRACTICES))[0].practice_id == "1004326178"
    assert read_open_data(TARIFFS) and read_open_data(dumps(dict(TARIFF_JSON)))
    server = KuhrTestServer()
    status, _ = server.receive(jwe.encrypt(bkm_json.dumps(dict(BKM)), server.key), {"practices": ("1004326178",)})
    assert status == 200


@FUZZ
@given(any_xml_mutation(APPREC))
def test_apprec_gives_a_receipt_or_xml_error(data):
    rec = expect(parse_apprec, data, XmlError, name="helfo.parse_apprec")
    assert rec is None or (isinstance(rec, AppRec) and rec.outcome in ("ok", "rejected", "partly_ok"))


@FUZZ
@given(st.one_of(mutated_json(STATUS), mutated_json(STATUS, max_edits=8), json_value))
def test_kuhr_status_gives_a_status_or_kuhr_error(item):
    status = expect(parse_status, item, KuhrError, name="helfo.kuhr.parse_status")
    if status is not None and status.payout is not None:
        # What is parsed fits the payout columns it is stored in (a longer value was a
        # PostgreSQL error inside the status import).
        assert len(status.decision_id) <= 40 and len(status.payout.account) <= 11 and len(status.payout.kid) <= 25


@FUZZ
@given(st.one_of(mutated_json(PRACTICES), mutated_json(PRACTICES, max_edits=6), json_value))
def test_kuhr_practices_give_practices_or_kuhr_error(body):
    expect(parse_practices, body, KuhrError, name="helfo.kuhr.parse_practices")


@FUZZ
@given(st.one_of(any_mutation(TARIFFS), mutated_json(TARIFF_JSON).map(dumps), mutated_json(TARIFF_JSON, max_edits=8).map(dumps)))
def test_tariff_open_data_gives_rows_or_tariff_format_error(data):
    expect(read_open_data, data, TariffFormatError, name="helfo.tariffs.read_open_data")


@pytest.fixture(scope="module")
def kuhr():
    return KuhrTestServer()


@FUZZ
@given(body=st.one_of(mutated_json(BKM).map(dumps), mutated_json(BKM, max_edits=8).map(dumps), any_mutation(Seed("BKM JSON bytes", bkm_json.dumps(dict(BKM))))))
def test_kuhr_stand_in_answers_every_bkm_json_with_a_receipt(kuhr, body):
    tried("helfo.bkm_json (KUHR stand-in receive)")
    status, receipt = kuhr.receive(jwe.encrypt(body, kuhr.key), {"practices": ("1004326178",)})
    assert status in (200, 400)
    assert receipt["behandlerkravmeldingId"]
    if status == 400:
        assert receipt["status"] == "feil_i_melding" and receipt["feilmeldinger"]


@pytest.fixture(scope="module")
def signed_bkm():
    signer = Pkcs12Signer(make_p12("Kari Fysio", "secret"), "secret")
    head = bkm_xml.build_msghead(
        _claim(),
        sender=bkm_xml.Party("Fysio AS", "923609016", practitioner_name="Kari Fysio", practitioner_hpr="9144900"),
        msg_id="6cb3c665-fc1b-4687-a9ed-2909d4763907",
    )
    signed = signer.sign(head)
    return Seed("signed BKM XML", signed if isinstance(signed, bytes) else bkm_xml.to_bytes(signed)), signer.certificate()


@FUZZ
@given(data=st.data())
def test_signed_bkm_xml_verifies_or_is_refused_cleanly(signed_bkm, data):
    seed, certificate = signed_bkm
    document = data.draw(any_xml_mutation(seed))
    tried("helfo.bkm_xml signing.verify")
    try:
        verify(document, certificate)
    except (XmlError, SignatureInvalid) as exc:
        assert str(exc)
