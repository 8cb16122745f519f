import dataclasses
import datetime
import os
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from kvitt.core.identifiers.no import kid
from kvitt.einvoice import builder, xsd
from kvitt.einvoice.builder import LineInput, build_credit_note, build_invoice
from kvitt.einvoice.parser import parse_document
from kvitt.einvoice.ubl import EInvoiceError
from tests.einvoice.builders_data import BUYER, CREDIT_NOTE_E, INVOICE_E, INVOICE_O, LINES_E, OSLO, SELLER_E

GOLDEN = Path(__file__).parent / "golden"
CASES = {
    "invoice_vat_e_mod10.xml": lambda: build_invoice(INVOICE_E),
    "invoice_vat_o_mod11_iban.xml": lambda: build_invoice(INVOICE_O),
    "creditnote_vat_e.xml": lambda: build_credit_note(CREDIT_NOTE_E),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_files(name):
    built = CASES[name]()
    path = GOLDEN / name
    if os.environ.get("KVITT_UPDATE_GOLDEN"):
        path.write_bytes(built)
    assert built == path.read_bytes(), f"{name} differs; rerun with KVITT_UPDATE_GOLDEN=1 after checking the change"


@pytest.fixture(scope="module")
def schema_dir(shared_fixtures):
    folder = shared_fixtures / "ubl-2.1-xsd"
    if not folder.is_dir():
        pytest.skip("UBL 2.1 schemas are not present")
    return folder


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_built_document_passes_the_xsd(name, schema_dir):
    assert xsd.validate_xsd(CASES[name](), schema_dir) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_built_document_passes_the_native_rules_without_fatal_findings(name, schema_dir):
    from kvitt.einvoice.validation import validate_document

    report = validate_document(CASES[name](), schema_dir=schema_dir)
    assert report.valid, [(f.id, f.message) for f in report.fatal]
    # The only acceptable warning: a sole proprietorship outside Foretaksregisteret (NO-R-002).
    assert {f.id for f in report.warnings} <= {"NO-R-002"}


def test_invoice_says_what_the_insurer_needs():
    doc = parse_document(build_invoice(INVOICE_E))
    assert doc.kind == "Invoice" and doc.type_code == "380"
    assert doc.customization_id == "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
    assert doc.profile_id == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    assert doc.sak_id == "SAK-778899"
    assert (doc.supplier.endpoint.scheme, doc.supplier.endpoint.value) == ("0192", "923609016")
    assert (doc.customer.endpoint.scheme, doc.customer.endpoint.value) == ("0192", "995568217")
    assert doc.supplier.in_foretaksregisteret and doc.supplier.vat_id is None
    assert doc.supplier.legal_entity.registration_name == "Fysio Bjørvika AS"
    assert doc.due_date == datetime.date(2026, 4, 3)
    assert doc.invoice_period.start == datetime.date(2026, 3, 2) and doc.invoice_period.end == datetime.date(2026, 3, 16)
    means = doc.payment_means[0]
    assert means.code == "30" and means.account.id == "86011117947"
    assert kid.validate(doc.kid, "MOD10", 10) == doc.kid == kid.make("100123", "MOD10", 10)
    assert "KID " + doc.kid in doc.payment_terms
    first = doc.lines[0].item
    assert [p.name for p in first.properties] == [
        "TreatmentId", "TreatmentDateTime", "TreatmentDuration", "TherapistHpr",
        "TherapistName", "Profession", "Diagnose", "PatientId",
    ]
    assert first.property("TreatmentDateTime") == "2026-03-02 09:00:00"
    assert first.property("TreatmentDuration") == "01:00:00"
    assert first.property("Diagnose") == "L92 Skulder lidelse uspesifisert"
    assert doc.lines[1].item.property("TreatmentDuration") == "00:30:00"
    assert [p.name for p in doc.lines[2].item.properties] == ["TreatmentId", "TreatmentDateTime"]
    assert first.sellers_id == "B1010"


def test_totals_round_each_line_to_ore_then_add():
    doc = parse_document(build_invoice(INVOICE_E))
    # 1.5 x 333.33 = 499.995 -> 500.00 (half up); 850 + 650 + 500 = 2000.00
    assert [line.line_extension_amount for line in doc.lines] == [Decimal("850.00"), Decimal("650.00"), Decimal("500.00")]
    total = doc.monetary_total
    assert total.line_extension_amount == total.tax_exclusive_amount == total.tax_inclusive_amount == Decimal("2000.00")
    assert total.payable_amount == Decimal("2000.00")
    assert doc.tax_total.tax_amount == Decimal("0.00")


def test_vat_category_e_states_rate_zero_and_the_exemption_reason():
    doc = parse_document(build_invoice(INVOICE_E))
    [subtotal] = doc.tax_total.subtotals
    assert subtotal.category.id == "E" and subtotal.category.percent == Decimal("0")
    assert "merverdiavgiftsloven § 3-2" in subtotal.category.exemption_reason
    assert subtotal.taxable_amount == Decimal("2000.00")
    assert all(line.item.tax_category.id == "E" and line.item.tax_category.percent == 0 for line in doc.lines)


def test_vat_category_o_has_no_vat_identifier_and_no_rate():
    seller = dataclasses.replace(INVOICE_O.seller, vat_number="NO914778271MVA")
    doc = parse_document(build_invoice(dataclasses.replace(INVOICE_O, seller=seller)))
    assert doc.supplier.vat_id is None and doc.customer.vat_id is None
    [subtotal] = doc.tax_total.subtotals
    assert subtotal.category.id == "O" and subtotal.category.percent is None
    assert subtotal.category.exemption_reason_code == "VATEX-EU-O"
    assert doc.lines[0].item.tax_category.percent is None


def test_seller_vat_number_is_shown_for_category_e():
    seller = dataclasses.replace(SELLER_E, vat_number="NO923609016MVA")
    doc = parse_document(build_invoice(dataclasses.replace(INVOICE_E, seller=seller)))
    assert doc.supplier.vat_id == "NO923609016MVA" and doc.supplier.in_foretaksregisteret


def test_mod11_kid_and_iban_account():
    doc = parse_document(build_invoice(INVOICE_O))
    assert doc.kid == "1009-"  # MOD11 remainder 1 gives a hyphen
    assert doc.payment_means[0].account.id == "NO9386011117947"
    assert doc.payment_means[0].account.institution_branch == "DNBANOKK"
    assert doc.monetary_total.payable_amount == Decimal("1450.00")


def test_credit_note_refers_to_the_invoice():
    doc = parse_document(build_credit_note(CREDIT_NOTE_E))
    assert doc.kind == "CreditNote" and doc.type_code == "381"
    [ref] = doc.billing_references
    assert ref.id == "100123" and ref.issue_date == datetime.date(2026, 3, 20)
    assert doc.lines[0].quantity == Decimal("1") and doc.payable_amount == Decimal("650.00")
    assert doc.sak_id == "SAK-778899" and doc.payment_means == ()
    assert doc.notes == ("Timen 9. mars ble avlyst av pasienten.",)


def test_credit_note_needs_a_credited_invoice_and_invoice_must_not_have_one():
    with pytest.raises(EInvoiceError) as exc:
        build_credit_note(INVOICE_E)
    assert exc.value.element == "credited_invoice"
    with pytest.raises(EInvoiceError):
        build_invoice(CREDIT_NOTE_E)


@pytest.mark.parametrize(
    "change, element",
    [
        (lambda i: dataclasses.replace(i, sak_id=" "), "sak_id"),
        (lambda i: dataclasses.replace(i, lines=()), "lines"),
        (lambda i: dataclasses.replace(i, due_date=None), "due_date"),
        (lambda i: dataclasses.replace(i, due_date=datetime.date(2026, 1, 1)), "due_date"),
        (lambda i: dataclasses.replace(i, seller=dataclasses.replace(SELLER_E, org_number="123456789")), "seller.org_number"),
        (lambda i: dataclasses.replace(i, buyer=dataclasses.replace(BUYER, org_number="99556821")), "buyer.org_number"),
        (lambda i: dataclasses.replace(i, seller=dataclasses.replace(SELLER_E, vat_category="S")), "seller.vat_category"),
        (lambda i: dataclasses.replace(i, seller=dataclasses.replace(SELLER_E, vat_number="923609016")), "seller.vat_number"),
        (lambda i: dataclasses.replace(i, seller=dataclasses.replace(SELLER_E, foretaksregisteret=False)), "seller.foretaksregisteret"),
        (lambda i: dataclasses.replace(i, seller=dataclasses.replace(SELLER_E, bank_account="86011117948")), "seller.bank_account"),
        (lambda i: dataclasses.replace(i, seller=dataclasses.replace(SELLER_E, bank_account="")), "seller.bank_account"),
        (lambda i: dataclasses.replace(i, seller=dataclasses.replace(SELLER_E, kid_length=5)), "kid_body"),
        (lambda i: dataclasses.replace(i, number="ABC"), "kid_body"),
        (lambda i: dataclasses.replace(i, lines=(dataclasses.replace(LINES_E[0], unit_price=850.0),)), "lines[1].unit_price"),
        (lambda i: dataclasses.replace(i, lines=(dataclasses.replace(LINES_E[0], unit_price=Decimal("-1")),)), "lines[1].unit_price"),
        (lambda i: dataclasses.replace(i, lines=(LINES_E[0], dataclasses.replace(LINES_E[1], treatment_id="")),), "lines[2].treatment_id"),
        (lambda i: dataclasses.replace(i, lines=(dataclasses.replace(LINES_E[0], quantity=Decimal(0)),)), "lines[1].quantity"),
    ],
)
def test_bad_input_is_refused_naming_the_field(change, element):
    with pytest.raises(EInvoiceError) as exc:
        build_invoice(change(INVOICE_E))
    assert exc.value.element == element


def test_naive_treatment_time_is_taken_as_local_and_aware_time_is_converted():
    utc_line = dataclasses.replace(LINES_E[0], treatment_datetime=datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.timezone.utc))
    naive_line = dataclasses.replace(LINES_E[0], treatment_datetime=datetime.datetime(2026, 3, 2, 9, 0))
    assert builder.treatment_properties(utc_line)[1] == ("TreatmentDateTime", "2026-03-02 09:00:00")
    assert builder.treatment_properties(naive_line)[1] == ("TreatmentDateTime", "2026-03-02 09:00:00")


