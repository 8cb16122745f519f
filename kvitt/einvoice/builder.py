"""Build Peppol BIS Billing 3.0 (EHF) Invoices and CreditNotes for clinics invoicing insurers.

Layered the way the documents are specified: the UBL 2.1 element order, then Peppol BIS 3 and
the Norwegian rules (0192 endpoints, Foretaksregisteret, VAT category E or O, KID), then the
insurers' extension (SakID as OrderReference, per-line AdditionalItemProperty treatment details).
Input is plain dataclasses, so the builder needs no database; ``services.py`` fills them.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Sequence

from lxml import etree
from stdnum import iban as stdnum_iban
from stdnum.no import kontonr, orgnr

from kvitt.core.identifiers.no import kid as kid_module
from kvitt.einvoice.ubl import (
    CREDIT_NOTE,
    CREDIT_NOTE_TYPE,
    CUSTOMIZATION_ID,
    FORETAKSREGISTERET,
    INVOICE,
    INVOICE_TYPE_COMMERCIAL,
    NSMAP_CREDIT_NOTE,
    NSMAP_INVOICE,
    PAYMENT_MEANS_CREDIT_TRANSFER,
    PROFILE_ID,
    PROP_DIAGNOSE,
    PROP_PATIENT_ID,
    PROP_PROFESSION,
    PROP_THERAPIST_HPR,
    PROP_THERAPIST_NAME,
    PROP_TREATMENT_DATETIME,
    PROP_TREATMENT_DURATION,
    PROP_TREATMENT_ID,
    SCHEME_NO_ORGNR,
    TAX_SCHEME_NO_REGISTER,
    TAX_SCHEME_VAT,
    EInvoiceError,
    cac,
    cbc,
    format_decimal,
    money,
)

VAT_EXEMPT = "E"
VAT_OUTSIDE = "O"
VAT_CATEGORIES = (VAT_EXEMPT, VAT_OUTSIDE)

# BR-E-10 / BR-O-10 want a reason (text or VATEX code). Health services are exempt under the
# Norwegian VAT act; the CEF VATEX list only names EU-directive articles, so category E states
# the Norwegian legal basis in text and carries no code unless the caller supplies one.
EXEMPTION_REASON_E = "Unntatt merverdiavgift etter merverdiavgiftsloven § 3-2 (helse- og omsorgstjenester)"
EXEMPTION_REASON_CODE_E: str | None = None
EXEMPTION_REASON_O = "Utenfor merverdiavgiftslovens virkeområde"
EXEMPTION_REASON_CODE_O = "VATEX-EU-O"  # "Not subject to VAT" in the CEF VATEX code list

UNIT_EACH = "EA"  # UN/ECE Rec 20 "each": one treatment
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
NO_VAT_NUMBER = re.compile(r"^NO[0-9]{9}MVA$")


@dataclass(frozen=True)
class SellerInput:
    """The clinic company as it invoices (``network.Company`` fields)."""

    name: str
    org_number: str
    vat_category: str = VAT_EXEMPT
    foretaksregisteret: bool = True
    vat_number: str = ""
    bank_account: str = ""
    iban: str = ""
    bic: str = ""
    kid_algorithm: str = "MOD10"
    kid_length: int | None = None
    street: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "NO"
    email: str = ""
    contact_name: str = ""
    legal_name: str = ""  # registered name when it differs from the trading name


@dataclass(frozen=True)
class BuyerInput:
    """The paying insurer or public payer (``network.Payer`` fields)."""

    name: str
    org_number: str
    peppol_id: str = ""  # "0192:123456785"; defaults to the org number under 0192
    street: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "NO"
    legal_name: str = ""


@dataclass(frozen=True)
class LineInput:
    """One care event on the invoice, with the treatment details insurers require."""

    treatment_id: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    treatment_datetime: datetime.datetime
    duration_minutes: int | None = None
    therapist_hpr: str = ""
    therapist_name: str = ""
    profession: str = ""
    diagnose: str = ""
    patient_id: str = ""
    unit_code: str = UNIT_EACH
    note: str = ""


@dataclass(frozen=True)
class CreditedInvoice:
    number: str
    issue_date: datetime.date | None = None


@dataclass(frozen=True)
class InvoiceInput:
    """Everything one Invoice (380) or CreditNote (381) says."""

    number: str
    issue_date: datetime.date
    sak_id: str
    seller: SellerInput
    buyer: BuyerInput
    lines: Sequence[LineInput]
    due_date: datetime.date | None = None
    currency: str = "NOK"
    kid_body: str | None = None  # defaults to the digits of the invoice number
    payment_terms: str = ""
    buyer_reference: str = ""
    note: str = ""
    exemption_reason: str = ""
    exemption_reason_code: str | None = None
    credited_invoice: CreditedInvoice | None = None  # required for a credit note
    extra: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Totals:
    line_amounts: tuple[Decimal, ...]
    line_extension: Decimal
    tax: Decimal
    tax_inclusive: Decimal
    payable: Decimal


def from_minor_units(amount: int) -> Decimal:
    """Øre (int) to kroner with two decimals; Kvitt stores money as minor units."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"minor units must be int, not {type(amount).__name__}")
    return Decimal(amount).scaleb(-2)


