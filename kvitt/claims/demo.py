"""Demo inbound invoices for Nordlys Forsikring's case handler: approved, deviation, rejected, waiting.

Fjordbyen Fysioterapi invoices a physiotherapy assignment of three treatments; the documents are
real EHF built with ``kvitt.einvoice.builder`` and received as the access point would deliver
them. Loading twice changes nothing.
"""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from kvitt.claims import services
from kvitt.claims.models import ClaimsSettings, InboundInvoice, Source, ValidationFrequency
from kvitt.core.models import Role
from kvitt.core.permissions import Actor
from kvitt.einvoice import sbdh
from kvitt.einvoice.builder import BuyerInput, InvoiceInput, LineInput, build_invoice
from kvitt.einvoice.services import seller_input

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
DEMO_SAKID_NOTE = "demo: claims"


def _line(moment: datetime.datetime, code: str = "B1010") -> LineInput:
    return LineInput(
        treatment_id=code, description="Fysioterapi", quantity=Decimal("1"), unit_price=Decimal("850.00"),
        treatment_datetime=moment, duration_minutes=45, therapist_hpr="9144889", therapist_name="Kari Nordmann",
        profession="Fysioterapeut", diagnose="L92 Skulder lidelse uspesifisert",
    )


def load(ctx) -> None:
    from kvitt.cases import services as case_services
    from kvitt.web.demo import valid_fnr

    insurer = ctx.payers["insurer1"]
    fysio = ctx.companies["fysio"]
    if InboundInvoice.objects.filter(payer=insurer).exists():
        return
    ClaimsSettings.objects.get_or_create(payer=insurer, defaults={"frequency": ValidationFrequency.HOURLY})
    handler = Actor.for_membership(ctx.users["casehandler"].memberships.get(organisation=insurer.organisation,
                                                                           role=Role.INSURER_CASE_HANDLER))
    patient = case_services.register_insured(handler, national_id=valid_fnr(datetime.date(1979, 5, 17), 411),
                                             name="Lars Demo Olsen")
    today = ctx.today
    assignment = case_services.open_assignment(
        handler, patient=patient, professions=["physiotherapist"], service_codes=["B1010", "B1020"], max_treatments=3,
        max_amount=300_000, valid_from=today - datetime.timedelta(days=60), valid_to=today + datetime.timedelta(days=120),
        diagnosis_text="Skulder", notes_for_clinic=DEMO_SAKID_NOTE, location=fysio.locations.order_by("pk").first(),
    )

    def moment(days_ago: int, hour: int = 9) -> datetime.datetime:
        day = today - datetime.timedelta(days=days_ago)
        return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=OSLO)

    buyer = BuyerInput(name=insurer.name, org_number=insurer.org_number, peppol_id=insurer.peppol_id)
    documents = [
        ("90001", assignment.sakid, [_line(moment(40)), _line(moment(33))]),       # approved
        ("90002", assignment.sakid, [_line(moment(26)), _line(moment(19))]),       # one beyond coverage: deviation
        ("90003", "ZZZZZ9", [_line(moment(12))]),                                # unknown SakID: rejected
        ("90004", assignment.sakid, [_line(moment(5), code="B9999")]),           # waits for the hourly batch
    ]
    seller = seller_input(fysio)
    for number, sakid, lines in documents:
        data = build_invoice(InvoiceInput(
            number=number, issue_date=today - datetime.timedelta(days=3), due_date=today + datetime.timedelta(days=11),
            sak_id=sakid, seller=seller, buyer=buyer, lines=tuple(lines),
        ))
        invoice, created = services.receive(handler, sbdh.wrap(data), Source.WEBHOOK)
        if created and number != "90004":
            services.validate_invoice(handler, invoice, enqueue_notices=False)
