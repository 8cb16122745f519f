"""The KUHR client, token providers and JWE against the local KUHR Krav API server."""

import datetime
import json
import uuid

import httpx
import pytest
from joserfc.jwk import RSAKey

from kvitt.helfo import bkm_json, jwe
from kvitt.helfo.kuhr_client import (
    HelseIdTokenProvider,
    KuhrClient,
    KuhrError,
    MaskinportenTokenProvider,
    StaticTokenProvider,
    parse_status,
)
from kvitt.helfo.model import Bill, Claim, Diagnosis, Ident, PatientInfo, TariffLine
from kvitt.helfo.testserver import KuhrTestServer

CET = datetime.timezone(datetime.timedelta(hours=1))
PRACTICE = "1004326178"


@pytest.fixture
def server(kuhr_key):
    with KuhrTestServer(now=lambda: datetime.datetime(2026, 1, 6, 15, 30, tzinfo=CET), key=kuhr_key) as s:
        yield s


@pytest.fixture
def client(server):
    return KuhrClient(server.url, StaticTokenProvider(server.issue_token()))


def _bill(guid=None, when=datetime.datetime(2026, 1, 6, 13, 35, tzinfo=CET), number="5"):
    return Bill(
        guid=guid or str(uuid.uuid4()),
        bill_number=number,
        time=when,
        patient=PatientInfo(ident=Ident("47908702367", "FNR")),
        diagnoses=(Diagnosis("ICPC-2", "L73"),),
        tariffs=(TariffLine("2ad", 1500), TariffLine("2cd", 25500), TariffLine("L1", 2600)),
    )


def _bkm(*bills, practice=PRACTICE):
    return bkm_json.to_bytes(Claim(practice_id=practice, epj_name="Kvitt", bills=list(bills)))


