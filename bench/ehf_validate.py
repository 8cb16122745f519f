"""EHF validation benchmark: the native validator against the official XSLT artefacts.

    python bench/ehf_validate.py [--count 10000] [--seed 7] [--template FILE] [--xsd]
    KVITT_PEPPOL_ARTIFACTS=/path/to/xslt python bench/ehf_validate.py --count 2000

Inputs are generated here (not timed) over lxml from a valid template (by default the
Norwegian Peppol example from ../shared/fixtures when present, otherwise a built-in clinic
invoice): 1-12 lines each, varied quantities, prices, line allowances, document-level
allowances and charges, VAT categories S (25/15/12 % mixed in one document, with exempt lines),
E or O, Invoice or CreditNote, with totals and the VAT breakdown per category and rate
recomputed in Decimal so every document is valid. Timed: parse (kvitt.core.xmlsafe) + CEN + Peppol rules
with the native validator; with ``--xsd`` also the UBL 2.1 schema. Where
``KVITT_PEPPOL_ARTIFACTS`` is set, the same documents go through the official compiled XSLT
(CEN, then Peppol) with saxonche in the same run, and the ratio is printed.
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import random
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kvitt.settings")

import django  # noqa: E402

django.setup()

from lxml import etree  # noqa: E402

from kvitt.core.xmlsafe import parse_xml  # noqa: E402
from kvitt.einvoice.rules import check  # noqa: E402
from kvitt.einvoice.rules.base import CAC_NS, CBC_NS, CREDITNOTE_NS, NS  # noqa: E402

CENT = Decimal("0.01")
HERE = Path(__file__).resolve().parents[1]
DEFAULT_TEMPLATE = HERE.parent / "shared" / "fixtures" / "peppol" / "national-examples" / "NO" / "Norwegian-example-1.xml"

BUILTIN_TEMPLATE = b"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
 <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
 <cbc:ID>1</cbc:ID><cbc:IssueDate>2026-11-23</cbc:IssueDate><cbc:DueDate>2026-12-07</cbc:DueDate>
 <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode><cbc:DocumentCurrencyCode>NOK</cbc:DocumentCurrencyCode>
 <cac:OrderReference><cbc:ID>SAK-1</cbc:ID></cac:OrderReference>
 <cac:AccountingSupplierParty><cac:Party><cbc:EndpointID schemeID="0192">974760673</cbc:EndpointID>
  <cac:PostalAddress><cbc:CityName>Oslo</cbc:CityName><cac:Country><cbc:IdentificationCode>NO</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
  <cac:PartyTaxScheme><cbc:CompanyID>NO974760673MVA</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
  <cac:PartyTaxScheme><cbc:CompanyID>Foretaksregisteret</cbc:CompanyID><cac:TaxScheme><cbc:ID>TAX</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
  <cac:PartyLegalEntity><cbc:RegistrationName>Fysio Sentrum AS</cbc:RegistrationName><cbc:CompanyID>974760673</cbc:CompanyID></cac:PartyLegalEntity>
 </cac:Party></cac:AccountingSupplierParty>
 <cac:AccountingCustomerParty><cac:Party><cbc:EndpointID schemeID="0192">923609016</cbc:EndpointID>
  <cac:PostalAddress><cbc:CityName>Bergen</cbc:CityName><cac:Country><cbc:IdentificationCode>NO</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
  <cac:PartyLegalEntity><cbc:RegistrationName>Forsikring ASA</cbc:RegistrationName></cac:PartyLegalEntity>
 </cac:Party></cac:AccountingCustomerParty>
 <cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cbc:PaymentID>20260001233</cbc:PaymentID>
  <cac:PayeeFinancialAccount><cbc:ID>12345678903</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>
 <cac:TaxTotal><cbc:TaxAmount currencyID="NOK">0</cbc:TaxAmount></cac:TaxTotal>
 <cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="NOK">0</cbc:LineExtensionAmount></cac:LegalMonetaryTotal>
 <cac:InvoiceLine><cbc:ID>1</cbc:ID></cac:InvoiceLine>
</Invoice>"""


def q(tag: str) -> str:
    prefix, local = tag.split(":")
    return f"{{{NS[prefix]}}}{local}"


def sub(parent, tag: str, text=None, **attrs):
    el = etree.SubElement(parent, q(tag), **attrs)
    if text is not None:
        el.text = str(text)
    return el


