"""Two-factor authentication for staff with patient data (issue #11 point 6).

Codes are computed from the device key with django-otp's own RFC 6238 implementation, as an
authenticator app would; nothing of Kvitt's is mocked.
"""

from __future__ import annotations

import datetime
import re
import uuid
from base64 import b32decode
from io import StringIO
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter
from django_otp.oath import TOTP

from kvitt.core.models import AuditEntry, Organisation, OrganisationKind, Role, TOTPDevice
from kvitt.core.twofactor import EXEMPT_VIEW_NAMES, roles_requiring_two_factor
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.two_factor]

VERIFY = "/core/2fa/verify/"
ENROL = "/core/2fa/enrol/"

PATIENT_DATA_ROLES = {
    Role.CLINIC_ADMIN: OrganisationKind.CLINIC_COMPANY,
    Role.PRACTITIONER: OrganisationKind.CLINIC_COMPANY,
    Role.BILLING_CLERK: OrganisationKind.CLINIC_COMPANY,
    Role.INSURER_CASE_HANDLER: OrganisationKind.INSURER,
    Role.REGION_BILLING_OFFICER: OrganisationKind.REGION,
    Role.COLLECTION_AGENT: OrganisationKind.COLLECTION_AGENCY,
}


def code_from_key(hex_key: str, drift: int = 0) -> str:
    device = TOTPDevice(key=hex_key)
    return str(TOTP(device.bin_key, 30, 0, 6, drift).token()).zfill(6)


def wrong_code(right: str) -> str:
    return "000000" if right != "000000" else "111111"


def staff(role: str, kind: str | None = None):
    kind = kind or PATIENT_DATA_ROLES.get(role, OrganisationKind.CLINIC_COMPANY)
    if kind == OrganisationKind.CLINIC_COMPANY:
        organisation = f.company().organisation
    else:
        organisation = Organisation.objects.create(name=f"{kind} org", kind=kind)
    return f.user(organisation, role)


def with_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def logged_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the assertions read English messages
    client.force_login(user)
    return client


def _sample(converter):
    """A value the URL accepts; the page never runs (the redirect comes first)."""
    if isinstance(converter, IntConverter):
        return 1
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    return "x"


def web_view_urls() -> dict[str, str]:
    """Every named web page (not the API, not the admin, not the exempt ones) -> a URL."""
    found: dict[str, str] = {}

    def walk(patterns, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}{pattern.name}"
                if name.startswith(("api:", "admin:")) or name in EXEMPT_VIEW_NAMES:
                    continue
                converters = getattr(pattern.pattern, "converters", {})
                kwargs = {key: _sample(c) for key, c in converters.items()}
                found[name] = reverse(name, kwargs=kwargs)

    walk(get_resolver().url_patterns, "")
    return found


def all_view_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return names


def test_the_roles_asked_are_exactly_those_that_see_identity_or_clinical_data():
    assert roles_requiring_two_factor() == set(PATIENT_DATA_ROLES)


def test_every_exemption_names_a_real_view():
    # A renamed view would otherwise leave a stale exemption (and the real page unexempted).
    assert EXEMPT_VIEW_NAMES <= all_view_names()


@pytest.mark.parametrize("role", list(PATIENT_DATA_ROLES))
def test_every_web_view_sends_an_unverified_patient_data_role_to_verification(role):
    user = staff(role)
    with_device(user)
    client = logged_in(user)
    urls = web_view_urls()
    assert len(urls) > 60, "the URL walk found too few pages to be a real check"
    not_redirected = {}
    for name, url in urls.items():
        response = client.get(url)
        location = response.get("Location", "")
        if response.status_code != 302 or not location.startswith(VERIFY) or parse_qs(urlparse(location).query)["next"] != [url]:
            not_redirected[name] = (response.status_code, location)
    assert not_redirected == {}


def test_without_a_device_the_user_is_sent_to_enrolment():
    client = logged_in(staff(Role.PRACTITIONER))
    response = client.get("/ledger/events/")
    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2Fledger%2Fevents%2F"


