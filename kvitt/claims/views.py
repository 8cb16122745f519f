"""The insurer case handler's inbox: waiting, due and overdue invoices; findings beside the coverage."""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kvitt.claims import selectors, services
from kvitt.claims.models import Source, ValidationFrequency
from kvitt.core.permissions import PermissionDenied

MAX_UPLOAD = 5 * 1024 * 1024
STATES = ("pending", "due_today", "overdue", "approved", "deviation", "rejected", "unreadable")


def acting(view):
    """Logged in, acting for an insurer; refusals become 403 pages."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request, "actor", None) is None:
            return HttpResponseForbidden(_("You are not a member of any organisation"))
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return HttpResponseForbidden(str(exc) or _("Not allowed"))

    return wrapper


class UploadForm(forms.Form):
    document = forms.FileField(label=gettext_lazy("EHF invoice or credit note (XML, with or without SBDH)"))


class FrequencyForm(forms.Form):
    frequency = forms.ChoiceField(choices=ValidationFrequency.choices, label=gettext_lazy("Validate"))
    daily_at = forms.TimeField(required=False, label=gettext_lazy("Daily at"))


class OverrideForm(forms.Form):
    code = forms.CharField(max_length=10, widget=forms.HiddenInput)
    line_id = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)
    reason = forms.CharField(max_length=500, min_length=5, label=gettext_lazy("Reason"))


class ExceptionForm(forms.Form):
    text = forms.CharField(max_length=2000, min_length=5, widget=forms.Textarea(attrs={"rows": 3}),
                           label=gettext_lazy("What was found"))


@acting
def inbox(request):
    actor = request.actor
    state = request.GET.get("state", "pending")
    if state not in STATES:
        state = "pending"
    invoices = selectors.filtered(selectors.inbound_for(actor), state)[:200]
    conf = services.settings_for(services.payer_of(actor))
    return render(request, "claims/inbox.html", {
        "invoices": invoices, "state": state, "states": STATES, "counts": selectors.dashboard(actor),
        "upload_form": UploadForm(),
        "frequency_form": FrequencyForm(initial={"frequency": conf.frequency, "daily_at": conf.daily_at}),
    })


@acting
@require_POST
def frequency(request):
    form = FrequencyForm(request.POST)
    if form.is_valid():
        try:
            services.set_validation_frequency(request.actor, form.cleaned_data["frequency"], form.cleaned_data["daily_at"])
        except services.ClaimRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Validation frequency saved"))
    else:
        messages.error(request, _("Choose a frequency"))
    return redirect("claims:inbox")


@acting
@require_POST
def upload(request):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload"))
        return redirect("claims:inbox")
    document = form.cleaned_data["document"]
    if document.size > MAX_UPLOAD:
        messages.error(request, _("The file is larger than 5 MB"))
        return redirect("claims:inbox")
    try:
        invoice, created = services.receive(request.actor, document.read(), Source.UPLOAD)
    except services.ClaimRefused as exc:
        messages.error(request, str(exc))
        return redirect("claims:inbox")
    if not created:
        messages.info(request, _("This document was already received"))
    return redirect("claims:detail", pk=invoice.pk)


@acting
def detail(request, pk: int):
    actor = request.actor
    invoice = selectors.get_invoice(actor, pk)
    context = selectors.invoice_detail(actor, invoice)
    language = (request.LANGUAGE_CODE or "nb")[:2]
    context["finding_rows"] = [
        {"finding": f, "message": f.message(language),
         "form": OverrideForm(initial={"code": f.code, "line_id": f.line_id}) if _may_override(f) else None}
        for f in context["findings"]
    ]
    context["exception_form"] = ExceptionForm()
    return render(request, "claims/detail.html", context)


def _may_override(finding) -> bool:
    from kvitt.claims.reasons import reason

    return not finding.waived and finding.severity in ("reject", "deviation") and reason(finding.code).waivable


@acting
@require_POST
def override(request, pk: int):
    invoice = selectors.get_invoice(request.actor, pk)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason of at least 5 characters"))
        return redirect("claims:detail", pk=pk)
    data = form.cleaned_data
    try:
        services.override_finding(request.actor, invoice, data["code"], data["line_id"] or None, data["reason"])
    except services.ClaimRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Finding %(code)s overridden; the invoice was validated again") % {"code": data["code"]})
    return redirect("claims:detail", pk=pk)


@acting
@require_POST
def revalidate(request, pk: int):
    invoice = selectors.get_invoice(request.actor, pk)
    try:
        services.validate_invoice(request.actor, invoice)
    except services.ClaimRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Validated again"))
    return redirect("claims:detail", pk=pk)


@acting
@require_POST
def raise_exception(request, pk: int):
    invoice = selectors.get_invoice(request.actor, pk)
    form = ExceptionForm(request.POST)
    if form.is_valid():
        try:
            services.raise_exception(request.actor, invoice, form.cleaned_data["text"])
        except services.ClaimRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The clinic is notified"))
    else:
        messages.error(request, _("Describe what was found"))
    return redirect("claims:detail", pk=pk)
