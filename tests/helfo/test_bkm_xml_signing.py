import datetime
import sys

import pytest
from lxml import etree

from kvitt.core.xmlsafe import parse_xml
from kvitt.helfo import bkm_xml
from kvitt.helfo.devcerts import make_identity, make_p12
from kvitt.helfo.model import Bill, Claim, Diagnosis, Ident, PatientInfo, Referral, TariffLine
from kvitt.helfo.signing import (
    Pkcs11Config,
    Pkcs11Signer,
    Pkcs12Signer,
    SignatureInvalid,
    SigningError,
    verify,
)

CET = datetime.timezone(datetime.timedelta(hours=1))
NS = {"m": bkm_xml.MSGHEAD_NS, "b": bkm_xml.BKM_NS, "ds": "http://www.w3.org/2000/09/xmldsig#"}


@pytest.fixture(scope="module")
def p12():
    return make_p12("Kari Fysio", "secret")


@pytest.fixture(scope="module")
def signer(p12):
    return Pkcs12Signer(p12, "secret")


def _claim():
    bill = Bill(
        guid="7e1f3a52-1d7b-4ad7-8d8e-3c1f9a0b2c11",
        bill_number="1001",
        time=datetime.datetime(2026, 1, 6, 13, 35, tzinfo=CET),
        patient=PatientInfo(ident=Ident("47908702367", "FNR")),
        egenandel_paid=True,
        egenandel_correction=False,
        exemption_code=None,
        diagnoses=(Diagnosis("ICPC-2", "L92"),),
        referral=Referral(date=datetime.date(2025, 12, 1), id="R-1", referred_by=Ident("9144900", "HPR")),
        performing_practitioner=Ident("9144900", "HPR"),
        tariffs=(TariffLine("A1a", 16700, 1), TariffLine("A2a", 6700, 2)),
        egenandel_amount=37100,
    )
    return Claim(practice_id="1004326178", epj_name="Kvitt", epj_version="0.1", account="12345678903", bills=[bill])


def _document(signer=None):
    head = bkm_xml.build_msghead(
        _claim(),
        sender=bkm_xml.Party("Fysio AS", "923609016", practitioner_name="Kari Fysio", practitioner_hpr="9144900"),
        msg_id="6cb3c665-fc1b-4687-a9ed-2909d4763907",
    )
    return signer.sign(head) if signer else head


def test_well_formed_in_kith_namespaces():
    root = parse_xml(bkm_xml.to_bytes(_document()))
    assert etree.QName(root).namespace == bkm_xml.MSGHEAD_NS and etree.QName(root).localname == "MsgHead"
    assert root.findtext("m:MsgInfo/m:MIGversion", namespaces=NS) == "v1.2 2006-05-24"
    krav = root.find("m:Document/m:RefDoc/m:Content/b:BehandlerKrav", NS)
    assert krav is not None and krav.get("navnEPJ") == "Kvitt"
    bill = krav.find("b:Enkeltregning", NS)
    assert bill.findtext("b:Guid", namespaces=NS) == "7e1f3a52-1d7b-4ad7-8d8e-3c1f9a0b2c11"
    assert bill.find("b:BetaltEgenandel", NS).attrib == {"erBetalt": "true", "korrigering": "false"}
    assert bill.findtext("b:DatoTid", namespaces=NS) == "2026-01-06T13:35:00+01:00"
    assert bill.find("b:Patient/b:Ident/b:TypeId", NS).get("V") == "FNR"
    treatment = bill.find("b:Behandling", NS)
    assert treatment.find("b:Diagnose", NS).attrib == {"V": "L92", "S": "2.16.578.1.12.4.1.1.7170"}
    assert treatment.findtext("b:HenvisningsId", namespaces=NS) == "R-1"
    codes = [(t.findtext("b:Kode", namespaces=NS), t.find("b:Verdi", NS).get("V"), t.findtext("b:Antall", namespaces=NS))
             for t in treatment.findall("b:Takst", NS)]
    assert codes == [("A1a", "167.00", "1"), ("A2a", "67.00", "2")]
    assert treatment.find("b:SumKrav/b:Refusjon", NS).get("V") == "301.00"
    assert treatment.find("b:SumKrav/b:EgenandelHonorar", NS).get("V") == "371.00"
    assert krav.findtext("b:Krav/b:AntallRegninger", namespaces=NS) == "1"
    assert krav.find("b:Krav/b:SumKravSamlet", NS).get("V") == "301.00"


def test_signature_verifies_with_the_certificate(signer):
    data = bkm_xml.to_bytes(_document(signer))
    root = parse_xml(data)
    assert root[-1].tag == f"{{{NS['ds']}}}Signature"
    assert root.find(".//ds:SignatureMethod", NS).get("Algorithm").endswith("rsa-sha256")
    signed = verify(data, signer.certificate())
    assert etree.QName(signed).localname == "MsgHead"


def test_signature_fails_after_any_byte_change(signer):
    data = bkm_xml.to_bytes(_document(signer))
    for old, new in [(b"A2a", b"A2b"), (b"301.00", b"302.00"), (b"47908702367", b"47908702368"), (b"Kvitt", b"Kvitu")]:
        assert old in data
        with pytest.raises(SignatureInvalid):
            verify(data.replace(old, new, 1), signer.certificate())
    # flip one byte inside the SignatureValue itself
    start = data.index(b"<ds:SignatureValue>") + len(b"<ds:SignatureValue>") + 10
    flipped = data[:start] + (b"A" if data[start:start + 1] != b"A" else b"B") + data[start + 1:]
    with pytest.raises(SignatureInvalid):
        verify(flipped, signer.certificate())


def test_signature_fails_with_another_certificate(signer):
    data = bkm_xml.to_bytes(_document(signer))
    _, other = make_identity("Someone Else")
    with pytest.raises(SignatureInvalid):
        verify(data, other)


def test_wrong_p12_password(p12):
    with pytest.raises(SigningError, match="PKCS#12"):
        Pkcs12Signer(p12, "wrong")


def test_pkcs11_signer_is_importable_without_python_pkcs11(monkeypatch):
    monkeypatch.setitem(sys.modules, "pkcs11", None)  # make `import pkcs11` fail
    signer = Pkcs11Signer(Pkcs11Config(module_path="/nonexistent/opensc-pkcs11.so", pin="1234"))
    with pytest.raises(SigningError, match="python-pkcs11"):
        signer.sign(_document())


def test_signing_module_does_not_import_pkcs11():
    import subprocess

    code = "import sys, kvitt.helfo.signing; print('pkcs11' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_expired_certificate_refused():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12 as p12mod

    now = datetime.datetime.now(datetime.timezone.utc)
    key, cert = make_identity("Old Card", not_before=now - datetime.timedelta(days=400), not_after=now - datetime.timedelta(days=35))
    data = p12mod.serialize_key_and_certificates(b"old", key, cert, None, serialization.BestAvailableEncryption(b"pw"))
    with pytest.raises(SigningError, match="not valid now"):
        Pkcs12Signer(data, "pw").sign(_document())
