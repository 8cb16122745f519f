"""`kvitt helfo ...`: Helfo direct settlement from the command line."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kvitt.helfo import services
from kvitt.helfo.tariffs import TariffFormatError, demo_table_bytes, read_open_data


class Command(BaseCommand):
    help = "Helfo direct settlement: import tariff tables (kvitt helfo tariffs import FILE)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="area", required=True)
        tariffs = sub.add_parser("tariffs", help="Tariff tables (takster)")
        tariff_sub = tariffs.add_subparsers(dest="action", required=True)
        importer = tariff_sub.add_parser("import", help="Import Helfo's open-data takstkoder JSON")
        importer.add_argument("file", help="JSON file as served by opne-data-api.helserefusjon.no/v1/takstkoder, or 'demo'")
        tariff_sub.add_parser("list", help="List the stored tariffs")

    def handle(self, *args, **options):
        if options["area"] == "tariffs" and options["action"] == "import":
            return self._import(options["file"])
        if options["area"] == "tariffs" and options["action"] == "list":
            for row in services.tariff_table():
                self.stdout.write(
                    f"{row.area:4} {row.code:6} {row.valid_from} {row.valid_to or '':10} "
                    f"honorar {row.honorar / 100:8.2f} refusjon {row.refusjon / 100:8.2f} egenandel {row.egenandel / 100:8.2f}"
                )
            return None
        raise CommandError("unknown command")

    def _import(self, name: str) -> None:
        if name == "demo":
            data, source = demo_table_bytes(), "kvitt demo table"
        else:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            data, source = path.read_bytes(), path.name
        try:
            rows = read_open_data(data)
            created, updated = services.import_tariffs(rows, source=source)
        except TariffFormatError as exc:
            raise CommandError(f"{name}: {exc}") from None
        self.stdout.write(f"{len(rows)} tariff rows read: {created} new, {updated} changed, {len(rows) - created - updated} unchanged")
