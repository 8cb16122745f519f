"""Where private keys and certificates may come from: configured files, never the repository.

Signing keys (Helfo's KUHR client key), mutual-TLS keys (inter-regional links) and the like
are read from a path that settings or a configuration row names. The path must be absolute
and outside Kvitt's source tree (the var directory excepted, where `kvitt helfo` and the
demo write their throwaway keys), so a key committed by mistake is never picked up, and a
configuration row holds a path, not key material. A PKCS#12 file kept in the database must
be encrypted with a password that Kvitt does not store.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PEM_MARK = "-----BEGIN"


class KeyFileError(ValueError):
    """A key or certificate path that is missing, relative, or inside the source tree."""


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def source_tree() -> Path:
    return Path(settings.BASE_DIR).resolve()


def checked_key_path(value: str | Path, *, what: str) -> Path:
    """``value`` as a readable file outside the source tree; ``what`` names it in errors."""
    if not str(value or "").strip():
        raise KeyFileError(f"{what}: no file configured")
    if PEM_MARK in str(value):
        raise KeyFileError(f"{what}: holds key material, not a path to a file")
    path = Path(value)
    if not path.is_absolute():
        raise KeyFileError(f"{what}: {value!r} is not an absolute path")
    resolved = path.resolve()
    if _inside(resolved, source_tree()) and not _inside(resolved, Path(settings.VAR_DIR).resolve()):
        raise KeyFileError(f"{what}: {value!r} lies inside Kvitt's source tree; keep keys outside the repository")
    if not resolved.is_file():
        raise KeyFileError(f"{what}: {value!r} does not exist or is not a file")
    return resolved


def read_key_file(value: str | Path, *, what: str) -> bytes:
    return checked_key_path(value, what=what).read_bytes()


def validate_key_path(value: str) -> None:
    """Model-field validator: a path (absolute), never the PEM text itself."""
    if PEM_MARK in (value or ""):
        raise ValidationError(_("Enter the path of the file, not the key or certificate itself"))
    if value and not Path(value).is_absolute():
        raise ValidationError(_("Enter an absolute path"))


def require_password_protected_p12(data: bytes) -> None:
    """Refuse a PKCS#12 file that opens without a password: it would be stored in clear."""
    for no_password in (None, b""):
        try:
            key, _cert, _extra = pkcs12.load_key_and_certificates(data, no_password)
        except ValueError:
            continue
        if key is not None:
            raise ValidationError(_("The PKCS#12 file is not protected by a password; export it with one"))
