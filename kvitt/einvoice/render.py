"""Human-readable rendering of a parsed EHF/Peppol document: HTML (Django template) and PDF.

The document may come from anyone, so the template escapes every value and the PDF renderer
fetches nothing (no images, stylesheets or fonts from URLs named in the data).
Callers that show patient details (PatientId, Diagnose) audit-log the read themselves.
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal
from django.template.loader import render_to_string

# weasyprint reports each layout step at INFO; that is noise in a worker log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from kvitt.einvoice.model import Document, Party
from kvitt.einvoice.ubl import TREATMENT_PROPERTY_ORDER

LANGUAGES = ("nb", "sv", "en")
_BABEL_LOCALE = {"nb": "nb_NO", "sv": "sv_SE", "en": "en_GB"}

LABELS = {
    "en": {
        "Invoice": "Invoice", "CreditNote": "Credit note", "number": "Number", "issue_date": "Issue date",
        "due_date": "Due date", "seller": "Seller", "buyer": "Buyer", "org_number": "Org. no.",
        "vat_id": "VAT no.", "order_reference": "Order reference (SakID)", "buyer_reference": "Buyer reference",
        "credits": "Credits invoice", "period": "Period", "line": "Line", "item": "Item", "quantity": "Qty",
        "price": "Unit price", "amount": "Amount", "details": "Treatment details", "vat": "VAT",
        "category": "Category", "taxable": "Taxable amount", "rate": "Rate", "reason": "Exemption reason",
        "line_total": "Sum of lines", "allowances": "Allowances", "charges": "Charges", "tax_exclusive": "Total excl. VAT",
        "tax_amount": "VAT amount", "tax_inclusive": "Total incl. VAT", "prepaid": "Paid in advance",
        "rounding": "Rounding", "payable": "Amount due", "payment": "Payment", "account": "Account",
        "kid": "KID / payment reference", "terms": "Payment terms", "notes": "Notes",
        "Foretaksregisteret": "Registered in Foretaksregisteret",
    },
    "nb": {
        "Invoice": "Faktura", "CreditNote": "Kreditnota", "number": "Nummer", "issue_date": "Fakturadato",
        "due_date": "Forfallsdato", "seller": "Selger", "buyer": "Kjøper", "org_number": "Org.nr.",
        "vat_id": "MVA-nr.", "order_reference": "Ordrereferanse (SakID)", "buyer_reference": "Kjøpers referanse",
        "credits": "Krediterer faktura", "period": "Periode", "line": "Linje", "item": "Vare/tjeneste", "quantity": "Antall",
        "price": "Enhetspris", "amount": "Beløp", "details": "Behandlingsdetaljer", "vat": "MVA",
        "category": "Kategori", "taxable": "Grunnlag", "rate": "Sats", "reason": "Fritaksgrunn",
        "line_total": "Sum linjer", "allowances": "Rabatter", "charges": "Gebyrer", "tax_exclusive": "Sum eks. MVA",
        "tax_amount": "MVA-beløp", "tax_inclusive": "Sum inkl. MVA", "prepaid": "Forskuddsbetalt",
        "rounding": "Øreavrunding", "payable": "Å betale", "payment": "Betaling", "account": "Kontonummer",
        "kid": "KID", "terms": "Betalingsbetingelser", "notes": "Merknader",
        "Foretaksregisteret": "Foretaksregisteret",
    },
    "sv": {
        "Invoice": "Faktura", "CreditNote": "Kreditnota", "number": "Nummer", "issue_date": "Fakturadatum",
        "due_date": "Förfallodatum", "seller": "Säljare", "buyer": "Köpare", "org_number": "Org.nr",
        "vat_id": "Momsreg.nr", "order_reference": "Orderreferens (SakID)", "buyer_reference": "Köparens referens",
        "credits": "Krediterar faktura", "period": "Period", "line": "Rad", "item": "Artikel/tjänst", "quantity": "Antal",
        "price": "Á-pris", "amount": "Belopp", "details": "Behandlingsuppgifter", "vat": "Moms",
        "category": "Kategori", "taxable": "Underlag", "rate": "Sats", "reason": "Undantagsskäl",
        "line_total": "Summa rader", "allowances": "Rabatter", "charges": "Avgifter", "tax_exclusive": "Summa exkl. moms",
        "tax_amount": "Momsbelopp", "tax_inclusive": "Summa inkl. moms", "prepaid": "Förskottsbetalt",
        "rounding": "Öresavrundning", "payable": "Att betala", "payment": "Betalning", "account": "Konto",
        "kid": "KID / betalningsreferens", "terms": "Betalningsvillkor", "notes": "Anmärkningar",
        "Foretaksregisteret": "Foretaksregisteret (NO)",
    },
}


def _language(language: str | None) -> str:
    code = (language or "nb").split("-")[0].lower()
    return code if code in LANGUAGES else "en"


def _amount(value: Decimal | None, locale: str) -> str:
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.00", locale=locale)


def _quantity(value: Decimal, locale: str) -> str:
    return format_decimal(value, format="#,##0.###", locale=locale)


def _date(value: datetime.date | None, locale: str) -> str:
    return format_date(value, format="medium", locale=locale) if value else ""


def _party(party: Party | None) -> dict | None:
    if party is None:
        return None
    address = party.address
    lines = []
    if address:
        lines = [x for x in (address.street, address.additional_street, address.address_line) if x]
        city = " ".join(x for x in (address.postal_zone, address.city) if x)
        if city:
            lines.append(city)
        if address.country:
            lines.append(address.country)
    legal = party.legal_entity
    return {
        "name": party.display_name,
        "legal_name": legal.registration_name if legal and legal.registration_name != party.display_name else "",
        "org_number": party.org_number or (legal.company_id.value if legal and legal.company_id else ""),
        "endpoint": str(party.endpoint) if party.endpoint else "",
        "vat_id": party.vat_id or "",
        "foretaksregisteret": party.in_foretaksregisteret,
        "address": lines,
        "email": party.contact.email if party.contact and party.contact.email else "",
    }


def _details(properties) -> list[tuple[str, str]]:
    """Treatment properties first in the documented order, then whatever else the sender added."""
    known = {name: i for i, name in enumerate(TREATMENT_PROPERTY_ORDER)}
    ordered = sorted(properties, key=lambda p: known.get(p.name, len(known)))
    return [(p.name, p.value) for p in ordered]


def context_for(doc: Document, language: str | None = "nb") -> dict:
    language = _language(language)
    locale = _BABEL_LOCALE[language]
    total = doc.monetary_total
    tax_total = doc.tax_total
    return {
        "lang": language,
        "label": LABELS[language],
        "title": LABELS[language][doc.kind] if doc.kind in LABELS[language] else doc.kind,
        "doc": doc,
        "currency": doc.currency,
        "issue_date": _date(doc.issue_date, locale),
        "due_date": _date(doc.payable_due_date, locale),
        "period": (
            f"{_date(doc.invoice_period.start, locale)} – {_date(doc.invoice_period.end, locale)}" if doc.invoice_period else ""
        ),
        "seller": _party(doc.supplier),
        "buyer": _party(doc.customer),
        "lines": [
            {
                "id": line.id,
                "name": line.item.name,
                "description": line.item.description or "",
                "code": line.item.sellers_id or "",
                "quantity": _quantity(line.quantity, locale),
                "unit": line.unit_code or "",
                "price": _amount(line.price.amount, locale),
                "amount": _amount(line.line_extension_amount, locale),
                "details": _details(line.item.properties),
                "note": line.note or "",
            }
            for line in doc.lines
        ],
        "vat": [
            {
                "category": s.category.id,
                "taxable": _amount(s.taxable_amount, locale),
                "rate": "" if s.category.percent is None else f"{format_decimal(s.category.percent, locale=locale)} %",
                "tax": _amount(s.tax_amount, locale),
                "reason": " ".join(x for x in (s.category.exemption_reason_code, s.category.exemption_reason) if x),
            }
            for s in (tax_total.subtotals if tax_total else ())
        ],
        "totals": [
            (LABELS[language][key], _amount(value, locale))
            for key, value in (
                ("line_total", total.line_extension_amount),
                ("allowances", total.allowance_total_amount),
                ("charges", total.charge_total_amount),
                ("tax_exclusive", total.tax_exclusive_amount),
                ("tax_amount", tax_total.tax_amount if tax_total else None),
                ("tax_inclusive", total.tax_inclusive_amount),
                ("prepaid", total.prepaid_amount),
                ("rounding", total.payable_rounding_amount),
            )
            if value is not None
        ],
        "payable": _amount(total.payable_amount, locale),
        "payments": [
            {
                "code": m.code,
                "account": m.account.id if m.account else "",
                "bic": m.account.institution_branch if m.account and m.account.institution_branch else "",
                "kid": m.payment_id or "",
            }
            for m in doc.payment_means
        ],
    }


def render_html(doc: Document, language: str | None = "nb") -> str:
    """A standalone HTML page showing the document (escaped; no external resources)."""
    return render_to_string("einvoice/document.html", context_for(doc, language))


def _refuse_fetch(url: str, *args, **kwargs):
    raise ValueError(f"rendering fetches nothing from outside ({url})")


def render_pdf(doc: Document, language: str | None = "nb") -> bytes:
    """The same page as PDF through weasyprint."""
    from weasyprint import HTML

    return HTML(string=render_html(doc, language), url_fetcher=_refuse_fetch, base_url=None).write_pdf()
