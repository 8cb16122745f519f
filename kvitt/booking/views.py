"""Web pages for booking: search and book (insurer), bookings and journal-system set-up (clinic)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from kvitt.booking import connectors, geo, search, services
from kvitt.booking.models import JournalIntegration
from kvitt.cases import selectors as case_selectors
from kvitt.cases.views import acting
from kvitt.core.permissions import PermissionDenied
from kvitt.network.models import Location


@acting
def search_results(request):
    """The htmx partial under an assignment: approved clinics near a place, with free times."""
    actor = request.actor
    assignment = case_selectors.get_assignment(actor, request.GET.get("sakid", ""))
    profession = request.GET.get("profession") or (assignment.professions[0] if assignment.professions else "")
    if profession not in assignment.professions:
        raise PermissionDenied(_("The assignment does not cover that profession"))
    error = ""
    origin, results = None, []
    try:
        origin, results = search.search_locations(
            actor, postcode=request.GET.get("postcode", ""), latitude=request.GET.get("latitude") or None,
            longitude=request.GET.get("longitude") or None, radius_km=float(request.GET.get("radius_km") or 50),
            profession=profession, competence=request.GET.get("competence", ""),
            sort=request.GET.get("sort", search.SORT_DISTANCE), slots_per_result=4,
        )
    except (ValueError, geo.UnknownPostcode) as exc:
        error = str(exc)
    moving = None
    if request.GET.get("rebook"):
        moving = services.live_bookings(assignment).filter(pk=request.GET["rebook"]).first()
    return render(
        request, "booking/_search_results.html",
        {"assignment": assignment, "origin": origin, "results": results, "error": error, "moving": moving},
    )


@acting
@require_POST
def book(request):
    actor = request.actor
    assignment = case_selectors.get_assignment(actor, request.POST.get("sakid", ""))
    slot_id = int(request.POST.get("slot_id", "0"))
    moving = services.live_bookings(assignment).filter(pk=request.POST.get("rebook") or 0).first()
    try:
        if moving is not None:
            services.rebook(actor, moving, slot_id, request.POST.get("reason", ""))
        else:
            services.book_slot(actor, assignment, slot_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cases:detail", sakid=assignment.sakid)
    messages.success(request, _("Booked. The clinic's journal system is being told."))
    return redirect("cases:confirmation", sakid=assignment.sakid)


@acting
@require_POST
def cancel(request, booking_id: int):
    actor = request.actor
    booking = services.bookings_for(actor).filter(pk=booking_id).first()
    if booking is None:
        raise PermissionDenied(_("No such booking, or not yours"))
    try:
        services.cancel_booking(actor, booking, request.POST.get("reason", ""))
        messages.success(request, _("The booking is cancelled."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(request.POST.get("next") or "booking:list")


@acting
def booking_list(request):
    actor = request.actor
    bookings = services.bookings_for(actor).select_related("slot__appointment_type").order_by("slot__start")[:300]
    return render(request, "booking/booking_list.html", {"bookings": bookings, "is_clinic": case_selectors.is_clinic_actor(actor)})


class IntegrationForm(forms.Form):
    system = forms.ChoiceField(label=gettext_lazy("Booking system"))
    base_url = forms.URLField(label=gettext_lazy("Endpoint URL from the vendor"), assume_scheme="https")
    client_id = forms.CharField(label=gettext_lazy("Client id"), required=False, max_length=120)
    api_key = forms.CharField(
        label=gettext_lazy("API key"), required=False, widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy("Leave empty to keep the stored key. A stored key is never shown."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].choices = connectors.choices()


def _clinic_locations(actor):
    if not case_selectors.is_clinic_actor(actor):
        raise PermissionDenied(_("Only a clinic sets up journal systems"))
    return Location.objects.filter(company__organisation=actor.organisation).select_related("journal_integration")


@acting
def integrations(request):
    locations = _clinic_locations(request.actor)
    return render(request, "booking/integrations.html", {"locations": locations})


@acting
def integration_edit(request, location_id: int):
    actor = request.actor
    location = get_object_or_404(_clinic_locations(actor), pk=location_id)
    integration = JournalIntegration.objects.filter(location=location).first()
    initial = {"system": integration.system, "base_url": integration.base_url, "client_id": integration.client_id} if integration else {}
    form = IntegrationForm(request.POST or None, initial=initial)
    shown_once = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            integration, new_key = services.configure_integration(
                actor, location, system=data["system"], base_url=data["base_url"], client_id=data["client_id"],
                api_key=data["api_key"] or None,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Saved. Test the connection to activate it."))
            if new_key:
                shown_once["webhook_key"] = new_key
    return render(
        request, "booking/integration_edit.html",
        {"location": location, "integration": integration, "form": form, "shown_once": shown_once},
    )


def _own_integration(actor, integration_id: int) -> JournalIntegration:
    integration = services.integrations_for(actor).filter(pk=integration_id).first()
    if integration is None:
        raise PermissionDenied(_("No such integration, or not yours"))
    return integration


@acting
@require_POST
def integration_test(request, integration_id: int):
    integration = _own_integration(request.actor, integration_id)
    result = services.test_connection(request.actor, integration)
    (messages.success if result.ok else messages.error)(request, result.message)
    return redirect("booking:integration_edit", location_id=integration.location_id)


@acting
@require_POST
def integration_secret(request, integration_id: int):
    """Make a new webhook key or push token; it is shown on this one page and never again."""
    actor = request.actor
    integration = _own_integration(actor, integration_id)
    kind = request.POST.get("kind")
    if kind == "webhook_key":
        shown_once = {"webhook_key": services.rotate_webhook_key(actor, integration)}
    elif kind == "push_token":
        shown_once = {"push_token": services.issue_push_token(actor, integration)}
    else:
        raise PermissionDenied(_("Unknown secret"))
    form = IntegrationForm(initial={"system": integration.system, "base_url": integration.base_url, "client_id": integration.client_id})
    return render(
        request, "booking/integration_edit.html",
        {"location": integration.location, "integration": integration, "form": form, "shown_once": shown_once},
    )


@acting
def integration_request(request, integration_id: int):
    """The ready-written request to the vendor, in the company's language, to copy into an e-mail."""
    actor = request.actor
    integration = _own_integration(actor, integration_id)
    language = request.GET.get("language") or integration.location.company.language or translation.get_language()
    text = services.request_details_text(actor, integration, language=language)
    return render(request, "booking/integration_request.html", {"integration": integration, "text": text, "language": language})


