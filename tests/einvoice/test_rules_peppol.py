"""Peppol BIS 3.0 and Norwegian rules on the clinic invoice, and validate_document's handling of bad input."""

import pytest

from kvitt.einvoice.rules import check
from kvitt.einvoice.rules.base import NS
from kvitt.einvoice.validation import validate_document
from tests.einvoice.test_rules_cen import CLINIC_INVOICE, clinic_root, fired, one


def test_norwegian_vat_number_must_be_orgnr_plus_mva():
    root = clinic_root()
    scheme = one(root, "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme")
    vat = scheme.__copy__()
    one(vat, "cbc:CompanyID").text = "NO974760674MVA"  # wrong check digit
    one(vat, "cac:TaxScheme/cbc:ID").text = "VAT"
    scheme.addnext(vat)
    assert "NO-R-001" in fired(root, flag="fatal")
    one(vat, "cbc:CompanyID").text = "NO974760673MVA"
    assert "NO-R-001" not in fired(root)


def test_missing_foretaksregisteret_is_a_warning_only():
    root = clinic_root()
    one(root, "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID").text = "Foretak"
    findings = [f for f in check(root) if f.id == "NO-R-002"]
    assert [f.flag for f in findings] == ["warning"]


def test_endpoint_orgnr_is_checked_with_mod11():
    root = clinic_root()
    one(root, "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID").text = "923609017"
    findings = [f for f in check(root) if f.id == "PEPPOL-COMMON-R041"]
    assert [f.location for f in findings] == ["/Invoice/cac:AccountingCustomerParty/cac:Party/cbc:EndpointID"]


def test_swedish_orgnr_uses_luhn():
    root = clinic_root()
    endpoint = one(root, "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID")
    endpoint.set("schemeID", "0007")
    endpoint.text = "5567321707"
    assert "PEPPOL-COMMON-R049" not in fired(root)
    endpoint.text = "5567321708"
    assert "PEPPOL-COMMON-R049" in fired(root)


def test_order_reference_or_buyer_reference_is_required():
    root = clinic_root()
    root.remove(one(root, "cac:OrderReference"))
    assert "PEPPOL-EN16931-R003" in fired(root)


def test_empty_element_is_fatal():
    root = clinic_root()
    one(root, "cac:PaymentTerms/cbc:Note").text = "  "
    findings = [f for f in check(root) if f.id == "PEPPOL-EN16931-R008"]
    assert [f.location for f in findings] == ["/Invoice/cac:PaymentTerms/cbc:Note"]


def test_line_amount_slack_is_two_hundredths():
    root = clinic_root()
    one(root, "cac:InvoiceLine[1]/cac:Price/cbc:PriceAmount").text = "500.01"
    assert "PEPPOL-EN16931-R120" not in fired(root)
    one(root, "cac:InvoiceLine[1]/cac:Price/cbc:PriceAmount").text = "500.02"
    assert "PEPPOL-EN16931-R120" in fired(root)


def test_validate_document_without_xsd_accepts_the_clinic_invoice():
    report = validate_document(CLINIC_INVOICE, xsd=False)
    assert report.valid and report.findings == []


