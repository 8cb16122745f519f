"""E-mail notices about assignments: to the clinic it was given to and to the insured patient.

Sent after commit, so a rolled-back assignment never mails anyone. The patient's e-mail carries
no health data, only the SakID and a signed link to the coverage confirmation.
"""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def _send(subject: str, body: str, to: list[str]) -> None:
    to = [address for address in to if address]
    if not to:
        return
    try:
        send_mail(subject, body, None, to)
    except OSError:
        # A mail server hiccup must not undo a committed assignment; the web view shows it anyway.
        logger.exception("could not send notice %r", subject)


def assignment_opened(assignment_id: int) -> None:
    from kvitt.cases.models import Assignment
    from kvitt.cases.services import confirmation_url

    assignment = Assignment.objects.select_related("payer", "patient", "company", "location").get(pk=assignment_id)
    if assignment.company_id:
        company = assignment.company
        with translation.override(company.language):
            _send(
                _("New treatment assignment %(sakid)s from %(payer)s") % {"sakid": assignment.sakid, "payer": assignment.payer.name},
                _(
                    "%(payer)s has given %(company)s a treatment assignment.\n\nSakID: %(sakid)s\n"
                    "Covered: %(n)d treatments, %(from)s to %(to)s.\nSee the assignment in Kvitt.\n"
                )
                % {
                    "payer": assignment.payer.name, "company": company.name, "sakid": assignment.sakid,
                    "n": assignment.max_treatments, "from": assignment.valid_from, "to": assignment.valid_to,
                },
                [company.notification_email],
            )
    patient = assignment.patient
    if patient.email:
        with translation.override(assignment.payer.language):
            _send(
                _("Your treatment is covered – SakID %(sakid)s") % {"sakid": assignment.sakid},
                _(
                    "%(payer)s covers your treatment under SakID %(sakid)s.\n"
                    "Your coverage confirmation: %(url)s\n"
                )
                % {"payer": assignment.payer.name, "sakid": assignment.sakid, "url": confirmation_url(assignment)},
                [patient.email],
            )
