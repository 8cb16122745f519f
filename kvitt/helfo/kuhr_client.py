"""HTTP client for the KUHR Krav API (navikt/kuhr-krav-api-dokumentasjon).

Endpoints: ``GET /kuhr/krav/v1/jwk`` (KUHR's encryption key; the README also names
``/kuhr/jwk``, so the path is configurable), ``GET /kuhr/krav/v1/data/praksis``,
``POST /kuhr/krav/v1/process/sendinnbehandlerkravmelding`` (compact JWE body) and
``GET /kuhr/krav/v1/data/behandlerkravmelding[/{id}]``.

Authentication is a bearer token from a ``TokenProvider``: Maskinporten's JWT grant for
companies (scope ``nav:kuhr/krav``) or HelseID for practitioners (scope
``hdir:kuhr-krav-api/krav``). Both build a signed client-assertion JWT and post it to a
configured token endpoint; the token is cached until shortly before it expires.
"""

from __future__ import annotations

import datetime
import json
import threading
import time
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import httpx
from joserfc import jwt
from joserfc.jwk import RSAKey

from kvitt.helfo import jwe

JWK_PATH = "/kuhr/krav/v1/jwk"
PRACTICES_PATH = "/kuhr/krav/v1/data/praksis"
SEND_PATH = "/kuhr/krav/v1/process/sendinnbehandlerkravmelding"
STATUS_PATH = "/kuhr/krav/v1/data/behandlerkravmelding"

MASKINPORTEN_SCOPE = "nav:kuhr/krav"
HELSEID_SCOPE = "hdir:kuhr-krav-api/krav"

MESSAGE_STATUSES = {"mottatt", "klar_til_behandling", "sendt_til_behandling", "ferdig_behandlet", "feil_i_melding"}
CONTROL_STATUSES = {"ikke_sendt_til_kontroll", "kontrolleres", "kontrolleres_manuelt", "ferdig_kontrollert"}
PAYOUT_STATUSES = {"ikke_sendt_til_utbetaling", "sendt_til_utbetaling", "utbetalt", "ingen_utbetaling"}
BILL_RESULTS = {"behandles", "godkjent", "avvist"}


class KuhrError(RuntimeError):
    """KUHR (or the token endpoint) answered something other than the documented responses."""

    def __init__(self, message: str, status_code: int | None = None, body: str = ""):
        super().__init__(message)
        self.status_code = status_code
        self.body = body[:2000]


# --- tokens -------------------------------------------------------------------------------


class TokenProvider(ABC):
    """Gives a bearer access token for the KUHR Krav API."""

    @abstractmethod
    def token(self) -> str: ...


class StaticTokenProvider(TokenProvider):
    """A token obtained elsewhere (e.g. from the practitioner's HelseID login in the browser)."""

    def __init__(self, access_token: str):
        self._token = access_token

    def token(self) -> str:
        return self._token


@dataclass
class _Cached:
    value: str = ""
    expires_at: float = 0.0


class _AssertionTokenProvider(TokenProvider):
    """Signs a short-lived client assertion (RS256) and trades it for an access token."""

    lifetime_seconds = 60  # Maskinporten allows at most 120 s

    def __init__(
        self,
        *,
        token_endpoint: str,
        client_id: str,
        private_key,
        audience: str,
        scope: str,
        key_id: str | None = None,
        certificate_chain_b64: list[str] | None = None,
        http: httpx.Client | None = None,
        clock=time.time,
    ):
        self.token_endpoint = token_endpoint
        self.client_id = client_id
        self.key = private_key if isinstance(private_key, RSAKey) else RSAKey.import_key(private_key)
        self.audience = audience
        self.scope = scope
        self.key_id = key_id
        self.certificate_chain_b64 = certificate_chain_b64
        self.http = http or httpx.Client(timeout=20)
        self.clock = clock
        self._cached = _Cached()
        self._lock = threading.Lock()

    def _header(self) -> dict:
        header = {"alg": "RS256"}
        if self.certificate_chain_b64:
            header["x5c"] = self.certificate_chain_b64
        elif self.key_id:
            header["kid"] = self.key_id
        return header

    @abstractmethod
    def _claims(self, now: int) -> dict: ...

    @abstractmethod
    def _form(self, assertion: str) -> dict: ...

    def client_assertion(self) -> str:
        now = int(self.clock())
        return jwt.encode(self._header(), self._claims(now), self.key, algorithms=["RS256"])

    def token(self) -> str:
        with self._lock:
            if self._cached.value and self.clock() < self._cached.expires_at:
                return self._cached.value
            try:
                response = self.http.post(self.token_endpoint, data=self._form(self.client_assertion()))
            except httpx.HTTPError as exc:
                raise KuhrError(f"token endpoint unreachable: {exc}") from exc
            if response.status_code != 200:
                raise KuhrError(
                    f"token endpoint answered {response.status_code}", response.status_code, response.text
                )
            try:
                body = response.json()
                access_token = body["access_token"]
                expires_in = int(body.get("expires_in", 60))
            except (ValueError, KeyError, TypeError):
                raise KuhrError("token endpoint gave no access_token", response.status_code, response.text) from None
            self._cached = _Cached(access_token, self.clock() + max(0, expires_in - 30))
            return access_token