# --- public API ---------------------------------------------------------------------------


def build_invoice(inp: InvoiceInput) -> bytes:
    """The UBL 2.1 Invoice (type 380) for ``inp`` as UTF-8 bytes."""
    return serialise(build_invoice_element(inp))


def build_credit_note(inp: InvoiceInput) -> bytes:
    """The UBL 2.1 CreditNote (type 381, BillingReference to the credited invoice) as bytes."""
    return serialise(build_credit_note_element(inp))


def build_invoice_element(inp: InvoiceInput) -> etree._Element:
    if inp.credited_invoice is not None:
        raise EInvoiceError("an invoice cannot credit another invoice; build a credit note", element="credited_invoice")
    check_input(inp, INVOICE)
    return _document(inp, INVOICE)


def build_credit_note_element(inp: InvoiceInput) -> etree._Element:
    if inp.credited_invoice is None:
        raise EInvoiceError("a credit note must name the invoice it credits", element="credited_invoice")
    check_input(inp, CREDIT_NOTE)
    return _document(inp, CREDIT_NOTE)


def serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def make_kid(inp: InvoiceInput) -> str:
    """The KID for ``inp`` by the seller's bank agreement (algorithm and length)."""
    body = inp.kid_body if inp.kid_body is not None else re.sub(r"\D", "", inp.number)
    if not body:
        raise EInvoiceError(f"invoice number {inp.number!r} has no digits to make a KID from; give kid_body", element="kid_body")
    try:
        return kid_module.make(body, inp.seller.kid_algorithm, inp.seller.kid_length)
    except ValueError as exc:
        raise EInvoiceError(f"cannot make a KID: {exc}", element="kid_body") from None


def compute_totals(lines: Sequence[LineInput]) -> Totals:
    """Line amounts rounded to øre, then summed (EN 16931 BR-CO-10); no VAT is charged (E/O)."""
    amounts = tuple(money(line.quantity * line.unit_price) for line in lines)
    total = sum(amounts, Decimal("0.00"))
    tax = Decimal("0.00")
    return Totals(amounts, total, tax, total + tax, total + tax)


# --- input checks ------------------------------------------------------------------------------