def money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


class Generator:
    """Varied, valid Invoices and CreditNotes from one template."""

    def __init__(self, template: bytes, seed: int):
        self.template = parse_xml(template)
        self.random = random.Random(seed)
        self.supplier_vat = self.template.find("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme", NS)

    def _document_kind(self) -> str:
        """"S" documents mix standard rates (and exempt lines), "E" are exempt, "O" outside VAT."""
        pick = self.random.random()
        return "S" if pick < 0.5 else "E" if pick < 0.8 else "O"

    def _line_category(self, kind: str):
        if kind == "S":
            if self.random.random() < 0.15:
                return "E", Decimal(0)
            return "S", Decimal(self.random.choice(("25", "15", "12")))
        return (kind, Decimal(0)) if kind == "E" else ("O", None)

    def make(self, number: int) -> bytes:
        root = copy.deepcopy(self.template)
        credit = self.random.random() < 0.2
        line_tag, quantity_tag = ("cac:CreditNoteLine", "cbc:CreditedQuantity") if credit else ("cac:InvoiceLine", "cbc:InvoicedQuantity")
        for old in root.findall("cac:InvoiceLine", NS) + root.findall("cac:CreditNoteLine", NS):
            root.remove(old)
        for old in root.findall("cac:TaxTotal", NS) + root.findall("cac:LegalMonetaryTotal", NS) + root.findall("cac:AllowanceCharge", NS):
            root.remove(old)
        root.find("cbc:ID", NS).text = f"2026-{number:06d}"
        kind = self._document_kind()
        if kind == "O":
            self._drop_vat_identifiers(root)
        lines = []
        for index in range(1, self.random.randint(1, 12) + 1):
            quantity = Decimal(self.random.randint(1, 6))
            price = Decimal(self.random.randint(20000, 150000)) / 100
            allowance = (Decimal(self.random.randint(1, 5000)) / 100) if self.random.random() < 0.2 else None
            net = (quantity * price - (allowance or 0)).quantize(CENT)
            lines.append((index, quantity, price, allowance, net, self._line_category(kind)))
        # Document level allowances (discounts) and charges (fees) in categories the lines use.
        adjustments = []
        for charge in (False, True):
            if self.random.random() < 0.25:
                amount = Decimal(self.random.randint(100, 20000)) / 100
                adjustments.append((charge, amount, self.random.choice(lines)[5]))
        breakdown: dict = {}
        for line in lines:
            breakdown[line[5]] = breakdown.get(line[5], Decimal(0)) + line[4]
        for charge, amount, category in adjustments:
            breakdown[category] += amount if charge else -amount
        if credit:
            root = self._as_credit_note(root)
        self._totals(root, lines, adjustments, breakdown)
        for index, quantity, price, allowance, net, (category, rate) in lines:
            self._line(root, line_tag, quantity_tag, index, quantity, price, allowance, net, category, rate)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    def _drop_vat_identifiers(self, root):
        for scheme in root.findall("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme", NS):
            if scheme.findtext("cac:TaxScheme/cbc:ID", namespaces=NS) == "VAT":
                scheme.getparent().remove(scheme)
        for scheme in root.findall("cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme", NS):
            scheme.getparent().remove(scheme)
        for representative in root.findall("cac:TaxRepresentativeParty", NS):
            root.remove(representative)

    def _as_credit_note(self, root):
        note = etree.Element(f"{{{CREDITNOTE_NS}}}CreditNote", nsmap={None: CREDITNOTE_NS, "cac": CAC_NS, "cbc": CBC_NS})
        tax_point = root.find("cbc:TaxPointDate", NS)
        for child in list(root):
            if child.tag == q("cbc:InvoiceTypeCode"):
                if tax_point is not None:  # CreditNote puts the tax point date before the type code
                    note.append(tax_point)
                sub(note, "cbc:CreditNoteTypeCode", "381")
            elif child.tag in (q("cbc:DueDate"), q("cbc:TaxPointDate")):
                continue
            else:
                note.append(child)
        billing = etree.Element(q("cac:BillingReference"))
        reference = sub(billing, "cac:InvoiceDocumentReference")
        sub(reference, "cbc:ID", "2026-000001")
        note.find("cac:OrderReference", NS).addnext(billing)
        return note

    def _totals(self, root, lines, adjustments, breakdown):
        # TaxTotal follows the payment and exchange-rate groups in both document types.
        followers = [c for c in root if c.tag in (q("cac:PaymentMeans"), q("cac:PaymentTerms"), q("cac:PrepaidPayment"),
                                                   q("cac:TaxExchangeRate"), q("cac:PricingExchangeRate"))]
        anchor = followers[-1] if followers else root.find("cac:AccountingCustomerParty", NS)
        for charge, amount, (category, rate) in adjustments:
            element = etree.Element(q("cac:AllowanceCharge"))
            sub(element, "cbc:ChargeIndicator", "true" if charge else "false")
            sub(element, "cbc:AllowanceChargeReason", "Gebyr" if charge else "Rabatt")
            sub(element, "cbc:Amount", money(amount), currencyID="NOK")
            self._category_element(element, "cac:TaxCategory", category, rate)
            anchor.addnext(element)
            anchor = element
        tax_total = etree.Element(q("cac:TaxTotal"))
        taxes = {key: (taxable * key[1] / 100).quantize(CENT, rounding=ROUND_HALF_UP) if key[1] else Decimal(0)
                 for key, taxable in breakdown.items()}
        tax = sum(taxes.values(), Decimal(0))
        sub(tax_total, "cbc:TaxAmount", money(tax), currencyID="NOK")
        for key in sorted(breakdown, key=lambda k: (k[0], k[1] or 0)):
            subtotal = sub(tax_total, "cac:TaxSubtotal")
            sub(subtotal, "cbc:TaxableAmount", money(breakdown[key]), currencyID="NOK")
            sub(subtotal, "cbc:TaxAmount", money(taxes[key]), currencyID="NOK")
            self._category_element(subtotal, "cac:TaxCategory", key[0], key[1], reason=True)
        line_total = sum((line[4] for line in lines), Decimal(0))
        allowances = sum((a for c, a, _ in adjustments if not c), Decimal(0))
        charges = sum((a for c, a, _ in adjustments if c), Decimal(0))
        exclusive = line_total - allowances + charges
        monetary = etree.Element(q("cac:LegalMonetaryTotal"))
        amounts = [("LineExtensionAmount", line_total), ("TaxExclusiveAmount", exclusive), ("TaxInclusiveAmount", exclusive + tax)]
        if allowances:
            amounts.append(("AllowanceTotalAmount", allowances))
        if charges:
            amounts.append(("ChargeTotalAmount", charges))
        amounts.append(("PayableAmount", exclusive + tax))
        for tag, value in amounts:
            sub(monetary, f"cbc:{tag}", money(value), currencyID="NOK")
        anchor.addnext(tax_total)
        tax_total.addnext(monetary)

    def _category_element(self, parent, tag, category, rate, reason=False):
        element = sub(parent, tag)
        sub(element, "cbc:ID", category)
        if rate is not None:
            sub(element, "cbc:Percent", rate)
        if reason and category == "E":
            sub(element, "cbc:TaxExemptionReason", "Helsetjenester, merverdiavgiftsloven § 3-2")
        if reason and category == "O":
            sub(element, "cbc:TaxExemptionReason", "Utenfor merverdiavgiftsloven")
        scheme = sub(element, "cac:TaxScheme")
        sub(scheme, "cbc:ID", "VAT")

    def _line(self, root, line_tag, quantity_tag, index, quantity, price, allowance, net, category, rate):
        line = sub(root, line_tag)
        sub(line, "cbc:ID", index)
        sub(line, quantity_tag, quantity, unitCode="EA")
        sub(line, "cbc:LineExtensionAmount", money(net), currencyID="NOK")
        if allowance is not None:
            charge = sub(line, "cac:AllowanceCharge")
            sub(charge, "cbc:ChargeIndicator", "false")
            sub(charge, "cbc:AllowanceChargeReason", "Rabatt")
            sub(charge, "cbc:Amount", money(allowance), currencyID="NOK")
        item = sub(line, "cac:Item")
        sub(item, "cbc:Name", f"Behandling {index}")
        self._category_element(item, "cac:ClassifiedTaxCategory", category, rate)
        prop = sub(item, "cac:AdditionalItemProperty")
        sub(prop, "cbc:Name", "TreatmentId")
        sub(prop, "cbc:Value", f"T{index:04d}")
        price_el = sub(line, "cac:Price")
        sub(price_el, "cbc:PriceAmount", money(price), currencyID="NOK")


