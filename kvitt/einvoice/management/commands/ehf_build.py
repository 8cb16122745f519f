"""``kvitt ehf_build --case SAKID``: the same as ``kvitt ehf build`` (kept for scripts that cannot
pass a subcommand)."""

from django.core.management.base import BaseCommand, CommandError

from kvitt.einvoice import cli_build


class Command(BaseCommand):
    help = "Build the EHF invoice for a case's uninvoiced care events"

    def add_arguments(self, parser):
        cli_build.add_build_arguments(parser)

    def handle(self, *args, **options):
        result = cli_build.run_build(self, options)
        if result:
            raise CommandError("ehf_build failed", returncode=result)
