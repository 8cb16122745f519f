"""Web pages for assignments: the insurer opens and follows them, the clinic sees its own."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kvitt.cases import confirmation, selectors, services
from kvitt.cases.forms import OpenAssignmentForm, TransitionForm
from kvitt.cases.models import TRANSITIONS
from kvitt.core import audit
from kvitt.core.permissions import Actor, PermissionDenied
from kvitt.network.models import Profession


def acting(view):
    """Logged in and acting for an organisation; refusals become 403 pages, not tracebacks."""

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


@acting
def assignment_list(request):
    actor = request.actor
    query = request.GET.get("q", "")
    assignments = selectors.search_assignments(actor, query).select_related("location")[:200]
    return render(
        request, "cases/assignment_list.html",
        {"assignments": assignments, "q": query, "may_open": selectors.is_payer_actor(actor)},
    )


@acting
def assignment_new(request):
    actor = request.actor
    services.payer_of(actor)
    form = OpenAssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            patient = services.register_insured(
                actor, national_id=data["national_id"], name=data["name"], email=data["email"], phone=data["phone"]
            )
            assignment = services.open_assignment(
                actor, patient=patient, professions=data["professions"], service_codes=data["service_codes"],
                max_treatments=data["max_treatments"], max_amount=data["max_amount"], valid_from=data["valid_from"],
                valid_to=data["valid_to"], referral_required=data["referral_required"],
                diagnosis_text=data["diagnosis_text"], notes_for_clinic=data["notes_for_clinic"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Assignment %(sakid)s opened") % {"sakid": assignment.sakid})
            return redirect("cases:detail", sakid=assignment.sakid)
    return render(request, "cases/assignment_new.html", {"form": form})


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@acting
def assignment_detail(request, sakid: str):
    actor = request.actor
    assignment = selectors.get_assignment(actor, sakid)
    patient = selectors.patient_identity(actor, assignment)
    is_payer = selectors.is_payer_actor(actor)
    bookings = assignment.bookings.select_related("slot__practitioner", "slot__location").order_by("-created_at")
    return render(
        request, "cases/assignment_detail.html",
        {
            "assignment": assignment,
            "patient": patient,
            "coverage": selectors.remaining_coverage(assignment),
            "history": assignment.state_changes.all(),
            "bookings": bookings,
            "is_payer": is_payer,
            "next_states": sorted(TRANSITIONS[assignment.state]),
            "professions": [(p, label) for p, label in Profession.choices if p in assignment.professions],
            "default_postcode": patient.postcode,
        },
    )


@acting
@require_POST
def assignment_transition(request, sakid: str):
    actor = request.actor
    assignment = selectors.get_assignment(actor, sakid)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.transition(actor, assignment, form.cleaned_data["to_state"], form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("cases:detail", sakid=assignment.sakid)


@acting
def confirmation_page(request, sakid: str):
    actor = request.actor
    assignment = selectors.get_assignment(actor, sakid)
    patient = selectors.patient_identity(actor, assignment, reason="coverage confirmation")
    ctx = confirmation.context(assignment, patient)
    ctx["show_clinic_notes"] = True
    ctx["public_url"] = services.confirmation_url(assignment) if selectors.is_payer_actor(actor) else ""
    return render(request, "cases/confirmation.html", ctx)


@acting
def confirmation_pdf(request, sakid: str):
    actor = request.actor
    assignment = selectors.get_assignment(actor, sakid)
    patient = selectors.patient_identity(actor, assignment, reason="coverage confirmation PDF")
    return _pdf_response(assignment, patient)


def _pdf_response(assignment, patient) -> HttpResponse:
    response = HttpResponse(confirmation.render_pdf(assignment, patient), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="dekningsbekreftelse-{assignment.sakid}.pdf"'
    return response


def _patient_link_actor(assignment) -> Actor:
    return Actor.system(assignment.payer.organisation, label="patient link")


def _public(request, token: str):
    try:
        assignment = services.assignment_for_token(token)
    except PermissionDenied as exc:
        return None, HttpResponseForbidden(str(exc))
    patient = assignment.patient
    audit.record(
        _patient_link_actor(assignment), "read", patient, privacy=("identity",), fields=("name",),
        reason=f"patient opened confirmation link {assignment.sakid}", patient=patient,
    )
    return (assignment, patient), None


def public_confirmation(request, token: str):
    """The patient's own view, reached through the signed link in their e-mail; no login."""
    found, refusal = _public(request, token)
    if refusal:
        return refusal
    assignment, patient = found
    return HttpResponse(confirmation.render_html(assignment, patient))


def public_confirmation_pdf(request, token: str):
    found, refusal = _public(request, token)
    if refusal:
        return refusal
    return _pdf_response(*found)
