"""The collection agent never sees clinical data: not in the API, not on any page."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from kvitt.ledger.models import CareEvent
from kvitt.receivables.models import DunningStage, PatientInvoice
from kvitt.web.demo import load_demo

pytestmark = pytest.mark.django_db


def _clinical_strings() -> set[str]:
    """Every diagnosis code and text, every service code and clinical note of every demo patient.

    Purely numeric tariff codes (psychology's "202") are left out: as bare numbers they are
    indistinguishable from dates and amounts on a page; the codes with letters and every
    diagnosis text stand for them.
    """
    found = set()
    for codes, diagnoses, notes in CareEvent.objects.values_list("service_codes", "diagnoses", "notes"):
        found.update(c for c in codes if not c.isdigit())
        for d in diagnoses:
            found.update(v for v in (d.get("code"), d.get("text")) if v)
        if notes:
            found.add(notes)
    return found


def _leaks(body: str, clinical: set[str]) -> list[str]:
    """Clinical strings standing as words of their own: a random CSRF token may hold "L03"."""
    return sorted(s for s in clinical if re.search(rf"(?<![\w.]){re.escape(s)}(?![\w])", body))


def test_collection_agent_responses_contain_no_clinical_text():
    load_demo()
    in_collection = list(PatientInvoice.objects.filter(dunning_stage=DunningStage.COLLECTION))
    assert in_collection, "the demo puts some invoices in collection"
    clinical = _clinical_strings()
    assert {"L92", "A1a", "Skulder lidelse uspesifisert"} <= clinical
    client = Client()
    client.force_login(get_user_model().objects.get(username="collector"))
    responses = {
        "/": client.get("/"),
        "/receivables/collection/": client.get("/receivables/collection/"),
        "/api/v1/receivables/collection/claims": client.get("/api/v1/receivables/collection/claims"),
    }
    for invoice in in_collection:
        responses[f"case {invoice.pk}"] = client.get(f"/receivables/collection/{invoice.pk}/")
        responses[f"api case {invoice.pk}"] = client.get(f"/api/v1/receivables/collection/claims/{invoice.pk}")
    for name, response in responses.items():
        assert response.status_code == 200, name
        body = response.content.decode()
        leaked = _leaks(body, clinical)
        assert not leaked, f"{name} shows clinical data: {leaked[:5]}"
    # The debtor's name is there: the agent can do the job.
    assert in_collection[0].patient.name in responses[f"case {in_collection[0].pk}"].content.decode()


def test_collection_agent_is_refused_clinical_and_other_pages():
    load_demo()
    client = Client()
    client.force_login(get_user_model().objects.get(username="collector"))
    event = CareEvent.objects.first()
    assert client.get(f"/ledger/events/{event.pk}/").status_code == 403
    assert client.get("/ledger/events/").status_code == 403
    assert client.get("/receivables/").status_code == 403
    not_in_collection = PatientInvoice.objects.exclude(dunning_stage=DunningStage.COLLECTION).first()
    assert client.get(f"/receivables/collection/{not_in_collection.pk}/").status_code == 403
    assert client.get(f"/api/v1/receivables/collection/claims/{not_in_collection.pk}").status_code == 403