def check_input(inp: InvoiceInput, kind: str) -> None:
    """Refuse input that would produce a document the Peppol rules reject, naming the field."""
    _require(inp.number.strip(), "number", "the invoice number is empty")
    _require(inp.sak_id.strip(), "sak_id", "the SakID (OrderReference) is empty")
    _require(inp.lines, "lines", "an invoice needs at least one line")
    _require(re.fullmatch(r"[A-Z]{3}", inp.currency or ""), "currency", f"currency {inp.currency!r} is not an ISO 4217 code")
    seller, buyer = inp.seller, inp.buyer
    _require(seller.name.strip(), "seller.name", "the seller has no name")
    _require(orgnr.is_valid(seller.org_number), "seller.org_number", f"{seller.org_number!r} is not a valid organisation number")
    _require(buyer.name.strip(), "buyer.name", "the buyer has no name")
    _require(orgnr.is_valid(buyer.org_number), "buyer.org_number", f"{buyer.org_number!r} is not a valid organisation number")
    if buyer.peppol_id:
        _require(":" in buyer.peppol_id, "buyer.peppol_id", f"{buyer.peppol_id!r} is not scheme:identifier")
    _require(seller.vat_category in VAT_CATEGORIES, "seller.vat_category", f"VAT category {seller.vat_category!r}: use E or O")
    if seller.vat_number:
        _require(NO_VAT_NUMBER.match(seller.vat_number), "seller.vat_number", f"{seller.vat_number!r} is not NO + 9 digits + MVA (NO-R-001)")
    if seller.vat_category == VAT_EXEMPT:
        _require(
            seller.foretaksregisteret or seller.vat_number,
            "seller.foretaksregisteret",
            "VAT category E needs the Foretaksregisteret entry or a VAT number (BR-E-02)",
        )
    if kind == INVOICE:
        _require(inp.due_date, "due_date", "an invoice needs a due date")
        _check_account(seller)
        make_kid(inp)
    if inp.due_date is not None:
        _require(inp.due_date >= inp.issue_date, "due_date", "the due date is before the issue date")
    for index, line in enumerate(inp.lines, start=1):
        _check_line(line, f"lines[{index}]")


def _check_account(seller: SellerInput) -> None:
    if seller.bank_account:
        _require(kontonr.is_valid(seller.bank_account), "seller.bank_account", f"{seller.bank_account!r} is not a valid Norwegian account number")
        return
    _require(seller.iban, "seller.bank_account", "the seller has neither an account number nor an IBAN (BR-61)")
    _require(stdnum_iban.is_valid(seller.iban), "seller.iban", f"{seller.iban!r} is not a valid IBAN")
    _require(seller.bic, "seller.bic", "an IBAN needs the bank's BIC")


def _check_line(line: LineInput, where: str) -> None:
    for name in ("quantity", "unit_price"):
        value = getattr(line, name)
        if not isinstance(value, Decimal):
            raise EInvoiceError(f"{name} must be a Decimal, not {type(value).__name__}", element=f"{where}.{name}")
        _require(value.is_finite(), f"{where}.{name}", f"{name} is not a finite number")
    _require(line.unit_price >= 0, f"{where}.unit_price", "a unit price cannot be negative (BR-27)")
    _require(line.quantity != 0, f"{where}.quantity", "the quantity is zero")
    _require(line.treatment_id.strip(), f"{where}.treatment_id", "TreatmentId (the service code) is required")
    _require(line.description.strip(), f"{where}.description", "the line has no description (item name, BR-25)")
    _require(isinstance(line.treatment_datetime, datetime.datetime), f"{where}.treatment_datetime", "TreatmentDateTime is required")
    if line.duration_minutes is not None:
        _require(0 < line.duration_minutes < 24 * 60, f"{where}.duration_minutes", "the duration must be 1-1439 minutes")


def _require(condition, element: str, message: str) -> None:
    if not condition:
        raise EInvoiceError(message, element=element)


# --- document ----------------------------------------------------------------------------------


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    node = etree.SubElement(parent, tag, {k: v for k, v in attrib.items() if v})
    if text is not None:
        node.text = text
    return node


def _amount(parent: etree._Element, tag: str, value: Decimal, currency: str) -> etree._Element:
    return _sub(parent, tag, format_decimal(money(value)), currencyID=currency)


