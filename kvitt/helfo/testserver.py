"""A local KUHR Krav API written to its public documentation, for tests and the demo.

What it does, as navikt/kuhr-krav-api-dokumentasjon describes it:

* ``GET /kuhr/krav/v1/jwk`` (and ``/kuhr/jwk``, the README's path): its public RSA key;
* ``POST /kuhr/krav/v1/process/sendinnbehandlerkravmelding``: decrypts the compact JWE
  (RSA-OAEP-256 + A256GCM) with its private key, runs the receipt checks and answers
  ``{"behandlerkravmeldingId", "status": "mottatt"}`` or HTTP 400 with
  ``"feil_i_melding"`` and ``feilmeldinger`` (UKJENT_FORMAT, UKJENT_FELT,
  MANGLER_PRAKSISID, MANGLER_BEHANDLERKRAV, MANGLER_REGNINGER, MANGLER_GUID,
  UKJENT_PRAKSISID, DUPLIKAT_KRAV);
* ``GET /kuhr/krav/v1/data/praksis`` and ``GET /kuhr/krav/v1/data/behandlerkravmelding[/{id}]``
  with the three stages (meldingsstatus, kontrollstatus, utbetalingsstatus), per-bill
  results (behandles / godkjent / avvist with numbered merknader) and the payout;
* ``POST /token``: a token endpoint standing in for Maskinporten / HelseID; it verifies
  the client assertion against the registered client key.

The test drives time: ``run_control()`` finishes control of received messages,
``run_payout()`` gathers approved bills per practice into a decision and pays it. Bill
outcomes come from built-in controls (remark 766: bill dated after receipt, as in the
documentation's workflow example; egenandel paid changed from true to false; credit of a
bill that was never approved) and from a ``decide`` hook the test sets, e.g.
``server.reject_first_time(guid, "470", "...")``.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import threading
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from kvitt.helfo import bkm_json, jwe

TZ = datetime.timezone(datetime.timedelta(hours=1))

# Fields of a BKM JSON, from behandlerkravmelding_json.md ("Full path"); anything else is UKJENT_FELT.
_IDENT = {"id": None, "type": None}
_DIAG = {"kodeverk": None, "kode": None}
SCHEMA = {
    "praksisId": None,
    "behandlerkrav": {
        "avdeling": None,
        "navnEPJ": None,
        "reshId": None,
        "antallRegninger": None,
        "belop": None,
        "regninger": [
            {
                "guid": None,
                "korrigeringBetaltEgenandel": None,
                "betaltEgenandel": None,
                "kreditering": None,
                "regningsnummer": None,
                "tidspunkt": None,
                "merknad": None,
                "pasient": {
                    "etternavn": None,
                    "fornavn": None,
                    "kjonn": None,
                    "trygdenasjon": None,
                    "identifikasjon": _IDENT,
                    "fodselsdato": None,
                    "eea": {k: None for k in ("Dok", "CardId", "Id", "TrygdekontorNavn", "TrygdekontorNr", "eeaGyldighetFra", "eeaGyldighet")},
                },
                "arsakFriEgenandel": None,
                "diagnoser": [_DIAG],
                "sjeldenMedisinskTilstand": None,
                "henvisning": {"dato": None, "id": None, "diagnoser": [_DIAG], "henvistFra": _IDENT},
                "utforendeBehandler": _IDENT,
                "relatertBehandler": _IDENT,
                "samarbeidendeBehandler": _IDENT,
                "moderasjonskode": None,
                "stonadspunkt": None,
                "prosedyrekoder": [_DIAG],
                "takster": [{"belop": None, "kode": None, "antall": None, "tenner": [{"tannkode": None}]}],
                "belop": None,
            }
        ],
    },
}

# Types the receipt check enforces ("riktige datatyper"): path suffix -> accepted Python types.
_TYPES = {
    "praksisId": (str,),
    "guid": (str,),
    "regningsnummer": (str,),
    "tidspunkt": (str,),
    "belop": (int, Decimal),
    "antall": (int,),
    "antallRegninger": (int,),
    "betaltEgenandel": (bool,),
    "korrigeringBetaltEgenandel": (bool,),
    "kreditering": (bool,),
}

MESSAGES = {
    "UKJENT_FORMAT": "Behandlerkravmelding har ikke JSON-format",
    "UKJENT_FELT": "Ukjent felt i JSON",
    "MANGLER_PRAKSISID": "Mangler påkrevd felt praksisId",
    "MANGLER_BEHANDLERKRAV": "Mangler påkrevd felt behandlerkrav",
    "MANGLER_REGNINGER": "Mangler påkrevd felt regninger",
    "MANGLER_GUID": "Mangler påkrevd felt guid",
    "UKJENT_PRAKSISID": "Oppgitt praksisId finnes ikke for helseaktøren",
    "DUPLIKAT_KRAV": "Meldingen er identisk med en tidligere melding som allerede er behandlet",
}


def unknown_fields(value, schema, path: str = "") -> list[str]:
    found: list[str] = []
    if isinstance(schema, dict) and isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            if key not in schema:
                found.append(where)
            elif schema[key] is not None:
                found += unknown_fields(item, schema[key], where)
    elif isinstance(schema, list) and isinstance(value, list):
        for i, item in enumerate(value):
            found += unknown_fields(item, schema[0], f"{path}[{i}]")
    return found


def wrong_types(value, path: str = "") -> list[str]:
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            expected = _TYPES.get(key)
            if expected and item is not None and (not isinstance(item, expected) or (bool not in expected and isinstance(item, bool))):
                found.append(where)
            found += wrong_types(item, where)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += wrong_types(item, f"{path}[{i}]")
    return found


def _plaintext_json(plaintext: bytes):
    """The BKM JSON, sent as is or as an unsigned nested JWT (the docs mention both)."""
    text = plaintext.decode("utf-8").strip()
    if text.startswith("{"):
        return json.loads(text, parse_float=Decimal)
    parts = text.split(".")
    if len(parts) == 3:
        import base64

        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        return json.loads(base64.urlsafe_b64decode(padded), parse_float=Decimal)
    raise ValueError("neither JSON nor a nested JWT")


@dataclass
class StoredBill:
    guid: str
    number: str
    amount: Decimal
    time: datetime.datetime | None
    credit: bool
    egenandel_paid: bool | None
    document: dict
    status: str = "behandles"
    remarks: list[tuple[str, str]] = field(default_factory=list)
    decision_id: str = ""


@dataclass
class StoredMessage:
    id: str
    practice_id: str
    received_at: datetime.datetime
    bills: list[StoredBill]
    claimed: Decimal
    submission_id: str
    message_status: str = "mottatt"
    control_status: str = "ikke_sendt_til_kontroll"
    payout_status: str = "ikke_sendt_til_utbetaling"
    decision_id: str = ""


@dataclass
class Decision:
    id: str
    practice_id: str
    amount: Decimal
    account: str
    kid: str
    paid_on: datetime.date | None = None


@dataclass
class Client:
    client_id: str
    public_key: RSAKey
    kind: str  # "maskinporten" or "helseid"
    practices: tuple[str, ...]


class KuhrTestServer:
    """Start with ``with KuhrTestServer(...) as server:``; ``server.url`` is its base URL."""

    def __init__(self, practices: list[dict] | None = None, *, now=None, key: RSAKey | None = None,
                 host: str = "127.0.0.1", port: int = 0):
        self.key = key or self.new_key()
        self.address = (host, port)
        self.practices = practices or [
            {
                "praksisId": "1004326178",
                "navn": "Kurbadet Helsesenter",
                "orgnr": "999999999",
                "type": "FALE",
                "status": "ok",
                "gyldigePerioder": [{"fraOgMedDato": "2020-01-01", "tilOgMedDato": "2028-07-15"}],
            }
        ]
        self.now = now or (lambda: datetime.datetime.now(TZ))
        self.messages: dict[str, StoredMessage] = {}
        self.decisions: dict[str, Decision] = {}
        self.tokens: dict[str, dict] = {}
        self.clients: dict[str, Client] = {}
        self.seen_jti: set[str] = set()
        self.digests: set[str] = set()
        self.decide = None  # optional hook: (bill document, attempt) -> (status, [(nummer, tekst)]) or None
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.RLock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._attempts: dict[str, int] = {}
        self._counter = 100001812531000

    @staticmethod
    def new_key() -> RSAKey:
        """A fresh encryption key pair (tests may share one to save key generation time)."""
        return RSAKey.generate_key(2048, parameters={"kid": "kuhr-test-" + uuid.uuid4().hex[:8], "use": "enc", "alg": jwe.ALG})

    # --- lifecycle ---
    def __enter__(self) -> "KuhrTestServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        server = self

        class Handler(_Handler):
            kuhr = server

        self._httpd = ThreadingHTTPServer(self.address, Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def token_endpoint(self) -> str:
        return self.url + "/token"

    issuer = "http://kuhr-test-issuer/"

    # --- credentials ---
    def issue_token(self, practices: list[str] | None = None, scope: str = "nav:kuhr/krav") -> str:
        token = "kt_" + uuid.uuid4().hex
        with self.lock:
            self.tokens[token] = {"scope": scope, "practices": tuple(practices or [p["praksisId"] for p in self.practices])}
        return token

    def register_client(self, client_id: str, public_key, kind: str, practices: list[str] | None = None) -> None:
        key = public_key if isinstance(public_key, RSAKey) else RSAKey.import_key(public_key)
        self.clients[client_id] = Client(client_id, key, kind, tuple(practices or [p["praksisId"] for p in self.practices]))

    def public_jwks(self) -> dict:
        return {"keys": [self.key.as_dict(private=False)]}

    # --- test controls ---
    def reject_first_time(self, guid: str, number: str, text: str) -> None:
        previous = self.decide

        def decide(bill: dict, attempt: int):
            if bill.get("guid") == guid and attempt == 1:
                return "avvist", [(number, text)]
            return previous(bill, attempt) if previous else None

        self.decide = decide

    def run_control(self) -> None:
        """Finish control of every received message (mottatt -> ferdig_kontrollert)."""
        with self.lock:
            for message in self.messages.values():
                if message.message_status not in ("mottatt", "sendt_til_behandling"):
                    continue
                for bill in message.bills:
                    bill.status, bill.remarks = self._control(message, bill)
                message.message_status = "ferdig_behandlet"
                message.control_status = "ferdig_kontrollert"

    def start_control(self) -> None:
        """Move received messages to the middle stage (sendt_til_behandling / kontrolleres)."""
        with self.lock:
            for message in self.messages.values():
                if message.message_status == "mottatt":
                    message.message_status = "sendt_til_behandling"
                    message.control_status = "kontrolleres"

    def run_payout(self, *, account: str = "12345678903", kid: str = "", paid_on: datetime.date | None = None) -> list[Decision]:
        """Gather controlled, unpaid messages per practice into a decision; pay it if ``paid_on``."""
        made = []
        with self.lock:
            by_practice: dict[str, list[StoredMessage]] = {}
            for message in self.messages.values():
                if message.control_status == "ferdig_kontrollert" and not message.decision_id:
                    by_practice.setdefault(message.practice_id, []).append(message)
            for practice_id, messages in by_practice.items():
                decision_id = str(self._next_id())
                total = Decimal("0")
                for message in messages:
                    approved = [b for b in message.bills if b.status == "godkjent"]
                    message.decision_id = decision_id
                    if not approved:
                        message.payout_status = "ingen_utbetaling"
                        continue
                    message.payout_status = "sendt_til_utbetaling"
                    for bill in approved:
                        bill.decision_id = decision_id
                        total += bill.amount
                decision = Decision(decision_id, practice_id, total, account, kid)
                self.decisions[decision_id] = decision
                made.append(decision)
            if paid_on:
                self.complete_payout(paid_on)
        return made

    def complete_payout(self, paid_on: datetime.date) -> None:
        with self.lock:
            for decision in self.decisions.values():
                if decision.paid_on is None:
                    decision.paid_on = paid_on
            for message in self.messages.values():
                if message.payout_status == "sendt_til_utbetaling" and self.decisions[message.decision_id].paid_on:
                    message.payout_status = "utbetalt"

    # --- the checks ---
    def _next_id(self) -> int:
        self._counter += 1
        return self._counter

    def _bill_history(self, guid: str) -> list[StoredBill]:
        return [b for m in self.messages.values() for b in m.bills if b.guid == guid]

    def _control(self, message: StoredMessage, bill: StoredBill) -> tuple[str, list[tuple[str, str]]]:
        earlier = [b for b in self._bill_history(bill.guid) if b is not bill and b.status != "behandles"]
        self._attempts[bill.guid] = self._attempts.get(bill.guid, 0) + 1
        if bill.credit:
            if not any(b.status == "godkjent" and not b.credit for b in earlier):
                return "avvist", [("901", "Krediteringen viser til en regning som ikke er godkjent (lokal testserver)")]
            return "godkjent", []
        if bill.time and bill.time > message.received_at:
            return "avvist", [(
                "766",
                f"Enkeltregning er datert frem i tid, oppgitt konsultasjonstid er {bill.time:%d.%m.%Y %H:%M}, "
                f"innsending er mottatt {message.received_at:%d.%m.%Y %H:%M}",
            )]
        approved = [b for b in earlier if b.status == "godkjent"]
        credited = any(b.credit and b.status == "godkjent" for b in earlier)
        if approved and not credited:
            was_paid = any(b.egenandel_paid for b in approved)
            if bill.document.get("korrigeringBetaltEgenandel"):
                if was_paid and bill.egenandel_paid is False:
                    return "avvist", [("902", "BetaltEgenandel kan bare endres fra false til true (lokal testserver)")]
                return "godkjent", []
            return "avvist", [("903", "Regningen er allerede godkjent; krediter den før den sendes på nytt (lokal testserver)")]
        if self.decide:
            outcome = self.decide(bill.document, self._attempts[bill.guid])
            if outcome:
                return outcome
        return "godkjent", []

    def receive(self, body: bytes, token_info: dict) -> tuple[int, dict]:
        message_id = str(uuid.uuid4())
        errors: list[tuple[str, str]] = []
        try:
            _, plaintext = jwe.decrypt(body, self.key)
            document = _plaintext_json(plaintext)
            if not isinstance(document, dict):
                raise ValueError("not a JSON object")
        except (jwe.JweError, ValueError, UnicodeDecodeError) as exc:
            return 400, _error_receipt(message_id, [("UKJENT_FORMAT", f"{MESSAGES['UKJENT_FORMAT']}: {exc}")])
        for where in unknown_fields(document, SCHEMA):
            errors.append(("UKJENT_FELT", f"{MESSAGES['UKJENT_FELT']}: {where}"))
        for where in wrong_types(document):
            errors.append(("UKJENT_FORMAT", f"Feil datatype: {where}"))
        practice_id = document.get("praksisId")
        if not practice_id:
            errors.append(("MANGLER_PRAKSISID", MESSAGES["MANGLER_PRAKSISID"]))
        krav = document.get("behandlerkrav")
        if not isinstance(krav, dict):
            errors.append(("MANGLER_BEHANDLERKRAV", MESSAGES["MANGLER_BEHANDLERKRAV"]))
            bills = []
        else:
            bills = krav.get("regninger")
            if not isinstance(bills, list) or not bills:
                errors.append(("MANGLER_REGNINGER", MESSAGES["MANGLER_REGNINGER"]))
                bills = []
        for i, bill in enumerate(bills):
            if not isinstance(bill, dict) or not bill.get("guid"):
                errors.append(("MANGLER_GUID", f"{MESSAGES['MANGLER_GUID']}: regninger[{i}]"))
        if practice_id and practice_id not in token_info["practices"]:
            errors.append(("UKJENT_PRAKSISID", f"{MESSAGES['UKJENT_PRAKSISID']}: {practice_id}"))
        digest = hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode()).hexdigest()
        with self.lock:
            if not errors and digest in self.digests:
                errors.append(("DUPLIKAT_KRAV", MESSAGES["DUPLIKAT_KRAV"]))
            if errors:
                return 400, _error_receipt(message_id, errors)
            self.digests.add(digest)
            stored = [
                StoredBill(
                    guid=b["guid"],
                    number=str(b.get("regningsnummer") or ""),
                    amount=Decimal(b.get("belop") or 0),
                    time=_parse_time(b.get("tidspunkt")),
                    credit=bool(b.get("kreditering")),
                    egenandel_paid=b.get("betaltEgenandel"),
                    document=b,
                )
                for b in bills
            ]
            self.messages[message_id] = StoredMessage(
                id=message_id,
                practice_id=practice_id,
                received_at=self.now(),
                bills=stored,
                claimed=Decimal(krav.get("belop") or sum(b.amount for b in stored)),
                submission_id=str(self._next_id()),
            )
        return 200, {"behandlerkravmeldingId": message_id, "status": "mottatt"}

    # --- JSON views ---
    def summary(self, message: StoredMessage) -> dict:
        paid = sum((b.amount for b in message.bills if b.status == "godkjent"), Decimal("0"))
        controlled = message.control_status == "ferdig_kontrollert"
        return {
            "behandlerkravmeldingId": message.id,
            "meldingsstatus": message.message_status,
            "kontrollstatus": message.control_status,
            "utbetalingsstatus": message.payout_status,
            "innsendingId": message.submission_id,
            "vedtakId": message.decision_id or None,
            "praksisId": message.practice_id,
            "mottattidspunkt": message.received_at.replace(microsecond=0).isoformat(),
            "sumKravbelop": message.claimed,
            "sumUtbetaltbelop": paid if controlled and message.decision_id else None,
            "antallRegninger": len(message.bills),
        }

    def detail(self, message: StoredMessage) -> dict:
        out = self.summary(message)
        out["innsending"] = {
            "regninger": [
                {
                    "status": b.status,
                    "guid": b.guid,
                    "regningsnummer": b.number,
                    "merknader": [{"nummer": int(n) if n.isdigit() else n, "tekst": t} for n, t in b.remarks],
                }
                for b in message.bills
            ],
            "merknader": [],
        }
        decision = self.decisions.get(message.decision_id)
        paid = decision is not None and decision.paid_on is not None
        out["vedtak"] = {
            "utbetaling": {
                "belop": decision.amount if paid else None,
                "utbetaltdato": decision.paid_on.isoformat() if paid else None,
                "kontonr": decision.account if paid else None,
                "kid": (decision.kid or None) if paid else None,
            },
            "merknader": [],
        }
        return out


def _parse_time(value) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _error_receipt(message_id: str, errors: list[tuple[str, str]]) -> dict:
    return {
        "behandlerkravmeldingId": message_id,
        "status": "feil_i_melding",
        "feilmeldinger": [{"kode": code, "melding": text} for code, text in errors],
    }


class _Handler(BaseHTTPRequestHandler):
    kuhr: KuhrTestServer

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: dict) -> None:
        data = bkm_json.dumps(body)  # Decimal amounts as exact JSON numbers
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _auth(self) -> dict | None:
        header = self.headers.get("Authorization", "")
        token = header[7:] if header.startswith("Bearer ") else ""
        info = self.kuhr.tokens.get(token)
        if info is None:
            self._send(401, {"error": "invalid_token"})
            return None
        if not set(info["scope"].split()) & {"nav:kuhr/krav", "hdir:kuhr-krav-api/krav"}:
            self._send(403, {"error": "insufficient_scope"})
            return None
        return info

    def do_GET(self) -> None:
        path = urlparse(self.path).path
        self.kuhr.requests.append(("GET", path))
        info = self._auth()
        if info is None:
            return
        if path in ("/kuhr/krav/v1/jwk", "/kuhr/jwk"):
            return self._send(200, self.kuhr.public_jwks())
        if path == "/kuhr/krav/v1/data/praksis":
            mine = [p for p in self.kuhr.practices if p["praksisId"] in info["practices"]]
            return self._send(200, {"praksiser": mine})
        with self.kuhr.lock:
            mine = [m for m in self.kuhr.messages.values() if m.practice_id in info["practices"]]
            if path == "/kuhr/krav/v1/data/behandlerkravmelding":
                ordered = sorted(mine, key=lambda m: m.received_at, reverse=True)
                return self._send(200, {"behandlerkravmeldinger": [self.kuhr.summary(m) for m in ordered]})
            prefix = "/kuhr/krav/v1/data/behandlerkravmelding/"
            if path.startswith(prefix):
                wanted = path[len(prefix):]
                for message in mine:
                    if message.id == wanted:
                        return self._send(200, self.kuhr.detail(message))
                return self._send(404, {"error": "ukjent behandlerkravmeldingId"})
        self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        path = urlparse(self.path).path
        self.kuhr.requests.append(("POST", path))
        if path == "/token":
            return self._token()
        if path != "/kuhr/krav/v1/process/sendinnbehandlerkravmelding":
            return self._send(404, {"error": "not found"})
        info = self._auth()
        if info is None:
            return
        status, body = self.kuhr.receive(self._body(), info)
        self._send(status, body)

    def _token(self) -> None:
        form = {k: v[0] for k, v in parse_qs(self._body().decode()).items()}
        grant = form.get("grant_type", "")
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            assertion, kind = form.get("assertion", ""), "maskinporten"
        elif grant in ("client_credentials", "refresh_token"):
            if form.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
                return self._send(400, {"error": "invalid_client"})
            assertion, kind = form.get("client_assertion", ""), "helseid"
        else:
            return self._send(400, {"error": "unsupported_grant_type"})
        try:
            unverified = json.loads(_b64(assertion.split(".")[1]))
            client = self.kuhr.clients[unverified["iss"]]
            token = jwt.decode(assertion, client.public_key, algorithms=["RS256"])
        except (KeyError, IndexError, ValueError, JoseError):
            return self._send(400, {"error": "invalid_grant", "error_description": "client assertion not verifiable"})
        claims = token.claims
        now = self.kuhr.now().timestamp()
        problems = []
        if client.kind != kind:
            problems.append("wrong grant for this client")
        if claims.get("aud") != self.kuhr.issuer:
            problems.append("aud")
        if not (claims.get("exp", 0) > now and claims.get("exp", 0) - claims.get("iat", 0) <= 120):
            problems.append("exp")
        if claims.get("jti") in self.kuhr.seen_jti or not claims.get("jti"):
            problems.append("jti reused")
        if kind == "helseid" and (claims.get("sub") != client.client_id or form.get("client_id") != client.client_id):
            problems.append("sub/client_id")
        scope = claims.get("scope") if kind == "maskinporten" else form.get("scope")
        if not scope:
            problems.append("scope")
        if problems:
            return self._send(400, {"error": "invalid_grant", "error_description": ", ".join(problems)})
        self.kuhr.seen_jti.add(claims["jti"])
        access = self.kuhr.issue_token(list(client.practices), scope)
        self._send(200, {"access_token": access, "token_type": "Bearer", "expires_in": 120, "scope": scope})


def _b64(part: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
