"""End-to-end encryption of POST bodies to KUHR: compact JWE, RSA-OAEP-256 + A256GCM.

The public key comes from KUHR's JWK endpoint (a single JWK or a JWK set). Only
encryption is used; the client does not sign (jwe_ende_til_ende_kryptering.md).
"""

from __future__ import annotations

import json

from joserfc import jwe
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

ALG = "RSA-OAEP-256"
ENC = "A256GCM"
# joserfc refuses RSA-OAEP-256 by default ("not recommended"); KUHR requires exactly it.
REGISTRY = jwe.JWERegistry(algorithms=[ALG, ENC])
# joserfc caps ciphertext at 64 KB by default; a settlement of a few hundred bills is larger.
# KUHR's own limit is not documented; 20 MB keeps the local server and the benchmark honest.
MAX_CIPHERTEXT_BYTES = 20 * 1024 * 1024
REGISTRY.max_ciphertext_length = MAX_CIPHERTEXT_BYTES


class JweError(ValueError):
    """A key or token that cannot be used; the message says which part."""


def select_key(jwk_document: dict | str | bytes) -> RSAKey:
    """The RSA encryption key from a JWK or JWK set (``{"keys": [...]}``)."""
    if isinstance(jwk_document, (str, bytes)):
        try:
            jwk_document = json.loads(jwk_document)
        except ValueError as exc:
            raise JweError(f"JWK endpoint did not return JSON: {exc}") from None
    if not isinstance(jwk_document, dict):
        raise JweError("JWK document must be a JSON object")
    candidates = jwk_document.get("keys", [jwk_document]) if "keys" in jwk_document else [jwk_document]
    for candidate in candidates:
        if not isinstance(candidate, dict) or candidate.get("kty") != "RSA":
            continue
        if candidate.get("use") not in (None, "enc"):
            continue
        if candidate.get("alg") not in (None, ALG):
            continue
        try:
            return RSAKey.import_key(candidate)
        except (JoseError, ValueError) as exc:
            raise JweError(f"JWK {candidate.get('kid', '')!r} is not a usable RSA key: {exc}") from None
    raise JweError("no RSA encryption key (use=enc, alg=RSA-OAEP-256) in the JWK document")


def encrypt(payload: bytes, key: RSAKey) -> str:
    header = {"alg": ALG, "enc": ENC}
    kid = key.kid
    if kid:
        header["kid"] = kid
    return jwe.encrypt_compact(header, payload, key, registry=REGISTRY)


def decrypt(token: str | bytes, private_key: RSAKey) -> tuple[dict, bytes]:
    """(protected header, plaintext); raises JweError for anything but RSA-OAEP-256/A256GCM."""
    if isinstance(token, bytes):
        try:
            token = token.decode("ascii")
        except UnicodeDecodeError:
            raise JweError("JWE is not ASCII") from None
    token = token.strip()
    if token.count(".") != 4:
        raise JweError("not a compact JWE (five dot-separated parts expected)")
    try:
        obj = jwe.decrypt_compact(token, private_key, registry=REGISTRY)
    except JoseError as exc:
        raise JweError(f"cannot decrypt: {exc.error}: {exc.description or ''}".strip()) from None
    header = dict(obj.protected)
    if header.get("alg") != ALG or header.get("enc") != ENC:
        raise JweError(f"expected alg {ALG} and enc {ENC}, got {header.get('alg')} / {header.get('enc')}")
    return header, obj.plaintext
