import datetime

import pytest
from lxml import etree

from kvitt.einvoice import sbdh
from kvitt.einvoice.builder import build_credit_note, build_invoice
from kvitt.einvoice.parser import parse_document
from kvitt.einvoice.ubl import EInvoiceError
from tests.einvoice.builders_data import CREDIT_NOTE_E, INVOICE_E

NS = {"s": sbdh.SBDH_NS}
CREATED = datetime.datetime(2026, 3, 20, 10, 15, tzinfo=datetime.timezone.utc)


def test_wrap_writes_the_peppol_header():
    envelope = sbdh.wrap(build_invoice(INVOICE_E), created=CREATED)
    root = etree.fromstring(envelope)  # our own output
    h = root.find("s:StandardBusinessDocumentHeader", NS)
    assert h.findtext("s:HeaderVersion", namespaces=NS) == "1.0"
    sender = h.find("s:Sender/s:Identifier", NS)
    assert sender.text == "0192:923609016" and sender.get("Authority") == "iso6523-actorid-upis"
    assert h.findtext("s:Receiver/s:Identifier", namespaces=NS) == "0192:995568217"
    ident = h.find("s:DocumentIdentification", NS)
    assert ident.findtext("s:Standard", namespaces=NS) == "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
    assert ident.findtext("s:TypeVersion", namespaces=NS) == "2.1"
    assert ident.findtext("s:Type", namespaces=NS) == "Invoice"
    assert ident.findtext("s:CreationDateAndTime", namespaces=NS) == "2026-03-20T10:15:00+00:00"
    scopes = {s.findtext("s:Type", namespaces=NS): (s.findtext("s:InstanceIdentifier", namespaces=NS), s.findtext("s:Identifier", namespaces=NS)) for s in h.findall("s:BusinessScope/s:Scope", NS)}
    assert scopes["DOCUMENTID"] == (
        "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##"
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1",
        "busdox-docid-qns",
    )
    assert scopes["PROCESSID"] == ("urn:fdc:peppol.eu:2017:poacc:billing:01:1.0", "cenbii-procid-ubl")
    assert scopes["COUNTRY_C1"] == ("NO", None)
    assert etree.QName(root[1]).localname == "Invoice"


def test_message_id_is_idempotent_per_document():
    first = sbdh.unwrap(sbdh.wrap(build_invoice(INVOICE_E), created=CREATED))[0].message_id
    again = sbdh.unwrap(sbdh.wrap(build_invoice(INVOICE_E)))[0].message_id
    credit = sbdh.unwrap(sbdh.wrap(build_credit_note(CREDIT_NOTE_E)))[0].message_id
    assert first == again == sbdh.message_id_for("0192:923609016", "Invoice", "100123")
    assert credit != first
    assert sbdh.unwrap(sbdh.wrap(build_invoice(INVOICE_E), "my-id"))[0].message_id == "my-id"


def test_round_trip_gives_back_the_same_document():
    document = build_credit_note(CREDIT_NOTE_E)
    header, inner = sbdh.unwrap(sbdh.wrap(document, created=CREATED))
    assert header.document_type == "CreditNote" and header.created == CREATED
    assert header.document_id.startswith("urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##")
    assert parse_document(inner) == parse_document(document)
    assert b"StandardBusinessDocument" not in inner
    assert etree.tostring(etree.fromstring(inner), method="c14n") == etree.tostring(etree.fromstring(document), method="c14n")


def test_unwrap_accepts_bare_ubl(shared_fixtures):
    data = (shared_fixtures / "peppol" / "examples" / "base-example.xml").read_bytes()
    assert sbdh.unwrap(data) == (None, data)


def _envelope_text():
    return sbdh.wrap(build_invoice(INVOICE_E), created=CREATED).decode()


@pytest.mark.parametrize(
    "mutate, fragment",
    [
        (lambda t: t.replace('Authority="iso6523-actorid-upis"', 'Authority="x"', 1), "Authority"),
        (lambda t: t.replace("<Type>DOCUMENTID</Type>", "<Type>OTHER</Type>"), "DOCUMENTID"),
        (lambda t: t.replace("2026-03-20T10:15:00+00:00", "2026-03-20T10:15:00"), "time zone"),
        (lambda t: t.replace("<Type>Invoice</Type>", "<Type>CreditNote</Type>"), "announces"),
        (lambda t: t.replace("<HeaderVersion>1.0</HeaderVersion>", "").replace("<Sender>", "<Sendr>").replace("</Sender>", "</Sendr>"), "Sender"),
        (lambda t: t[: len(t) // 2], "not well-formed"),
        (lambda t: t.replace("StandardBusinessDocument>", "Other>").replace("<StandardBusinessDocument ", "<Other "), "Other"),
    ],
)
def test_unwrap_refuses_broken_envelopes(mutate, fragment):
    with pytest.raises(EInvoiceError) as exc:
        sbdh.unwrap(mutate(_envelope_text()).encode())
    assert fragment in str(exc.value)


def test_wrap_needs_endpoints():
    data = build_invoice(INVOICE_E).replace(b'<cbc:EndpointID schemeID="0192">995568217</cbc:EndpointID>', b"")
    with pytest.raises(EInvoiceError) as exc:
        sbdh.wrap(data)
    assert "AccountingCustomerParty" in str(exc.value)


def test_wrap_refuses_naive_creation_time():
    with pytest.raises(ValueError):
        sbdh.wrap(build_invoice(INVOICE_E), created=datetime.datetime(2026, 1, 1))
