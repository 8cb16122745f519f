from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from kvitt.core import backup


class Command(BaseCommand):
    help = "Restore a backup made by `kvitt backup` into the configured database (replaces its contents)"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, **options):
        source = Path(options["file"])
        if not source.is_file():
            raise CommandError(f"{source} does not exist")
        db = settings.DATABASES["default"]
        if not options["yes"] and input(f"Replace the contents of {db['NAME']}? [y/N] ").strip().lower() != "y":
            raise CommandError("not restored")
        try:
            if "postgresql" in db["ENGINE"]:
                connection.close()
                backup.restore_postgres(db, source)
            else:
                connection.close()
                backup.restore_sqlite(source, Path(db["NAME"]))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"restored {source} into {db['NAME']}")