class MaskinportenTokenProvider(_AssertionTokenProvider):
    """JWT grant (RFC 7523) for a company registered in Maskinporten and at Helfo."""

    def __init__(self, *, audience: str, scope: str = MASKINPORTEN_SCOPE, **kwargs):
        super().__init__(audience=audience, scope=scope, **kwargs)

    def _claims(self, now: int) -> dict:
        return {
            "aud": self.audience,  # Maskinporten's issuer, e.g. https://test.maskinporten.no/
            "iss": self.client_id,
            "scope": self.scope,
            "iat": now,
            "exp": now + self.lifetime_seconds,
            "jti": str(uuid.uuid4()),
        }

    def _form(self, assertion: str) -> dict:
        return {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}


class HelseIdTokenProvider(_AssertionTokenProvider):
    """HelseID client authentication with a signed client assertion (private_key_jwt).

    Without a refresh token it uses the client-credentials grant; with the refresh token
    from a practitioner's login it refreshes that user's token, so KUHR sees the
    practitioner (``pid``) the claim belongs to.
    """

    def __init__(self, *, audience: str, scope: str = HELSEID_SCOPE, refresh_token: str | None = None, **kwargs):
        super().__init__(audience=audience, scope=scope, **kwargs)
        self.refresh_token = refresh_token

    def _claims(self, now: int) -> dict:
        return {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.audience,  # HelseID's issuer, e.g. https://helseid-sts.test.nhn.no
            "iat": now,
            "nbf": now,
            "exp": now + self.lifetime_seconds,
            "jti": str(uuid.uuid4()),
        }

    def _form(self, assertion: str) -> dict:
        form = {
            "client_id": self.client_id,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
            "scope": self.scope,
        }
        if self.refresh_token:
            form.update(grant_type="refresh_token", refresh_token=self.refresh_token)
        else:
            form["grant_type"] = "client_credentials"
        return form


# --- responses ----------------------------------------------------------------------------


def _ore(value, where: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)):
        raise KuhrError(f"{where}: {value!r} is not an amount")
    try:
        amount = Decimal(str(value))
        if not amount.is_finite():
            raise InvalidOperation
        return int((amount * 100).quantize(Decimal("1")))
    except InvalidOperation:
        raise KuhrError(f"{where}: {value!r} is not an amount") from None


def _date(value) -> datetime.date | None:
    if not value:
        return None
    text = str(value)
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        raise KuhrError(f"{text!r} is not a date") from None


def _datetime(value) -> datetime.datetime | None:
    if not value:
        return None
    try:
        return datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return None  # the documentation's own examples carry malformed timestamps


@dataclass(frozen=True)
class Practice:
    practice_id: str
    name: str
    org_number: str
    type: str
    status: str
    periods: tuple[tuple[datetime.date, datetime.date | None], ...]

    def valid_on(self, day: datetime.date) -> bool:
        return self.status == "ok" and any(a <= day and (b is None or day <= b) for a, b in self.periods)


@dataclass(frozen=True)
class Remark:
    number: str
    text: str


