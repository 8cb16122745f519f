"""The digital coverage confirmation: one template, rendered as HTML or as a PDF (weasyprint)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone, translation

from kvitt.cases.models import Assignment
from kvitt.cases.selectors import remaining_coverage


def context(assignment: Assignment, patient) -> dict:
    bookings = []
    if hasattr(assignment, "bookings"):
        bookings = list(
            assignment.bookings.select_related("slot__location", "slot__practitioner")
            .filter(state__in=("requested", "accepted"))
            .order_by("slot__start")
        )
    return {
        "assignment": assignment,
        "patient": patient,
        "coverage": remaining_coverage(assignment),
        "bookings": bookings,
        "printed_at": timezone.now(),
    }


def render_html(assignment: Assignment, patient, *, standalone: bool = True, language: str | None = None) -> str:
    with translation.override(language or translation.get_language()):
        return render_to_string("cases/confirmation_document.html", {**context(assignment, patient), "standalone": standalone})


def render_pdf(assignment: Assignment, patient, *, language: str | None = None) -> bytes:
    from weasyprint import HTML

    html = render_html(assignment, patient, standalone=True, language=language)
    return HTML(string=html).write_pdf()
