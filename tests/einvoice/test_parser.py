import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from kvitt.einvoice.builder import build_invoice
from kvitt.einvoice.model import Document
from kvitt.einvoice.parser import parse_document
from kvitt.einvoice.ubl import EInvoiceError
from tests.einvoice.builders_data import INVOICE_E


def _example_files(shared_fixtures):
    peppol = shared_fixtures / "peppol"
    files = sorted((peppol / "examples").glob("*.xml")) + sorted((peppol / "national-examples" / "NO").glob("*.xml"))
    assert files, "the Peppol example folder is empty"
    return files


def test_every_peppol_example_parses(shared_fixtures):
    for path in _example_files(shared_fixtures):
        doc = parse_document(path.read_bytes())
        assert isinstance(doc, Document), path.name
        assert doc.lines, path.name
        # Every example balances: the sum of line amounts is the stated line total.
        assert sum(line.line_extension_amount for line in doc.lines) == doc.monetary_total.line_extension_amount, path.name


def test_every_cen_full_testfile_parses(shared_fixtures):
    files = sorted((shared_fixtures / "cen" / "testfiles").glob("*.xml"))
    if not files:
        pytest.skip("no CEN test files")
    kinds = {parse_document(p.read_bytes()).kind for p in files}
    assert kinds <= {"Invoice", "CreditNote"}


def test_norwegian_example_in_detail(shared_fixtures):
    doc = parse_document((shared_fixtures / "peppol" / "national-examples" / "NO" / "Norwegian-example-1.xml").read_bytes())
    assert doc.kind == "Invoice" and doc.is_invoice and not doc.is_credit_note
    assert doc.id == "TOSL108"
    assert doc.issue_date == datetime.date(2013, 6, 30)
    assert doc.due_date == datetime.date(2013, 7, 20)
    assert doc.type_code == "380"
    assert doc.currency == "NOK"
    assert doc.order_reference == doc.sak_id == "123"
    assert doc.supplier.endpoint.scheme == "0192" and doc.supplier.endpoint.value == "123456785"
    assert doc.supplier.org_number == "123456785"
    assert doc.supplier.vat_id == "NO123456785MVA"
    assert doc.supplier.in_foretaksregisteret
    assert doc.supplier.tax_registration_id == "Foretaksregisteret"
    assert doc.supplier.legal_entity.registration_name == "The Sellercompany ASA"
    assert doc.customer.display_name == "The Buyercompany"
    assert doc.kid == "0003434323213231"
    assert doc.payment_means[0].code == "31"
    assert doc.payment_means[0].account.id == "NO9386011117947"
    assert doc.payment_means[0].account.institution_branch == "DNBANOKK"
    # Amounts keep the document's own precision.
    assert doc.monetary_total.line_extension_amount == Decimal("1436.5")
    assert str(doc.monetary_total.line_extension_amount) == "1436.5"
    assert doc.monetary_total.payable_amount == Decimal("802.00")
    assert str(doc.monetary_total.payable_amount) == "802.00"
    assert doc.monetary_total.payable_rounding_amount == Decimal("0.22")
    total = doc.tax_total
    assert total.tax_amount == Decimal("365.28") and total.currency == "NOK"
    assert [s.category.id for s in total.subtotals] == ["S", "S", "E"]
    assert total.subtotals[2].category.exemption_reason == "Exempt New Means of Transport"
    assert [a.signed_amount for a in doc.allowance_charges] == [Decimal("100"), Decimal("-100")]
    line = doc.lines[0]
    assert line.quantity == Decimal("1") and line.unit_code == "NAR"
    assert line.item.property("Color") == "Black"
    assert line.item.tax_category.percent == Decimal("25")
    assert line.price.allowance.base_amount == Decimal("1500")
    assert doc.lines[1].quantity == Decimal("-1")


def test_credit_note_reads_billing_reference(shared_fixtures):
    doc = parse_document((shared_fixtures / "peppol" / "examples" / "base-creditnote-correction.xml").read_bytes())
    assert doc.kind == "CreditNote" and doc.is_credit_note
    assert doc.type_code == "381"
    assert [r.id for r in doc.billing_references] == ["Snippet1"]
    assert all(line.quantity for line in doc.lines)


MINIMAL = b"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:ID>1</cbc:ID><cbc:IssueDate>2026-01-05</cbc:IssueDate><cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
 <cbc:DocumentCurrencyCode>NOK</cbc:DocumentCurrencyCode>
 <cac:AccountingSupplierParty><cac:Party><cac:PartyLegalEntity><cbc:RegistrationName>S</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty>
 <cac:AccountingCustomerParty><cac:Party><cac:PartyLegalEntity><cbc:RegistrationName>B</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingCustomerParty>
 <cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="NOK">10</cbc:LineExtensionAmount>
 <cbc:TaxExclusiveAmount currencyID="NOK">10</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount currencyID="NOK">10</cbc:TaxInclusiveAmount>
 <cbc:PayableAmount currencyID="NOK">AMOUNT</cbc:PayableAmount></cac:LegalMonetaryTotal>
 <cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:InvoicedQuantity unitCode="EA">1</cbc:InvoicedQuantity>
 <cbc:LineExtensionAmount currencyID="NOK">10</cbc:LineExtensionAmount><cac:Item><cbc:Name>x</cbc:Name></cac:Item>
 <cac:Price><cbc:PriceAmount currencyID="NOK">10</cbc:PriceAmount></cac:Price></cac:InvoiceLine>