def _document(inp: InvoiceInput, kind: str) -> etree._Element:
    is_credit = kind == CREDIT_NOTE
    root = etree.Element(f"{{{(NSMAP_CREDIT_NOTE if is_credit else NSMAP_INVOICE)[None]}}}{kind}", nsmap=NSMAP_CREDIT_NOTE if is_credit else NSMAP_INVOICE)
    totals = compute_totals(inp.lines)
    _sub(root, cbc("CustomizationID"), CUSTOMIZATION_ID)
    _sub(root, cbc("ProfileID"), PROFILE_ID)
    _sub(root, cbc("ID"), inp.number)
    _sub(root, cbc("IssueDate"), inp.issue_date.isoformat())
    if is_credit:
        _sub(root, cbc("CreditNoteTypeCode"), CREDIT_NOTE_TYPE)
    else:
        _sub(root, cbc("DueDate"), inp.due_date.isoformat())
        _sub(root, cbc("InvoiceTypeCode"), INVOICE_TYPE_COMMERCIAL)
    if inp.note:
        _sub(root, cbc("Note"), inp.note)
    _sub(root, cbc("DocumentCurrencyCode"), inp.currency)
    if inp.buyer_reference:
        _sub(root, cbc("BuyerReference"), inp.buyer_reference)
    _invoice_period(root, inp.lines)
    order = _sub(root, cac("OrderReference"))
    _sub(order, cbc("ID"), inp.sak_id)
    if is_credit:
        reference = _sub(_sub(root, cac("BillingReference")), cac("InvoiceDocumentReference"))
        _sub(reference, cbc("ID"), inp.credited_invoice.number)
        if inp.credited_invoice.issue_date:
            _sub(reference, cbc("IssueDate"), inp.credited_invoice.issue_date.isoformat())
    _supplier(_sub(_sub(root, cac("AccountingSupplierParty")), cac("Party")), inp.seller)
    _customer(_sub(_sub(root, cac("AccountingCustomerParty")), cac("Party")), inp.buyer)
    kid = None
    if not is_credit:
        kid = make_kid(inp)
        _payment_means(root, inp.seller, kid)
    _sub(_sub(root, cac("PaymentTerms")), cbc("Note"), inp.payment_terms or _default_payment_terms(inp, kid))
    _tax_total(root, inp, totals)
    _monetary_total(root, inp.currency, totals)
    for index, (line, amount) in enumerate(zip(inp.lines, totals.line_amounts), start=1):
        _line(root, index, line, amount, inp, is_credit)
    return root


def _invoice_period(root: etree._Element, lines: Sequence[LineInput]) -> None:
    days = sorted(_local(line.treatment_datetime).date() for line in lines)
    period = _sub(root, cac("InvoicePeriod"))
    _sub(period, cbc("StartDate"), days[0].isoformat())
    _sub(period, cbc("EndDate"), days[-1].isoformat())


def _default_payment_terms(inp: InvoiceInput, kid: str | None) -> str:
    if kid is None:
        credited = inp.credited_invoice
        return f"Kreditnota til faktura {credited.number}. Beløpet motregnes eller tilbakebetales."
    account = inp.seller.bank_account or inp.seller.iban
    return f"Betales innen {inp.due_date:%d.%m.%Y} til konto {account} med KID {kid}."


def _address(party: etree._Element, street: str, postcode: str, city: str, country: str) -> None:
    address = _sub(party, cac("PostalAddress"))
    if street:
        _sub(address, cbc("StreetName"), street)
    if city:
        _sub(address, cbc("CityName"), city)
    if postcode:
        _sub(address, cbc("PostalZone"), postcode)
    _sub(_sub(address, cac("Country")), cbc("IdentificationCode"), country or "NO")