@pytest.mark.parametrize("role", list(PATIENT_DATA_ROLES))
def test_a_correct_code_opens_the_pages(role):
    user = staff(role)
    device = with_device(user)
    client = logged_in(user)
    response = client.post(VERIFY, {"code": code_from_key(device.key), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get(reverse("web:dashboard")).status_code == 200
    assert AuditEntry.objects.filter(user=user, action="two_factor.verified", role=role).count() == 1


def test_verified_clinic_staff_reach_a_patient_data_page():
    user = staff(Role.BILLING_CLERK)
    device = with_device(user)
    client = logged_in(user)
    client.post(VERIFY, {"code": code_from_key(device.key)})
    assert client.get("/ledger/events/").status_code == 200


def test_verification_cycles_the_session_key():
    user = staff(Role.CLINIC_ADMIN)
    device = with_device(user)
    client = logged_in(user)
    before = client.session.session_key
    client.post(VERIFY, {"code": code_from_key(device.key)})
    assert client.session.session_key != before
    assert client.get("/").status_code == 200


def test_a_wrong_code_is_refused_counted_and_throttled():
    user = staff(Role.PRACTITIONER)
    device = with_device(user)
    client = logged_in(user)
    right = code_from_key(device.key)

    response = client.post(VERIFY, {"code": wrong_code(right)})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert AuditEntry.objects.filter(user=user, action="two_factor.failed").count() == 1
    assert client.get("/").status_code == 302

    # Right after a wrong code even the right one waits (django-otp's doubling back-off).
    response = client.post(VERIFY, {"code": right})
    assert "Too many wrong codes" in response.content.decode()
    assert client.get("/").status_code == 302

    # Once the wait is over, the right code works and the count starts again.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=device.throttling_failure_timestamp - datetime.timedelta(seconds=2)
    )
    assert client.post(VERIFY, {"code": right}).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert client.get("/").status_code == 200


def test_a_code_is_accepted_only_once():
    user = staff(Role.CLINIC_ADMIN)
    device = with_device(user)
    code = code_from_key(device.key)
    first, second = logged_in(user), logged_in(user)
    assert first.post(VERIFY, {"code": code}).status_code == 302
    response = second.post(VERIFY, {"code": code})
    assert response.status_code == 200  # replayed: refused
    assert second.get("/").status_code == 302


def test_a_malformed_code_is_refused_without_touching_the_device():
    user = staff(Role.PRACTITIONER)
    device = with_device(user)
    response = logged_in(user).post(VERIFY, {"code": "12ab56"})
    assert "Enter the 6 digits your app shows." in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_enrolment_shows_a_secret_that_an_app_can_use():
    user = staff(Role.INSURER_CASE_HANDLER)
    client = logged_in(user)
    assert client.get("/").headers["Location"].startswith(ENROL)
    page = client.get(f"{ENROL}?next=/").content.decode()
    assert "<svg" in page
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert client.get(ENROL).content.decode().count(secret[:4]) >= 1  # a reload keeps the same key
    hex_key = b32decode(secret).hex()

    response = client.post(ENROL, {"code": wrong_code(code_from_key(hex_key)), "next": "/"})
    assert response.status_code == 200
    assert not TOTPDevice.objects.get(user=user).confirmed
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=None, throttling_failure_count=0)

    response = client.post(ENROL, {"code": code_from_key(hex_key), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/").status_code == 200
    # Enrolled: the enrolment page now points to verification, it never shows the key again.
    assert logged_in(user).get(ENROL)["Location"].startswith(VERIFY)


def test_the_next_address_must_stay_on_this_site():
    user = staff(Role.CLINIC_ADMIN)
    device = with_device(user)
    response = logged_in(user).post(VERIFY, {"code": code_from_key(device.key), "next": "https://evil.example/"})
    assert response["Location"] == reverse("web:dashboard")


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.NETWORK_OPERATOR])
def test_roles_without_patient_data_are_not_asked(role):
    kind = OrganisationKind.NETWORK_OPERATOR if role == Role.NETWORK_OPERATOR else OrganisationKind.CLINIC_COMPANY
    client = logged_in(staff(role, kind))
    assert client.get("/").status_code == 200
    if role == Role.AUDITOR:
        assert client.get(reverse("core:audit")).status_code == 200
    assert not TOTPDevice.objects.exists()


def test_switching_to_a_patient_data_role_asks_for_the_code():
    user = staff(Role.AUDITOR)
    company = f.company()
    from kvitt.core.models import Membership

    practitioner = Membership.objects.create(user=user, organisation=company.organisation, role=Role.PRACTITIONER)
    client = logged_in(user)
    assert client.get("/").status_code == 200
    assert client.post(reverse("web:switch_acting"), {"membership": practitioner.pk}).status_code == 302
    assert client.get("/")["Location"].startswith(ENROL)