</Invoice>"""


def test_minimal_document_from_another_system():
    doc = parse_document(MINIMAL.replace(b"AMOUNT", b"10.00"))
    assert doc.payable_amount == Decimal("10.00")
    assert doc.supplier.display_name == "S"
    assert doc.kid is None and doc.tax_total is None and doc.sak_id is None


@pytest.mark.parametrize(
    "data, fragment",
    [
        (MINIMAL[: len(MINIMAL) // 2], "not well-formed"),
        (b"", "empty"),
        (b"<Order xmlns='urn:oasis:names:specification:ubl:schema:xsd:Order-2'/>", "'Order'"),
        (b"<Invoice xmlns='urn:example:not-ubl'/>", "namespace"),
        (b"<Invoice/>", "namespace"),
        (b"<html><body>hi</body></html>", "'html'"),
        (b"not xml at all", "not well-formed"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(data, fragment):
    with pytest.raises(EInvoiceError) as exc:
        parse_document(data)
    assert fragment in str(exc.value)


def test_external_entity_is_refused_and_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    ).encode() + MINIMAL.split(b"?>", 1)[1].replace(b"<cbc:ID>1</cbc:ID>", b"<cbc:ID>&xxe;</cbc:ID>", 1)
    with pytest.raises(EInvoiceError) as exc:
        parse_document(data)
    assert "entit" in str(exc.value).lower() or "DTD" in str(exc.value)
    assert "TOP-SECRET" not in str(exc.value)


def test_fifty_megabyte_file_is_refused_quickly():
    filler = b"<cbc:Note>" + b"x" * 1000 + b"</cbc:Note>"
    head, tail = MINIMAL.replace(b"AMOUNT", b"10").split(b"<cbc:DocumentCurrencyCode>", 1)
    data = head + filler * (50 * 1024 * 1024 // len(filler)) + b"<cbc:DocumentCurrencyCode>" + tail
    assert len(data) > 50 * 1000 * 1000
    with pytest.raises(EInvoiceError) as exc:
        parse_document(data)
    assert "limit" in str(exc.value)


def test_missing_mandatory_element_is_named():
    data = MINIMAL.replace(b"AMOUNT", b"10").replace(b"<cbc:IssueDate>2026-01-05</cbc:IssueDate>", b"")
    with pytest.raises(EInvoiceError) as exc:
        parse_document(data)
    assert "cbc:IssueDate" in str(exc.value)
    assert exc.value.element == "/Invoice/cbc:IssueDate"


def test_bad_amount_names_the_element():
    with pytest.raises(EInvoiceError) as exc:
        parse_document(MINIMAL.replace(b"AMOUNT", b"1e3"))
    assert exc.value.element == "/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount"
    assert "'1e3'" in exc.value.message


def test_bad_date_names_the_element():
    data = MINIMAL.replace(b"AMOUNT", b"10").replace(b"2026-01-05", b"05.01.2026")
    with pytest.raises(EInvoiceError) as exc:
        parse_document(data)
    assert exc.value.element == "/Invoice/cbc:IssueDate"


def test_document_without_lines_is_refused():
    start = MINIMAL.index(b"<cac:InvoiceLine>")
    end = MINIMAL.index(b"</cac:InvoiceLine>") + len(b"</cac:InvoiceLine>")
    data = (MINIMAL[:start] + MINIMAL[end:]).replace(b"AMOUNT", b"10")
    with pytest.raises(EInvoiceError) as exc:
        parse_document(data)
    assert "cac:InvoiceLine" in str(exc.value)


def test_credit_note_lines_must_be_credit_note_lines():
    data = (
        MINIMAL.replace(b"AMOUNT", b"10")
        .replace(b"Invoice-2", b"CreditNote-2")
        .replace(b"<Invoice ", b"<CreditNote ")
        .replace(b"</Invoice>", b"</CreditNote>")
    )
    with pytest.raises(EInvoiceError) as exc:
        parse_document(data)
    assert "cac:CreditNoteLine" in str(exc.value)


@pytest.mark.parametrize("raw", ["1_000", "NaN", "Infinity", "1e3", "1.2.3", "", "12,50", " 1 0"])
def test_amounts_must_be_xsd_decimals(raw):
    with pytest.raises(EInvoiceError) as exc:
        parse_document(MINIMAL.replace(b"AMOUNT", raw.encode()))
    assert exc.value.element.endswith("cbc:PayableAmount")


@pytest.mark.parametrize("raw", ["+10", "-0.5", ".5", "10."])
def test_xsd_decimal_forms_are_accepted(raw):
    assert parse_document(MINIMAL.replace(b"AMOUNT", raw.encode())).payable_amount == Decimal(raw)


@pytest.mark.parametrize("raw", [b"2026-W01-1", b"20260105", b"2026-1-5", b"2026-01-05Z", b"2026-13-01"])
def test_dates_must_be_plain_iso_dates(raw):
    with pytest.raises(EInvoiceError):
        parse_document(MINIMAL.replace(b"AMOUNT", b"10").replace(b"2026-01-05", raw))


@hsettings(max_examples=150, deadline=None)
@given(st.data())
def test_mangled_documents_give_a_document_or_a_clear_error(data):
    original = build_invoice(INVOICE_E)
    start = data.draw(st.integers(min_value=0, max_value=len(original) - 1))
    length = data.draw(st.integers(min_value=0, max_value=200))
    filler = data.draw(st.binary(max_size=20) | st.sampled_from([b"<", b">", b"&", b"x", b"1e9", b"</cbc:ID>", b"-"]))
    mangled = original[:start] + filler + original[start + length:]
    try:
        doc = parse_document(mangled)
    except EInvoiceError as exc:
        assert str(exc)
    else:
        assert isinstance(doc, Document)
