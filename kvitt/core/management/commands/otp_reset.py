import logging

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kvitt.core.models import TOTPDevice

log = logging.getLogger("kvitt.core.twofactor")


class Command(BaseCommand):
    help = "Remove a user's two-factor devices (lost phone); they enrol again at the next log-in"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        # The operator's identity is the shell's; the log line is the trace of the reset.
        log.warning("two-factor devices reset user=%s removed=%s", user.pk, removed)
        self.stdout.write(f"removed {removed} two-factor device(s) of {user.username}; they enrol at the next log-in\n")