@pytest.mark.parametrize(
    ("data", "rule", "words"),
    [
        (CLINIC_INVOICE[: len(CLINIC_INVOICE) // 2], "XML", "not well-formed"),
        (b"", "XML", "empty"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "XML", "DTD"),
        (b"<Order xmlns='urn:oasis:names:specification:ubl:schema:xsd:Order-2'/>", "UBL-ROOT", "Invoice or CreditNote"),
        (b"<Invoice/>", "UBL-ROOT", "Invoice or CreditNote"),
    ],
)
def test_bad_input_becomes_one_fatal_finding(data, rule, words):
    report = validate_document(data)
    assert not report.valid
    assert [f.id for f in report.findings] == [rule]
    assert words in report.findings[0].message


def test_oversized_document_is_refused_without_parsing():
    huge = b"<Invoice>" + b" " * (21 * 1024 * 1024) + b"</Invoice>"
    report = validate_document(huge)
    assert [f.id for f in report.findings] == ["XML"]
    assert "limit" in report.findings[0].message


def test_validate_document_runs_the_xsd_first(shared_fixtures):
    root = clinic_root()
    root.insert(0, root.makeelement(f"{{{NS['cbc']}}}Bogus"))
    from lxml import etree

    report = validate_document(etree.tostring(root), schema_dir=shared_fixtures / "ubl-2.1-xsd")
    assert report.findings[0].id == "UBL-XSD"
    assert not report.valid
    clean = validate_document(CLINIC_INVOICE, schema_dir=shared_fixtures / "ubl-2.1-xsd")
    assert clean.valid, clean.findings


def swedish_clinic_root():
    """The clinic invoice as a Swedish supplier with F-skatt and standard-rated VAT."""
    root = clinic_root()
    party = one(root, "cac:AccountingSupplierParty/cac:Party")
    one(party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode").text = "SE"
    tax = one(party, "cac:PartyTaxScheme")
    one(tax, "cbc:CompanyID").text = "Godkänd för F-skatt"
    vat = tax.__copy__()
    one(vat, "cbc:CompanyID").text = "SE556732170701"
    one(vat, "cac:TaxScheme/cbc:ID").text = "VAT"
    tax.addprevious(vat)
    legal = one(party, "cac:PartyLegalEntity/cbc:CompanyID")
    legal.text = "5567321707"
    legal.set("schemeID", "0007")
    return root


def test_swedish_supplier_rules_accept_a_proper_invoice():
    assert not {i for i in fired(swedish_clinic_root()) if i.startswith("SE-")}


def test_swedish_supplier_rules_catch_tax_registration_and_rate():
    root = swedish_clinic_root()
    one(root, "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme[2]/cbc:CompanyID").text = "F-skatt"
    for category in root.xpath("//cac:ClassifiedTaxCategory", namespaces=NS):
        one(category, "cbc:ID").text = "S"
        one(category, "cbc:Percent").text = "20"
    assert {"SE-R-005", "SE-R-006"} <= fired(root, flag="fatal")
    one(root, "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID").text = "5567321708"
    assert "SE-R-013" in fired(root, flag="warning")


def test_missing_schema_folder_is_a_finding_not_a_crash(tmp_path):
    report = validate_document(CLINIC_INVOICE, schema_dir=tmp_path / "nowhere")
    assert not report.valid
    assert report.findings[0].id == "UBL-XSD" and "could not be loaded" in report.findings[0].message
    assert len(report.findings) == 1  # the rules found nothing else


@pytest.mark.parametrize(
    ("country", "expected"),
    [("DK", {"DK-R-014", "DK-R-005"}), ("NL", {"NL-R-003"}), ("IT", {"IT-R-001"}), ("IS", {"IS-R-002"})],
)
def test_national_rules_apply_only_to_their_country(country, expected):
    root = clinic_root()
    for code in root.xpath("//cac:Country/cbc:IdentificationCode", namespaces=NS):
        code.text = country
    assert expected <= fired(root, flag="fatal")
    assert not {i for i in fired(clinic_root()) if i[:3] in ("DK-", "NL-", "IT-", "IS-")}


def greek_supplier_root():
    """The clinic invoice as a Greek supplier would send it: TIN-based number, VAT, endpoint and MARK."""
    root = clinic_root()
    party = one(root, "cac:AccountingSupplierParty/cac:Party")
    one(party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode").text = "GR"
    one(party, "cac:PartyTaxScheme/cbc:CompanyID").text = "EL123456783"
    one(party, "cac:PartyTaxScheme/cac:TaxScheme/cbc:ID").text = "VAT"
    endpoint = one(party, "cbc:EndpointID")
    endpoint.set("schemeID", "9933")
    endpoint.text = "123456783"
    one(root, "cbc:ID").text = "123456783|23/11/2026|17|1.1|A|B"
    buyer_name = party.makeelement(f"{{{NS['cac']}}}PartyName")
    buyer_name.append(party.makeelement(f"{{{NS['cbc']}}}Name"))
    buyer_name[0].text = "Forsikring ASA"
    one(root, "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID").addnext(buyer_name)  # GR-R-005
    reference = one(root, "cac:PaymentMeans").makeelement(f"{{{NS['cac']}}}AdditionalDocumentReference")
    one(root, "cac:OrderReference").addnext(reference)
    for name, text in (("ID", "400001234567890"), ("DocumentDescription", "##M.AR.K##")):
        child = reference.makeelement(f"{{{NS['cbc']}}}{name}")
        child.text = text
        reference.append(child)
    return root


def test_greek_supplier_rules():
    root = greek_supplier_root()
    assert not {i for i in fired(root, flag="fatal") if i.startswith("GR-")}
    one(root, "cbc:ID").text = "123456784|24/11/2026|x|9.9|A"
    assert {"GR-R-001-1", "GR-R-001-2", "GR-R-001-3", "GR-R-001-4", "GR-R-001-5", "GR-R-001-7"} <= fired(root, flag="fatal")
    assert "GR-R-001-6" not in fired(root)
