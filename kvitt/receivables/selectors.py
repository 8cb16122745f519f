"""Reads of patient invoices: the clinic's overview and the collection workspace.

The collection workspace is built from an explicit list of fields: whatever is added to
the models later, a collection agent can only ever load what is named here — never a line
text, a care event, a diagnosis or a treatment code.
"""

from __future__ import annotations

import datetime

from django.db.models import QuerySet, Sum

from kvitt.core import audit
from kvitt.core.models import Role
from kvitt.core.permissions import Actor, PermissionDenied
from kvitt.receivables.models import (
    ContactKind,
    CreditorSettings,
    DunningStage,
    InvoiceStatus,
    PatientInvoice,
    PlanStatus,
)

CLINIC_READERS = (Role.CLINIC_ADMIN, Role.BILLING_CLERK)
AGING_BUCKETS = ((0, 30, "0-30"), (31, 60, "31-60"), (61, 90, "61-90"), (91, None, "90+"))

# What a collection agent may load: identity to reach the debtor, money, and the log.
COLLECTION_CLAIM_FIELDS = (
    "pk", "number", "reference", "issue_date", "due_date", "currency", "status", "principal_minor", "open_minor",
    "credit_balance_minor", "dunning_stage", "deferred_until", "disputed", "organisation__name",
)
COLLECTION_DEBTOR_FIELDS = ("pk", "name", "email", "phone", "street", "postcode", "city", "preferred_channel")


def invoices_for_clinic(actor: Actor) -> QuerySet[PatientInvoice]:
    if actor.role not in CLINIC_READERS:
        raise PermissionDenied("role may not see patient invoices")
    return PatientInvoice.objects.filter(organisation=actor.organisation).select_related("patient")


def aging(actor: Actor, day: datetime.date) -> dict[str, dict[str, int]]:
    """Open amounts by days past due; not yet due is its own bucket."""
    result = {"not due": {"count": 0, "open_minor": 0}}
    result.update({label: {"count": 0, "open_minor": 0} for _, _, label in AGING_BUCKETS})
    for due, open_minor in invoices_for_clinic(actor).filter(status=InvoiceStatus.OPEN).values_list("due_date", "open_minor"):
        late = (day - due).days
        bucket = "not due" if late <= 0 else next(label for low, high, label in AGING_BUCKETS if late >= low and (high is None or late <= high))
        result[bucket]["count"] += 1
        result[bucket]["open_minor"] += open_minor
    return result


def clinic_overview(actor: Actor, day: datetime.date) -> dict:
    qs = invoices_for_clinic(actor).filter(status=InvoiceStatus.OPEN)
    return {
        "open": qs.aggregate(n=Sum("open_minor"))["n"] or 0,
        "aging": aging(actor, day),
        "in_dunning": qs.filter(dunning_stage__in=[DunningStage.REMINDER, DunningStage.NOTICE]).count(),
        "in_collection": qs.filter(dunning_stage=DunningStage.COLLECTION).count(),
        "on_plans": qs.filter(plans__status=PlanStatus.ACTIVE).distinct().count(),
        "disputed": qs.filter(disputed=True).count(),
    }


def collection_claims(actor: Actor) -> QuerySet[PatientInvoice]:
    """Claims handed over to the agent's agency by the clinics it serves."""
    if actor.role != Role.COLLECTION_AGENT:
        raise PermissionDenied("only collection agents work in the collection workspace")
    clients = CreditorSettings.objects.filter(collection_agency=actor.organisation).values("organisation_id")
    return PatientInvoice.objects.filter(organisation_id__in=clients, dunning_stage=DunningStage.COLLECTION)


def collection_worklist(actor: Actor) -> list[dict]:
    rows = list(collection_claims(actor).values(*COLLECTION_CLAIM_FIELDS, "patient__name", "patient_id"))
    return rows


def collection_case(actor: Actor, invoice_pk: int) -> dict:
    """One debtor's claim as the agent sees it: no clinical data can be in here."""
    invoice = collection_claims(actor).filter(pk=invoice_pk).select_related("patient").first()
    if invoice is None:
        raise PermissionDenied("not found or not yours")
    patient = invoice.patient
    audit.record(actor, "read", patient, privacy=["identity", "financial"], fields=list(COLLECTION_DEBTOR_FIELDS),
                 reason="collection workspace", patient=patient)
    debtor = {field: getattr(patient, field) for field in COLLECTION_DEBTOR_FIELDS}
    other_claims = list(collection_claims(actor).filter(patient=patient).exclude(pk=invoice.pk).values(*COLLECTION_CLAIM_FIELDS))
    claim = {field: value for field, value in zip(COLLECTION_CLAIM_FIELDS, PatientInvoice.objects.filter(pk=invoice.pk).values_list(*COLLECTION_CLAIM_FIELDS).get())}
    return {
        "claim": claim,
        "debtor": debtor,
        "other_claims": other_claims,
        "movements": list(invoice.entries.values("booked_on", "kind", "component", "amount_minor")),
        "letters": list(invoice.letters.values("sent_on", "step", "fee_minor", "interest_minor", "open_minor", "pay_by")),
        "plans": [
            {"status": p.status, "fee_minor": p.fee_minor, "instalments": list(p.instalments.values("due_date", "amount_minor"))}
            for p in invoice.plans.all()
        ],
        "contacts": list(invoice.contacts.exclude(kind=ContactKind.BASIS_QUESTION).values("created_at", "kind", "text", "due_date", "done", "created_by_label")),
        "authorisations": list(patient.third_party_authorisations.values("name", "relation", "document_reference", "valid_until")),
    }
