"""Sealing the journal-system keys a clinic enters: encrypted at rest, never shown back.

Fernet (AES-128-CBC + HMAC-SHA256) with a key derived from the installation's SECRET_KEY by
HKDF, so a database dump alone does not reveal the vendors' keys.
"""

from __future__ import annotations

import base64
import secrets as pysecrets

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SealError(ValueError):
    pass


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"kvitt.booking", info=b"journal-integration-secrets").derive(
        settings.SECRET_KEY.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def unseal(sealed: str) -> str:
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken as exc:
        raise SealError("the stored key cannot be decrypted (was SECRET_KEY changed?)") from exc


def new_webhook_key() -> str:
    return "whk_" + pysecrets.token_urlsafe(32)
