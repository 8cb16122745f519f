"""Fixed builder inputs shared by the builder, golden-file, SBDH and render tests."""

import datetime
import zoneinfo
from decimal import Decimal

from kvitt.einvoice.builder import BuyerInput, CreditedInvoice, InvoiceInput, LineInput, SellerInput

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")

SELLER_E = SellerInput(
    name="Fysio Bjørvika",
    legal_name="Fysio Bjørvika AS",
    org_number="923609016",
    vat_category="E",
    foretaksregisteret=True,
    bank_account="86011117947",
    kid_algorithm="MOD10",
    kid_length=10,
    street="Dronning Eufemias gate 16",
    postcode="0191",
    city="Oslo",
    email="faktura@fysiobjorvika.example",
    contact_name="Kari Nordmann",
)

SELLER_O = SellerInput(
    name="Manuellterapeut Holm ENK",
    org_number="914778271",
    vat_category="O",
    foretaksregisteret=False,
    iban="NO9386011117947",
    bic="DNBANOKK",
    kid_algorithm="MOD11",
    kid_length=None,
    street="Storgata 1",
    postcode="9008",
    city="Tromsø",
)

BUYER = BuyerInput(
    name="Trygg Forsikring",
    legal_name="Trygg Forsikring ASA",
    org_number="995568217",
    street="Postboks 7070",
    postcode="5020",
    city="Bergen",
)


def _at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=OSLO)


LINES_E = (
    LineInput(
        treatment_id="B1010",
        description="Fysioterapi, første konsultasjon",
        quantity=Decimal("1"),
        unit_price=Decimal("850.00"),
        treatment_datetime=_at(2, 9),
        duration_minutes=60,
        therapist_hpr="9144889",
        therapist_name="Ola Hansen",
        profession="Fysioterapeut",
        diagnose="L92 Skulder lidelse uspesifisert",
        patient_id="SAK-PAS-0001",
    ),
    LineInput(
        treatment_id="B1020",
        description="Fysioterapi, oppfølging",
        quantity=Decimal("1"),
        unit_price=Decimal("650.00"),
        treatment_datetime=_at(9, 17, 30),
        duration_minutes=30,
        therapist_hpr="9144889",
        therapist_name="Ola Hansen",
        profession="Fysioterapeut",
        diagnose="L92 Skulder lidelse uspesifisert",
        patient_id="SAK-PAS-0001",
    ),
    LineInput(
        treatment_id="B1030",
        description="Øvelsesprogram, halv time",
        quantity=Decimal("1.5"),
        unit_price=Decimal("333.33"),
        treatment_datetime=_at(16, 8, 15),
    ),
)

INVOICE_E = InvoiceInput(
    number="100123",
    issue_date=datetime.date(2026, 3, 20),
    due_date=datetime.date(2026, 4, 3),
    sak_id="SAK-778899",
    seller=SELLER_E,
    buyer=BUYER,
    lines=LINES_E,
)

INVOICE_O = InvoiceInput(
    number="1009",
    issue_date=datetime.date(2026, 3, 31),
    due_date=datetime.date(2026, 4, 30),
    sak_id="TRYGG-2026-55",
    seller=SELLER_O,
    buyer=BUYER,
    lines=(
        LineInput(
            treatment_id="MT01",
            description="Manuellterapi",
            quantity=Decimal("2"),
            unit_price=Decimal("725"),
            treatment_datetime=_at(30, 14),
        ),
    ),
)

CREDIT_NOTE_E = InvoiceInput(
    number="100124",
    issue_date=datetime.date(2026, 3, 25),
    sak_id="SAK-778899",
    seller=SELLER_E,
    buyer=BUYER,
    lines=(LINES_E[1],),
    credited_invoice=CreditedInvoice(number="100123", issue_date=datetime.date(2026, 3, 20)),
    note="Timen 9. mars ble avlyst av pasienten.",
)
