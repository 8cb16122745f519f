"""The native CEN EN16931 rules on a clinic's EHF invoice and deliberate breakages of it."""

from decimal import Decimal

import pytest
from lxml import etree

from kvitt.core.xmlsafe import parse_xml
from kvitt.einvoice.rules import RULES, check, rule_ids
from kvitt.einvoice.rules.base import NS, round2, xround

# A treatment invoice as a Norwegian physiotherapy clinic (not VAT registered, VAT category E)
# sends it to an insurer: SakID as order reference, treatment details as item properties, KID.
CLINIC_INVOICE = b"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
 <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
 <cbc:ID>2026-000123</cbc:ID>
 <cbc:IssueDate>2026-11-23</cbc:IssueDate>
 <cbc:DueDate>2026-12-07</cbc:DueDate>
 <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
 <cbc:DocumentCurrencyCode>NOK</cbc:DocumentCurrencyCode>
 <cac:OrderReference><cbc:ID>SAK-2026-4711</cbc:ID></cac:OrderReference>
 <cac:AccountingSupplierParty><cac:Party>
  <cbc:EndpointID schemeID="0192">974760673</cbc:EndpointID>
  <cac:PartyName><cbc:Name>Fysio Sentrum AS</cbc:Name></cac:PartyName>
  <cac:PostalAddress><cbc:StreetName>Storgata 1</cbc:StreetName><cbc:CityName>Oslo</cbc:CityName>
   <cbc:PostalZone>0155</cbc:PostalZone><cac:Country><cbc:IdentificationCode>NO</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
  <cac:PartyTaxScheme><cbc:CompanyID>Foretaksregisteret</cbc:CompanyID><cac:TaxScheme><cbc:ID>TAX</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
  <cac:PartyLegalEntity><cbc:RegistrationName>Fysio Sentrum AS</cbc:RegistrationName><cbc:CompanyID schemeID="0192">974760673</cbc:CompanyID></cac:PartyLegalEntity>
 </cac:Party></cac:AccountingSupplierParty>
 <cac:AccountingCustomerParty><cac:Party>
  <cbc:EndpointID schemeID="0192">923609016</cbc:EndpointID>
  <cac:PostalAddress><cbc:StreetName>Postboks 1</cbc:StreetName><cbc:CityName>Bergen</cbc:CityName>
   <cbc:PostalZone>5020</cbc:PostalZone><cac:Country><cbc:IdentificationCode>NO</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
  <cac:PartyLegalEntity><cbc:RegistrationName>Forsikring ASA</cbc:RegistrationName><cbc:CompanyID schemeID="0192">923609016</cbc:CompanyID></cac:PartyLegalEntity>
 </cac:Party></cac:AccountingCustomerParty>
 <cac:PaymentMeans>
  <cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>
  <cbc:PaymentID>20260001233</cbc:PaymentID>
  <cac:PayeeFinancialAccount><cbc:ID>12345678903</cbc:ID></cac:PayeeFinancialAccount>
 </cac:PaymentMeans>
 <cac:PaymentTerms><cbc:Note>14 dager netto</cbc:Note></cac:PaymentTerms>
 <cac:TaxTotal>
  <cbc:TaxAmount currencyID="NOK">0.00</cbc:TaxAmount>
  <cac:TaxSubtotal>
   <cbc:TaxableAmount currencyID="NOK">1500.00</cbc:TaxableAmount>
   <cbc:TaxAmount currencyID="NOK">0.00</cbc:TaxAmount>
   <cac:TaxCategory><cbc:ID>E</cbc:ID><cbc:Percent>0</cbc:Percent>
    <cbc:TaxExemptionReason>Helsetjenester, merverdiavgiftsloven \xc2\xa7 3-2</cbc:TaxExemptionReason>
    <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>
  </cac:TaxSubtotal>
 </cac:TaxTotal>
 <cac:LegalMonetaryTotal>
  <cbc:LineExtensionAmount currencyID="NOK">1500.00</cbc:LineExtensionAmount>
  <cbc:TaxExclusiveAmount currencyID="NOK">1500.00</cbc:TaxExclusiveAmount>
  <cbc:TaxInclusiveAmount currencyID="NOK">1500.00</cbc:TaxInclusiveAmount>
  <cbc:PayableAmount currencyID="NOK">1500.00</cbc:PayableAmount>
 </cac:LegalMonetaryTotal>
 <cac:InvoiceLine>
  <cbc:ID>1</cbc:ID>
  <cbc:InvoicedQuantity unitCode="EA">2</cbc:InvoicedQuantity>
  <cbc:LineExtensionAmount currencyID="NOK">1000.00</cbc:LineExtensionAmount>
  <cac:Item><cbc:Name>Fysioterapi, behandling 45 min</cbc:Name>
   <cac:ClassifiedTaxCategory><cbc:ID>E</cbc:ID><cbc:Percent>0</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>
   <cac:AdditionalItemProperty><cbc:Name>TreatmentId</cbc:Name><cbc:Value>b3f1c2d4</cbc:Value></cac:AdditionalItemProperty>
   <cac:AdditionalItemProperty><cbc:Name>TreatmentDateTime</cbc:Name><cbc:Value>2026-11-02T09:00:00</cbc:Value></cac:AdditionalItemProperty>
  </cac:Item>
  <cac:Price><cbc:PriceAmount currencyID="NOK">500.00</cbc:PriceAmount></cac:Price>
 </cac:InvoiceLine>
 <cac:InvoiceLine>
  <cbc:ID>2</cbc:ID>
  <cbc:InvoicedQuantity unitCode="EA">1</cbc:InvoicedQuantity>
  <cbc:LineExtensionAmount currencyID="NOK">500.00</cbc:LineExtensionAmount>
  <cac:Item><cbc:Name>Fysioterapi, forundersokelse</cbc:Name>
   <cac:ClassifiedTaxCategory><cbc:ID>E</cbc:ID><cbc:Percent>0</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>
  </cac:Item>
  <cac:Price><cbc:PriceAmount currencyID="NOK">500.00</cbc:PriceAmount></cac:Price>
 </cac:InvoiceLine>
