"""The transport over real TLS on localhost: refusals, answers, resends, payload splitting."""

import socket
import ssl

import httpx
import pytest

from kvitt.interregion import soap, transport
from kvitt.interregion.model import make_basis_id

from .factories import CARE_REGION, HOME_REGION, patient_line, specification
from .pki import TestPki

CALLER = "SE2321000016-F001"
STRANGER = "SE2321000099-F002"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    directory = tmp_path_factory.mktemp("pki")
    authority = TestPki(directory)
    return {
        "ca": str(authority.ca),
        "server": authority.server(),
        "caller": authority.client("caller", CALLER, "Region Stockholm"),
        "stranger": authority.client("stranger", STRANGER, "Region Okänd"),
        "foreign": TestPki(tmp_path_factory.mktemp("other-pki"), ca_name="Other CA").client("foreign", CALLER, "Region Stockholm"),
    }


class Recorder:
    def __init__(self, answers=None):
        self.seen = []
        self.answers = list(answers or [])

    def __call__(self, request, caller):
        self.seen.append((request, caller))
        if self.answers:
            answer = self.answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        return soap.ClaimResponse("OK")


@pytest.fixture
def producer(pki):
    servers = []

    def start(handler, grants=None):
        endpoint = transport.ProducerEndpoint(transport.StaticAuthoriser(grants or {CALLER: {HOME_REGION}}), handler)
        context = transport.server_ssl_context(pki["ca"], str(pki["server"].cert), str(pki["server"].key))
        server = transport.MutualTlsServer(("127.0.0.1", 0), context, endpoint)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def client_for(pki, who, url):
    context = transport.client_ssl_context(pki["ca"], str(pki[who].cert), str(pki[who].key))
    return transport.ConsumerClient(url, context, timeout_s=5)


def test_authorised_caller_is_answered_and_identified_by_hsa_id(pki, producer):
    handler = Recorder()
    server = producer(handler)
    response = client_for(pki, "caller", server.url).post(soap.build_request(specification(), HOME_REGION))
    assert response == soap.ClaimResponse("OK")
    [(request, caller)] = handler.seen
    assert caller == CALLER
    assert request.specification == specification()


def test_caller_not_authorised_for_the_logical_address_is_refused(pki, producer):
    handler = Recorder()
    server = producer(handler)
    with pytest.raises(transport.DeliveryRefused, match="not authorised"):
        client_for(pki, "stranger", server.url).post(soap.build_request(specification(), HOME_REGION))
    # the authorised caller may not address another region either
    with pytest.raises(transport.DeliveryRefused, match="2321000032"):
        client_for(pki, "caller", server.url).post(soap.build_request(specification(), "2321000032"))
    assert handler.seen == []


def test_certificate_from_another_ca_is_refused_in_the_handshake(pki, producer):
    server = producer(Recorder())
    with pytest.raises(transport.DeliveryError, match="connection failed"):
        client_for(pki, "foreign", server.url).post(soap.build_request(specification(), HOME_REGION))


def test_no_client_certificate_is_refused(pki, producer):
    server = producer(Recorder())
    context = ssl.create_default_context(cafile=pki["ca"])
    with pytest.raises(httpx.TransportError):
        httpx.post(server.url, content=b"<x/>", verify=context, timeout=5)


def test_plain_http_is_refused(pki, producer):
    handler = Recorder()
    server = producer(handler)
    port = server.server_address[1]
    with pytest.raises(httpx.TransportError):
        httpx.post(f"http://127.0.0.1:{port}/", content=soap.build_request(specification(), HOME_REGION), timeout=5)
    assert handler.seen == []
    with pytest.raises(ValueError, match="https"):
        transport.ConsumerClient(f"http://127.0.0.1:{port}/", ssl.create_default_context())


def test_unreadable_request_gets_error_with_path(pki, producer):
    server = producer(Recorder())
    body = soap.build_request(specification(), HOME_REGION).replace(b"<core:issueDate>20261005", b"<core:issueDate>2026-10-05")
    response = client_for(pki, "caller", server.url).post(body)
    assert response.result_code == "ERROR" and "issueDate" in response.comment


def test_technical_error_is_a_soap_fault_and_is_resent(pki, producer):
    handler = Recorder([RuntimeError("deadlock"), RuntimeError("deadlock"), soap.ClaimResponse("OK")])
    server = producer(handler)
    client = client_for(pki, "caller", server.url)
    body = soap.build_request(specification(), HOME_REGION)
    pauses = []
    outcome = transport.send_with_retry(lambda: client.post(body), transport.RetryPolicy(pause_ms=5000, max_attempts=5), sleep=pauses.append)
    assert outcome.delivered and outcome.attempts == 3
    assert pauses == [5.0, 10.0]  # 5 s pause, then exponential backoff
    assert all("SOAP fault" in e for e in outcome.errors)


def test_resending_stops_after_max_attempts(pki):
    port = transport.free_port()
    context = transport.client_ssl_context(pki["ca"], str(pki["caller"].cert), str(pki["caller"].key))
    client = transport.ConsumerClient(f"https://127.0.0.1:{port}/", context, timeout_s=1)
    pauses = []
    outcome = transport.send_with_retry(lambda: client.post(b"<x/>"), transport.RetryPolicy(pause_ms=5000, max_attempts=3), sleep=pauses.append)
    assert not outcome.delivered and outcome.attempts == 3 and pauses == [5.0, 10.0]


def test_oversized_request_is_not_sent(pki):
    context = transport.client_ssl_context(pki["ca"], str(pki["caller"].cert), str(pki["caller"].key))
    client = transport.ConsumerClient("https://127.0.0.1:9/", context)
    with pytest.raises(transport.DeliveryRefused, match="split"):
        client.post(b"x" * (transport.MAX_PAYLOAD_BYTES + 1))


def test_subject_dn_from_a_proxy_yields_the_hsa_id():
    assert transport.hsa_id_from_subject_dn("CN=Region Stockholm,serialNumber=SE2321000016-F001,O=Region Stockholm,C=SE") == CALLER
    assert transport.hsa_id_from_subject_dn("/C=SE/O=Region/serialNumber=SE2321000016-F001/CN=x") == CALLER
    assert transport.hsa_id_from_subject_dn("CN=no serial") is None


def test_large_basis_is_split_by_patient_lines():
    lines = [patient_line(care=None) for _ in range(30)]
    line_id = 0
    for line in lines:
        for care in line.care:
            line_id += 1
            care.line_id = line_id
    spec = specification(lines=lines)
    full = transport.request_size(spec, HOME_REGION)
    counter = iter(range(2, 100))
    parts = transport.split_for_payload(spec, HOME_REGION, lambda: make_basis_id(CARE_REGION, 2026, 9, next(counter)), limit=full // 3)
    assert len(parts) >= 3
    assert all(transport.request_size(p, HOME_REGION) <= full // 3 for p in parts)
    assert [len(p.id) for p in parts] == [23] * len(parts) and len({p.id for p in parts}) == len(parts)
    assert parts[0].id == spec.id
    assert sum(p.payable_amount for p in parts) == spec.payable_amount
    assert sum(len(p.lines) for p in parts) == 30
    assert transport.split_for_payload(spec, HOME_REGION, lambda: "unused") == [spec]
