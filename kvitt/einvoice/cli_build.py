"""``kvitt ehf build --case SAKID [--company ORGNR] [--out FILE]``: invoice a case from the shell.

The ``ehf`` management command (owned by the validator) dispatches ``build`` here. The command
runs as the company's system actor, so the audit log says the invoice came from the CLI.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.management.base import CommandError

from kvitt.core.permissions import Actor


def add_build_arguments(parser) -> None:
    parser.add_argument("--case", required=True, metavar="SAKID", help="the treatment assignment's SakID")
    parser.add_argument("--company", metavar="ORGNR", help="the invoicing company (needed when several treat the case)")
    parser.add_argument("--out", metavar="FILE", help="write the UBL XML here (default: standard output)")
    parser.add_argument("--issue-date", type=datetime.date.fromisoformat, help="YYYY-MM-DD (default: today)")
    parser.add_argument("--due-days", type=int, default=14, help="days from issue to due date (default 14)")
    parser.add_argument("--queue", action="store_true", help="also queue the invoice for delivery when it is valid")


def _company(options):
    from kvitt.ledger.models import CareEvent
    from kvitt.network.models import Company

    if options.get("company"):
        company = Company.objects.filter(org_number=options["company"]).select_related("organisation").first()
        if company is None:
            raise CommandError(f"no company has organisation number {options['company']}")
        return company
    company_ids = set(CareEvent.objects.filter(case_ref=options["case"], is_current=True).exclude(company=None).values_list("company_id", flat=True))
    if not company_ids:
        raise CommandError(f"no care events are recorded on SakID {options['case']}")
    if len(company_ids) > 1:
        raise CommandError(f"several companies treat SakID {options['case']}; name one with --company")
    return Company.objects.select_related("organisation").get(pk=company_ids.pop())


def run_build(command_or_options, options_or_stdout) -> int:
    """Build the invoice; print number, status and findings. Returns the exit code.

    Called as ``run_build(command, options)`` by the ``ehf`` management command (output to the
    command's stdout/stderr) or as ``run_build(options, stdout)`` (everything to ``stdout``).
    """
    if isinstance(command_or_options, dict):
        options, out, err = command_or_options, options_or_stdout, options_or_stdout
    else:
        options, out, err = options_or_stdout, command_or_options.stdout, command_or_options.stderr
    return _build(options, out, err)


def _build(options, out, err) -> int:
    from kvitt.einvoice import services
    from kvitt.einvoice.ubl import EInvoiceError

    company = _company(options)
    actor = Actor.system(company.organisation, label="kvitt ehf build")
    try:
        invoice = services.build_case_invoice(
            actor, options["case"], issue_date=options.get("issue_date"), due_days=options.get("due_days") or 14
        )
    except (services.InvoiceRefused, EInvoiceError) as exc:
        raise CommandError(str(exc), returncode=1) from None
    if options.get("out"):
        Path(options["out"]).write_text(invoice.document_xml, encoding="utf-8")
        report = out
    else:
        out.write(invoice.document_xml)
        report = err
    report.write(
        f"{company.name}: invoice {invoice.number} for SakID {invoice.sak_id}, {invoice.lines.count()} line(s), "
        f"{invoice.total_amount / 100:.2f} {invoice.currency}, KID {invoice.kid}, status {invoice.status}"
    )
    for finding in invoice.validation_findings:
        report.write(f"  {finding['flag']} {finding['id']}: {finding['message']} [{finding['location']}]")
    if invoice.status != "validated":
        return 1
    if options.get("queue"):
        services.queue_for_delivery(actor, invoice)
        report.write(f"queued for delivery as message {invoice.message_id}")
    return 0