def _tax_scheme(party: etree._Element, company_id: str, scheme: str) -> None:
    node = _sub(party, cac("PartyTaxScheme"))
    _sub(node, cbc("CompanyID"), company_id)
    _sub(_sub(node, cac("TaxScheme")), cbc("ID"), scheme)


def _legal_entity(party: etree._Element, name: str, org_number: str) -> None:
    legal = _sub(party, cac("PartyLegalEntity"))
    _sub(legal, cbc("RegistrationName"), name)
    _sub(legal, cbc("CompanyID"), org_number, schemeID=SCHEME_NO_ORGNR)


def _supplier(party: etree._Element, seller: SellerInput) -> None:
    _sub(party, cbc("EndpointID"), seller.org_number, schemeID=SCHEME_NO_ORGNR)
    _sub(_sub(party, cac("PartyName")), cbc("Name"), seller.name)
    _address(party, seller.street, seller.postcode, seller.city, seller.country)
    # Category O forbids a seller VAT identifier (BR-O-02); E shows it when the clinic has one.
    if seller.vat_number and seller.vat_category == VAT_EXEMPT:
        _tax_scheme(party, seller.vat_number, TAX_SCHEME_VAT)
    if seller.foretaksregisteret:
        _tax_scheme(party, FORETAKSREGISTERET, TAX_SCHEME_NO_REGISTER)
    _legal_entity(party, seller.legal_name or seller.name, seller.org_number)
    if seller.contact_name or seller.email:
        contact = _sub(party, cac("Contact"))
        if seller.contact_name:
            _sub(contact, cbc("Name"), seller.contact_name)
        if seller.email:
            _sub(contact, cbc("ElectronicMail"), seller.email)


def _customer(party: etree._Element, buyer: BuyerInput) -> None:
    scheme, _, endpoint = (buyer.peppol_id or f"{SCHEME_NO_ORGNR}:{buyer.org_number}").partition(":")
    _sub(party, cbc("EndpointID"), endpoint, schemeID=scheme)
    _sub(_sub(party, cac("PartyName")), cbc("Name"), buyer.name)
    _address(party, buyer.street, buyer.postcode, buyer.city, buyer.country)
    _legal_entity(party, buyer.legal_name or buyer.name, buyer.org_number)


def _payment_means(root: etree._Element, seller: SellerInput, kid: str) -> None:
    means = _sub(root, cac("PaymentMeans"))
    _sub(means, cbc("PaymentMeansCode"), PAYMENT_MEANS_CREDIT_TRANSFER, name="Credit transfer")
    _sub(means, cbc("PaymentID"), kid)
    account = _sub(means, cac("PayeeFinancialAccount"))
    if seller.bank_account:
        _sub(account, cbc("ID"), seller.bank_account)
        _sub(account, cbc("Name"), seller.legal_name or seller.name)
    else:
        _sub(account, cbc("ID"), stdnum_iban.compact(seller.iban))
        _sub(account, cbc("Name"), seller.legal_name or seller.name)
        _sub(_sub(account, cac("FinancialInstitutionBranch")), cbc("ID"), seller.bic)


def _exemption(inp: InvoiceInput) -> tuple[str, str | None]:
    if inp.seller.vat_category == VAT_EXEMPT:
        return inp.exemption_reason or EXEMPTION_REASON_E, inp.exemption_reason_code or EXEMPTION_REASON_CODE_E
    return inp.exemption_reason or EXEMPTION_REASON_O, inp.exemption_reason_code or EXEMPTION_REASON_CODE_O


def _tax_category(parent: etree._Element, tag: str, inp: InvoiceInput, *, with_reason: bool) -> None:
    category = _sub(parent, tag)
    _sub(category, cbc("ID"), inp.seller.vat_category)
    # Category O carries no rate (BR-O-05/BR-O-09); E states rate 0 (BR-E-05/BR-E-09).
    if inp.seller.vat_category == VAT_EXEMPT:
        _sub(category, cbc("Percent"), "0")
    if with_reason:
        reason, code = _exemption(inp)
        if code:
            _sub(category, cbc("TaxExemptionReasonCode"), code)
        _sub(category, cbc("TaxExemptionReason"), reason)
    _sub(_sub(category, cac("TaxScheme")), cbc("ID"), TAX_SCHEME_VAT)


