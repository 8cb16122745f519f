import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from kvitt.core import backup


class Command(BaseCommand):
    help = "Back up the database (PostgreSQL dump or SQLite copy), verified after writing"

    def add_arguments(self, parser):
        parser.add_argument("--out", help="file to write (default var/backups/kvitt-<time>.<ext>)")

    def handle(self, *args, **options):
        db = settings.DATABASES["default"]
        postgres = "postgresql" in db["ENGINE"]
        stamp = datetime.datetime.now().strftime("%Y%m%dT%H%M%S")
        default = settings.VAR_DIR / "backups" / f"kvitt-{stamp}.{'dump' if postgres else 'sqlite3'}"
        target = Path(options["out"] or default)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            if postgres:
                backup.backup_postgres(db, target)
            else:
                connection.ensure_connection()
                backup.backup_sqlite(connection.connection, target)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"backup written and verified: {target}")
