"""The menu: which pages each role works in. The web app composes the apps, so the menu lives here."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from kvitt.core.models import Role

CLINIC = (Role.CLINIC_ADMIN, Role.BILLING_CLERK)
CLINICAL = (Role.CLINIC_ADMIN, Role.PRACTITIONER, Role.BILLING_CLERK)
PAYER = (Role.INSURER_CASE_HANDLER,)
REGION = (Role.REGION_BILLING_OFFICER,)

# (label, url name, roles that see it, organisation country or None for any)
MENU = [
    (_("Network"), "network:overview", (*CLINICAL, *PAYER, *REGION, Role.NETWORK_OPERATOR), None),
    (_("Care events"), "ledger:events", (*CLINICAL, *REGION), None),
    (_("Approvals"), "network:approvals", (Role.CLINIC_ADMIN, *PAYER, *REGION, Role.NETWORK_OPERATOR), None),
    (_("Assignments"), "cases:list", (*CLINIC, Role.PRACTITIONER, *PAYER), "NO"),
    (_("Bookings"), "booking:list", (*CLINIC, Role.PRACTITIONER, *PAYER), "NO"),
    (_("Journal system"), "booking:integrations", (Role.CLINIC_ADMIN,), "NO"),
    (_("EHF invoices"), "einvoice:invoices", CLINIC, "NO"),
    (_("Invoice inbox"), "claims:inbox", PAYER, "NO"),
    (_("Helfo"), "helfo:orders", (*CLINIC, Role.PRACTITIONER), "NO"),
    (_("Invoice bases sent"), "interregion:sent", REGION, "SE"),
    (_("Invoice bases received"), "interregion:received", REGION, "SE"),
    (_("Invoice match"), "interregion:match", REGION, "SE"),
    (_("Reconciliation"), "reconciliation:matrix", (*CLINIC, *REGION), None),
    (_("Patient invoices"), "receivables:overview", CLINIC, None),
    (_("Collection workspace"), "receivables:collection", (Role.COLLECTION_AGENT,), None),
    (_("Audit log"), "core:audit", (Role.AUDITOR,), None),
]


def links_for(actor) -> list[dict]:
    if actor is None:
        return []
    links = []
    for label, name, roles, country in MENU:
        if actor.role not in roles or (country and actor.organisation.country != country):
            continue
        try:
            links.append({"label": label, "url": reverse(name)})
        except NoReverseMatch:  # an app without that page in this build
            continue
    return links
