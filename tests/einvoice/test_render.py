import dataclasses

import pytest

from kvitt.einvoice.builder import build_credit_note, build_invoice
from kvitt.einvoice.parser import parse_document
from kvitt.einvoice.render import render_html, render_pdf
from tests.einvoice.builders_data import CREDIT_NOTE_E, INVOICE_E


def test_html_shows_what_a_clerk_checks():
    html = render_html(parse_document(build_invoice(INVOICE_E)), "nb")
    for text in ("Faktura 100123", "SAK-778899", "Fysio Bjørvika", "Trygg Forsikring", "923609016",
                 "Foretaksregisteret", "TreatmentDateTime: 2026-03-02 09:00:00", "Diagnose: L92 Skulder lidelse uspesifisert",
                 "2 000,00", "86011117947", "0001001239", "merverdiavgiftsloven § 3-2", "Å betale"):
        assert text.replace(" ", "\xa0") in html.replace(" ", "\xa0"), text


@pytest.mark.parametrize("language, title, due", [("en", "Invoice", "Due date"), ("sv", "Faktura", "Förfallodatum"), ("xx", "Invoice", "Due date")])
def test_html_in_each_language(language, title, due):
    html = render_html(parse_document(build_invoice(INVOICE_E)), language)
    assert f"{title} 100123" in html and due in html


def test_credit_note_shows_the_credited_invoice():
    html = render_html(parse_document(build_credit_note(CREDIT_NOTE_E)), "en")
    assert "Credit note 100124" in html and "Credits invoice" in html and "100123" in html


def test_values_from_outside_are_escaped():
    hostile = dataclasses.replace(INVOICE_E, note='<script>alert(1)</script><img src="http://evil.example/x.png">')
    html = render_html(parse_document(build_invoice(hostile)), "en")
    assert "<script>" not in html and "&lt;script&gt;" in html and '<img src="http' not in html


def test_pdf_renders_and_fetches_nothing(shared_fixtures):
    pdf = render_pdf(parse_document(build_invoice(INVOICE_E)), "nb")
    assert pdf.startswith(b"%PDF-") and len(pdf) > 2000
    other = parse_document((shared_fixtures / "peppol" / "national-examples" / "NO" / "Norwegian-example-1.xml").read_bytes())
    assert render_pdf(other, "en").startswith(b"%PDF-")


def test_html_renders_every_official_example(shared_fixtures):
    files = sorted((shared_fixtures / "peppol" / "examples").glob("*.xml")) + sorted((shared_fixtures / "cen" / "testfiles").glob("*.xml"))
    for path in files:
        doc = parse_document(path.read_bytes())
        html = render_html(doc, "en")
        assert doc.id in html, path.name
