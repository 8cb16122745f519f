"""Test certificates made on the fly: a CA, a server certificate and SITHS-like client certificates."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass
class Issued:
    cert: Path
    key: Path


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _write(directory: Path, name: str, cert, key) -> Issued:
    cert_path = directory / f"{name}.pem"
    key_path = directory / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return Issued(cert_path, key_path)


class TestPki:
    __test__ = False

    def __init__(self, directory: Path, ca_name: str = "Kvitt Test CA"):
        self.directory = directory
        self.ca_key = _key()
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ca_name)])
        now = dt.datetime.now(dt.timezone.utc)
        self.ca_cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.ca_key, hashes.SHA256())
        )
        self.ca = _write(directory, "ca", self.ca_cert, self.ca_key).cert

    def _issue(self, name: str, subject: x509.Name, usage, san=None) -> Issued:
        key = _key()
        now = dt.datetime.now(dt.timezone.utc)
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        )
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return _write(self.directory, name, builder.sign(self.ca_key, hashes.SHA256()), key)

    def server(self, name: str = "server") -> Issued:
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
        san = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
        return self._issue(name, subject, ExtendedKeyUsageOID.SERVER_AUTH, san)

    def client(self, name: str, hsa_id: str, organisation: str) -> Issued:
        """A function certificate: the HSA-id in the subject's SERIALNUMBER, as SITHS does."""
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                x509.NameAttribute(NameOID.SERIAL_NUMBER, hsa_id),
                x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} utomlänsfakturering"),
            ]
        )
        return self._issue(name, subject, ExtendedKeyUsageOID.CLIENT_AUTH)
