from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kvitt.network import selectors, services
from kvitt.network.forms import AcceptInvitationForm, ApprovalForm, InvitationForm
from kvitt.network.models import Company, Invitation, InvitationStatus
from kvitt.web.decorators import actor_required


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "message_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@actor_required
def overview(request):
    actor = request.actor
    return render(
        request,
        "network/overview.html",
        {
            "companies": selectors.companies_for(actor),
            "locations": selectors.locations_for(actor).select_related("company"),
            "practitioners": selectors.practitioners_for(actor).prefetch_related("locations"),
        },
    )


@actor_required
def company_detail(request, company_id: int):
    company = selectors.get_visible(selectors.companies_for(request.actor), company_id)
    locations = selectors.locations_for(request.actor).filter(company=company)
    rows = [{"location": loc, "status": selectors.approval_status(loc), "visible": selectors.is_visible(loc)} for loc in locations]
    return render(request, "network/company.html", {"company": company, "rows": rows})


@actor_required
def location_detail(request, location_id: int):
    location = selectors.get_visible(selectors.locations_for(request.actor), location_id)
    return render(
        request,
        "network/location.html",
        {
            "location": location,
            "approvals": selectors.approval_status(location),
            "visible": selectors.is_visible(location),
            "practitioners": location.practitioners.all(),
            "invitations": selectors.invitations_for(request.actor).filter(location=location),
            "form": InvitationForm(),
        },
    )


@actor_required
def invite(request, location_id: int):
    location = selectors.get_visible(selectors.locations_for(request.actor), location_id)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_practitioner(request.actor, location, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s") % {"email": form.cleaned_data["email"]})
            return redirect("network:location", location_id=location.id)
    return render(request, "network/invite.html", {"location": location, "form": form})


@actor_required
def approvals(request):
    actor = request.actor
    form = ApprovalForm(request.POST or None, companies=Company.objects.all())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.approve_partner(
                actor, data["company"], professions=data["professions"], valid_from=data["valid_from"],
                valid_to=data["valid_to"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Approval registered"))
            return redirect("network:approvals")
    return render(request, "network/approvals.html", {"approvals": selectors.approvals_for(actor), "form": form})


@actor_required
@require_POST
def revoke(request, approval_id: int):
    approval = selectors.get_visible(selectors.approvals_for(request.actor), approval_id)
    services.revoke_approval(request.actor, approval)
    messages.success(request, _("Approval revoked"))
    return redirect("network:approvals")


def accept_invitation(request, token: str):
    invitation = Invitation.objects.select_related("location__company").filter(token=token).first()
    if invitation is None or invitation.status != InvitationStatus.SENT:
        return render(request, "network/invitation_invalid.html", status=404)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_invitation(token, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Welcome! You can log in now."))
            return redirect("web:login")
    return render(request, "network/accept.html", {"invitation": invitation, "form": form})
