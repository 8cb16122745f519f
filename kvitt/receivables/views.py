import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kvitt.core import audit
from kvitt.core.permissions import Actor, PermissionDenied
from kvitt.receivables import selectors, services
from kvitt.receivables.models import ContactKind, Dispute
from kvitt.web.decorators import actor_required


def _day(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@actor_required
def overview(request):
    actor = request.actor
    invoices = selectors.invoices_for_clinic(actor).order_by("-issue_date")[:200]
    return render(request, "receivables/overview.html", {
        "overview": selectors.clinic_overview(actor, services.today()), "invoices": invoices,
    })


@actor_required
@require_POST
def invoice_shares(request):
    try:
        created = services.invoice_patient_shares(request.actor)
    except ValidationError as exc:  # e.g. the clinic has not set up patient invoicing yet
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)s invoices created") % {"n": len(created)})
    return redirect("receivables:overview")


@actor_required
def invoice_detail(request, pk: int):
    invoice = selectors.invoices_for_clinic(request.actor).filter(pk=pk).first()
    if invoice is None:
        raise PermissionDenied("not found or not yours")
    audit.record(request.actor, "read", invoice.patient, privacy=["identity", "financial"], fields=["name"], patient=invoice.patient)
    return render(request, "receivables/invoice.html", {
        "invoice": invoice, "balances": services.balances(invoice), "link": services.patient_link(invoice),
        "contacts": invoice.contacts.all(),
    })


@actor_required
@require_POST
def send(request, pk: int):
    invoice = selectors.invoices_for_clinic(request.actor).filter(pk=pk).first()
    if invoice is None:
        raise PermissionDenied("not found or not yours")
    channel = services.deliver_invoice(request.actor, invoice)
    messages.success(request, _("Invoice sent by %(channel)s") % {"channel": channel})
    return redirect("receivables:invoice", pk=pk)


@actor_required
@require_POST
def decide(request, pk: int):
    dispute = Dispute.objects.select_related("invoice").filter(pk=pk, invoice__organisation=request.actor.organisation).first()
    if dispute is None:
        raise PermissionDenied("not found or not yours")
    decision = request.POST.get("decision", "")
    try:
        if decision == "small":
            services.credit_small_claim(request.actor, dispute)
        elif decision == "summary":
            return HttpResponse(services.conciliation_summary(request.actor, dispute), content_type="text/plain; charset=utf-8")
        else:
            services.decide_dispute(request.actor, dispute, decision=decision, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("receivables:invoice", pk=dispute.invoice_id)


@actor_required
def collection_worklist(request):
    return render(request, "receivables/collection.html", {"claims": selectors.collection_worklist(request.actor)})


@actor_required
def collection_case(request, pk: int):
    return render(request, "receivables/collection_case.html", {"case": selectors.collection_case(request.actor, pk), "pk": pk})


@actor_required
@require_POST
def collection_act(request, pk: int):
    claims = selectors.collection_claims(request.actor)
    invoice = claims.filter(pk=pk).first()
    if invoice is None:
        raise PermissionDenied("not found or not yours")
    action = request.POST.get("action", "")
    actor = request.actor
    try:
        if action == "defer":
            services.defer(actor, invoice, until=_day(request.POST.get("until")) or services.today(), reason=request.POST.get("text", ""))
        elif action == "plan":
            services.create_plan(actor, invoice, instalments=int(request.POST.get("instalments") or 0),
                                 first_due=_day(request.POST.get("first_due")) or services.today())
        elif action in ("call", "callback", "note"):
            services.log_contact(actor, invoice, kind=action, text=request.POST.get("text", ""), due_date=_day(request.POST.get("due")))
        elif action == "preference":
            services.set_contact_preference(actor, invoice, request.POST.get("channel", ""))
        elif action == "authorisation":
            services.register_authorisation(actor, invoice, name=request.POST.get("name", ""), relation=request.POST.get("relation", ""),
                                            document_reference=request.POST.get("document", ""))
        elif action == "basis":
            services.log_contact(actor, invoice, kind=ContactKind.BASIS_QUESTION, text=request.POST.get("text", ""), routed_to="clinic")
        elif action == "dispute":
            services.raise_dispute(actor, invoice, reason=request.POST.get("text", ""))
        else:
            raise ValidationError(_("Unknown action"))
    except (ValidationError, ValueError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Saved"))
    return redirect("receivables:collection_case", pk=pk)


def patient_page(request, token: str):
    invoice = services.invoice_for_token(token)
    if invoice is None:
        raise Http404("unknown or expired link")
    actor = Actor(user=None, organisation=invoice.organisation, role="patient", label="patient link")
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        try:
            if kind == "preference":
                services.set_contact_preference(None, invoice, request.POST.get("channel", ""), label="patient")
            elif kind == "dispute":
                services.raise_dispute(None, invoice, reason=request.POST.get("text", ""), label="patient")
            else:
                services.patient_request(invoice, kind=kind, text=request.POST.get("text", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Thank you. We have received your message."))
        return redirect("receivables:patient_page", token=token)
    audit.record(actor, "read", invoice, privacy=["identity", "financial"], fields=["lines"], reason="patient page", patient=invoice.patient)
    settings = services.creditor_settings(invoice.organisation)
    with translation.override(services.letters.language_of(invoice)):
        return render(request, "receivables/patient_page.html", {
            "invoice": invoice, "settings": settings, "lines": invoice.lines.all(), "notes": services.letters.INVOICE_NOTES,
        })