def test_admin_users_are_asked_for_the_admin_site():
    admin = f.user(f.company().organisation, Role.AUDITOR)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    with_device(admin)
    response = logged_in(admin).get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)


def test_a_post_from_an_unverified_session_goes_to_verification_and_back_to_the_dashboard():
    user = staff(Role.BILLING_CLERK)
    with_device(user)
    response = logged_in(user).post("/ledger/events/", {})
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2F"


def test_htmx_requests_get_a_full_page_redirect():
    user = staff(Role.BILLING_CLERK)
    with_device(user)
    response = logged_in(user).get("/ledger/events/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(VERIFY)


def test_exempt_pages_stay_reachable_unverified():
    user = staff(Role.CLINIC_ADMIN)
    with_device(user)
    client = logged_in(user)
    assert client.get("/healthz").status_code == 200
    # Signed-link pages answer for themselves (a wrong token: not found), not with 2FA.
    for url in (reverse("receivables:patient_page", args=["bad-token"]), reverse("cases:public_confirmation", args=["bad"])):
        response = client.get(url)
        assert not response.get("Location", "").startswith((VERIFY, ENROL)), url
    assert client.get(VERIFY).status_code == 200
    assert client.post(reverse("web:logout")).status_code == 302


def test_the_requirement_can_be_switched_off(settings):
    settings.KVITT_2FA_REQUIRED = False
    client = logged_in(staff(Role.PRACTITIONER))
    assert client.get("/").status_code == 200


# --- the API --------------------------------------------------------------------------------

API = "/api/v1/ledger/care-events"


def test_api_tokens_are_not_asked_for_a_second_factor():
    organisation = f.company().organisation
    raw = f.token(organisation, Role.BILLING_CLERK)
    assert Client().get(API, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_the_api_refuses_an_unverified_session_and_serves_a_verified_one():
    user = staff(Role.BILLING_CLERK)
    device = with_device(user)
    client = logged_in(user)
    assert client.get(API).status_code == 401
    # A made-up bearer token next to the session cookie does not open the door either.
    assert client.get(API, HTTP_AUTHORIZATION="Bearer kv_not-a-token").status_code == 401
    client.post(VERIFY, {"code": code_from_key(device.key)})
    assert client.get(API).status_code == 200


# --- the demo's helper command ----------------------------------------------------------------


def test_otp_code_prints_the_current_code_in_development(settings):
    settings.DEBUG = True
    user = staff(Role.PRACTITIONER)
    device = with_device(user)
    out = StringIO()
    call_command("otp_code", user.username, stdout=out)
    printed = out.getvalue().split()[0]
    assert printed in {code_from_key(device.key), code_from_key(device.key, drift=-1)}  # a step may just have turned
    client = logged_in(user)
    assert client.post(VERIFY, {"code": printed}).status_code == 302


def test_otp_code_refuses_outside_development(settings):
    settings.DEBUG = False
    user = staff(Role.PRACTITIONER)
    with_device(user)
    with pytest.raises(CommandError, match="development"):
        call_command("otp_code", user.username, stdout=StringIO())


def test_otp_reset_removes_the_devices_so_the_user_enrols_again():
    user = staff(Role.PRACTITIONER)
    with_device(user)
    call_command("otp_reset", user.username, stdout=StringIO())
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert logged_in(user).get("/")["Location"].startswith(ENROL)


# --- in a real browser --------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_new_clerk_enrols_in_the_browser_and_reaches_the_dashboard(live_server, page):
    company = f.company("Totp Fysio AS")
    f.user(company.organisation, Role.BILLING_CLERK, "browserclerk")
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "browserclerk")
    page.fill("#id_password", f.PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}{ENROL}?next=%2F")
    assert page.locator("#two-factor-qr svg").is_visible()
    secret = page.locator("#two-factor-secret").inner_text().replace(" ", "")

    page.fill("#otp-code", code_from_key(b32decode(secret).hex()))
    page.click("#two-factor-submit")
    page.wait_for_url(f"{live_server.url}/")
    assert "Totp Fysio AS" in page.content()
    assert refused == []
