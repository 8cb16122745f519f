"""Identity data encrypted at rest, and the keyed hash that finds it again.

Why not a field library: django-fernet-encrypted-fields (Jazzband) derives its keys from
SECRET_KEY and a salt list (so rotating the session secret means re-encrypting the data),
and on a token it cannot decrypt it hands the ciphertext back as if it were the value; the
other field packages are unmaintained. The crypto here is the ``cryptography`` package's
Fernet (AES-128-CBC + HMAC-SHA256), and key rotation is its ``MultiFernet`` (first key
encrypts, every key decrypts, ``rotate`` re-encrypts); this module only adds the Django
field, the blind index and the key loading.

Fields: ``EncryptedCharField`` (identifiers, optionally with a keyed-hash column),
``EncryptedTextField``, ``EncryptedBinaryField`` and ``EncryptedJSONField`` (stored messages
that carry patient identity: the original text/bytes come back identical, so hashes and
signatures over them still match). All share ``EncryptedField``, which is how rotation finds
them; none can be queried except with ``isnull``.

Keys (docs/OPERATIONS.md):

* ``KVITT_FIELD_KEYS``: Fernet keys, comma-separated, newest first. The first encrypts,
  all decrypt. ``kvitt keys generate`` prints a new one; ``kvitt keys rotate`` re-encrypts
  every stored value with the first key, after which the old keys can be dropped.
* ``KVITT_SEARCH_KEY``: the HMAC-SHA256 key of the blind index (``search_hash``), so an
  encrypted national id can still be looked up and kept unique per organisation.

Without those variables (a laptop, the tests; production refuses to start, see settings)
the keys are made once into ``VAR_DIR/secrets/`` (mode 600, outside the repository).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.db.models.functions import Cast
from django.db.models.query_utils import DeferredAttribute

FIELD_KEYS_FILE = "field-keys"
SEARCH_KEY_FILE = "search-key"
MIN_SEARCH_KEY_BYTES = 32


class KeyConfigurationError(ImproperlyConfigured):
    """The field or search keys are missing or malformed."""


class DecryptionError(ValueError):
    """A stored value that none of the configured field keys opens."""


def generate_key() -> str:
    """A new random key (32 bytes, URL-safe base64): a Fernet key, also fit as a search key."""
    return Fernet.generate_key().decode()


@dataclass(frozen=True)
class Keyring:
    field_keys: tuple[str, ...]
    search_key: bytes
    source: str = field(default="environment", compare=False)

    @cached_property
    def fernet(self) -> MultiFernet:
        return MultiFernet([Fernet(k) for k in self.field_keys])

    @cached_property
    def primary(self) -> Fernet:
        return Fernet(self.field_keys[0])


def _parse_field_keys(raw: list[str] | tuple[str, ...], origin: str) -> tuple[str, ...]:
    keys = tuple(k.strip() for k in raw if k and k.strip())
    if not keys:
        raise KeyConfigurationError(f"{origin} holds no field key")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, binascii.Error):
            raise KeyConfigurationError(
                f"{origin}: key {position} is not a Fernet key (32 bytes, URL-safe base64; `kvitt keys generate` makes one)"
            ) from None
    return keys


def _parse_search_key(raw: str, origin: str, field_keys: tuple[str, ...]) -> bytes:
    raw = raw.strip()
    try:
        key = base64.urlsafe_b64decode((raw + "=" * (-len(raw) % 4)).encode())  # padding optional
    except (ValueError, binascii.Error):
        key = b""
    if len(key) < MIN_SEARCH_KEY_BYTES:
        raise KeyConfigurationError(
            f"{origin} must be URL-safe base64 of at least {MIN_SEARCH_KEY_BYTES} random bytes (`kvitt keys generate`)"
        )
    if raw in field_keys:
        # One key for two jobs would let whoever holds the index key decrypt, and vice versa.
        raise KeyConfigurationError(f"{origin} must differ from every KVITT_FIELD_KEYS key")
    return key


def _write_new_secret(path: Path, text: str) -> None:
    """Create ``path`` with ``text`` (mode 600) unless another process made it first."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(text + "\n")
    try:
        os.link(temporary, path)  # atomic create-if-absent: a concurrent maker's file wins
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def development_keyring(var_dir: Path) -> Keyring:
    """Keys kept in ``var_dir/secrets`` for a laptop or a test run, made on first use."""
    secrets_dir = Path(var_dir) / "secrets"
    secrets_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(secrets_dir, 0o700)
    keys_file, search_file = secrets_dir / FIELD_KEYS_FILE, secrets_dir / SEARCH_KEY_FILE
    if not keys_file.exists():
        _write_new_secret(keys_file, generate_key())
    if not search_file.exists():
        _write_new_secret(search_file, generate_key())
    field_keys = _parse_field_keys(keys_file.read_text().split(), str(keys_file))
    search_key = _parse_search_key(search_file.read_text(), str(search_file), field_keys)
    return Keyring(field_keys, search_key, source=str(secrets_dir))


