"""Every XML reader refuses external entities, entity expansion, DTDs and oversized documents
with its own clear error: no reader parses outside XML any other way than kvitt.core.xmlsafe."""

import pytest

from kvitt.core import xmlsafe

XXE = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Invoice>&x;</Invoice>"""
LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><Invoice>&d;</Invoice>"""
REMOTE_DTD = b"""<?xml version="1.0"?><!DOCTYPE Invoice SYSTEM "http://127.0.0.1:9/evil.dtd"><Invoice/>"""
REMOTE_SCHEMA = (b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" '
                 b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                 b'xsi:schemaLocation="urn:x http://127.0.0.1:9/evil.xsd"><x/></Invoice>')
OVERSIZED = b"<Invoice>" + b"<a>x</a>" * (3 * 1024 * 1024) + b"</Invoice>"  # 24 MB
TRUNCATED = b"<Invoice><cbc:ID>1</cbc:"

HOSTILE = {"external entity": XXE, "billion laughs": LAUGHS, "remote DTD": REMOTE_DTD, "oversized": OVERSIZED,
           "truncated": TRUNCATED}


def _readers():
    from kvitt.claims.invoice_response import InvoiceResponseError, parse_invoice_response
    from kvitt.einvoice.parser import parse_document
    from kvitt.einvoice.sbdh import unwrap
    from kvitt.einvoice.ubl import EInvoiceError
    from kvitt.helfo.apprec import parse_apprec
    from kvitt.interregion import soap
    from kvitt.interregion.invoice import read_region_invoice
    from kvitt.payments import camt054
    from kvitt.payments.model import BankFileError
    from kvitt.reconciliation.formats.ersmo_xml import read_ersmo_xml

    return {
        "EHF/UBL": (parse_document, EInvoiceError),
        "SBDH": (unwrap, EInvoiceError),
        "Invoice Response": (parse_invoice_response, InvoiceResponseError),
        "AppRec": (parse_apprec, Exception),
        "ProcessClaimSpecification": (soap.parse_request, soap.SoapError),
        "regional invoice": (read_region_invoice, Exception),
        "camt.054": (camt054.parse, BankFileError),
        "ERSMO": (read_ersmo_xml, Exception),
    }


@pytest.mark.parametrize("attack", sorted(HOSTILE))
@pytest.mark.parametrize("reader", sorted(_readers()))
def test_reader_refuses_hostile_xml(reader, attack):
    function, error = _readers()[reader]
    with pytest.raises(error) as exc:
        function(HOSTILE[attack])
    # A domain error, never an lxml exception escaping, and it says what is wrong.
    assert not type(exc.value).__module__.startswith("lxml")
    assert str(exc.value)


def test_the_shared_reader_names_the_problem():
    for data, words in ((XXE, "DTD"), (LAUGHS, "DTD"), (OVERSIZED, "limit"), (TRUNCATED, "well-formed")):
        with pytest.raises(xmlsafe.XmlError) as exc:
            xmlsafe.parse_xml(data)
        assert words in str(exc.value)


def test_remote_schema_locations_are_never_fetched(shared_fixtures):
    # Parsing does not load schemaLocation; validation uses only Kvitt's configured XSD folder.
    root = xmlsafe.parse_xml(REMOTE_SCHEMA)
    assert root.tag.endswith("Invoice")
    from kvitt.einvoice.xsd import validate_xsd

    findings = validate_xsd(REMOTE_SCHEMA)
    assert findings  # invalid against the real UBL schema, and no network was needed to say so
