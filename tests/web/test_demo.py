"""The demo data loads twice without change, and every demo user gets a working dashboard."""

import pytest
from django.test import Client

from kvitt.core.models import AuditEntry, Membership
from kvitt.ledger.models import CareEvent, Patient
from kvitt.network.models import PartnerApproval
from kvitt.web.demo import DEMO_USERS, load_demo

pytestmark = pytest.mark.django_db


def _counts():
    return (CareEvent.objects.count(), Patient.objects.count(), PartnerApproval.objects.count(), Membership.objects.count())


def test_demo_is_idempotent_and_complete():
    load_demo()
    first = _counts()
    load_demo()
    assert _counts() == first
    assert first[0] >= 300
    kinds = set(Membership.objects.values_list("role", flat=True))
    assert {role for _, _, role in DEMO_USERS} == kinds


def test_every_demo_user_sees_a_dashboard():
    load_demo()
    from django.contrib.auth import get_user_model

    for username, _, role in DEMO_USERS:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        r = client.get("/")
        assert r.status_code == 200, username
        assert 'class="panel"' in r.content.decode(), username


def test_language_switcher_changes_the_language():
    load_demo()
    client = Client()
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="clinicadmin"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get("/").content.decode()
    assert ">Dashboard<" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    page = client.get("/").content.decode()
    assert 'lang="sv"' in page and ">Översikt<" in page
    client.post("/i18n/setlang/", {"language": "nb", "next": "/"})
    assert ">Oversikt<" in client.get("/").content.decode()


def test_clinic_pages_render_for_demo_clinic_admin():
    load_demo()
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username="clinicadmin"))
    for url in ("/network/", "/ledger/events/", "/network/approvals/"):
        assert client.get(url).status_code == 200, url
    event = CareEvent.objects.filter(organisation__name="Fjordbyen Fysioterapi AS").first()
    before = AuditEntry.objects.count()
    assert client.get(f"/ledger/events/{event.pk}/").status_code == 200
    assert AuditEntry.objects.count() == before + 1