def load_keyring() -> Keyring:
    """The configured keys: settings (from the environment) first, else the development files."""
    configured_keys = list(getattr(settings, "KVITT_FIELD_KEYS", []) or [])
    configured_search = getattr(settings, "KVITT_SEARCH_KEY", "") or ""
    if configured_keys or configured_search:
        if not (configured_keys and configured_search):
            raise KeyConfigurationError("set both KVITT_FIELD_KEYS and KVITT_SEARCH_KEY, or neither (development only)")
        field_keys = _parse_field_keys(configured_keys, "KVITT_FIELD_KEYS")
        return Keyring(field_keys, _parse_search_key(configured_search, "KVITT_SEARCH_KEY", field_keys))
    return development_keyring(settings.VAR_DIR)


_keyring: Keyring | None = None


def keyring() -> Keyring:
    global _keyring
    if _keyring is None:
        _keyring = load_keyring()
    return _keyring


def forget_keys(**kwargs) -> None:
    """Drop the cached keys (settings changed in a test, or a rotation changed the files)."""
    global _keyring
    if kwargs.get("setting") in (None, "KVITT_FIELD_KEYS", "KVITT_SEARCH_KEY", "VAR_DIR"):
        _keyring = None


setting_changed.connect(forget_keys, dispatch_uid="kvitt.core.fieldcrypto.forget_keys")


@checks.register(checks.Tags.security)
def check_configured_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """`kvitt check` (and migrate, runserver) report malformed keys before anything is encrypted."""
    if not (getattr(settings, "KVITT_FIELD_KEYS", None) or getattr(settings, "KVITT_SEARCH_KEY", "")):
        return []  # development keys are made on first use
    try:
        load_keyring()
    except KeyConfigurationError as exc:
        return [checks.Error(str(exc), id="kvitt.E001")]
    return []


# --- values -------------------------------------------------------------------------------


def _token_bytes(token: str | bytes | memoryview) -> bytes:
    """A stored token as bytes: TEXT columns give str, BLOB/bytea give bytes or a memoryview."""
    return token.encode() if isinstance(token, str) else bytes(token)


def encrypt_bytes(plain: bytes) -> bytes:
    return keyring().fernet.encrypt(plain)


def decrypt_bytes(token: str | bytes | memoryview, *, where: str = "value") -> bytes:
    try:
        return keyring().fernet.decrypt(_token_bytes(token))
    except InvalidToken:
        raise DecryptionError(
            f"{where} cannot be decrypted with any key in KVITT_FIELD_KEYS (was a key dropped before `kvitt keys rotate` ran?)"
        ) from None


def encrypt(plain: str) -> str:
    return encrypt_bytes(plain.encode()).decode()


def decrypt(token: str | bytes | memoryview, *, where: str = "value") -> str:
    return decrypt_bytes(token, where=where).decode()


def is_under_primary_key(token: str | bytes | memoryview) -> bool:
    try:
        keyring().primary.decrypt(_token_bytes(token))
    except InvalidToken:
        return False
    return True


def reencrypt_bytes(token: str | bytes | memoryview, *, where: str = "value") -> bytes:
    """The same value under the newest key (``MultiFernet.rotate``)."""
    try:
        return keyring().fernet.rotate(_token_bytes(token))
    except InvalidToken:
        raise DecryptionError(f"{where} cannot be decrypted with any key in KVITT_FIELD_KEYS") from None


def reencrypt(token: str | bytes | memoryview, *, where: str = "value") -> str:
    return reencrypt_bytes(token, where=where).decode()


def normalise_identifier(value: str) -> str:
    """The form that is hashed: no whitespace, upper case (reservnummer may hold letters)."""
    return "".join(str(value).split()).upper()