def _tax_total(root: etree._Element, inp: InvoiceInput, totals: Totals) -> None:
    total = _sub(root, cac("TaxTotal"))
    _amount(total, cbc("TaxAmount"), totals.tax, inp.currency)
    subtotal = _sub(total, cac("TaxSubtotal"))
    _amount(subtotal, cbc("TaxableAmount"), totals.line_extension, inp.currency)
    _amount(subtotal, cbc("TaxAmount"), totals.tax, inp.currency)
    _tax_category(subtotal, cac("TaxCategory"), inp, with_reason=True)


def _monetary_total(root: etree._Element, currency: str, totals: Totals) -> None:
    node = _sub(root, cac("LegalMonetaryTotal"))
    _amount(node, cbc("LineExtensionAmount"), totals.line_extension, currency)
    _amount(node, cbc("TaxExclusiveAmount"), totals.line_extension, currency)
    _amount(node, cbc("TaxInclusiveAmount"), totals.tax_inclusive, currency)
    _amount(node, cbc("PayableAmount"), totals.payable, currency)


def _local(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(OSLO) if moment.tzinfo else moment


def treatment_properties(line: LineInput) -> list[tuple[str, str]]:
    """The insurers' AdditionalItemProperty pairs for one line, in the documented order."""
    pairs = [
        (PROP_TREATMENT_ID, line.treatment_id),
        (PROP_TREATMENT_DATETIME, _local(line.treatment_datetime).strftime("%Y-%m-%d %H:%M:%S")),
    ]
    if line.duration_minutes:
        hours, minutes = divmod(line.duration_minutes, 60)
        pairs.append((PROP_TREATMENT_DURATION, f"{hours:02d}:{minutes:02d}:00"))
    optional = (
        (PROP_THERAPIST_HPR, line.therapist_hpr),
        (PROP_THERAPIST_NAME, line.therapist_name),
        (PROP_PROFESSION, line.profession),
        (PROP_DIAGNOSE, line.diagnose),
        (PROP_PATIENT_ID, line.patient_id),
    )
    pairs.extend((name, value.strip()) for name, value in optional if value and value.strip())
    return pairs


def _line(root: etree._Element, index: int, line: LineInput, amount: Decimal, inp: InvoiceInput, is_credit: bool) -> None:
    node = _sub(root, cac("CreditNoteLine" if is_credit else "InvoiceLine"))
    _sub(node, cbc("ID"), str(index))
    if line.note:
        _sub(node, cbc("Note"), line.note)
    _sub(node, cbc("CreditedQuantity" if is_credit else "InvoicedQuantity"), format_decimal(line.quantity), unitCode=line.unit_code)
    _amount(node, cbc("LineExtensionAmount"), amount, inp.currency)
    item = _sub(node, cac("Item"))
    _sub(item, cbc("Name"), line.description)
    _sub(_sub(item, cac("SellersItemIdentification")), cbc("ID"), line.treatment_id)
    _tax_category(item, cac("ClassifiedTaxCategory"), inp, with_reason=False)
    for name, value in treatment_properties(line):
        prop = _sub(item, cac("AdditionalItemProperty"))
        _sub(prop, cbc("Name"), name)
        _sub(prop, cbc("Value"), value)
    price = _sub(node, cac("Price"))
    _sub(price, cbc("PriceAmount"), _price_text(line.unit_price), currencyID=inp.currency)


def _price_text(price: Decimal) -> str:
    """A unit price keeps finer precision than øre when it has it (BR-DEC limits only totals)."""
    return format_decimal(money(price) if price.as_tuple().exponent >= -2 else price)
