"""Bank files from the command line: ``kvitt bank import FILE...`` and ``kvitt bank check FILE...``."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kvitt.core.models import Membership, Organisation
from kvitt.core.permissions import Actor
from kvitt.payments.model import BankFileError
from kvitt.payments.services import check_bank_file, import_bank_files


class Command(BaseCommand):
    help = "Import bank files (OCR giro, camt.054, BgMax) and match their payments"

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        importing = commands.add_parser("import", help="import files and match their payments to receivables")
        importing.add_argument("files", nargs="+", metavar="FILE")
        importing.add_argument("--organisation", help="organisation id or organisation number (default: the only clinic)")
        importing.add_argument("--user", help="user name to act as (must be a member); default: the system")
        checking = commands.add_parser("check", help="parse files and show what they hold, storing nothing")
        checking.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, action, files, **options):
        for name in files:
            if not Path(name).is_file():
                raise CommandError(f"{name}: no such file")
        if action == "check":
            return self._check(files)
        actor = self._actor(options.get("organisation"), options.get("user"))
        reports = import_bank_files(actor, files)
        for report in reports:
            style = self.style.ERROR if report.status == "refused" else self.style.SUCCESS
            self.stdout.write(style(report.line()))
            for note in report.skipped:
                self.stdout.write(f"  {note}")
        if any(r.status == "refused" for r in reports):
            raise CommandError("some files were refused; nothing of them was stored")

    def _check(self, files):
        failed = False
        for name in files:
            try:
                parsed = check_bank_file(Path(name).read_bytes())
            except BankFileError as exc:
                failed = True
                self.stdout.write(self.style.ERROR(f"{name}: {exc}"))
                continue
            self.stdout.write(f"{name}: {parsed.format} {parsed.file_id}: {len(parsed.transactions)} transactions, "
                              f"{parsed.amount_minor} minor units")
        if failed:
            raise CommandError("some files could not be read")

    @staticmethod
    def _organisation(choice: str | None) -> Organisation:
        if choice:
            found = Organisation.objects.filter(org_number=choice).first()
            if found is None and choice.isdigit():
                found = Organisation.objects.filter(pk=int(choice)).first()
            if found is None:
                raise CommandError(f"no organisation {choice!r}")
            return found
        clinics = list(Organisation.objects.filter(kind="clinic_company")[:2])
        if len(clinics) != 1:
            raise CommandError("say which organisation with --organisation (id or organisation number)")
        return clinics[0]

    def _actor(self, organisation_choice, username) -> Actor:
        organisation = self._organisation(organisation_choice)
        if not username:
            return Actor.system(organisation, label="kvitt bank import")
        user = get_user_model().objects.filter(username=username).first()
        membership = Membership.objects.filter(user=user, organisation=organisation).first() if user else None
        if membership is None:
            raise CommandError(f"{username!r} is not a member of {organisation}")
        return Actor.for_membership(membership)