@dataclass(frozen=True)
class Receipt:
    message_id: str
    status: str
    errors: tuple[Remark, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.status != "feil_i_melding"


@dataclass(frozen=True)
class BillResult:
    guid: str
    bill_number: str
    status: str
    remarks: tuple[Remark, ...] = ()


@dataclass(frozen=True)
class PayoutInfo:
    amount: int | None
    paid_on: datetime.date | None
    account: str
    kid: str


@dataclass
class ClaimStatus:
    message_id: str
    message_status: str
    control_status: str = ""
    payout_status: str = ""
    practice_id: str = ""
    submission_id: str = ""
    decision_id: str = ""
    received_at: datetime.datetime | None = None
    claimed: int | None = None
    paid: int | None = None
    bill_count: int | None = None
    bills: list[BillResult] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)
    payout: PayoutInfo | None = None
    decision_remarks: list[Remark] = field(default_factory=list)


def _object(value, where: str) -> dict:
    """A JSON object of the answer, ``{}`` when absent; anything else is refused by name."""
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise KuhrError(f"{where}: expected an object, got {type(value).__name__}")
    return value


def _objects(value, where: str) -> list[dict]:
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        raise KuhrError(f"{where}: expected a list, got {type(value).__name__}")
    return [_object(item, f"{where}[{i}]") for i, item in enumerate(value)]


def _bounded(value, limit: int, where: str) -> str:
    """Text of at most ``limit`` characters (the payout columns' widths: account 11, KID 25, decision 40)."""
    text = str(value or "")
    if len(text) > limit:
        raise KuhrError(f"{where}: {text[:60]!r} is longer than {limit} characters")
    return text


