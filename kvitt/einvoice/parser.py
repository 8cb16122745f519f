"""Read any Peppol BIS Billing 3.0 Invoice or CreditNote into :mod:`kvitt.einvoice.model`.

The parser checks what it needs to build the model (right root, the mandatory parts present,
numbers and dates well-formed) and names the element when something is wrong; whether the
document obeys the business rules is the validator's question, not the parser's.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from lxml import etree

from kvitt.core.xmlsafe import XmlError, parse_xml
from kvitt.einvoice import model as m
from kvitt.einvoice.ubl import (
    CREDIT_NOTE,
    INVOICE,
    ROOT_NAMESPACES,
    EInvoiceError,
    element_path,
    qualified,
)


_XSD_DECIMAL = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def parse_document(data: bytes) -> m.Document:
    """Parse UBL bytes (an Invoice or CreditNote root) into a :class:`~kvitt.einvoice.model.Document`."""
    return document_from_element(parse_root(data))


def parse_root(data: bytes) -> etree._Element:
    """Safely parse ``data`` and check that the root is a UBL Invoice or CreditNote."""
    try:
        root = parse_xml(data)
    except XmlError as exc:
        raise EInvoiceError(exc.message, element="document", line=exc.line) from None
    check_root(root)
    return root


def check_root(root: etree._Element) -> str:
    """Return ``'Invoice'`` or ``'CreditNote'``, or raise naming what the root actually is."""
    qname = etree.QName(root)
    if qname.localname not in ROOT_NAMESPACES:
        raise EInvoiceError(
            f"root element is {qname.localname!r}; expected a UBL Invoice or CreditNote",
            element=f"/{qname.localname}",
            line=root.sourceline,
        )
    expected_ns = ROOT_NAMESPACES[qname.localname]
    if qname.namespace != expected_ns:
        raise EInvoiceError(
            f"root element {qname.localname!r} is in namespace {qname.namespace or '(none)'!r}; "
            f"a UBL 2.1 {qname.localname} uses {expected_ns!r}",
            element=f"/{qname.localname}",
            line=root.sourceline,
        )
    return qname.localname


def document_from_element(root: etree._Element) -> m.Document:
    kind = check_root(root)
    is_credit = kind == CREDIT_NOTE
    r = _Reader(root)
    line_tag = "cac:CreditNoteLine" if is_credit else "cac:InvoiceLine"
    line_elements = r.all(root, line_tag)
    if not line_elements:
        raise EInvoiceError(f"{kind} has no {line_tag}; at least one line is required", element=f"/{kind}")
    return m.Document(
        kind=kind,
        id=r.required_text(root, "cbc:ID"),
        issue_date=r.required_date(root, "cbc:IssueDate"),
        type_code=r.text(root, "cbc:CreditNoteTypeCode" if is_credit else "cbc:InvoiceTypeCode"),
        currency=r.required_text(root, "cbc:DocumentCurrencyCode"),
        supplier=r.party(r.required(r.required(root, "cac:AccountingSupplierParty"), "cac:Party")),
        customer=r.party(r.required(r.required(root, "cac:AccountingCustomerParty"), "cac:Party")),
        monetary_total=r.monetary_total(r.required(root, "cac:LegalMonetaryTotal")),
        lines=tuple(r.line(el, is_credit) for el in line_elements),
        customization_id=r.text(root, "cbc:CustomizationID"),
        profile_id=r.text(root, "cbc:ProfileID"),
        due_date=r.date(root, "cbc:DueDate"),
        tax_point_date=r.date(root, "cbc:TaxPointDate"),
        notes=tuple(r.all_text(root, "cbc:Note")),
        tax_currency=r.text(root, "cbc:TaxCurrencyCode"),
        accounting_cost=r.text(root, "cbc:AccountingCost"),
        buyer_reference=r.text(root, "cbc:BuyerReference"),
        invoice_period=r.period(r.first(root, "cac:InvoicePeriod")),
        order_reference=r.path_text(root, "cac:OrderReference", "cbc:ID"),
        sales_order_reference=r.path_text(root, "cac:OrderReference", "cbc:SalesOrderID"),
        billing_references=tuple(
            r.document_reference(ref)
            for billing in r.all(root, "cac:BillingReference")
            for ref in r.all(billing, "cac:InvoiceDocumentReference")
        ),
        despatch_reference=r.path_text(root, "cac:DespatchDocumentReference", "cbc:ID"),
        receipt_reference=r.path_text(root, "cac:ReceiptDocumentReference", "cbc:ID"),
        originator_reference=r.path_text(root, "cac:OriginatorDocumentReference", "cbc:ID"),
        contract_reference=r.path_text(root, "cac:ContractDocumentReference", "cbc:ID"),
        project_reference=r.path_text(root, "cac:ProjectReference", "cbc:ID"),
        additional_references=tuple(
            r.document_reference(el) for el in r.all(root, "cac:AdditionalDocumentReference")
        ),
        payee=r.optional_party(r.first(root, "cac:PayeeParty")),
        tax_representative=r.optional_party(r.first(root, "cac:TaxRepresentativeParty")),
        delivery_date=r.date_at(root, "cac:Delivery", "cbc:ActualDeliveryDate"),
        delivery_location=r.identifier(r.first_at(root, "cac:Delivery", "cac:DeliveryLocation", "cbc:ID")),
        payment_means=tuple(r.payment_means(el) for el in r.all(root, "cac:PaymentMeans")),
        payment_terms=r.path_text(root, "cac:PaymentTerms", "cbc:Note"),
        allowance_charges=tuple(r.allowance_charge(el) for el in r.all(root, "cac:AllowanceCharge")),
        tax_totals=tuple(r.tax_total(el) for el in r.all(root, "cac:TaxTotal")),
    )


class _Reader:
    """Child lookups by the standard's prefixed names, with errors that point at the element."""

    def __init__(self, root: etree._Element):
        self.root = root

    # --- navigation -------------------------------------------------------------------------
    def first(self, parent: etree._Element | None, name: str) -> etree._Element | None:
        if parent is None:
            return None
        return parent.find(qualified(name))

    def first_at(self, parent: etree._Element | None, *names: str) -> etree._Element | None:
        node = parent
        for name in names:
            node = self.first(node, name)
            if node is None:
                return None
        return node

    def all(self, parent: etree._Element | None, name: str) -> list[etree._Element]:
        return [] if parent is None else parent.findall(qualified(name))

    def required(self, parent: etree._Element, name: str) -> etree._Element:
        node = self.first(parent, name)
        if node is None:
            raise EInvoiceError(
                f"required element {name} is missing", element=f"{element_path(parent)}/{name}", line=parent.sourceline
            )
        return node

    # --- values -----------------------------------------------------------------------------
    @staticmethod
    def _clean(node: etree._Element | None) -> str | None:
        if node is None or node.text is None:
            return None
        value = node.text.strip()
        return value or None

    def text(self, parent: etree._Element | None, name: str) -> str | None:
        return self._clean(self.first(parent, name))

    def path_text(self, parent: etree._Element | None, *names: str) -> str | None:
        return self._clean(self.first_at(parent, *names))

    def all_text(self, parent: etree._Element, name: str) -> list[str]:
        return [t for t in (self._clean(n) for n in self.all(parent, name)) if t]

    def required_text(self, parent: etree._Element, name: str) -> str:
        node = self.required(parent, name)
        value = self._clean(node)
        if value is None:
            raise EInvoiceError(f"{name} is empty", element=element_path(node), line=node.sourceline)
        return value

    def _decimal_of(self, node: etree._Element) -> Decimal:
        raw = self._clean(node)
        if raw is None:
            raise EInvoiceError(f"{etree.QName(node).localname} is empty", element=element_path(node), line=node.sourceline)
        # xsd:decimal is digits with an optional sign and point: no exponent, NaN, Infinity or "_".
        if not _XSD_DECIMAL.match(raw):
            raise EInvoiceError(f"{raw!r} is not a decimal number", element=element_path(node), line=node.sourceline)
        try:
            return Decimal(raw)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
            raise EInvoiceError(f"{raw!r} is not a decimal number", element=element_path(node), line=node.sourceline) from None

    def decimal(self, parent: etree._Element | None, name: str) -> Decimal | None:
        node = self.first(parent, name)
        return None if node is None else self._decimal_of(node)

    def required_decimal(self, parent: etree._Element, name: str) -> Decimal:
        return self._decimal_of(self.required(parent, name))

    def _date_of(self, node: etree._Element | None) -> datetime.date | None:
        raw = self._clean(node)
        if raw is None:
            return None
        try:
            # Peppol BIS 3 dates are YYYY-MM-DD without a time zone.
            if not _ISO_DATE.match(raw):
                raise ValueError(raw)
            return datetime.date.fromisoformat(raw)
        except ValueError:
            raise EInvoiceError(
                f"{raw!r} is not a date in the form YYYY-MM-DD", element=element_path(node), line=node.sourceline
            ) from None

    def date(self, parent: etree._Element | None, name: str) -> datetime.date | None:
        return self._date_of(self.first(parent, name))

    def date_at(self, parent: etree._Element | None, *names: str) -> datetime.date | None:
        return self._date_of(self.first_at(parent, *names))

    def required_date(self, parent: etree._Element, name: str) -> datetime.date:
        node = self.required(parent, name)
        value = self._date_of(node)
        if value is None:
            raise EInvoiceError(f"{name} is empty", element=element_path(node), line=node.sourceline)
        return value

    def identifier(self, node: etree._Element | None) -> m.Identifier | None:
        value = self._clean(node)
        if value is None:
            return None
        return m.Identifier(value=value, scheme=node.get("schemeID") or node.get("listID"))

    def boolean(self, parent: etree._Element, name: str) -> bool:
        node = self.required(parent, name)
        raw = self._clean(node)
        if raw not in ("true", "false"):
            raise EInvoiceError(f"{raw!r} is not true or false", element=element_path(node), line=node.sourceline)
        return raw == "true"

    # --- aggregates -------------------------------------------------------------------------
    def address(self, node: etree._Element | None) -> m.Address | None:
        if node is None:
            return None
        return m.Address(
            street=self.text(node, "cbc:StreetName"),
            additional_street=self.text(node, "cbc:AdditionalStreetName"),
            city=self.text(node, "cbc:CityName"),
            postal_zone=self.text(node, "cbc:PostalZone"),
            country_subentity=self.text(node, "cbc:CountrySubentity"),
            address_line=self.path_text(node, "cac:AddressLine", "cbc:Line"),
            country=self.path_text(node, "cac:Country", "cbc:IdentificationCode"),
        )

    def party(self, node: etree._Element) -> m.Party:
        legal = self.first(node, "cac:PartyLegalEntity")
        contact = self.first(node, "cac:Contact")
        return m.Party(
            endpoint=self.identifier(self.first(node, "cbc:EndpointID")),
            identifications=tuple(
                i for i in (self.identifier(self.first(p, "cbc:ID")) for p in self.all(node, "cac:PartyIdentification")) if i
            ),
            name=self.path_text(node, "cac:PartyName", "cbc:Name"),
            address=self.address(self.first(node, "cac:PostalAddress")),
            tax_schemes=tuple(
                m.PartyTaxScheme(
                    company_id=self.text(ts, "cbc:CompanyID") or "",
                    tax_scheme=self.path_text(ts, "cac:TaxScheme", "cbc:ID") or "",
                )
                for ts in self.all(node, "cac:PartyTaxScheme")
            ),
            legal_entity=None
            if legal is None
            else m.LegalEntity(
                registration_name=self.text(legal, "cbc:RegistrationName"),
                company_id=self.identifier(self.first(legal, "cbc:CompanyID")),
                legal_form=self.text(legal, "cbc:CompanyLegalForm"),
            ),
            contact=None
            if contact is None
            else m.Contact(
                name=self.text(contact, "cbc:Name"),
                telephone=self.text(contact, "cbc:Telephone"),
                email=self.text(contact, "cbc:ElectronicMail"),
            ),
        )

    def optional_party(self, node: etree._Element | None) -> m.Party | None:
        return None if node is None else self.party(node)

    def period(self, node: etree._Element | None) -> m.Period | None:
        if node is None:
            return None
        return m.Period(
            start=self.date(node, "cbc:StartDate"),
            end=self.date(node, "cbc:EndDate"),
            description_code=self.text(node, "cbc:DescriptionCode"),
        )

    def document_reference(self, node: etree._Element) -> m.DocumentReference:
        return m.DocumentReference(
            id=self.required_text(node, "cbc:ID"),
            issue_date=self.date(node, "cbc:IssueDate"),
            type_code=self.text(node, "cbc:DocumentTypeCode"),
            description=self.text(node, "cbc:DocumentDescription"),
        )

    def tax_category(self, node: etree._Element | None) -> m.TaxCategory | None:
        if node is None:
            return None
        return m.TaxCategory(
            id=self.required_text(node, "cbc:ID"),
            percent=self.decimal(node, "cbc:Percent"),
            exemption_reason=self.text(node, "cbc:TaxExemptionReason"),
            exemption_reason_code=self.text(node, "cbc:TaxExemptionReasonCode"),
            tax_scheme=self.path_text(node, "cac:TaxScheme", "cbc:ID") or "",
        )

    def tax_total(self, node: etree._Element) -> m.TaxTotal:
        amount_node = self.required(node, "cbc:TaxAmount")
        return m.TaxTotal(
            tax_amount=self._decimal_of(amount_node),
            currency=amount_node.get("currencyID") or "",
            subtotals=tuple(
                m.TaxSubtotal(
                    taxable_amount=self.required_decimal(sub, "cbc:TaxableAmount"),
                    tax_amount=self.required_decimal(sub, "cbc:TaxAmount"),
                    category=self.tax_category(self.required(sub, "cac:TaxCategory")),
                )
                for sub in self.all(node, "cac:TaxSubtotal")
            ),
        )

    def monetary_total(self, node: etree._Element) -> m.MonetaryTotal:
        return m.MonetaryTotal(
            line_extension_amount=self.required_decimal(node, "cbc:LineExtensionAmount"),
            tax_exclusive_amount=self.required_decimal(node, "cbc:TaxExclusiveAmount"),
            tax_inclusive_amount=self.required_decimal(node, "cbc:TaxInclusiveAmount"),
            payable_amount=self.required_decimal(node, "cbc:PayableAmount"),
            allowance_total_amount=self.decimal(node, "cbc:AllowanceTotalAmount"),
            charge_total_amount=self.decimal(node, "cbc:ChargeTotalAmount"),
            prepaid_amount=self.decimal(node, "cbc:PrepaidAmount"),
            payable_rounding_amount=self.decimal(node, "cbc:PayableRoundingAmount"),
        )

    def payment_means(self, node: etree._Element) -> m.PaymentMeans:
        code_node = self.required(node, "cbc:PaymentMeansCode")
        account = self.first(node, "cac:PayeeFinancialAccount")
        return m.PaymentMeans(
            code=self.required_text(node, "cbc:PaymentMeansCode"),
            code_name=code_node.get("name"),
            payment_id=self.text(node, "cbc:PaymentID"),
            account=None
            if account is None
            else m.FinancialAccount(
                id=self.required_text(account, "cbc:ID"),
                name=self.text(account, "cbc:Name"),
                institution_branch=self.path_text(account, "cac:FinancialInstitutionBranch", "cbc:ID"),
            ),
            due_date=self.date(node, "cbc:PaymentDueDate"),
            card_account=self.path_text(node, "cac:CardAccount", "cbc:PrimaryAccountNumberID"),
            mandate_id=self.path_text(node, "cac:PaymentMandate", "cbc:ID"),
        )

    def allowance_charge(self, node: etree._Element) -> m.AllowanceCharge:
        return m.AllowanceCharge(
            charge_indicator=self.boolean(node, "cbc:ChargeIndicator"),
            amount=self.required_decimal(node, "cbc:Amount"),
            base_amount=self.decimal(node, "cbc:BaseAmount"),
            multiplier_factor=self.decimal(node, "cbc:MultiplierFactorNumeric"),
            reason=self.text(node, "cbc:AllowanceChargeReason"),
            reason_code=self.text(node, "cbc:AllowanceChargeReasonCode"),
            tax_category=self.tax_category(self.first(node, "cac:TaxCategory")),
        )

    def item(self, node: etree._Element) -> m.Item:
        return m.Item(
            name=self.text(node, "cbc:Name") or "",
            description=self.text(node, "cbc:Description"),
            sellers_id=self.path_text(node, "cac:SellersItemIdentification", "cbc:ID"),
            buyers_id=self.path_text(node, "cac:BuyersItemIdentification", "cbc:ID"),
            standard_id=self.identifier(self.first_at(node, "cac:StandardItemIdentification", "cbc:ID")),
            classifications=tuple(
                i
                for i in (
                    self.identifier(self.first(c, "cbc:ItemClassificationCode"))
                    for c in self.all(node, "cac:CommodityClassification")
                )
                if i
            ),
            origin_country=self.path_text(node, "cac:OriginCountry", "cbc:IdentificationCode"),
            tax_category=self.tax_category(self.first(node, "cac:ClassifiedTaxCategory")),
            properties=tuple(
                m.ItemProperty(name=self.text(p, "cbc:Name") or "", value=self.text(p, "cbc:Value") or "")
                for p in self.all(node, "cac:AdditionalItemProperty")
            ),
        )

    def price(self, node: etree._Element) -> m.Price:
        base = self.first(node, "cbc:BaseQuantity")
        allowance = self.first(node, "cac:AllowanceCharge")
        return m.Price(
            amount=self.required_decimal(node, "cbc:PriceAmount"),
            base_quantity=None if base is None else self._decimal_of(base),
            base_quantity_unit=None if base is None else base.get("unitCode"),
            allowance=None if allowance is None else self.allowance_charge(allowance),
        )

    def line(self, node: etree._Element, is_credit: bool) -> m.Line:
        quantity = self.required(node, "cbc:CreditedQuantity" if is_credit else "cbc:InvoicedQuantity")
        return m.Line(
            id=self.required_text(node, "cbc:ID"),
            quantity=self._decimal_of(quantity),
            unit_code=quantity.get("unitCode"),
            line_extension_amount=self.required_decimal(node, "cbc:LineExtensionAmount"),
            item=self.item(self.required(node, "cac:Item")),
            price=self.price(self.required(node, "cac:Price")),
            note=self.text(node, "cbc:Note"),
            accounting_cost=self.text(node, "cbc:AccountingCost"),
            period=self.period(self.first(node, "cac:InvoicePeriod")),
            order_line_reference=self.path_text(node, "cac:OrderLineReference", "cbc:LineID"),
            document_reference=None
            if (ref := self.first(node, "cac:DocumentReference")) is None
            else self.document_reference(ref),
            allowance_charges=tuple(self.allowance_charge(el) for el in self.all(node, "cac:AllowanceCharge")),
        )


__all__ = ["parse_document", "parse_root", "check_root", "document_from_element", "EInvoiceError", "INVOICE", "CREDIT_NOTE"]
