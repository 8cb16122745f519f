"""The BKM XML channel: a signed file for upload in Helfo's portal, then the AppRec."""

import pytest

from kvitt.core.xmlsafe import parse_xml
from kvitt.helfo import services
from kvitt.helfo.bkm_xml import BKM_NS
from kvitt.helfo.models import BillStatus, Channel, SettlementStatus
from kvitt.helfo.signing import Pkcs12Signer, SignatureInvalid, verify
from tests import factories as f
from tests.helfo.conftest import helfo_event, local

pytestmark = pytest.mark.django_db

APPREC = """<AppRec xmlns="http://www.kith.no/xmlstds/apprec/2004-11-21">
  <MsgType V="APPREC"/><MIGversion>1.0 2004-11-21</MIGversion><GenDate>2026-01-07T10:31:07</GenDate>
  <Id>1d6b0e00-33a1-11de-9255-0002a5d5c51b</Id>
  <Sender><Role V="SENDER"/><HCP><Inst><Name>Helfo</Name><Id>889640782</Id><TypeId V="ENH"/></Inst></HCP></Sender>
  <Receiver><Role V="RECEIVER"/><HCP><Inst><Name>Klinikk</Name><Id>1</Id><TypeId V="ENH"/></Inst></HCP></Receiver>
  {status}
  <OriginalMsgId><MsgType V="LOM"/><IssueDate>2026-01-06T15:30:00</IssueDate><Id>{msg_id}</Id></OriginalMsgId>
</AppRec>"""


@pytest.fixture
def xml_settlement(clinic, p12_bytes, tmp_path):
    practice = clinic["practice"]
    practice.channel = Channel.BKM_XML
    practice.save()
    clerk = clinic["clerk"]
    helfo_event(clinic, f.patient(clinic["company"].organisation), start=local(2), codes=["2ad", "2cd"])
    cards = services.create_bill_cards(clerk, practice)
    signer = Pkcs12Signer(p12_bytes, "pw-for-test")
    settlement = services.sign_settlement(clerk, services.create_settlement(clerk, practice, cards), signer)
    settlement = services.send_settlement(clerk, settlement, directory=tmp_path)
    return settlement, signer, cards[0]


def test_signed_file_written_for_upload(xml_settlement, tmp_path):
    settlement, signer, card = xml_settlement
    assert settlement.status == SettlementStatus.SENT
    data = (tmp_path / f"BKM-1004326178-{settlement.msg_id}.xml").read_bytes()
    root = verify(data, signer.certificate())
    krav = root.find(f".//{{{BKM_NS}}}BehandlerKrav")
    assert krav.find(f"{{{BKM_NS}}}Enkeltregning/{{{BKM_NS}}}Guid").text == str(card.guid)
    with pytest.raises(SignatureInvalid):
        verify(data.replace(b"2cd", b"2ce"), signer.certificate())
    assert parse_xml(data).find(".//{http://www.kith.no/xmlstds/msghead/2006-05-24}MsgId").text == str(settlement.msg_id)


def test_apprec_ok(xml_settlement, clinic):
    settlement, _, card = xml_settlement
    updated = services.import_apprec(clinic["clerk"], APPREC.format(status='<Status V="1" DN="OK"/>', msg_id=settlement.msg_id).encode())
    assert updated.status == SettlementStatus.PROCESSING and updated.apprec_status == "1"
    assert card.history.last().kind == "apprec"


def test_apprec_rejected_puts_bills_back(xml_settlement, clinic):
    settlement, _, card = xml_settlement
    status = '<Status V="2" DN="Avvist"/><Error V="S01" DN="Ugyldig signatur"/>'
    updated = services.import_apprec(clinic["clerk"], APPREC.format(status=status, msg_id=settlement.msg_id).encode())
    assert updated.status == SettlementStatus.RECEIPT_ERROR
    card.refresh_from_db()
    assert card.status == BillStatus.READY and "Ugyldig signatur" in card.history.last().text


def test_apprec_for_unknown_message(clinic):
    with pytest.raises(Exception, match="No settlement"):
        services.import_apprec(clinic["clerk"], APPREC.format(status='<Status V="1"/>', msg_id="6cb3c665-fc1b-4687-a9ed-2909d4763907").encode())
