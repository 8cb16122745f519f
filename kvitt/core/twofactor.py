"""Two-factor authentication (TOTP, django-otp) for staff who see patient data.

Who must use it: a user whose acting membership has a role that sees patient identity or
clinical data (``permissions.ROLE_PRIVACY``), and any Django admin user (is_staff or
is_superuser: the admin site shows every table). Roles without patient data (auditor,
network operator) are not asked. The requirement is switched by ``KVITT_2FA_REQUIRED``
(environment, default on).

Enforcement lives in one place, ``TwoFactorMiddleware``, after the acting-organisation
middleware (it needs the acting role):

- web pages: an unverified user is sent to enrolment (no confirmed device yet: secret and
  QR code, confirmed with a code) or to verification (the 6-digit code);
- the API: an unverified *session* counts as no credential at all, so session-authenticated
  calls are refused with 401 while API-token calls (machine credentials of a system,
  issued per organisation and role, stored as hashes, revocable) pass unchanged;
- exempt: log-in/log-out, the two-factor pages, switching the acting membership and the
  language, health checks, static files, and the pages patients and partners reach through
  signed links (they carry their own credential and show no staff data).

Devices are ``kvitt.core.models.TOTPDevice``: django-otp's TOTP with the seed encrypted at
rest under KVITT_FIELD_KEYS (django-otp's own plugin keeps it in clear).
"""

from __future__ import annotations

import functools
import logging
from base64 import b32encode
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP

from kvitt.core.models import TOTPDevice
from kvitt.core.permissions import ROLE_PRIVACY

log = logging.getLogger(__name__)

PATIENT_DATA_CLASSES = frozenset({"identity", "clinical"})
DEVICE_NAME = "Authenticator app"

# View names (namespace:name) an unverified user may still reach.
EXEMPT_VIEW_NAMES = frozenset(
    {
        "web:login",
        "web:logout",
        "web:switch_acting",  # choosing a role without patient data must stay possible
        "set_language",
        "core:two_factor_enrol",
        "core:two_factor_verify",
        "healthz",
        "readyz",
        "admin:login",
        "admin:logout",
        # Signed-link pages for patients and partners: their token is the credential.
        "cases:public_confirmation",
        "cases:public_confirmation_pdf",
        "receivables:patient_page",
        "network:accept_invitation",
        # Machine endpoint authenticated by a verified client certificate at the proxy.
        "interregion:soap",
    }
)


@functools.cache  # ROLE_PRIVACY is fixed at import; no need to rebuild it on every request
def roles_requiring_two_factor() -> frozenset[str]:
    return frozenset(
        role for role, classes in ROLE_PRIVACY.items() if role != "system" and classes & PATIENT_DATA_CLASSES
    )


def two_factor_required(user, actor) -> bool:
    if not settings.KVITT_2FA_REQUIRED or user is None or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return actor is not None and actor.role in roles_requiring_two_factor()


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("id").first()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device shown on the enrolment page; kept until confirmed so that a
    reload does not invalidate a QR code the user has already scanned."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for this device (RFC 6238)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(totp.token()).zfill(device.digits)


def seconds_left_in_step(device: TOTPDevice) -> int:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return int(device.step - (totp.time - device.t0) % device.step)


def readable_secret(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode("ascii")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def seconds_until_next_try(device: TOTPDevice) -> int:
    """0 when a code may be tried now; otherwise the throttle's wait (django-otp doubles it
    after every wrong code)."""
    allowed, info = device.verify_is_allowed()
    if allowed or not info:
        return 0
    locked_until = info.get("locked_until")
    if locked_until is None:
        return 0
    return max(1, int((locked_until - timezone.now()).total_seconds() + 0.999))


def two_factor_url(request) -> str:
    target = "core:two_factor_verify" if confirmed_device(request.user) else "core:two_factor_enrol"
    # After a POST the page to come back to is the form's page, not the POST-only endpoint.
    next_url = request.get_full_path() if request.method in ("GET", "HEAD") else reverse("web:dashboard")
    return f"{reverse(target)}?{urlencode({'next': next_url})}"


def _is_exempt(request) -> bool:
    if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return True
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in EXEMPT_VIEW_NAMES


def _is_api(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and "api" in match.namespaces


class TwoFactorMiddleware:
    """Sends unverified staff with patient-data roles to the two-factor pages.

    Must come after AuthenticationMiddleware, django_otp's OTPMiddleware and
    ActingOrganisationMiddleware. Works in process_view, where the resolved view name is
    known, so exemptions are by name and survive URL changes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if not two_factor_required(user, getattr(request, "actor", None)):
            return None
        if user.is_verified() or _is_exempt(request):
            return None
        if _is_api(request):
            # An unverified session is no credential: session auth then finds no actor and
            # ninja answers 401; a bearer token still authenticates on its own.
            request.user = AnonymousUser()
            request.actor = None
            return None
        url = two_factor_url(request)
        if request.headers.get("HX-Request"):
            # htmx follows a 302 inside the fragment; HX-Redirect loads the whole page instead.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