def search_hash(value: str) -> str:
    """HMAC-SHA256 of the normalised value under KVITT_SEARCH_KEY, hex (the blind index)."""
    return hmac.new(keyring().search_key, normalise_identifier(value).encode(), hashlib.sha256).hexdigest()


# --- the model field ----------------------------------------------------------------------


class _EncryptedAttribute(DeferredAttribute):
    """Setting the plain value also sets its keyed hash, so lookups and unique checks see it."""

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value
        if self.field.hash_field:
            instance.__dict__[self.field.hash_field] = search_hash(value) if value else ""


class EncryptedField:
    """What every encrypted field shares: only ``isnull`` may be queried, and rotation reads
    the raw token through ``raw_output_field`` (the column's plain type) and writes it back
    with ``stored_token``. ``kvitt keys rotate`` finds every concrete field of this kind."""

    LOOKUPS_ALLOWED = {"isnull"}
    hash_field: str | None = None

    def get_lookup(self, lookup_name):
        if lookup_name not in self.LOOKUPS_ALLOWED:
            via = f" (use {self.hash_field})" if self.hash_field else ""
            raise FieldError(
                f"{self.model.__name__}.{self.name} is encrypted: it cannot be queried with '{lookup_name}'{via}"
            )
        return super().get_lookup(lookup_name)

    def raw_output_field(self) -> models.Field:
        return models.TextField()

    def stored_token(self, token: bytes):
        """A token as the column holds it (TEXT: str)."""
        return token.decode()

    def where(self) -> str:
        return f"{self.model._meta.label}.{self.name}"


