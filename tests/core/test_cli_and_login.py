import subprocess
import sys

import pytest
from django.test import Client

from kvitt.core.models import Role
from tests import factories as f


def test_kvitt_help_lists_the_commands():
    out = subprocess.run([sys.executable, "-m", "kvitt.cli", "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("serve", "worker", "demo", "migrate", "createuser"):
        assert f"  {command}" in out, command


@pytest.mark.django_db
def test_login_is_rate_limited():
    user = f.user(f.company().organisation, Role.CLINIC_ADMIN, "lockme")
    client = Client()
    statuses = [
        client.post("/login/", {"username": "lockme", "password": "wrong-password"}, REMOTE_ADDR="10.1.1.1").status_code
        for _ in range(5)
    ]
    # Four failures are answered with the form again; the fifth locks the account.
    assert statuses == [200, 200, 200, 200, 429]
    r = client.post("/login/", {"username": "lockme", "password": f.PASSWORD}, REMOTE_ADDR="10.1.1.1")
    assert r.status_code == 429
    assert user.pk


@pytest.mark.django_db
def test_login_works_and_dashboard_shows_the_role():
    f.user(f.company("Login Klinikk AS").organisation, Role.CLINIC_ADMIN, "okuser")
    client = Client()
    r = client.post("/login/", {"username": "okuser", "password": f.PASSWORD}, REMOTE_ADDR="10.1.1.2")
    assert r.status_code == 302
    page = client.get("/").content.decode()
    assert "Login Klinikk AS" in page


@pytest.mark.django_db
def test_createuser_command(capsys):
    from django.core.management import call_command

    company = f.company("Cmd Klinikk AS")
    call_command("createuser", "cmduser", organisation=company.org_number, role="billing_clerk", password="a-long-test-password-1")
    from kvitt.core.models import Membership

    assert Membership.objects.filter(user__username="cmduser", role="billing_clerk", organisation=company.organisation).exists()
