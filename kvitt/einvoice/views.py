"""The billing clerk's EHF pages: cases to invoice, build, preview with findings, send, credit."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kvitt.core.permissions import may_see
from kvitt.einvoice import render as einvoice_render
from kvitt.einvoice import selectors, services
from kvitt.einvoice.parser import parse_document
from kvitt.einvoice.ubl import EInvoiceError
from kvitt.web.decorators import actor_required


@actor_required
def invoice_list(request):
    invoices = selectors.invoices_for(request.actor)
    status = request.GET.get("status") or ""
    if status:
        invoices = invoices.filter(status=status)
    return render(request, "einvoice/invoice_list.html", {"invoices": invoices[:200], "status": status})


@actor_required
def cases(request):
    return render(request, "einvoice/cases.html", {"cases": selectors.cases_to_invoice(request.actor)})


@actor_required
def case_detail(request, sak_id: str):
    events = selectors.uninvoiced_for_case(request.actor, sak_id, reason="web: uninvoiced events of a case")
    invoices = selectors.invoices_for(request.actor).filter(sak_id=sak_id)
    return render(
        request, "einvoice/case.html",
        {"sak_id": sak_id, "events": events, "invoices": invoices, "today": datetime.date.today(), "total": sum(e.amounts.get("insurer", 0) for e in events)},
    )


@require_POST
@actor_required
def build(request, sak_id: str):
    event_ids = request.POST.getlist("event") or None
    try:
        invoice = services.build_case_invoice(request.actor, sak_id, event_ids=event_ids)
    except (services.InvoiceRefused, EInvoiceError) as exc:
        messages.error(request, services.build_error_message(exc))
        return redirect("einvoice:case", sak_id=sak_id)
    if invoice.status == "validated":
        messages.success(request, _("Invoice %(n)s is built and valid. Check the preview, then send it.") % {"n": invoice.number})
    else:
        messages.error(request, _("Invoice %(n)s failed validation and cannot be sent.") % {"n": invoice.number})
    return redirect("einvoice:invoice", invoice_id=invoice.pk)


@actor_required
def invoice_detail(request, invoice_id: int):
    invoice = selectors.get_invoice(request.actor, invoice_id)
    # Line texts name the treatment (service code and description): clinical data.
    lines = invoice.lines.all() if may_see(request.actor, "clinical") else []
    return render(request, "einvoice/invoice.html", {"invoice": invoice, "lines": lines, "credit_notes": invoice.credit_notes.all()})


@actor_required
def preview(request, invoice_id: int):
    invoice = selectors.get_invoice(request.actor, invoice_id)
    data = selectors.invoice_document(request.actor, invoice, reason="web preview")
    return HttpResponse(einvoice_render.render_html(parse_document(data), get_language()))


@actor_required
def pdf(request, invoice_id: int):
    invoice = selectors.get_invoice(request.actor, invoice_id)
    data = selectors.invoice_document(request.actor, invoice, reason="web pdf")
    response = HttpResponse(einvoice_render.render_pdf(parse_document(data), get_language()), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.kind}-{invoice.number}.pdf"'
    return response


@actor_required
def xml(request, invoice_id: int):
    invoice = selectors.get_invoice(request.actor, invoice_id)
    data = selectors.invoice_document(request.actor, invoice, reason="web xml download")
    response = HttpResponse(data, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ehf-{invoice.kind}-{invoice.number}.xml"'
    return response


@require_POST
@actor_required
def send(request, invoice_id: int):
    invoice = selectors.get_invoice(request.actor, invoice_id)
    try:
        services.queue_for_delivery(request.actor, invoice)
        messages.success(request, _("Invoice %(n)s is queued for delivery.") % {"n": invoice.number})
    except services.InvoiceRefused as exc:
        messages.error(request, exc.message)
    return redirect("einvoice:invoice", invoice_id=invoice.pk)


@require_POST
@actor_required
def credit(request, invoice_id: int):
    invoice = selectors.get_invoice(request.actor, invoice_id)
    try:
        note = services.credit_invoice(request.actor, invoice, reason=request.POST.get("reason", ""), event_ids=request.POST.getlist("event") or None)
    except (services.InvoiceRefused, EInvoiceError) as exc:
        messages.error(request, services.build_error_message(exc))
        return redirect("einvoice:invoice", invoice_id=invoice.pk)
    messages.success(request, _("Credit note %(n)s is built.") % {"n": note.number})
    return redirect("einvoice:invoice", invoice_id=note.pk)
