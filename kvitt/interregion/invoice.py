"""The care region's invoice to the home region: Peppol BIS Billing 3.0, no patient data.

The invoice says only what was billed in total and which invoice basis (``ZVF...``)
explains it; patient identities travel in the basis, through the secured channel, never
here. The basis id is in ``cac:AdditionalDocumentReference/cbc:ID`` (BT-122, supporting
document) and in ``cbc:BuyerReference`` (BT-10), which the home region uses to match.

Swedish parties: endpoint and legal entity under ICD ``0007`` (Swedish organisation
number), VAT number ``SE`` + organisation number + ``01``. Health care is exempt from VAT:
category E, rate 0, with a reason (BR-E-10). Kvitt's Norwegian EHF builder
(``kvitt.einvoice.builder``) validates Norwegian numbers, so the Swedish document is built
here with the same UBL vocabulary.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from lxml import etree
from stdnum.se import orgnr as se_orgnr

from kvitt.core.xmlsafe import XmlError, parse_xml
from kvitt.einvoice.ubl import (
    CAC_NS,
    CBC_NS,
    CREDIT_NOTE,
    CREDITNOTE_NS,
    CUSTOMIZATION_ID,
    INVOICE,
    INVOICE_NS,
    NSMAP_CREDIT_NOTE,
    NSMAP_INVOICE,
    PROFILE_ID,
    cac,
    cbc,
)
from kvitt.interregion.model import ore_from_text, ore_to_text

SCHEME_SE_ORGNR = "0007"
CURRENCY = "SEK"
UNIT_ONE = "C62"
EXEMPTION_REASON = "Undantagen från skatteplikt: sjukvård (mervärdesskattelagen)"
_BASIS = re.compile(r"^ZVF[0-9]{20}\Z")  # not \d (any script's digits) nor $ (allows a final newline)


class InvoiceError(ValueError):
    """An invoice that cannot be built or read; the text names the element."""


@dataclass(frozen=True)
class RegionParty:
    name: str
    org_number: str
    street: str = ""
    postcode: str = ""
    city: str = ""
    bankgiro: str = ""

    @property
    def vat_number(self) -> str:
        return f"SE{se_orgnr.compact(self.org_number)}01"


@dataclass(frozen=True)
class RegionInvoiceInput:
    number: str
    issue_date: dt.date
    basis_id: str
    amount: int  # öre, positive
    seller: RegionParty
    buyer: RegionParty
    due_date: dt.date | None = None
    credited_invoice: str | None = None  # set for a credit note (381)
    period_start: dt.date | None = None
    period_end: dt.date | None = None

    @property
    def is_credit(self) -> bool:
        return self.credited_invoice is not None


@dataclass(frozen=True)
class ReadInvoice:
    kind: str  # "380" or "381"
    number: str
    issue_date: dt.date
    basis_id: str
    amount: int  # öre
    seller_org_number: str
    buyer_org_number: str
    credited_invoice: str | None


def _sub(parent, tag: str, text: str | None = None, **attrib) -> etree._Element:
    node = etree.SubElement(parent, tag, {k: v for k, v in attrib.items() if v})
    if text is not None:
        node.text = text
    return node


def _money(parent, tag: str, ore: int) -> None:
    _sub(parent, tag, ore_to_text(ore), currencyID=CURRENCY)


def _party(parent, role: str, party: RegionParty) -> None:
    org = se_orgnr.compact(party.org_number)
    element = _sub(_sub(parent, cac(role)), cac("Party"))
    _sub(element, cbc("EndpointID"), org, schemeID=SCHEME_SE_ORGNR)
    _sub(_sub(element, cac("PartyName")), cbc("Name"), party.name)
    address = _sub(element, cac("PostalAddress"))
    if party.street:
        _sub(address, cbc("StreetName"), party.street)
    if party.city:
        _sub(address, cbc("CityName"), party.city)
    if party.postcode:
        _sub(address, cbc("PostalZone"), party.postcode)
    _sub(_sub(address, cac("Country")), cbc("IdentificationCode"), "SE")
    tax = _sub(element, cac("PartyTaxScheme"))
    _sub(tax, cbc("CompanyID"), party.vat_number)
    _sub(_sub(tax, cac("TaxScheme")), cbc("ID"), "VAT")
    legal = _sub(element, cac("PartyLegalEntity"))
    _sub(legal, cbc("RegistrationName"), party.name)
    _sub(legal, cbc("CompanyID"), org, schemeID=SCHEME_SE_ORGNR)


def _tax_category(parent, tag: str, with_reason: bool) -> None:
    category = _sub(parent, cac(tag))
    _sub(category, cbc("ID"), "E")
    _sub(category, cbc("Percent"), "0")
    if with_reason:
        _sub(category, cbc("TaxExemptionReason"), EXEMPTION_REASON)
    _sub(_sub(category, cac("TaxScheme")), cbc("ID"), "VAT")


def check_input(inp: RegionInvoiceInput) -> None:
    if not inp.number.strip():
        raise InvoiceError("number: the invoice number is empty")
    if not _BASIS.match(inp.basis_id):
        raise InvoiceError(f"basis_id: {inp.basis_id!r} is not an invoice basis id (ZVF + 20 digits)")
    if not isinstance(inp.amount, int) or inp.amount <= 0:
        raise InvoiceError("amount: must be a positive number of öre")
    for role, party in (("seller", inp.seller), ("buyer", inp.buyer)):
        if not se_orgnr.is_valid(party.org_number):
            raise InvoiceError(f"{role}.org_number: {party.org_number!r} is not a Swedish organisation number")
    if not inp.is_credit and inp.due_date is None:
        raise InvoiceError("due_date: an invoice needs a due date")


def build_region_invoice(inp: RegionInvoiceInput) -> bytes:
    """UBL Invoice (380), or CreditNote (381) when ``credited_invoice`` is set."""
    check_input(inp)
    kind = CREDIT_NOTE if inp.is_credit else INVOICE
    nsmap = NSMAP_CREDIT_NOTE if inp.is_credit else NSMAP_INVOICE
    root = etree.Element(f"{{{nsmap[None]}}}{kind}", nsmap=nsmap)
    _sub(root, cbc("CustomizationID"), CUSTOMIZATION_ID)
    _sub(root, cbc("ProfileID"), PROFILE_ID)
    _sub(root, cbc("ID"), inp.number)
    _sub(root, cbc("IssueDate"), inp.issue_date.isoformat())
    if not inp.is_credit:
        _sub(root, cbc("DueDate"), inp.due_date.isoformat())
        _sub(root, cbc("InvoiceTypeCode"), "380")
    else:
        _sub(root, cbc("CreditNoteTypeCode"), "381")
    _sub(root, cbc("Note"), f"Utomlänsvård enligt fakturaunderlag {inp.basis_id}")
    _sub(root, cbc("DocumentCurrencyCode"), CURRENCY)
    _sub(root, cbc("BuyerReference"), inp.basis_id)
    if inp.period_start and inp.period_end:
        period = _sub(root, cac("InvoicePeriod"))
        _sub(period, cbc("StartDate"), inp.period_start.isoformat())
        _sub(period, cbc("EndDate"), inp.period_end.isoformat())
    if inp.is_credit:
        _sub(_sub(_sub(root, cac("BillingReference")), cac("InvoiceDocumentReference")), cbc("ID"), inp.credited_invoice)
    reference = _sub(root, cac("AdditionalDocumentReference"))
    _sub(reference, cbc("ID"), inp.basis_id)
    _sub(reference, cbc("DocumentDescription"), "Fakturaunderlag vård (ProcessClaimSpecification)")
    _party(root, "AccountingSupplierParty", inp.seller)
    _party(root, "AccountingCustomerParty", inp.buyer)
    if inp.seller.bankgiro:
        means = _sub(root, cac("PaymentMeans"))
        _sub(means, cbc("PaymentMeansCode"), "30")
        _sub(means, cbc("PaymentID"), inp.number)
        account = _sub(means, cac("PayeeFinancialAccount"))
        _sub(account, cbc("ID"), inp.seller.bankgiro)
        _sub(_sub(account, cac("FinancialInstitutionBranch")), cbc("ID"), "SE:BANKGIRO")
    tax_total = _sub(root, cac("TaxTotal"))
    _money(tax_total, cbc("TaxAmount"), 0)
    subtotal = _sub(tax_total, cac("TaxSubtotal"))
    _money(subtotal, cbc("TaxableAmount"), inp.amount)
    _money(subtotal, cbc("TaxAmount"), 0)
    _tax_category(subtotal, "TaxCategory", with_reason=True)
    totals = _sub(root, cac("LegalMonetaryTotal"))
    for name in ("LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount", "PayableAmount"):
        _money(totals, cbc(name), inp.amount)
    line = _sub(root, cac("CreditNoteLine" if inp.is_credit else "InvoiceLine"))
    _sub(line, cbc("ID"), "1")
    _sub(line, cbc("CreditedQuantity" if inp.is_credit else "InvoicedQuantity"), "1", unitCode=UNIT_ONE)
    _money(line, cbc("LineExtensionAmount"), inp.amount)
    item = _sub(line, cac("Item"))
    _sub(item, cbc("Description"), f"Specificeras i fakturaunderlag {inp.basis_id}")
    _sub(item, cbc("Name"), "Utomlänsvård enligt Riksavtalet" if not inp.is_credit else "Kreditering av utomlänsvård")
    _tax_category(item, "ClassifiedTaxCategory", with_reason=False)
    _money(_sub(line, cac("Price")), cbc("PriceAmount"), inp.amount)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


_NS = {"cbc": CBC_NS, "cac": CAC_NS}


def _text(root, path: str, what: str, required: bool = True) -> str | None:
    value = root.findtext(path, namespaces=_NS)
    value = value.strip() if value else None
    if required and not value:
        raise InvoiceError(f"{what}: required element is missing or empty")
    return value


def read_region_invoice(data: bytes) -> ReadInvoice:
    """Read the parts the home region matches on: number, type, basis id, amount, parties."""
    try:
        root = parse_xml(data)
    except XmlError as exc:
        raise InvoiceError(f"not readable XML: {exc}") from None
    try:
        # Peppol documents are UTF-8, and the invoice is kept as received text.
        data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise InvoiceError(f"the invoice is not UTF-8 (byte {exc.start}); Peppol documents are UTF-8") from None
    qname = etree.QName(root)
    if (qname.namespace, qname.localname) not in ((INVOICE_NS, INVOICE), (CREDITNOTE_NS, CREDIT_NOTE)):
        raise InvoiceError(f"/{qname.localname}: not a UBL Invoice or CreditNote")
    is_credit = qname.localname == CREDIT_NOTE
    kind = _text(root, "cbc:CreditNoteTypeCode" if is_credit else "cbc:InvoiceTypeCode", f"/{qname.localname}/TypeCode")
    references = [
        (r.findtext("cbc:ID", namespaces=_NS) or "").strip()
        for r in root.findall("cac:AdditionalDocumentReference", namespaces=_NS)
    ]
    basis = next((r for r in references if _BASIS.match(r)), None) or _text(root, "cbc:BuyerReference", "BuyerReference", False)
    if not basis or not _BASIS.match(basis):
        raise InvoiceError("cac:AdditionalDocumentReference/cbc:ID: no invoice basis id (ZVF...) found")
    amount_element = root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=_NS)
    if amount_element is None or not (amount_element.text or "").strip():
        raise InvoiceError("cac:LegalMonetaryTotal/cbc:PayableAmount: required element is missing")
    if amount_element.get("currencyID") != CURRENCY:
        raise InvoiceError(f"cbc:PayableAmount: currency {amount_element.get('currencyID')!r}, expected SEK")
    try:
        issue_date = dt.date.fromisoformat(_text(root, "cbc:IssueDate", "cbc:IssueDate"))
        amount = ore_from_text(amount_element.text, "cbc:PayableAmount")
    except ValueError as exc:
        raise InvoiceError(str(exc)) from None
    party = "cac:{}/cac:Party/cac:PartyLegalEntity/cbc:CompanyID"
    return ReadInvoice(
        kind=kind,
        number=_text(root, "cbc:ID", "cbc:ID"),
        issue_date=issue_date,
        basis_id=basis,
        amount=amount,
        seller_org_number=_text(root, party.format("AccountingSupplierParty"), "seller CompanyID"),
        buyer_org_number=_text(root, party.format("AccountingCustomerParty"), "buyer CompanyID"),
        credited_invoice=_text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", "BillingReference", False),
    )
