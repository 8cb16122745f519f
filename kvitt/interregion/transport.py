"""Moving claim specifications between regions: mutual TLS client, producer endpoint, resends.

Consumer (the care region): ``ConsumerClient`` posts the SOAP request over HTTPS with the
region's client certificate (a SITHS function certificate in production) and reads the
answer. Timeouts, connection failures and SOAP faults are technical errors: the caller
resends after a pause (default 5000 ms) that doubles each time, up to a configurable number
of attempts (RIVTA BP 2.1 rule 22, contract section 4.2.1). ``resultCode`` ERROR is a
logical error: the message counts as not received and is not resent as it is.

Producer (the home region): ``ProducerEndpoint`` turns (request bytes, caller HSA-id) into
an HTTP status and a SOAP answer. It refuses callers that are not authorised for this
contract and the request's logical address. The caller's identity comes from the verified
client certificate: either ``MutualTlsServer`` (Python's ``ssl`` with CERT_REQUIRED, reading
``getpeercert()``) or, in production, a reverse proxy that verified the certificate and
forwards its subject (see docs/integrations/interregion.md and ``views.soap_endpoint``).
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterable, Protocol

import httpx

from kvitt.interregion import soap
from kvitt.interregion.model import ClaimSpecification, with_payable_from_lines

log = logging.getLogger(__name__)

CONTRACT = "urn:riv:financial:billing:claim:ProcessClaimSpecificationResponder:1"
MAX_PAYLOAD_BYTES = 5 * 1024 * 1024
# The producer accepts a little more than the consumer may send, for the SOAP envelope.
MAX_REQUEST_BYTES = MAX_PAYLOAD_BYTES + 256 * 1024


class DeliveryError(Exception):
    """A technical failure worth resending (timeout, connection, SOAP fault, HTTP 5xx)."""


class DeliveryRefused(Exception):
    """The producer refused the caller (HTTP 401/403) or the request; resending will not help."""


# ============================================================================ payload size


def request_size(spec: ClaimSpecification, logical_address: str) -> int:
    return len(soap.build_request(spec, logical_address))


def split_for_payload(
    spec: ClaimSpecification,
    logical_address: str,
    next_id: Callable[[], str],
    limit: int = MAX_PAYLOAD_BYTES,
) -> list[ClaimSpecification]:
    """Split a basis by patient lines so that every request is at most ``limit`` bytes.

    The first part keeps the basis id; each further part gets ``next_id()``. Each part's
    payableAmount is the sum of its own net amounts, so each part gets its own invoice.
    """
    if request_size(spec, logical_address) <= limit:
        return [spec]
    empty = replace(spec, lines=[])
    overhead = request_size(empty, logical_address)
    parts: list[list] = [[]]
    used = overhead
    for line in spec.lines:
        size = request_size(replace(empty, lines=[line]), logical_address) - overhead
        if overhead + size > limit:
            raise ValueError(f"one patient line alone needs {overhead + size} bytes; the limit is {limit}")
        if parts[-1] and used + size > limit:
            parts.append([])
            used = overhead
        parts[-1].append(line)
        used += size
    result = []
    for index, lines in enumerate(parts):
        part = replace(spec, id=spec.id if index == 0 else next_id(), lines=lines)
        result.append(with_payable_from_lines(part))
    return result


# ============================================================================ resending


@dataclass(frozen=True)
class RetryPolicy:
    pause_ms: int = 5000
    max_attempts: int = 6
    timeout_s: float = 30.0
    factor: float = 2.0

    def pause_before(self, attempt: int) -> float:
        """Seconds to wait before attempt number ``attempt`` (2, 3, ...): 5 s, 10 s, 20 s ..."""
        if attempt <= 1:
            return 0.0
        return self.pause_ms / 1000.0 * self.factor ** (attempt - 2)


@dataclass
class Outcome:
    response: soap.ClaimResponse | None
    attempts: int
    errors: list[str] = field(default_factory=list)
    refused: bool = False

    @property
    def delivered(self) -> bool:
        return self.response is not None


def send_with_retry(
    send: Callable[[], soap.ClaimResponse],
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
    on_attempt: Callable[[int, str | None], None] | None = None,
) -> Outcome:
    """Call ``send`` until it returns an answer, is refused, or the attempts run out."""
    errors: list[str] = []
    for attempt in range(1, policy.max_attempts + 1):
        pause = policy.pause_before(attempt)
        if pause:
            sleep(pause)
        try:
            response = send()
        except DeliveryRefused as exc:
            errors.append(str(exc))
            if on_attempt:
                on_attempt(attempt, str(exc))
            return Outcome(None, attempt, errors, refused=True)
        except DeliveryError as exc:
            errors.append(str(exc))
            if on_attempt:
                on_attempt(attempt, str(exc))
            continue
        if on_attempt:
            on_attempt(attempt, None)
        return Outcome(response, attempt, errors)
    return Outcome(None, policy.max_attempts, errors)


# ============================================================================ consumer


def _checked_paths(ca_file: str, cert_file: str, key_file: str) -> tuple[str, str, str]:
    """Configured files outside the repository only (kvitt.core.secretfiles)."""
    from kvitt.core.secretfiles import checked_key_path

    return (str(checked_key_path(ca_file, what="CA certificate file")),
            str(checked_key_path(cert_file, what="certificate file")),
            str(checked_key_path(key_file, what="private key file")))


def client_ssl_context(ca_file: str, cert_file: str, key_file: str) -> ssl.SSLContext:
    ca_file, cert_file, key_file = _checked_paths(ca_file, cert_file, key_file)
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    return context


class ConsumerClient:
    """Posts ProcessClaimSpecification requests over mutual TLS."""

    def __init__(self, url: str, ssl_context: ssl.SSLContext, timeout_s: float = 30.0):
        if not url.lower().startswith("https://"):
            raise ValueError("the producer's address must be https://; the contract requires mutual TLS")
        self.url = url
        self.ssl_context = ssl_context
        self.timeout_s = timeout_s

    def post(self, body: bytes) -> soap.ClaimResponse:
        if len(body) > MAX_PAYLOAD_BYTES:
            # Resending the same bytes cannot help; the basis must be split (split_for_payload).
            raise DeliveryRefused(f"request is {len(body)} bytes; the contract allows {MAX_PAYLOAD_BYTES}: split the basis by patient lines")
        headers = {"Content-Type": soap.CONTENT_TYPE, "SOAPAction": f'"{soap.SOAP_ACTION}"'}
        try:
            with httpx.Client(verify=self.ssl_context, timeout=self.timeout_s) as client:
                answer = client.post(self.url, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise DeliveryError(f"timeout after {self.timeout_s} s: {exc}") from None
        except httpx.TransportError as exc:
            raise DeliveryError(f"connection failed: {exc}") from None
        return self._read(answer)

    def _read(self, answer: httpx.Response) -> soap.ClaimResponse:
        if answer.status_code in (401, 403):
            raise DeliveryRefused(f"HTTP {answer.status_code}: {_fault_text(answer.content)}")
        try:
            parsed = soap.parse_response(answer.content)
        except soap.SoapError as exc:
            raise DeliveryError(f"HTTP {answer.status_code}, unreadable answer: {exc}") from None
        if isinstance(parsed, soap.SoapFault):
            raise DeliveryError(f"SOAP fault {parsed.code}: {parsed.message}")
        return parsed


def _fault_text(content: bytes) -> str:
    try:
        parsed = soap.parse_response(content)
    except soap.SoapError:
        return content[:200].decode("utf-8", "replace")
    return parsed.message if isinstance(parsed, soap.SoapFault) else parsed.comment


# ============================================================================ producer


class Authoriser(Protocol):
    def is_authorised(self, hsa_id: str, contract: str, logical_address: str) -> bool: ...


@dataclass
class StaticAuthoriser:
    """Caller HSA-id -> logical addresses it may call, for this one contract."""

    grants: dict[str, set[str]]

    def is_authorised(self, hsa_id: str, contract: str, logical_address: str) -> bool:
        return contract == CONTRACT and logical_address in self.grants.get(hsa_id, set())


@dataclass
class Answer:
    status: int
    body: bytes


Handler = Callable[[soap.ClaimRequest, str], soap.ClaimResponse]


class ProducerEndpoint:
    """Authorise, read, hand over to ``handler``, and answer - independent of the server."""

    def __init__(self, authoriser: Authoriser, handler: Handler):
        self.authoriser = authoriser
        self.handler = handler

    def __call__(self, body: bytes, caller_hsa_id: str | None) -> Answer:
        if not caller_hsa_id:
            return Answer(401, soap.build_fault("a verified client certificate with an HSA-id is required", "soapenv:Client"))
        if len(body) > MAX_REQUEST_BYTES:
            return Answer(413, soap.build_fault(f"payload above {MAX_PAYLOAD_BYTES} bytes", "soapenv:Client"))
        try:
            address = logical_address_of(body)
        except soap.SoapError as exc:
            return Answer(200, soap.build_response("ERROR", str(exc)))
        if not self.authoriser.is_authorised(caller_hsa_id, CONTRACT, address):
            log.warning("refused caller %s for logical address %s", caller_hsa_id, address)
            return Answer(
                403,
                soap.build_fault(f"caller {caller_hsa_id} is not authorised for {CONTRACT} at {address}", "soapenv:Client"),
            )
        try:
            request = soap.parse_request(body)
        except soap.SoapError as exc:
            return Answer(200, soap.build_response("ERROR", f"Error: {exc}"))
        try:
            response = self.handler(request, caller_hsa_id)
        except Exception:  # a technical error: SOAP fault, the consumer resends
            log.exception("ProcessClaimSpecification handler failed")
            return Answer(500, soap.build_fault("technical error"))
        return Answer(200, soap.build_response(response.result_code, response.comment))


def logical_address_of(body: bytes) -> str:
    """Read only the LogicalAddress header (authorisation comes before the payload)."""
    from lxml import etree

    from kvitt.core.xmlsafe import XmlError, parse_xml

    try:
        root = parse_xml(body, max_bytes=MAX_REQUEST_BYTES)
    except XmlError as exc:
        raise soap.SoapError(f"not a readable SOAP message: {exc}") from None
    if etree.QName(root).namespace != soap.NS_SOAP:
        raise soap.SoapError("/Envelope: the root element must be a SOAP 1.1 Envelope")
    address = root.find(f"{{{soap.NS_SOAP}}}Header/{{{soap.NS_REGISTRY}}}LogicalAddress")
    if address is None or not (address.text or "").strip():
        raise soap.SoapError("/Envelope/Header/LogicalAddress: required header is missing")
    return address.text.strip()


def hsa_id_from_peercert(peercert: dict | None) -> str | None:
    """The SERIALNUMBER attribute of a verified certificate's subject (the HSA-id in SITHS)."""
    if not peercert:
        return None
    for rdn in peercert.get("subject", ()):
        for key, value in rdn:
            if key == "serialNumber":
                return value
    return None


