"""Fuzz the e-invoice readers: UBL Invoice/CreditNote, the SBDH envelope, Invoice Response.

Domain errors: ``EInvoiceError`` (UBL and SBDH), ``InvoiceResponseError`` (Invoice Response;
an SBDH header inside its envelope may also raise ``EInvoiceError``, the SBDH reader's error).
"""

import datetime
from pathlib import Path

from hypothesis import given, strategies as st

from kvitt.claims.invoice_response import InvoiceResponseError, parse_invoice_response, unwrap_response
from kvitt.einvoice import sbdh
from kvitt.einvoice.builder import build_credit_note, build_invoice
from kvitt.einvoice.model import Document
from kvitt.einvoice.parser import parse_document
from kvitt.einvoice.ubl import EInvoiceError
from tests.einvoice.builders_data import CREDIT_NOTE_E, INVOICE_E
from tests.hardening.strategies import FUZZ, Seed, any_xml_mutation, expect, mutated_xml

INVOICE = Seed("EHF invoice", build_invoice(INVOICE_E))
CREDIT_NOTE = Seed("EHF credit note", build_credit_note(CREDIT_NOTE_E))
CREATED = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.timezone.utc)
ENVELOPE = Seed("SBDH envelope", sbdh.wrap(INVOICE, "fuzz-1", created=CREATED))
RESPONSE = Seed("Invoice Response", (Path(__file__).parents[1] / "claims" / "golden" / "invoice_response_deviation.xml").read_bytes())


def _response_envelope() -> bytes:
    # The Invoice Response travels in an SBDH too; swap the invoice for the response.
    from lxml import etree

    root = etree.fromstring(ENVELOPE)
    header = root[0]
    for el in header.iter():
        if isinstance(el.tag, str) and etree.QName(el).localname == "Type" and el.text == "Invoice":
            el.text = "ApplicationResponse"
    root.remove(root[1])
    root.append(etree.fromstring(RESPONSE))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# The golden response has no IssueTime; this seed carries one so its reading is fuzzed too.
RESPONSE_WITH_TIME = Seed("Invoice Response with IssueTime", RESPONSE.replace(
    b"<cbc:IssueDate>2026-04-01</cbc:IssueDate>", b"<cbc:IssueDate>2026-04-01</cbc:IssueDate><cbc:IssueTime>12:30:00</cbc:IssueTime>", 1))
RESPONSE_ENVELOPE = Seed("Invoice Response in SBDH", _response_envelope())


def test_the_seeds_are_valid():
    # The mutators start from documents the readers accept; otherwise they fuzz the wrong door.
    assert parse_document(INVOICE).lines and parse_document(CREDIT_NOTE).is_credit_note
    assert sbdh.unwrap(ENVELOPE)[0].message_id == "fuzz-1"
    assert parse_invoice_response(RESPONSE).response_code
    assert parse_invoice_response(RESPONSE_WITH_TIME).issue_time == datetime.time(12, 30)
    assert unwrap_response(RESPONSE_ENVELOPE)[0].document_type == "ApplicationResponse"


@FUZZ
@given(st.one_of(any_xml_mutation(INVOICE), any_xml_mutation(CREDIT_NOTE)))
def test_ubl_parser_gives_a_document_or_einvoice_error(data):
    doc = expect(parse_document, data, EInvoiceError, name="einvoice.parse_document")
    assert doc is None or isinstance(doc, Document)


@FUZZ
@given(st.one_of(any_xml_mutation(ENVELOPE), mutated_xml(ENVELOPE, max_edits=6)))
def test_sbdh_unwrap_gives_a_header_or_einvoice_error(data):
    result = expect(sbdh.unwrap, data, EInvoiceError, name="einvoice.sbdh.unwrap")
    if result is not None:
        header, inner = result
        # Whatever the envelope carried must itself be readable or refused cleanly.
        expect(parse_document, inner, EInvoiceError, name="einvoice.parse_document(unwrapped)")


@FUZZ
@given(st.one_of(any_xml_mutation(RESPONSE), any_xml_mutation(RESPONSE_WITH_TIME)))
def test_invoice_response_parser_gives_a_response_or_its_error(data):
    expect(parse_invoice_response, data, InvoiceResponseError, name="claims.parse_invoice_response")


@FUZZ
@given(any_xml_mutation(RESPONSE_ENVELOPE))
def test_invoice_response_envelope_gives_a_header_or_a_clear_error(data):
    result = expect(unwrap_response, data, InvoiceResponseError, EInvoiceError, name="claims.unwrap_response")
    if result is not None:
        expect(parse_invoice_response, result[1], InvoiceResponseError, name="claims.parse_invoice_response(unwrapped)")
