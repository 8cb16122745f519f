"""XML-DSig for BKM files: enveloped, rsa-sha256, with the practitioner's certificate.

Callers hold a ``Signer`` and never care where the private key lives:

* ``Pkcs12Signer`` reads a software key and certificate from a .p12 file (tests, demo,
  enterprise certificates kept on a server);
* ``Pkcs11Signer`` signs on a smartcard or HSM through a PKCS#11 module (the
  practitioner's personal card). It uses the optional package ``python-pkcs11`` and
  imports it only when it first signs, so Kvitt runs without it.

The private key object handed to signxml only needs ``sign(data, padding, algorithm)``
and, for a smartcard, that call goes to the card; the key never leaves it.
"""

from __future__ import annotations

import datetime
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.serialization import pkcs12
from lxml import etree
from signxml import SignatureConfiguration, SignatureMethod, XMLSigner, XMLVerifier
from signxml.algorithms import DigestAlgorithm
from signxml.exceptions import InvalidSignature

from kvitt.core.xmlsafe import parse_xml

C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"


class SigningError(RuntimeError):
    """The signer could not sign (wrong password, no card, missing PKCS#11 support...)."""


class SignatureInvalid(ValueError):
    """The document's signature does not verify against the expected certificate."""


class Signer(ABC):
    """Something that can sign with a practitioner's or enterprise's RSA key."""

    @abstractmethod
    def certificate(self) -> x509.Certificate: ...

    def chain(self) -> list[x509.Certificate]:
        return [self.certificate()]

    @abstractmethod
    def private_key(self):
        """An object with ``sign(data, padding, algorithm)`` (an RSA private key or a card handle)."""

    def describe(self) -> str:
        subject = self.certificate().subject.rfc4514_string()
        return f"{type(self).__name__}({subject})"

    def sign(self, root: etree._Element) -> etree._Element:
        """Return a signed copy of ``root`` with an enveloped ds:Signature as its last child."""
        certificate = self.certificate()
        now = datetime.datetime.now(datetime.timezone.utc)
        if not certificate_valid_on(certificate, now):
            raise SigningError(
                f"the certificate is not valid now (valid {certificate.not_valid_before_utc:%Y-%m-%d} "
                f"to {certificate.not_valid_after_utc:%Y-%m-%d})"
            )
        signer = XMLSigner(
            method=_enveloped(),
            signature_algorithm=SignatureMethod.RSA_SHA256,
            digest_algorithm=DigestAlgorithm.SHA256,
            c14n_algorithm=C14N,
        )
        try:
            return signer.sign(root, key=self.private_key(), cert=self.chain())
        except SigningError:
            raise
        except Exception as exc:  # signxml and card drivers raise many kinds
            raise SigningError(f"could not sign with {type(self).__name__}: {exc}") from exc


def _enveloped():
    from signxml import methods

    return methods.enveloped


class Pkcs12Signer(Signer):
    def __init__(self, data: bytes | str | Path, password: str | bytes | None):
        if isinstance(data, (str, Path)):
            data = Path(data).read_bytes()
        if isinstance(password, str):
            password = password.encode()
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(data, password)
        except ValueError as exc:
            raise SigningError(f"cannot open the PKCS#12 file: {exc}") from None
        if key is None or cert is None:
            raise SigningError("the PKCS#12 file holds no private key and certificate")
        self._key = key
        self._cert = cert
        self._extra = list(extra or [])

    def certificate(self) -> x509.Certificate:
        return self._cert

    def chain(self) -> list[x509.Certificate]:
        return [self._cert, *self._extra]

    def private_key(self):
        return self._key


@dataclass
class Pkcs11Config:
    module_path: str  # e.g. /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so
    pin: str
    token_label: str | None = None
    slot: int | None = None
    key_label: str | None = None
    certificate_label: str | None = None


class Pkcs11Signer(Signer):
    """Signs on a PKCS#11 token. Needs ``pip install python-pkcs11`` where it is used."""

    def __init__(self, config: Pkcs11Config, certificate: x509.Certificate | None = None):
        self.config = config
        self._cert = certificate
        self._session = None

    def _pkcs11(self):
        try:
            import pkcs11  # noqa: PLC0415 - optional dependency, only on machines with a card reader
        except ImportError:
            raise SigningError(
                "smartcard signing needs the python-pkcs11 package (pip install python-pkcs11)"
            ) from None
        return pkcs11

    def _open(self):
        if self._session is not None:
            return self._session
        pkcs11 = self._pkcs11()
        try:
            lib = pkcs11.lib(self.config.module_path)
            if self.config.slot is not None:
                token = lib.get_slots(token_present=True)[self.config.slot].get_token()
            else:
                token = lib.get_token(token_label=self.config.token_label)
            self._session = token.open(user_pin=self.config.pin)
        except Exception as exc:
            raise SigningError(f"cannot open the smartcard: {exc}") from exc
        return self._session

    def certificate(self) -> x509.Certificate:
        if self._cert is None:
            pkcs11 = self._pkcs11()
            session = self._open()
            attrs = {pkcs11.Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE}
            if self.config.certificate_label:
                attrs[pkcs11.Attribute.LABEL] = self.config.certificate_label
            for obj in session.get_objects(attrs):
                self._cert = x509.load_der_x509_certificate(obj[pkcs11.Attribute.VALUE])
                break
            else:
                raise SigningError("no certificate found on the smartcard")
        return self._cert

    def private_key(self):
        pkcs11 = self._pkcs11()
        session = self._open()
        key = session.get_key(
            object_class=pkcs11.ObjectClass.PRIVATE_KEY, key_type=pkcs11.KeyType.RSA, label=self.config.key_label
        )
        return _CardKey(key, pkcs11, self.certificate())


class _CardKey:
    """Looks like an RSA private key to signxml; the signature is made on the card."""

    def __init__(self, key, pkcs11, cert: x509.Certificate):
        self._key = key
        self._pkcs11 = pkcs11
        self._cert = cert

    @property
    def key_size(self) -> int:
        return self._cert.public_key().key_size

    def public_key(self):
        return self._cert.public_key()

    def sign(self, data: bytes, padding, algorithm) -> bytes:
        if not isinstance(padding, asym_padding.PKCS1v15) or not isinstance(algorithm, hashes.SHA256):
            raise SigningError("the smartcard signer supports rsa-sha256 (PKCS#1 v1.5) only")
        return self._key.sign(data, mechanism=self._pkcs11.Mechanism.SHA256_RSA_PKCS)


def verify(data: bytes | etree._Element, certificate: x509.Certificate) -> etree._Element:
    """Check an enveloped rsa-sha256 signature against ``certificate``; return the signed root.

    Outside documents are parsed with ``kvitt.core.xmlsafe`` before signxml sees them.
    """
    root = parse_xml(data) if isinstance(data, (bytes, str)) else data
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    config = SignatureConfiguration(
        signature_methods=frozenset({SignatureMethod.RSA_SHA256}),
        digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
    )
    try:
        result = XMLVerifier().verify(root, x509_cert=pem, expect_config=config)
    except InvalidSignature as exc:
        raise SignatureInvalid(f"signature does not verify: {exc}") from None
    except Exception as exc:
        raise SignatureInvalid(f"signature cannot be checked: {exc}") from None
    return result.signed_xml


def certificate_valid_on(certificate: x509.Certificate, when: datetime.datetime) -> bool:
    return certificate.not_valid_before_utc <= when <= certificate.not_valid_after_utc
