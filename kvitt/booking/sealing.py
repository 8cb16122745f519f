"""Sealing the journal-system keys a clinic enters: encrypted at rest, never shown back.

The keys are Fernet tokens under the field-encryption keyring (KVITT_FIELD_KEYS,
kvitt.core.fieldcrypto), like every other secret Kvitt stores: ``kvitt keys rotate``
re-encrypts them with the newest key, and the session secret (SECRET_KEY) plays no part, so
changing it loses nothing. Unlike an ``EncryptedCharField`` the model attribute stays the
token (``SealedTextField``): the plain key exists only at the moment a connector sends it,
not in every loaded integration, form or dump. Until migration booking 0004 the tokens were
under a key derived from SECRET_KEY; that migration re-sealed them.
"""

from __future__ import annotations

import secrets as pysecrets

from django.db import models

from kvitt.core import fieldcrypto


class SealError(ValueError):
    pass


class SealedTextField(fieldcrypto.EncryptedField, models.TextField):
    """A TEXT column holding a ``seal()`` token, which is also the Python value.

    As an ``EncryptedField`` it is found by ``kvitt keys rotate`` (re-encrypted in place) and
    cannot be queried except with ``isnull``; reading and saving leave the token as it is."""


def seal(plain: str) -> str:
    return fieldcrypto.encrypt(plain)


def unseal(sealed: str) -> str:
    try:
        return fieldcrypto.decrypt(sealed, where="journal-system key")
    except fieldcrypto.DecryptionError as exc:
        raise SealError(
            "the stored journal-system key cannot be decrypted with any key in KVITT_FIELD_KEYS"
            " (was a key dropped before `kvitt keys rotate` ran?); enter the key again"
        ) from exc


def new_webhook_key() -> str:
    return "whk_" + pysecrets.token_urlsafe(32)