def native(documents: list[bytes], with_xsd: bool, rules=check) -> tuple[float, float, int]:
    from kvitt.einvoice.validation import _xsd_findings

    invalid = 0
    start, cpu = time.perf_counter(), time.process_time()
    for data in documents:
        root = parse_xml(data)
        findings = (_xsd_findings(root, None) if with_xsd else []) + rules(root)
        invalid += any(f.flag == "fatal" for f in findings)
    return time.perf_counter() - start, time.process_time() - cpu, invalid


def engine_name() -> str:
    from kvitt.einvoice import rules

    if rules._compiled_engine() is None:
        return "Python engine (compiled engine not built or KVITT_EINVOICE_ENGINE=python)"
    from kvitt.einvoice.rules.compiled import engine

    compiled = len(engine.compiled_rule_ids())
    total = sum(1 for r in rules.RULES if not r.batched)
    return f"compiled engine, {compiled} of {total} context rules compiled, UBL-CR table native"


def official(documents: list[bytes]) -> tuple[float, float, int] | None:
    from kvitt.einvoice.validation import OfficialArtifactsUnavailable, official_artifacts, run_stylesheets

    try:
        stylesheets = official_artifacts()
        run_stylesheets(parse_xml(documents[0]), stylesheets)  # compile once, outside the timing
    except OfficialArtifactsUnavailable as exc:
        print(f"official XSLT: not run ({exc})")
        return None
    invalid = 0
    start, cpu = time.perf_counter(), time.process_time()
    for data in documents:
        invalid += any(f.flag == "fatal" for f in run_stylesheets(parse_xml(data), stylesheets))
    return time.perf_counter() - start, time.process_time() - cpu, invalid


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--template", type=Path, default=None, help="a valid UBL Invoice to vary (default: Norwegian example)")
    parser.add_argument("--xsd", action="store_true", help="include the UBL 2.1 schema check in the native timing")
    args = parser.parse_args(argv)

    template_path = args.template or (DEFAULT_TEMPLATE if DEFAULT_TEMPLATE.is_file() else None)
    template = template_path.read_bytes() if template_path else BUILTIN_TEMPLATE
    generator = Generator(template, args.seed)
    start = time.perf_counter()
    documents = [generator.make(n) for n in range(1, args.count + 1)]
    sizes = sum(len(d) for d in documents)
    print(f"generated {len(documents)} documents from {template_path or 'built-in template'} "
          f"({sizes / len(documents) / 1024:.1f} KiB average) in {time.perf_counter() - start:.1f} s")
    print(f"machine: {platform.platform()}, {os.cpu_count()} cpu, {cpu_name()}, Python {platform.python_version()}")

    # Wall-clock rates are what a user sees; CPU-time rates stay meaningful on a busy machine.
    from kvitt.einvoice.rules import check_python

    label = "native (XSD + CEN + Peppol rules)" if args.xsd else "native (CEN + Peppol rules)"
    if check is not check_python and engine_name().startswith("compiled"):
        seconds, cpu, invalid = native(documents, args.xsd, rules=lambda root: check_python(root))
        print(f"{label}, Python engine: {len(documents)} in {seconds:.2f} s = {len(documents) / seconds:.0f} invoices/s "
              f"({len(documents) / cpu:.0f} per CPU-second), {invalid} with fatal findings")
    seconds, cpu, invalid = native(documents, args.xsd)
    native_rate, native_cpu_rate = len(documents) / seconds, len(documents) / cpu
    print(f"{label}, {engine_name()}: {len(documents)} in {seconds:.2f} s = {native_rate:.0f} invoices/s "
          f"({native_cpu_rate:.0f} per CPU-second), {invalid} with fatal findings")

    result = official(documents)
    if result is not None:
        seconds, cpu, invalid = result
        official_rate, official_cpu_rate = len(documents) / seconds, len(documents) / cpu
        print(f"official XSLT (saxonche): {len(documents)} in {seconds:.2f} s = {official_rate:.0f} invoices/s "
              f"({official_cpu_rate:.0f} per CPU-second), {invalid} with fatal findings")
        print(f"ratio native/official: {native_rate / official_rate:.1f}x wall, {native_cpu_rate / official_cpu_rate:.1f}x CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