def _count(value, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise KuhrError(f"{where}: {value!r} is not a count")
    return value


def _remarks(items, where: str = "merknader") -> tuple[Remark, ...]:
    out = []
    for item in _objects(items, where):
        number = item.get("nummer", item.get("kode", ""))
        text = item.get("tekst", item.get("melding", ""))
        if number in (None, "") and not text:
            continue
        out.append(Remark(str(number), str(text or "")))
    return tuple(out)


def _check_status(value, allowed: set[str], name: str) -> str:
    value = value or ""
    if not isinstance(value, str) or value and value not in allowed:
        raise KuhrError(f"unknown {name} {value!r}")
    return value


def parse_status(item: dict) -> ClaimStatus:
    if not isinstance(item, dict) or not item.get("behandlerkravmeldingId"):
        raise KuhrError("status without behandlerkravmeldingId")
    where = item["behandlerkravmeldingId"]
    if not isinstance(where, str):
        raise KuhrError(f"behandlerkravmeldingId {where!r} is not text")
    submission = _object(item.get("innsending"), f"{where} innsending")
    status = ClaimStatus(
        message_id=where,
        message_status=_check_status(item.get("meldingsstatus"), MESSAGE_STATUSES, "meldingsstatus"),
        control_status=_check_status(item.get("kontrollstatus"), CONTROL_STATUSES, "kontrollstatus"),
        payout_status=_check_status(item.get("utbetalingsstatus"), PAYOUT_STATUSES, "utbetalingsstatus"),
        practice_id=str(item.get("praksisId") or ""),
        submission_id=str(item.get("innsendingId") or submission.get("innsendingId") or ""),
        decision_id=_bounded(item.get("vedtakId"), 40, f"{where} vedtakId"),
        received_at=_datetime(item.get("mottattidspunkt")),
        claimed=_ore(item.get("sumKravbelop", submission.get("sumKravbelop")), f"{where} sumKravbelop"),
        paid=_ore(item.get("sumUtbetaltbelop", submission.get("sumUtbetaltbelop")), f"{where} sumUtbetaltbelop"),
        bill_count=_count(item.get("antallRegninger", submission.get("antallRegninger")), f"{where} antallRegninger"),
    )
    for bill in _objects(submission.get("regninger"), f"{where} innsending.regninger"):
        result = bill.get("status") or ""
        if not isinstance(result, str) or result and result not in BILL_RESULTS:
            raise KuhrError(f"{where}: unknown bill status {result!r}")
        if not bill.get("guid"):
            continue
        status.bills.append(
            BillResult(str(bill["guid"]), str(bill.get("regningsnummer") or ""), result, _remarks(bill.get("merknader")))
        )
    status.remarks = list(_remarks(submission.get("merknader")))
    decision = _object(item.get("vedtak"), f"{where} vedtak")
    payout = _object(decision.get("utbetaling"), f"{where} vedtak.utbetaling")
    if any(payout.get(k) not in (None, "") for k in ("belop", "utbetaltdato", "kontonr", "kid")):
        status.payout = PayoutInfo(
            amount=_ore(payout.get("belop"), f"{where} utbetaling.belop"),
            paid_on=_date(payout.get("utbetaltdato")),
            account=_bounded(payout.get("kontonr"), 11, f"{where} utbetaling.kontonr"),
            kid=_bounded(payout.get("kid"), 25, f"{where} utbetaling.kid"),
        )
    status.decision_remarks = list(_remarks(decision.get("merknader")))
    return status


def parse_practices(body: dict) -> list[Practice]:
    practices = []
    for index, item in enumerate(_objects(_object(body, "answer").get("praksiser"), "praksiser")):
        where = f"praksiser[{index}]"
        periods = tuple(
            (_date(p.get("fraOgMedDato")), _date(p.get("tilOgMedDato")))
            for p in _objects(item.get("gyldigePerioder"), f"{where}.gyldigePerioder")
        )
        if item.get("praksisId") in (None, ""):
            raise KuhrError(f"{where}: praksisId is missing")
        practices.append(
            Practice(
                practice_id=str(item["praksisId"]),
                name=str(item.get("navn") or ""),
                org_number=str(item.get("orgnr") or ""),
                type=str(item.get("type") or ""),
                status=str(item.get("status") or ""),
                periods=periods,
            )
        )
    return practices


# --- the client ---------------------------------------------------------------------------


class KuhrClient:
    def __init__(
        self,
        base_url: str,
        token_provider: TokenProvider,
        *,
        jwk_path: str = JWK_PATH,
        http: httpx.Client | None = None,
        timeout: float = 30,
    ):
        self.base_url = base_url.rstrip("/")
        self.tokens = token_provider
        self.jwk_path = jwk_path
        self.http = http or httpx.Client(timeout=timeout)
        self._key: RSAKey | None = None

    def _headers(self, **extra) -> dict:
        return {"Authorization": f"Bearer {self.tokens.token()}", "Accept": "application/json", **extra}

    def _get_json(self, path: str) -> dict:
        try:
            response = self.http.get(self.base_url + path, headers=self._headers())
        except httpx.HTTPError as exc:
            raise KuhrError(f"GET {path}: KUHR unreachable: {exc}") from exc
        if response.status_code != 200:
            raise KuhrError(f"GET {path} answered {response.status_code}", response.status_code, response.text)
        try:
            return json.loads(response.content, parse_float=Decimal)
        except ValueError:
            raise KuhrError(f"GET {path} did not return JSON", response.status_code, response.text) from None

    def encryption_key(self, *, refresh: bool = False) -> RSAKey:
        if self._key is None or refresh:
            self._key = jwe.select_key(self._get_json(self.jwk_path))
        return self._key

    def practices(self) -> list[Practice]:
        return parse_practices(self._get_json(PRACTICES_PATH))

    def encrypt(self, bkm: bytes) -> str:
        return jwe.encrypt(bkm, self.encryption_key())

    def send(self, bkm: bytes) -> Receipt:
        """Encrypt and send one BKM JSON; a rejected message comes back as a Receipt, not an error."""
        token = self.encrypt(bkm)
        try:
            response = self.http.post(
                self.base_url + SEND_PATH, content=token.encode("ascii"), headers=self._headers(**{"Content-Type": "application/jose"})
            )
        except httpx.HTTPError as exc:
            # Not knowing whether KUHR stored it is safe: a resend of the same message is refused as DUPLIKAT_KRAV.
            raise KuhrError(f"POST {SEND_PATH}: KUHR unreachable: {exc}") from exc
        if response.status_code not in (200, 400):
            raise KuhrError(f"POST {SEND_PATH} answered {response.status_code}", response.status_code, response.text)
        try:
            body = response.json()
            message_id = str(body.get("behandlerkravmeldingId") or "")
            status = str(body["status"])
        except (ValueError, KeyError, AttributeError):
            raise KuhrError(f"POST {SEND_PATH}: unreadable receipt", response.status_code, response.text) from None
        errors = _remarks(body.get("feilmeldinger") or body.get("tilbakemelding"))
        return Receipt(message_id, status, errors)

    def statuses(self) -> list[ClaimStatus]:
        body = self._get_json(STATUS_PATH)
        return [parse_status(item) for item in body.get("behandlerkravmeldinger") or ()]

    def status(self, message_id: str) -> ClaimStatus:
        return parse_status(self._get_json(f"{STATUS_PATH}/{message_id}"))