def hsa_id_from_subject_dn(subject: str) -> str | None:
    """SERIALNUMBER from a subject DN as nginx forwards it ($ssl_client_s_dn, RFC 2253)."""
    for part in _split_dn(subject):
        key, _, value = part.partition("=")
        if key.strip().upper() in ("SERIALNUMBER", "2.5.4.5") and value:
            return value.strip()
    return None


def _split_dn(subject: str) -> Iterable[str]:
    current = ""
    escaped = False
    for char in subject:
        if escaped:
            current += char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in ",/+":
            if current:
                yield current
            current = ""
        else:
            current += char
    if current:
        yield current


def server_ssl_context(ca_file: str, cert_file: str, key_file: str) -> ssl.SSLContext:
    """TLS 1.2+, client certificate REQUIRED and verified against ``ca_file``."""
    ca_file, cert_file, key_file = _checked_paths(ca_file, cert_file, key_file)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_cert_chain(cert_file, key_file)
    return context


class _Handler(BaseHTTPRequestHandler):
    server: "MutualTlsServer"
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            self._reply(Answer(413, soap.build_fault("payload too large", "soapenv:Client")))
            self.close_connection = True
            return
        body = self.rfile.read(length)
        caller = hsa_id_from_peercert(self.connection.getpeercert())
        self._reply(self.server.endpoint(body, caller))

    def do_GET(self):  # noqa: N802
        self._reply(Answer(405, soap.build_fault("use POST", "soapenv:Client")))

    def _reply(self, answer: Answer) -> None:
        self.send_response(answer.status)
        self.send_header("Content-Type", soap.CONTENT_TYPE)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, fmt, *args):
        log.info("producer %s " + fmt, self.client_address[0], *args)


class MutualTlsServer(ThreadingHTTPServer):
    """A producer over HTTPS that refuses any connection without a verified client certificate.

    The TLS handshake runs in the request's own thread, so a slow or plain-HTTP client
    cannot hold up the accept loop.
    """

    daemon_threads = True

    def __init__(self, address: tuple[str, int], ssl_context: ssl.SSLContext, endpoint: ProducerEndpoint):
        if ssl_context.verify_mode != ssl.CERT_REQUIRED:
            raise ValueError("the producer's TLS context must require client certificates")
        self.ssl_context = ssl_context
        self.endpoint = endpoint
        super().__init__(address, _Handler)

    def get_request(self):
        sock, address = self.socket.accept()
        return self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def finish_request(self, request, client_address):
        request.settimeout(15)
        try:
            request.do_handshake()
        except (ssl.SSLError, OSError) as exc:
            log.info("TLS handshake with %s refused: %s", client_address[0], exc)
            return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        log.info("connection from %s ended with an error", client_address[0], exc_info=True)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"https://{host}:{port}/"

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, name="interregion-producer", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]
