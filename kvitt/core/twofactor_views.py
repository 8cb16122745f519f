"""The two-factor pages: enrolment (secret + QR code, confirmed with a code) and verification.

Both are reached through TwoFactorMiddleware's redirect after the password log-in; see
kvitt/core/twofactor.py for who must use them.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import django_otp
import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.validators import RegexValidator
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from kvitt.core import audit, twofactor

log = logging.getLogger(__name__)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("6-digit code"),
        max_length=12,
        validators=[RegexValidator(r"^\d{6}$", gettext_lazy("Enter the 6 digits your app shows."))],
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True, "id": "otp-code"}
        ),
    )

    def clean_code(self):
        # Apps show the code as "123 456"; people type it that way.
        return "".join(self.cleaned_data["code"].split())

    def run_validators(self, value):  # validate after the spaces are gone
        super().run_validators("".join((value or "").split()))


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("web:dashboard")


def _with_next(url_name: str, request) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': _next_url(request)})}"


def _record(request, action: str, device, reason: str = "") -> None:
    """Audit row when the user acts for an organisation; a log line always."""
    log.info("%s user=%s device=%s %s", action, request.user.pk, device.pk, reason)
    actor = getattr(request, "actor", None)
    if actor is not None:
        audit.record(actor, action, device, reason=reason)


def _finish_login(request, device) -> HttpResponseRedirect:
    django_otp.login(request, device)
    # A new session key for the raised privilege, so a key seen before cannot ride on it.
    request.session.cycle_key()
    return HttpResponseRedirect(_next_url(request))


def _throttled(device) -> str:
    """The refusal while django-otp's back-off runs (the code is then not even tried)."""
    wait = twofactor.seconds_until_next_try(device)
    if wait:
        return _("Too many wrong codes. Try again in %(seconds)s seconds.") % {"seconds": wait}
    return ""


WRONG_CODE = gettext_lazy("That code is not right. Check the time on your phone and try the newest code.")


@never_cache
@sensitive_post_parameters("code")
@login_required
def verify(request):
    device = twofactor.confirmed_device(request.user)
    if device is None:
        return HttpResponseRedirect(_with_next("core:two_factor_enrol", request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        throttled = _throttled(device)
        if throttled:
            form.add_error("code", throttled)
        else:
            verified = django_otp.verify_token(request.user, device.persistent_id, form.cleaned_data["code"])
            if verified is not None:
                _record(request, "two_factor.verified", verified)
                return _finish_login(request, verified)
            device.refresh_from_db()
            _record(request, "two_factor.failed", device, reason=f"failures in a row: {device.throttling_failure_count}")
            form.add_error("code", WRONG_CODE)
    return render(request, "core/two_factor_verify.html", {"form": form, "next": _next_url(request)})


def _confirm(device, code: str) -> bool:
    """Confirm the pending device with its first code; locked so two tabs cannot both use it."""
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        if not device.verify_token(code):
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return True


@never_cache
@sensitive_post_parameters("code")
@login_required
def enrol(request):
    if twofactor.confirmed_device(request.user) is not None:
        return HttpResponseRedirect(_with_next("core:two_factor_verify", request))
    device = twofactor.pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        throttled = _throttled(device)
        if throttled:
            form.add_error("code", throttled)
        elif _confirm(device, form.cleaned_data["code"]):
            _record(request, "two_factor.enrolled", device)
            return _finish_login(request, device)
        else:
            device.refresh_from_db()
            _record(request, "two_factor.failed", device, reason=f"enrolment; failures in a row: {device.throttling_failure_count}")
            form.add_error("code", WRONG_CODE)
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=5, title=_("QR code for your authenticator app"))
    return render(
        request,
        "core/two_factor_enrol.html",
        {"form": form, "next": _next_url(request), "secret": twofactor.readable_secret(device), "qr_svg": qr_svg},
    )
