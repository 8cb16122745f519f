"""Demo patient invoices for the physiotherapy clinic; the oldest have reached collection."""

import datetime

from django.utils import timezone

from kvitt.core.models import Role
from kvitt.core.permissions import Actor
from kvitt.ledger.models import CareEvent
from kvitt.receivables import services
from kvitt.receivables.models import CreditorSettings, PatientInvoice


def load(ctx) -> None:
    fysio = ctx.companies["fysio"]
    CreditorSettings.objects.get_or_create(
        organisation=fysio.organisation,
        defaults={"country": "NO", "currency": "NOK", "account": fysio.bank_account, "reference_scheme": "kid_mod10",
                  "reference_length": 10, "collection_agency": ctx.organisations["collection"]},
    )
    if PatientInvoice.objects.filter(organisation=fysio.organisation).exists():
        return
    clerk = Actor(user=ctx.users["billing"], organisation=fysio.organisation, role=Role.BILLING_CLERK)
    events = CareEvent.objects.filter(organisation=fysio.organisation, is_current=True).select_related("patient").order_by("start")
    cutoff = ctx.today - datetime.timedelta(days=20)
    for event in events:
        if "patient" not in event.routes or timezone.localtime(event.start).date() > cutoff:
            continue
        # One invoice per appointment, issued on its day, so the dunning ladder has history.
        services.issue_invoice(clerk, event.patient, services.lines_from_care_events([event]),
                               issue_date=timezone.localtime(event.start).date())
    for offset in range(70, -1, -7):
        services.run_dunning(ctx.today - datetime.timedelta(days=offset), organisation=fysio.organisation)
