"""The provider network: approvals decide visibility; invitations bring practitioners in."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from kvitt.core.models import Membership, Role
from kvitt.core.permissions import PermissionDenied
from kvitt.network import selectors, services
from kvitt.network.models import Company, InvitationStatus, Practitioner
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_location_is_visible_only_while_a_partner_approves_it():
    company = f.company()
    loc = f.location(company)
    insurer = f.payer()
    assert not selectors.is_visible(loc)
    today = timezone.localdate()
    approval = f.approval(insurer, company, valid_to=today + datetime.timedelta(days=10))
    assert selectors.is_visible(loc)
    assert not selectors.is_visible(loc, today + datetime.timedelta(days=11))
    handler = f.actor(insurer.organisation, Role.INSURER_CASE_HANDLER)
    services.revoke_approval(handler, approval)
    assert not selectors.is_visible(loc)


def test_location_approval_covers_only_that_location():
    company = f.company()
    a, b = f.location(company, "A"), f.location(company, "B")
    f.approval(f.payer(), company, location=b)
    assert list(selectors.visible_locations()) == [b]


def test_only_a_payer_case_handler_approves_and_only_its_own_approvals_are_revoked():
    company = f.company()
    clinic_admin = f.actor(company.organisation, Role.CLINIC_ADMIN)
    with pytest.raises(PermissionDenied):
        services.approve_partner(clinic_admin, company, valid_from=timezone.localdate())
    insurer1, insurer2 = f.payer(), f.payer()
    h1 = f.actor(insurer1.organisation, Role.INSURER_CASE_HANDLER)
    h2 = f.actor(insurer2.organisation, Role.INSURER_CASE_HANDLER)
    approval = services.approve_partner(h1, company, professions=["physiotherapist"], valid_from=timezone.localdate())
    with pytest.raises(PermissionDenied):
        services.revoke_approval(h2, approval)
    with pytest.raises(ValidationError):
        services.approve_partner(h1, company, valid_from=timezone.localdate(), valid_to=timezone.localdate() - datetime.timedelta(days=1))


def test_company_validation_names_the_field():
    operator = f.actor(f.company().organisation, Role.NETWORK_OPERATOR)
    with pytest.raises(ValidationError) as exc:
        services.create_company(operator, name="Feil AS", org_number="123456789")
    assert "org_number" in exc.value.message_dict
    assert not Company.objects.filter(name="Feil AS").exists()
    with pytest.raises(ValidationError) as exc:
        services.create_company(operator, name="Konto AS", org_number="923609016", bank_account="12345678901")
    assert "bank_account" in exc.value.message_dict


def test_hpr_is_required_for_authorised_professions_only():
    company = f.company()
    admin = f.actor(company.organisation, Role.CLINIC_ADMIN)
    with pytest.raises(ValidationError) as exc:
        services.add_practitioner(admin, company, name="Uten HPR", professions=["physiotherapist"])
    assert "hpr_number" in exc.value.message_dict
    masseur = services.add_practitioner(admin, company, name="Massør", professions=["masseur"])
    assert masseur.hpr_number == ""


def test_invitation_email_and_accept_flow(django_capture_on_commit_callbacks):
    company = f.company()
    loc = f.location(company)
    admin = f.actor(company.organisation, Role.CLINIC_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_practitioner(
            admin, loc, email="ny@example.no", name="Nina Ny", professions=["physiotherapist"], hpr_number="9144891"
        )
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ny@example.no"]
    assert invitation.token in mail.outbox[0].body
    client = Client()
    page = client.get(f"/network/invitations/{invitation.token}/accept/")
    assert page.status_code == 200
    r = client.post(f"/network/invitations/{invitation.token}/accept/", {"username": "nina", "password": "a-long-test-password-1"})
    assert r.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    practitioner = Practitioner.objects.get(user__username="nina")
    assert list(practitioner.locations.all()) == [loc]
    assert Membership.objects.filter(user__username="nina", organisation=company.organisation, role=Role.PRACTITIONER).exists()
    assert client.get(f"/network/invitations/{invitation.token}/accept/").status_code == 404


def test_invitation_of_an_authorised_profession_without_hpr_is_refused():
    company = f.company()
    admin = f.actor(company.organisation, Role.CLINIC_ADMIN)
    with pytest.raises(ValidationError):
        services.invite_practitioner(admin, f.location(company), email="x@example.no", name="X", professions=["psychologist"])
