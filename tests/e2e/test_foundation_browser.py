"""A clinic admin logs in, invites a practitioner and sees the location's approval status."""

import pytest
from django.core import mail

from kvitt.core.models import Role
from kvitt.network.models import Invitation
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clinic_admin_invites_a_practitioner_and_sees_approval_status(live_server, page, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    company = f.company("Nettleser Fysio AS")
    location = f.location(company, "Nettleser Sentrum")
    insurer = f.payer("Nordlys Forsikring ASA")
    f.approval(insurer, company, professions=["physiotherapist"])
    f.user(company.organisation, Role.CLINIC_ADMIN, "browseradmin")

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "browseradmin")
    page.fill("#id_password", f.PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}/")
    assert "Nettleser Fysio AS" in page.content()

    page.goto(f"{live_server.url}/network/locations/{location.pk}/")
    status = page.locator("#approval-status")
    assert "Nordlys Forsikring ASA" in status.inner_text()
    assert page.locator(".approval-state").first.inner_text().strip() in {"Approved", "Godkjent", "Godkänd"}

    page.click("#invite-link")
    page.fill("#id_name", "Nils Ny")
    page.fill("#id_email", "nils@example.no")
    page.select_option("#id_professions", ["physiotherapist"])
    page.fill("#id_hpr_number", "9144892")
    page.click("#send-invitation")
    page.wait_for_selector("#invitations")
    assert "nils@example.no" in page.locator("#invitations").inner_text()
    assert Invitation.objects.filter(email="nils@example.no", location=location).exists()
    assert any("nils@example.no" in m.to for m in mail.outbox)
