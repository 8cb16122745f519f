import pytest

from kvitt.core.xmlsafe import XmlError
from kvitt.helfo.apprec import parse_apprec

HEAD = """<AppRec xmlns="http://www.kith.no/xmlstds/apprec/2004-11-21">
  <MsgType V="APPREC"/>
  <MIGversion>1.0 2004-11-21</MIGversion>
  <GenDate>2026-01-07T10:31:07</GenDate>
  <Id>1d6b0e00-33a1-11de-9255-0002a5d5c51b</Id>
  <Sender><Role V="SENDER"/><HCP><Inst><Name>Helfo</Name><Id>889640782</Id><TypeId V="ENH"/></Inst></HCP></Sender>
  <Receiver><Role V="RECEIVER"/><HCP><Inst><Name>Fysio AS</Name><Id>923609016</Id><TypeId V="ENH"/></Inst></HCP></Receiver>
  {status}
  <OriginalMsgId><MsgType DN="Legeoppgjørsmelding" V="LOM"/><IssueDate>2026-01-06T15:30:00</IssueDate>
  <Id>6cb3c665-fc1b-4687-a9ed-2909d4763907</Id></OriginalMsgId>
</AppRec>"""


def test_ok():
    rec = parse_apprec(HEAD.replace("{status}", '<Status DN="OK" V="1"/>'))
    assert rec.outcome == "ok" and rec.original_msg_id == "6cb3c665-fc1b-4687-a9ed-2909d4763907"
    assert rec.original_msg_type == "LOM" and rec.errors == []


def test_rejected_with_errors():
    rec = parse_apprec(HEAD.replace("{status}", '<Status DN="Avvist" V="2"/><Error V="X99" DN="Ugyldig signatur" S="2.16.578.1.12.4.1.1.8221"/>'))
    assert rec.outcome == "rejected" and rec.errors[0].code == "X99" and rec.errors[0].text == "Ugyldig signatur"


def test_partly_ok():
    rec = parse_apprec(HEAD.replace("{status}", '<Status DN="OK, feil i delmelding" V="3"/><Error V="E1" DN="Regning 6 avvist"/>'))
    assert rec.outcome == "partly_ok" and len(rec.errors) == 1


@pytest.mark.parametrize(
    "replacement,message",
    [
        ('<Status V="7"/>', "Status V='7'"),
        ('<Status V="2"/>', "must name at least one Error"),
        ("", "Status is missing"),
    ],
)
def test_bad_apprec(replacement, message):
    with pytest.raises(XmlError, match=message):
        parse_apprec(HEAD.replace("{status}", replacement))


def test_wrong_namespace_and_entities():
    with pytest.raises(XmlError, match="expected AppRec"):
        parse_apprec(b'<AppRec xmlns="urn:other"/>')
    with pytest.raises(XmlError, match="DTD"):
        parse_apprec(b'<!DOCTYPE x [<!ENTITY e "x">]><AppRec/>')
