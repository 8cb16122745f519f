"""Acceptance: invoices and credit notes built from the demo data pass the UBL XSD and the native
EN16931/Peppol rules without a fatal finding: several lines, a credit note, VAT category E
(Fjordbyen Fysioterapi, MOD10 KID) and O (Bergen Psykologsenter, MOD11 KID)."""

from collections import Counter

import pytest

from kvitt.core.identifiers.no import kid
from kvitt.einvoice import services, xsd
from kvitt.einvoice.models import InvoiceStatus
from kvitt.einvoice.parser import parse_document
from kvitt.einvoice.validation import validate_document
from kvitt.ledger import services as ledger_services
from kvitt.ledger.models import CareEvent
from kvitt.web.demo import load_demo
from tests.cases import factories as f


def _put_on_a_case(ctx, company_key: str):
    """The insurer opens an assignment and the clinic files one patient's insurer events under it."""
    company = ctx.companies[company_key]
    clerk = ctx.actor("psyadmin" if company_key == "psyk" else "billing")
    events = CareEvent.objects.filter(company=company, is_current=True, routes=["insurer"]).order_by("start")
    patient_id, _ = Counter(e.patient_id for e in events).most_common(1)[0]
    chosen = [e for e in events if e.patient_id == patient_id][:4]
    assert len(chosen) >= 2
    handler = ctx.actor("casehandler")
    professions = sorted({p for e in chosen for p in e.practitioner.professions})
    case = f.assignment(handler, _insured(handler), location=company.locations.first(), professions=professions, service_codes=[])
    for event in chosen:
        ledger_services.correct_care_event(clerk, event, reason="filed under the insurer's SakID", case_ref=case.sakid)
    return clerk, case, company


def _insured(handler):
    from kvitt.ledger.models import Patient

    existing = Patient.objects.with_national_id(f.FNR).filter(organisation=handler.organisation).first()
    return existing or f.patient(handler.organisation, name="Forsikret Demo")


def _check(data: bytes, schema_dir) -> None:
    assert xsd.validate_xsd(data, schema_dir) == []
    report = validate_document(data, schema_dir=schema_dir)
    assert report.valid, [(x.id, x.message) for x in report.fatal]


@pytest.mark.django_db
def test_demo_invoices_and_credit_notes_pass_xsd_and_rules(shared_fixtures):
    schema_dir = shared_fixtures / "ubl-2.1-xsd"
    ctx = load_demo()
    results = {}
    for key in ("fysio", "psyk"):
        clerk, case, company = _put_on_a_case(ctx, key)
        invoice = services.build_case_invoice(clerk, case.sakid)
        assert invoice.status == InvoiceStatus.VALIDATED, invoice.fatal_findings
        assert invoice.lines.count() >= 2
        _check(invoice.document_xml.encode(), schema_dir)
        assert kid.is_valid(invoice.kid, company.kid_algorithm, company.kid_length)
        first_event = invoice.lines.first().event_id
        note = services.credit_invoice(clerk, invoice, reason="Feil behandlingsdato", event_ids=[first_event])
        assert note.status == InvoiceStatus.VALIDATED, note.fatal_findings
        _check(note.document_xml.encode(), schema_dir)
        results[key] = (parse_document(invoice.document_xml.encode()), company)

    fysio_doc, fysio = results["fysio"]
    psyk_doc, psyk = results["psyk"]
    assert fysio.vat_category == "E" and fysio_doc.tax_total.subtotals[0].category.id == "E"
    assert psyk.vat_category == "O" and psyk_doc.tax_total.subtotals[0].category.id == "O"
    assert (fysio.kid_algorithm, psyk.kid_algorithm) == ("MOD10", "MOD11")
    assert len(fysio_doc.kid) == 10 and len(psyk_doc.kid) == 12