</Invoice>
"""


def clinic_root():
    return parse_xml(CLINIC_INVOICE)


def fired(root, *, flag=None):
    return {f.id for f in check(root) if flag is None or f.flag == flag}


def one(root, path):
    found = root.xpath(path, namespaces=NS)
    assert len(found) == 1, path
    return found[0]


def test_clinic_invoice_passes_every_rule():
    assert check(clinic_root()) == []


def test_every_rule_has_official_shape():
    ids = rule_ids()
    assert {"BR-01", "BR-65", "BR-CO-26", "BR-DEC-28", "BR-E-10", "BR-AF-08", "BR-CL-25",
            "PEPPOL-EN16931-R120", "PEPPOL-COMMON-R041", "NO-R-001", "NO-R-002", "UBL-SR-47"} <= ids
    for item in RULES:
        assert item.flag in ("fatal", "warning")
        assert item.message.strip()


def test_missing_invoice_number_fires_br_02_at_the_root():
    root = clinic_root()
    one(root, "cbc:ID").text = ""
    findings = [f for f in check(root) if f.id == "BR-02"]
    assert [(f.flag, f.location) for f in findings] == [("fatal", "/Invoice")]
    assert findings[0].message == "[BR-02]-An Invoice shall have an Invoice number (BT-1)."


def test_line_total_mismatch_names_the_line():
    root = clinic_root()
    one(root, "cac:InvoiceLine[2]/cbc:LineExtensionAmount").text = "400.00"
    findings = {(f.id, f.location) for f in check(root)}
    assert ("BR-CO-10", "/Invoice/cac:LegalMonetaryTotal") in findings
    assert ("PEPPOL-EN16931-R120", "/Invoice/cac:InvoiceLine[2]") in findings
    assert ("BR-E-08", "/Invoice/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory") in findings


def test_exempt_breakdown_needs_a_reason_and_zero_tax():
    root = clinic_root()
    category = one(root, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory")
    category.remove(one(category, "cbc:TaxExemptionReason"))
    one(root, "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount").text = "1.00"
    assert {"BR-E-10", "BR-E-09", "BR-CO-14"} <= fired(root, flag="fatal")


def test_three_decimals_on_a_line_amount():
    root = clinic_root()
    one(root, "cac:InvoiceLine[1]/cbc:LineExtensionAmount").text = "1000.000"
    assert {"BR-DEC-23", "UBL-DT-01"} <= fired(root, flag="fatal")


def test_standard_rate_breakdown_tolerates_one_unit_and_no_more():
    root = clinic_root()
    for cat in root.xpath("//cac:TaxCategory/cbc:ID | //cac:ClassifiedTaxCategory/cbc:ID", namespaces=NS):
        cat.text = "S"
    for percent in root.xpath("//cbc:Percent", namespaces=NS):
        percent.text = "25"
    category = one(root, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory")
    category.remove(one(category, "cbc:TaxExemptionReason"))
    one(root, "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount").text = "375.99"
    assert "BR-S-09" not in fired(root)
    one(root, "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount").text = "376.00"
    assert "BR-S-09" in fired(root)


def test_period_end_before_start():
    root = clinic_root()
    period = etree.SubElement(root, f"{{{NS['cac']}}}InvoicePeriod")
    etree.SubElement(period, f"{{{NS['cbc']}}}StartDate").text = "2026-11-30"
    etree.SubElement(period, f"{{{NS['cbc']}}}EndDate").text = "2026-11-01"
    assert "BR-29" in fired(root)


def test_positive_amount_due_needs_due_date_or_terms():
    root = clinic_root()
    root.remove(one(root, "cbc:DueDate"))
    root.remove(one(root, "cac:PaymentTerms"))
    assert "BR-CO-25" in fired(root)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2.345", "2.35"), ("-2.345", "-2.34"), ("2.344", "2.34"), ("0.005", "0.01")],
)
def test_official_rounding_halves_towards_positive_infinity(value, expected):
    assert round2(Decimal(value)) == Decimal(expected)
    assert xround(Decimal("-0.5")) == 0


def test_ubl_cr_warnings_flag_elements_outside_en16931_without_invalidating():
    root = clinic_root()
    one(root, "cbc:IssueDate").addnext(root.makeelement(f"{{{NS['cbc']}}}IssueTime"))
    one(root, "cbc:IssueTime").text = "10:00:00"
    one(root, "cac:PaymentMeans/cbc:PaymentID").set("schemeID", "KID")
    findings = {f.id: f for f in check(root)}
    assert findings["UBL-CR-006"].flag == "warning"
    assert findings["UBL-CR-006"].message == "[UBL-CR-006]-A UBL invoice should not include the IssueTime "
    assert findings["UBL-CR-653"].message == "[UBL-CR-653]-A UBL invoice should not include the PaymentID scheme identifier"
    assert not [f for f in findings.values() if f.flag == "fatal"]


def test_batched_ubl_cr_evaluation_equals_rule_by_rule():
    from kvitt.einvoice.rules import ubl_cr
    from kvitt.einvoice.rules.base import Doc

    root = clinic_root()
    for parent_path, name in (("", "cbc:UUID"), ("cac:PaymentMeans", "cbc:ID"), ("cac:InvoiceLine[1]/cac:Item", "cbc:Keyword")):
        parent = one(root, parent_path) if parent_path else root
        prefix, local = name.split(":")
        etree.SubElement(parent, f"{{{NS[prefix]}}}{local}").text = "x"
    one(root, "cbc:ID").set("schemeID", "X")
    doc = Doc(root)
    one_by_one = [r.id for r in RULES if r.id.startswith("UBL-CR") and not r.test(root, doc)]
    assert one_by_one == ["UBL-CR-005", "UBL-CR-411", "UBL-CR-568", "UBL-CR-650"]
    assert [f.id for f in ubl_cr.findings(Doc(root))] == one_by_one