def test_jwe_round_trip_and_key_selection():
    private = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "enc"})
    public = jwe.select_key({"keys": [{"kty": "EC", "crv": "P-256", "x": "a", "y": "b"}, private.as_dict(private=False)]})
    token = jwe.encrypt(b'{"praksisId":"1"}', public)
    header, plaintext = jwe.decrypt(token, private)
    assert header == {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "k1"}
    assert plaintext == b'{"praksisId":"1"}'
    assert token.count(".") == 4
    with pytest.raises(jwe.JweError):
        jwe.decrypt(token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"), private)
    with pytest.raises(jwe.JweError, match="no RSA encryption key"):
        jwe.select_key({"keys": [{"kty": "RSA", "use": "sig", "n": "x", "e": "AQAB"}]})


def test_practices_and_jwk(client, server):
    (practice,) = client.practices()
    assert practice.practice_id == PRACTICE and practice.type == "FALE"
    assert practice.valid_on(datetime.date(2026, 1, 6)) and not practice.valid_on(datetime.date(2029, 1, 1))
    assert client.encryption_key().kid == server.key.kid


def test_send_then_three_stages_then_payout(client, server):
    rejected_guid, ok_guid = str(uuid.uuid4()), str(uuid.uuid4())
    server.reject_first_time(rejected_guid, "470", "Ugyldig kombinasjon")
    receipt = client.send(_bkm(_bill(ok_guid, number="5"), _bill(rejected_guid, number="6")))
    assert receipt.accepted and receipt.status == "mottatt"
    status = client.status(receipt.message_id)
    assert (status.message_status, status.control_status, status.payout_status) == (
        "mottatt", "ikke_sendt_til_kontroll", "ikke_sendt_til_utbetaling")
    server.start_control()
    assert client.status(receipt.message_id).control_status == "kontrolleres"
    server.run_control()
    status = client.status(receipt.message_id)
    assert status.control_status == "ferdig_kontrollert"
    results = {b.guid: b for b in status.bills}
    assert results[ok_guid].status == "godkjent"
    assert results[rejected_guid].status == "avvist"
    assert results[rejected_guid].remarks[0].number == "470"
    assert status.claimed == 2 * 29600
    server.run_payout(account="12345678903", kid="123456789012", paid_on=datetime.date(2026, 1, 8))
    status = client.status(receipt.message_id)
    assert status.payout_status == "utbetalt"
    assert status.paid == 29600
    assert status.payout.amount == 29600 and status.payout.paid_on == datetime.date(2026, 1, 8)
    assert status.payout.account == "12345678903" and status.payout.kid == "123456789012"
    (listed,) = client.statuses()
    assert listed.message_id == receipt.message_id and listed.decision_id == status.decision_id


def test_future_dated_bill_gets_remark_766(client, server):
    receipt = client.send(_bkm(_bill(when=datetime.datetime(2026, 2, 6, 15, 0, tzinfo=CET))))
    server.run_control()
    (bill,) = client.status(receipt.message_id).bills
    assert bill.status == "avvist" and bill.remarks[0].number == "766"
    assert "datert frem i tid" in bill.remarks[0].text


def _post_plain(server, token, document: dict | bytes, *, encrypt=True):
    payload = document if isinstance(document, bytes) else json.dumps(document).encode()
    key = jwe.select_key(server.public_jwks())
    body = jwe.encrypt(payload, key) if encrypt else payload
    response = httpx.post(server.url + "/kuhr/krav/v1/process/sendinnbehandlerkravmelding", content=body,
                          headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json()


@pytest.mark.parametrize(
    "document,code",
    [
        ({"praksisId": PRACTICE}, "MANGLER_BEHANDLERKRAV"),
        ({"behandlerkrav": {"regninger": [{"guid": "g", "regningsnummer": "1", "belop": 1}]}}, "MANGLER_PRAKSISID"),
        ({"praksisId": PRACTICE, "behandlerkrav": {"regninger": []}}, "MANGLER_REGNINGER"),
        ({"praksisId": PRACTICE, "behandlerkrav": {"regninger": [{"regningsnummer": "1"}]}}, "MANGLER_GUID"),
        ({"praksisId": "999", "behandlerkrav": {"regninger": [{"guid": "g"}]}}, "UKJENT_PRAKSISID"),
        ({"praksisId": PRACTICE, "behandlerkrav": {"regninger": [{"guid": "g", "farge": "blå"}]}}, "UKJENT_FELT"),
        ({"praksisId": PRACTICE, "behandlerkrav": {"regninger": [{"guid": "g", "belop": "mange"}]}}, "UKJENT_FORMAT"),
        (b"<xml/>", "UKJENT_FORMAT"),
    ],
)
def test_receipt_error_codes(server, document, code):
    status, body = _post_plain(server, server.issue_token(), document)
    assert status == 400 and body["status"] == "feil_i_melding"
    assert code in [e["kode"] for e in body["feilmeldinger"]]
    assert body["behandlerkravmeldingId"]


def test_unencrypted_body_is_unknown_format(server):
    status, body = _post_plain(server, server.issue_token(), {"praksisId": PRACTICE}, encrypt=False)
    assert status == 400 and body["feilmeldinger"][0]["kode"] == "UKJENT_FORMAT"


def test_duplicate_message_refused(client):
    data = _bkm(_bill())
    assert client.send(data).accepted
    second = client.send(data)
    assert not second.accepted and second.errors[0].number == "DUPLIKAT_KRAV"


def test_client_receipt_for_unknown_practice(client):
    receipt = client.send(_bkm(_bill(), practice="1000000000"))
    assert receipt.status == "feil_i_melding" and receipt.errors[0].number == "UKJENT_PRAKSISID"


def test_bad_token_is_an_error(server):
    client = KuhrClient(server.url, StaticTokenProvider("nope"))
    with pytest.raises(KuhrError) as info:
        client.practices()
    assert info.value.status_code == 401


def _client_key():
    return RSAKey.generate_key(2048, parameters={"kid": "client-1"})


def test_maskinporten_jwt_grant_against_token_endpoint(server):
    key = _client_key()
    server.register_client("mp-client", key.as_dict(private=False), "maskinporten")
    provider = MaskinportenTokenProvider(
        token_endpoint=server.token_endpoint, client_id="mp-client", private_key=key, audience=server.issuer, key_id="client-1"
    )
    token = provider.token()
    assert token in server.tokens and server.tokens[token]["scope"] == "nav:kuhr/krav"
    assert provider.token() == token  # cached until it nearly expires
    client = KuhrClient(server.url, provider)
    assert client.practices()[0].practice_id == PRACTICE


def test_helseid_client_assertion_against_token_endpoint(server):
    key = _client_key()
    server.register_client("helseid-epj", key.as_dict(private=False), "helseid")
    provider = HelseIdTokenProvider(
        token_endpoint=server.token_endpoint, client_id="helseid-epj", private_key=key, audience=server.issuer
    )
    token = provider.token()
    assert server.tokens[token]["scope"] == "hdir:kuhr-krav-api/krav"
    assert KuhrClient(server.url, provider).practices()


def test_token_endpoint_refuses_wrong_key_and_audience(server):
    key = _client_key()
    server.register_client("mp-client", key.as_dict(private=False), "maskinporten")
    wrong_key = MaskinportenTokenProvider(
        token_endpoint=server.token_endpoint, client_id="mp-client", private_key=_client_key(), audience=server.issuer
    )
    with pytest.raises(KuhrError, match="400"):
        wrong_key.token()
    wrong_aud = MaskinportenTokenProvider(
        token_endpoint=server.token_endpoint, client_id="mp-client", private_key=key, audience="https://elsewhere/"
    )
    with pytest.raises(KuhrError) as info:
        wrong_aud.token()
    assert "aud" in info.value.body


def test_parse_status_of_documentation_example():
    example = {
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
                                      "regningsnummer": "6", "merknader": []}], "merknader": []},
        "vedtak": {"utbetaling": {"belop": 360, "utbetaltdato": "2026-01-07T23:45:57+01:00",
                                  "kontonr": "12345678901", "kid": None}, "merknader": []},
    }
    status = parse_status(example)
    assert status.paid == 6400 and status.payout.amount == 36000
    assert status.payout.paid_on == datetime.date(2026, 1, 7) and status.payout.kid == ""
    assert status.bills[0].status == "godkjent"
    with pytest.raises(KuhrError, match="unknown kontrollstatus"):
        parse_status({**example, "kontrollstatus": "ferdig"})


def test_unreachable_kuhr_is_a_kuhr_error():
    client = KuhrClient("http://127.0.0.1:9", StaticTokenProvider("t"), http=httpx.Client(timeout=2))
    with pytest.raises(KuhrError, match="unreachable"):
        client.practices()
