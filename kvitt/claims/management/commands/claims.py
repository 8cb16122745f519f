"""`kvitt claims ...`: the insurer's intake and validation from the command line.

``import-dir --insurer ORGNR DIR``   receive every *.xml in DIR (moved to DIR/received/)
``validate --insurer ORGNR [--limit N]``  validate the insurer's waiting invoices now
``run-due``                           the scheduled batches (each insurer at its own frequency)
``deliver``                           send the due notices (e-mail, Invoice Response)
``alert``                             log an alert per insurer with overdue invoices; exit 1 if any
``payment-run --insurer ORGNR [-o FILE]``  CSV of the approved amounts not yet paid
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kvitt.network.models import Payer


class Command(BaseCommand):
    help = "Insurer-side inbound invoices: import, validate, deliver notices, alert, payment run"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="command", required=True)
        imp = sub.add_parser("import-dir", help="receive every *.xml of a directory")
        imp.add_argument("--insurer", required=True, help="the insurer's organisation number")
        imp.add_argument("directory")
        val = sub.add_parser("validate", help="validate the insurer's waiting invoices")
        val.add_argument("--insurer", required=True)
        val.add_argument("--limit", type=int, default=None)
        sub.add_parser("run-due", help="run the batches that are due by each insurer's frequency")
        sub.add_parser("deliver", help="deliver due e-mails and Invoice Responses")
        sub.add_parser("alert", help="alert on invoices past their due time")
        pay = sub.add_parser("payment-run", help="CSV of approved amounts not yet paid")
        pay.add_argument("--insurer", required=True)
        pay.add_argument("-o", "--output", help="file to write (default: standard output)")

    def _payer(self, org_number: str) -> Payer:
        payer = Payer.objects.select_related("organisation").filter(org_number=org_number).first()
        if payer is None:
            raise CommandError(f"no payer with organisation number {org_number}")
        return payer

    def handle(self, *args, **options):
        from kvitt.claims import selectors, services

        command = options["command"]
        if command == "import-dir":
            folder = Path(options["directory"])
            if not folder.is_dir():
                raise CommandError(f"{folder} is not a directory")
            actor = services.worker_actor(self._payer(options["insurer"]))
            for name, invoice, created in services.receive_directory(actor, folder):
                state = "new" if created else "already received"
                self.stdout.write(f"{name}: {invoice.kind or 'document'} {invoice.number or '?'} #{invoice.pk} {invoice.status} ({state})")
        elif command == "validate":
            outcomes = services.run_batch(self._payer(options["insurer"]), limit=options["limit"])
            self.stdout.write(json.dumps(outcomes, sort_keys=True))
        elif command == "run-due":
            self.stdout.write(json.dumps({str(k): v for k, v in services.run_due_batches().items()}, sort_keys=True))
        elif command == "deliver":
            self.stdout.write(json.dumps(services.deliver_due_notices(), sort_keys=True))
        elif command == "alert":
            overdue = selectors.alert_overdue()
            self.stdout.write(f"{overdue} invoice(s) overdue")
            if overdue:
                raise SystemExit(1)
        elif command == "payment-run":
            actor = services.worker_actor(self._payer(options["insurer"]))
            text = services.payment_csv(services.payment_run(actor))
            if options.get("output"):
                Path(options["output"]).write_text(text, encoding="utf-8")
            else:
                self.stdout.write(text, ending="")
