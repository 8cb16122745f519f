"""The words on patient invoices and dunning letters, in the patient's language."""

from __future__ import annotations

import datetime

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kvitt.core.money import format_amount

# Notes that prevent the usual misunderstandings (domain.md).
INVOICE_NOTES = [
    gettext_noop("Frikort covers the patient share for treatment, not medical materials."),
    gettext_noop("Copies of records sent by post cost money."),
    gettext_noop("If you pay at the terminal before the treatment is registered, it may show zero: pay this invoice instead."),
    gettext_noop("Lab work and the consultation may be billed separately; both belong to this invoice."),
]

STEP_SUBJECTS = {
    "reminder": gettext_noop("Reminder: invoice %(number)s"),
    "notice": gettext_noop("Debt collection notice: invoice %(number)s"),
    "collection": gettext_noop("Invoice %(number)s handed over to debt collection"),
}


def language_of(invoice) -> str:
    return "sv" if invoice.country == "SE" else "nb"


def money(invoice, minor: int) -> str:
    return format_amount(minor, currency=invoice.currency, locale=language_of(invoice))


def render(invoice, step: str, *, fee: int, interest: int, pay_by: datetime.date | None, settings) -> tuple[str, str]:
    with translation.override(language_of(invoice)):
        subject = _(STEP_SUBJECTS[step]) % {"number": invoice.number}
        lines = [
            _("Invoice %(number)s of %(date)s, due %(due)s, is not paid.") % {
                "number": invoice.number, "date": invoice.issue_date.strftime("%d.%m.%Y"), "due": invoice.due_date.strftime("%d.%m.%Y")},
        ]
        if fee:
            lines.append(_("Fee for this letter: %(fee)s.") % {"fee": money(invoice, fee)})
        if interest:
            lines.append(_("Late interest to date: %(interest)s.") % {"interest": money(invoice, interest)})
        lines.append(_("Amount to pay: %(open)s.") % {"open": money(invoice, invoice.open_minor)})
        if pay_by:
            lines.append(_("Pay by %(day)s to account %(account)s with reference %(ref)s.") % {
                "day": pay_by.strftime("%d.%m.%Y"), "account": settings.account, "ref": invoice.reference})
        if step == "notice":
            lines.append(_("If the amount is not paid by then, the claim will be sent to debt collection, which adds costs."))
        if step == "collection":
            lines.append(_("The claim has been handed over to our collection service, which will contact you."))
        lines.append(_("If you disagree with the invoice, tell us before the deadline: a disputed claim is not sent to collection."))
    return subject, "\n".join(lines)


def invoice_text(invoice, settings) -> str:
    with translation.override(language_of(invoice)):
        rows = [f"{line.text}: {money(invoice, line.amount_minor)}" for line in invoice.lines.all()]
        rows.append(_("Total: %(total)s") % {"total": money(invoice, invoice.principal_minor)})
        rows.append(_("Due date: %(due)s") % {"due": invoice.due_date.strftime("%d.%m.%Y")})
        rows.append(_("Account: %(account)s, reference: %(ref)s") % {"account": settings.account, "ref": invoice.reference})
        rows.extend(_(note) for note in INVOICE_NOTES)
    return "\n".join(rows)


def conciliation_summary(invoice, dispute) -> str:
    patient = invoice.patient
    rows = [
        f"Creditor: {invoice.organisation.name} ({invoice.organisation.org_number})",
        f"Debtor: {patient.name}, {patient.street}, {patient.postcode} {patient.city}",
        f"Claim: invoice {invoice.number} of {invoice.issue_date}, due {invoice.due_date}",
        f"Principal {money(invoice, invoice.principal_minor)}; open {money(invoice, invoice.open_minor)}",
        f"Dispute raised {dispute.raised_at:%Y-%m-%d} by {dispute.raised_by_label}: {dispute.reason}",
        "Letters:",
        *[f"  {l.sent_on} {l.step}: fee {money(invoice, l.fee_minor)}, interest {money(invoice, l.interest_minor)}" for l in invoice.letters.all()],
        "Movements:",
        *[f"  {e.booked_on} {e.kind} {e.component} {money(invoice, e.amount_minor)}" for e in invoice.entries.all()],
    ]
    return "\n".join(rows)
