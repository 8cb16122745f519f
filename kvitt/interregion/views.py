"""Pages for inter-regional billing, and the producer endpoint behind a TLS-terminating proxy."""

from __future__ import annotations

import ipaddress
import os

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kvitt.interregion import selectors, services, soap, transport
from kvitt.interregion.models import ClaimSpecification, Direction
from kvitt.web.decorators import actor_required


@actor_required
def sent_list(request):
    rows = selectors.sent_specifications(request.actor)
    disputes = selectors.disputes_for(request.actor).filter(care_region_org_number=request.actor.organisation.org_number)
    return render(request, "interregion/sent_list.html", {"rows": rows, "disputes": disputes})


@actor_required
@require_POST
def queue_sent(request, pk: int):
    row = get_object_or_404(ClaimSpecification, pk=pk, organisation=request.actor.organisation, direction=Direction.SENT)
    try:
        services.queue_for_delivery(request.actor, row)
        messages.success(request, _("Basis %(id)s is queued for delivery") % {"id": row.basis_id})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return HttpResponseRedirect(reverse("interregion:sent"))


@actor_required
@require_POST
def invoice_sent(request, pk: int):
    row = get_object_or_404(ClaimSpecification, pk=pk, organisation=request.actor.organisation, direction=Direction.SENT)
    try:
        invoice = services.issue_invoice(request.actor, row)
        messages.success(request, _("Invoice %(n)s issued for %(id)s") % {"n": invoice.number, "id": row.basis_id})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return HttpResponseRedirect(reverse("interregion:sent"))


@actor_required
def received_list(request):
    rows = selectors.received_specifications(request.actor)
    return render(request, "interregion/received_list.html", {"rows": rows})


@actor_required
def received_detail(request, pk: int):
    row = get_object_or_404(ClaimSpecification, pk=pk, organisation=request.actor.organisation, direction=Direction.RECEIVED)
    if request.method == "POST":
        try:
            services.dispute_line(
                request.actor, row, int(request.POST.get("line_id", "0") or 0),
                reason_code=request.POST.get("reason_code", ""), reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("The line is marked as disputed"))
        except (ValidationError, ValueError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return HttpResponseRedirect(reverse("interregion:received_detail", args=[pk]))
    lines = selectors.received_lines(request.actor, row)
    disputes = selectors.disputes_for(request.actor).filter(basis_id=row.basis_id)
    return render(request, "interregion/received_detail.html", {"row": row, "lines": lines, "disputes": disputes,
                                                                "chain": selectors.chain(request.actor, row.basis_id)})


@actor_required
def match(request):
    overview = selectors.match_overview(request.actor, request.GET.get("supplier") or None)
    return render(request, "interregion/match.html", {"overview": overview})


# ----------------------------------------------------------------------------- producer


def trusted_proxies() -> list:
    """Addresses allowed to vouch for a client certificate (KVITT_INTERREGION_TRUSTED_PROXIES)."""
    raw = getattr(settings, "KVITT_INTERREGION_TRUSTED_PROXIES", None)
    if raw is None:
        raw = os.environ.get("KVITT_INTERREGION_TRUSTED_PROXIES", "")
    if isinstance(raw, str):
        raw = [part.strip() for part in raw.split(",") if part.strip()]
    return [ipaddress.ip_network(part, strict=False) for part in raw]


def verified_caller(request) -> str | None:
    """The HSA-id a trusted proxy verified; None for anyone else, whatever headers they send."""
    try:
        remote = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return None
    if not any(remote in network for network in trusted_proxies()):
        return None
    if request.headers.get("X-SSL-Client-Verify") != "SUCCESS":
        return None
    return transport.hsa_id_from_subject_dn(request.headers.get("X-SSL-Client-S-DN", ""))


@csrf_exempt
def soap_endpoint(request):
    """ProcessClaimSpecification behind nginx: only a verified client certificate gets in."""
    if request.method != "POST":
        return HttpResponse(soap.build_fault("use POST", "soapenv:Client"), status=405, content_type=soap.CONTENT_TYPE)
    caller = verified_caller(request)
    if caller is None:
        body = soap.build_fault("mutual TLS through the configured proxy is required", "soapenv:Client")
        return HttpResponse(body, status=403, content_type=soap.CONTENT_TYPE)
    answer = services.producer_endpoint()(request.body, caller)
    return HttpResponse(answer.body, status=answer.status, content_type=soap.CONTENT_TYPE)
