"""Pkcs11Signer against a real PKCS#11 module: SoftHSM2 stands in for the practitioner's card.

Skips cleanly where SoftHSM2 (Debian package softhsm2) or python-pkcs11 is not installed.
"""

import datetime
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from kvitt.helfo import bkm_xml
from kvitt.helfo.model import Bill, Claim, Ident, PatientInfo, TariffLine
from kvitt.helfo.signing import Pkcs11Config, Pkcs11Signer, SignatureInvalid, SigningError, verify

MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
PIN = "1234"


@pytest.fixture(scope="module")
def card(tmp_path_factory):
    pkcs11 = pytest.importorskip("pkcs11")
    if not MODULE.exists() or shutil.which("softhsm2-util") is None:
        pytest.skip("SoftHSM2 is not installed (apt-get install softhsm2)")
    home = tmp_path_factory.mktemp("softhsm")
    (home / "tokens").mkdir()
    conf = home / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {home / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "kvitt-card", "--pin", PIN, "--so-pin", "87654321"],
                   check=True, capture_output=True)
    token = pkcs11.lib(str(MODULE)).get_token(token_label="kvitt-card")
    with token.open(rw=True, user_pin=PIN) as session:
        public, _private = session.generate_keypair(pkcs11.KeyType.RSA, 2048, store=True, label="signing")
        modulus = int.from_bytes(public[pkcs11.Attribute.MODULUS], "big")
        exponent = int.from_bytes(public[pkcs11.Attribute.PUBLIC_EXPONENT], "big")
    # The card's public key, certified by a test CA (the issuer of personal certificates).
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kari Kort")]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")]))
        .public_key(rsa.RSAPublicNumbers(exponent, modulus).public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(ca_key, hashes.SHA256())
    )
    return certificate


def _claim():
    bill = Bill(guid="c0ffee00-0000-4000-8000-000000000001", bill_number="7",
                time=datetime.datetime(2026, 1, 6, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1))),
                patient=PatientInfo(ident=Ident("47908702367", "FNR")), tariffs=(TariffLine("201b", 37500),))
    return Claim(practice_id="1004326468", bills=[bill])


def test_signs_on_the_card_and_verifies(card):
    signer = Pkcs11Signer(Pkcs11Config(module_path=str(MODULE), pin=PIN, token_label="kvitt-card", key_label="signing"), certificate=card)
    head = bkm_xml.build_msghead(_claim(), sender=bkm_xml.Party("Psyk AS", "923609016"))
    data = bkm_xml.to_bytes(signer.sign(head))
    verify(data, card)
    with pytest.raises(SignatureInvalid):
        verify(data.replace(b"201b", b"201c"), card)


def test_wrong_pin_is_a_signing_error(card):
    signer = Pkcs11Signer(Pkcs11Config(module_path=str(MODULE), pin="0000", token_label="kvitt-card"), certificate=card)
    with pytest.raises(SigningError, match="smartcard"):
        signer.sign(bkm_xml.build_msghead(_claim(), sender=bkm_xml.Party("Psyk AS", "923609016")))
