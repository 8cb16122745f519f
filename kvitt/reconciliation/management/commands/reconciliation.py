"""kvitt reconciliation import-statuses|import-events|send-reports"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kvitt.core.models import Organisation
from kvitt.core.permissions import Actor
from kvitt.reconciliation import services
from kvitt.reconciliation.formats.records import FeedError


class Command(BaseCommand):
    help = "Reconciliation: import status lists or ERSMO-style care-event files; send the daily reports."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, help_text in (("import-statuses", "a CSV or XLSX status list"), ("import-events", "an ERSMO-style XML file")):
            command = sub.add_parser(name, help=f"import {help_text}")
            command.add_argument("file", type=Path)
            command.add_argument("--organisation", type=int, required=True, help="organisation id")
        sub.add_parser("send-reports", help="send the scheduled daily reports that are due (run hourly)")

    def handle(self, *args, action, **options):
        if action == "send-reports":
            from kvitt.reconciliation.tasks import send_daily_reports

            self.stdout.write(f"{send_daily_reports.call()} report(s) sent")
            return
        organisation = Organisation.objects.filter(pk=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"no organisation {options['organisation']}")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        actor = Actor.system(organisation, label="kvitt reconciliation (CLI)")
        try:
            if action == "import-events":
                run = services.import_care_event_file(actor, path.name, path.read_bytes())
            else:
                run = services.import_status_file(actor, path.name, path.read_bytes())
        except FeedError as exc:
            raise CommandError(f"{path.name}: nothing imported; {exc}") from None
        self.stdout.write(
            f"{path.name}: {run.outcome}; {run.rows} rows, {run.created} new, {run.changed} changed, "
            f"{run.unchanged} unchanged, {run.stale} stale"
        )