def test_from_minor_units():
    assert builder.from_minor_units(85000) == Decimal("850.00")
    assert str(builder.from_minor_units(5)) == "0.05"
    with pytest.raises(TypeError):
        builder.from_minor_units(850.0)


line_strategy = st.builds(
    LineInput,
    treatment_id=st.sampled_from(["B1010", "B1020", "PT1", "A2b"]),
    description=st.text(alphabet="abcæøå ÆØÅ-,.", min_size=1, max_size=40).filter(lambda s: s.strip()),
    quantity=st.decimals(min_value=Decimal("0.5"), max_value=Decimal("20"), places=1),
    unit_price=st.decimals(min_value=Decimal("0"), max_value=Decimal("99999"), places=2),
    treatment_datetime=st.datetimes(min_value=datetime.datetime(2025, 1, 1), max_value=datetime.datetime(2026, 12, 31), timezones=st.just(OSLO)),
    duration_minutes=st.one_of(st.none(), st.integers(min_value=1, max_value=600)),
)


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(line_strategy, min_size=1, max_size=8),
    category=st.sampled_from(["E", "O"]),
    algorithm=st.sampled_from(["MOD10", "MOD11"]),
    credit=st.booleans(),
)
def test_any_reasonable_input_builds_a_schema_valid_balanced_document(schema_dir, lines, category, algorithm, credit):
    seller = dataclasses.replace(SELLER_E, vat_category=category, kid_algorithm=algorithm, kid_length=12)
    inp = dataclasses.replace(INVOICE_E, seller=seller, lines=tuple(lines))
    if credit:
        inp = dataclasses.replace(inp, credited_invoice=CREDIT_NOTE_E.credited_invoice, due_date=None)
    data = build_credit_note(inp) if credit else build_invoice(inp)
    assert xsd.validate_xsd(data, schema_dir) == []
    from kvitt.einvoice.validation import validate_document

    report = validate_document(data, xsd=False)
    assert report.valid, [(f.id, f.message) for f in report.fatal]
    doc = parse_document(data)
    amounts = [line.line_extension_amount for line in doc.lines]
    assert all(a == builder.money(line.quantity * line.price.amount) for a, line in zip(amounts, doc.lines))
    assert all(a.as_tuple().exponent == -2 for a in amounts)
    assert sum(amounts) == doc.monetary_total.line_extension_amount == doc.payable_amount
    if not credit:
        assert kid.is_valid(doc.kid, algorithm, 12)