class _TextToken:
    """Text in Python, a Fernet token of its UTF-8 bytes in a TEXT column; empty stays empty."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value, where=self.where())


class EncryptedCharField(_TextToken, EncryptedField, models.CharField):
    """A CharField whose column holds a Fernet token; Python code sees the plain text.

    ``max_length`` limits the plain text (the token is longer; the column is TEXT).
    ``hash_field`` names a CharField(max_length=64) of the same model, declared before this
    one, that always holds ``search_hash`` of the value: query that, never this field.
    """

    descriptor_class = _EncryptedAttribute

    def __init__(self, *args, hash_field: str | None = None, **kwargs):
        self.hash_field = hash_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.hash_field:
            kwargs["hash_field"] = self.hash_field
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "TextField"


class EncryptedTextField(_TextToken, EncryptedField, models.TextField):
    """A stored document (XML, JSON text) holding patient identity: the TEXT column holds a
    Fernet token of its UTF-8 bytes, Python code sees the identical text (so a hash or a
    signature over the document still matches). No lookups on it except ``isnull``."""


class EncryptedBinaryField(EncryptedField, models.BinaryField):
    """Stored bytes (an envelope as sent): the BLOB/bytea column holds the Fernet token's
    bytes, Python code sees the identical original bytes."""

    def raw_output_field(self) -> models.Field:
        return models.BinaryField()

    def stored_token(self, token: bytes):
        return token

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or len(value) == 0:
            return value
        return encrypt_bytes(bytes(value))

    def from_db_value(self, value, expression, connection):
        if value is None or len(value) == 0:
            return value if value is None else b""
        return decrypt_bytes(value, where=self.where())


class EncryptedJSONField(EncryptedField, models.TextField):
    """A JSON payload holding patient identity, stored as a Fernet token of its JSON text
    (TEXT column; the database cannot look inside it, so no key lookups either)."""

    def __init__(self, *args, encoder=None, **kwargs):
        self.encoder = encoder
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.encoder is not None:
            kwargs["encoder"] = self.encoder
        return name, path, args, kwargs

    def get_prep_value(self, value):
        value = models.Field.get_prep_value(self, value)  # not TextField's: that would str() the object
        if value is None:
            return None
        return encrypt(json.dumps(value, cls=self.encoder))

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return json.loads(decrypt(value, where=self.where()))

    def to_python(self, value):
        # Deserialisation (loaddata) hands the JSON value itself, as JSONField does.
        return value

    def value_to_string(self, obj):
        return self.value_from_object(obj)

    def formfield(self, **kwargs):
        from django import forms

        return models.Field.formfield(self, **{"form_class": forms.JSONField, "encoder": self.encoder, **kwargs})


def encrypted_fields(model) -> list[EncryptedField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]


def models_with_encrypted_fields() -> list:
    from django.apps import apps

    return [m for m in apps.get_models() if encrypted_fields(m)]


# --- rotation -----------------------------------------------------------------------------


@dataclass
class RotationResult:
    model: str
    rows: int = 0
    reencrypted: int = 0
    rehashed: int = 0


def rotate_model(model, *, batch_size: int = 500) -> RotationResult:
    """Re-encrypt every value of ``model``'s encrypted fields that is not under the newest key,
    and refresh keyed hashes made with another search key. Idempotent: a second run finds
    nothing to do. Each batch commits on its own, so a stopped run resumes where it was."""
    from django.db import transaction

    fields = encrypted_fields(model)
    hashed = [f for f in fields if f.hash_field]
    # Cast to plain TEXT so the raw tokens come back (the field itself would decrypt them).
    selected = [Cast(f.attname, f.raw_output_field()) for f in fields] + [f.hash_field for f in hashed]
    result = RotationResult(model._meta.label)
    last_pk = None
    while True:
        page = model._base_manager.order_by("pk")
        if last_pk is not None:
            page = page.filter(pk__gt=last_pk)
        rows = list(page.values_list("pk", *selected)[:batch_size])
        if not rows:
            return result
        last_pk = rows[-1][0]
        with transaction.atomic():
            for pk, *values in rows:
                result.rows += 1
                tokens = dict(zip((f.attname for f in fields), values[: len(fields)]))
                stored_hashes = dict(zip((f.hash_field for f in hashed), values[len(fields) :]))
                changes = _row_changes(model, pk, fields, tokens, stored_hashes)
                if not changes:
                    continue
                result.reencrypted += int(any(f.attname in changes for f in fields))
                result.rehashed += int(any(f.hash_field in changes for f in hashed))
                model._base_manager.filter(pk=pk).update(**changes)


def _row_changes(model, pk, fields, tokens: dict, stored_hashes: dict) -> dict:
    changes = {}
    for f in fields:
        token = tokens[f.attname]
        if not token:
            continue
        where = f"{model._meta.label}.{f.name} of row {pk}"
        if not is_under_primary_key(token):
            changes[f.attname] = _RawToken(f.stored_token(reencrypt_bytes(token, where=where)), f.raw_output_field())
        if f.hash_field:
            fresh_hash = search_hash(decrypt(token, where=where))
            if stored_hashes[f.hash_field] != fresh_hash:
                changes[f.hash_field] = fresh_hash
    return changes


class _RawToken(models.Value):
    """An already encrypted token written as is (update() would encrypt a plain value again)."""

    def __init__(self, token, output_field: models.Field):
        super().__init__(token, output_field=output_field)


def rotate_all(*, batch_size: int = 500) -> list[RotationResult]:
    return [rotate_model(model, batch_size=batch_size) for model in models_with_encrypted_fields()]


# --- data migrations ----------------------------------------------------------------------


def encrypt_stored(value: str | bytes | memoryview, where: str = "value"):
    """A plain stored value as its token, in the column's own type (TEXT: str, BLOB: bytes)."""
    return encrypt(value) if isinstance(value, str) else encrypt_bytes(bytes(value))


def decrypt_stored(value: str | bytes | memoryview, where: str = "value"):
    """A stored token back to the plain value, in the column's own type."""
    return decrypt(value, where=where) if isinstance(value, str) else decrypt_bytes(value, where=where)


def convert_stored_values(model, field_names: list[str], change, *, batch_size: int = 200) -> int:
    """For a data migration (``model`` is the historical model, its fields still plain):
    apply ``change(value, where)`` to every non-empty value of ``field_names``, in batches by
    primary key, each batch one UPDATE. Batches are small because documents are large
    (200 × 50 KB is 10 MB a statement). Returns how many rows were seen."""
    seen, last_pk = 0, None
    while True:
        page = model._base_manager.order_by("pk").only("pk", *field_names)
        if last_pk is not None:
            page = page.filter(pk__gt=last_pk)
        rows = list(page[:batch_size])
        if not rows:
            return seen
        last_pk = rows[-1].pk
        seen += len(rows)
        for row in rows:
            for name in field_names:
                value = getattr(row, name)
                if value is not None and len(value):
                    setattr(row, name, change(value, f"{model._meta.label}.{name} of row {row.pk}"))
        model._base_manager.bulk_update(rows, field_names)
