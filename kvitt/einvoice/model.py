"""A typed picture of one Peppol BIS Billing 3.0 Invoice or CreditNote.

The parser fills it from any sender's XML; the renderer and the insurers' claim intake read it.
Amounts are ``Decimal`` exactly as written in the document (``Decimal('1460.5')`` stays one
decimal), never float. Optional business terms are ``None`` or empty lists when absent.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from kvitt.einvoice.ubl import (
    CREDIT_NOTE,
    FORETAKSREGISTERET,
    INVOICE,
    TAX_SCHEME_VAT,
)


@dataclass(frozen=True)
class Identifier:
    """An identifier with its optional scheme (ISO 6523 ICD such as ``0192``, or ``0088``)."""

    value: str
    scheme: str | None = None

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}" if self.scheme else self.value


@dataclass(frozen=True)
class Address:
    street: str | None = None
    additional_street: str | None = None
    city: str | None = None
    postal_zone: str | None = None
    country_subentity: str | None = None
    address_line: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class PartyTaxScheme:
    company_id: str
    tax_scheme: str


@dataclass(frozen=True)
class LegalEntity:
    registration_name: str | None = None
    company_id: Identifier | None = None
    legal_form: str | None = None


@dataclass(frozen=True)
class Contact:
    name: str | None = None
    telephone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Party:
    endpoint: Identifier | None = None
    identifications: tuple[Identifier, ...] = ()
    name: str | None = None
    address: Address | None = None
    tax_schemes: tuple[PartyTaxScheme, ...] = ()
    legal_entity: LegalEntity | None = None
    contact: Contact | None = None

    @property
    def vat_id(self) -> str | None:
        """BT-31/BT-48: the CompanyID under TaxScheme VAT."""
        return next((t.company_id for t in self.tax_schemes if t.tax_scheme == TAX_SCHEME_VAT), None)

    @property
    def tax_registration_id(self) -> str | None:
        """BT-32: a CompanyID under a scheme other than VAT (in Norway ``Foretaksregisteret``)."""
        return next((t.company_id for t in self.tax_schemes if t.tax_scheme != TAX_SCHEME_VAT), None)

    @property
    def in_foretaksregisteret(self) -> bool:
        return any(t.company_id == FORETAKSREGISTERET for t in self.tax_schemes)

    @property
    def display_name(self) -> str:
        legal = self.legal_entity.registration_name if self.legal_entity else None
        return self.name or legal or ""

    @property
    def org_number(self) -> str | None:
        """The Norwegian organisation number, wherever the sender put it with scheme 0192."""
        candidates = [self.endpoint, self.legal_entity.company_id if self.legal_entity else None, *self.identifications]
        return next((c.value for c in candidates if c is not None and c.scheme == "0192"), None)


@dataclass(frozen=True)
class TaxCategory:
    id: str
    percent: Decimal | None = None
    exemption_reason: str | None = None
    exemption_reason_code: str | None = None
    tax_scheme: str = TAX_SCHEME_VAT


@dataclass(frozen=True)
class TaxSubtotal:
    taxable_amount: Decimal
    tax_amount: Decimal
    category: TaxCategory


@dataclass(frozen=True)
class TaxTotal:
    tax_amount: Decimal
    currency: str
    subtotals: tuple[TaxSubtotal, ...] = ()


@dataclass(frozen=True)
class MonetaryTotal:
    line_extension_amount: Decimal
    tax_exclusive_amount: Decimal
    tax_inclusive_amount: Decimal
    payable_amount: Decimal
    allowance_total_amount: Decimal | None = None
    charge_total_amount: Decimal | None = None
    prepaid_amount: Decimal | None = None
    payable_rounding_amount: Decimal | None = None


@dataclass(frozen=True)
class FinancialAccount:
    id: str
    name: str | None = None
    institution_branch: str | None = None  # BIC in Peppol BIS 3


@dataclass(frozen=True)
class PaymentMeans:
    code: str
    code_name: str | None = None
    payment_id: str | None = None  # in Norway the KID
    account: FinancialAccount | None = None
    due_date: datetime.date | None = None  # CreditNote carries BT-9 here
    card_account: str | None = None
    mandate_id: str | None = None


@dataclass(frozen=True)
class Period:
    start: datetime.date | None = None
    end: datetime.date | None = None
    description_code: str | None = None


@dataclass(frozen=True)
class DocumentReference:
    id: str
    issue_date: datetime.date | None = None
    type_code: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class AllowanceCharge:
    charge_indicator: bool
    amount: Decimal
    base_amount: Decimal | None = None
    multiplier_factor: Decimal | None = None
    reason: str | None = None
    reason_code: str | None = None
    tax_category: TaxCategory | None = None

    @property
    def signed_amount(self) -> Decimal:
        return self.amount if self.charge_indicator else -self.amount


@dataclass(frozen=True)
class ItemProperty:
    name: str
    value: str


@dataclass(frozen=True)
class Item:
    name: str
    description: str | None = None
    sellers_id: str | None = None
    buyers_id: str | None = None
    standard_id: Identifier | None = None
    classifications: tuple[Identifier, ...] = ()
    origin_country: str | None = None
    tax_category: TaxCategory | None = None
    properties: tuple[ItemProperty, ...] = ()

    def property(self, name: str) -> str | None:
        """The value of the first AdditionalItemProperty called ``name`` (case-sensitive, as sent)."""
        return next((p.value for p in self.properties if p.name == name), None)


@dataclass(frozen=True)
class Price:
    amount: Decimal
    base_quantity: Decimal | None = None
    base_quantity_unit: str | None = None
    allowance: AllowanceCharge | None = None


@dataclass(frozen=True)
class Line:
    id: str
    quantity: Decimal
    unit_code: str | None
    line_extension_amount: Decimal
    item: Item
    price: Price
    note: str | None = None
    accounting_cost: str | None = None
    period: Period | None = None
    order_line_reference: str | None = None
    document_reference: DocumentReference | None = None
    allowance_charges: tuple[AllowanceCharge, ...] = ()


@dataclass(frozen=True)
class Document:
    """BT/BG terms of EN 16931 as Peppol BIS 3 binds them to UBL; ``kind`` is the root element name."""

    kind: str
    id: str
    issue_date: datetime.date
    type_code: str | None
    currency: str
    supplier: Party
    customer: Party
    monetary_total: MonetaryTotal
    lines: tuple[Line, ...]
    customization_id: str | None = None
    profile_id: str | None = None
    due_date: datetime.date | None = None
    tax_point_date: datetime.date | None = None
    notes: tuple[str, ...] = ()
    tax_currency: str | None = None
    accounting_cost: str | None = None
    buyer_reference: str | None = None
    invoice_period: Period | None = None
    order_reference: str | None = None
    sales_order_reference: str | None = None
    billing_references: tuple[DocumentReference, ...] = ()
    despatch_reference: str | None = None
    receipt_reference: str | None = None
    originator_reference: str | None = None
    contract_reference: str | None = None
    project_reference: str | None = None
    additional_references: tuple[DocumentReference, ...] = ()
    payee: Party | None = None
    tax_representative: Party | None = None
    delivery_date: datetime.date | None = None
    delivery_location: Identifier | None = None
    payment_means: tuple[PaymentMeans, ...] = ()
    payment_terms: str | None = None
    allowance_charges: tuple[AllowanceCharge, ...] = ()
    tax_totals: tuple[TaxTotal, ...] = field(default_factory=tuple)

    @property
    def is_credit_note(self) -> bool:
        return self.kind == CREDIT_NOTE

    @property
    def is_invoice(self) -> bool:
        return self.kind == INVOICE

    @property
    def sak_id(self) -> str | None:
        """The insurer's treatment assignment id (SakID) travels as the order reference."""
        return self.order_reference

    @property
    def kid(self) -> str | None:
        return next((m.payment_id for m in self.payment_means if m.payment_id), None)

    @property
    def payable_due_date(self) -> datetime.date | None:
        """BT-9 wherever the document type keeps it (Invoice: cbc:DueDate, CreditNote: PaymentMeans)."""
        return self.due_date or next((m.due_date for m in self.payment_means if m.due_date), None)

    @property
    def tax_total(self) -> TaxTotal | None:
        """The TaxTotal in the document currency (the one with the VAT breakdown)."""
        return next((t for t in self.tax_totals if t.currency == self.currency), None) or (
            self.tax_totals[0] if self.tax_totals else None
        )

    @property
    def payable_amount(self) -> Decimal:
        return self.monetary_total.payable_amount
