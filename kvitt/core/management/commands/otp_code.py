from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kvitt.core import twofactor


class Command(BaseCommand):
    help = "Development only: print a demo user's current two-factor code (kvitt otp-code USERNAME)"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        # Anyone who can run commands on a production host would otherwise skip the second
        # factor of every user; with DEBUG off (production) the command refuses.
        if not settings.DEBUG:
            raise CommandError("otp-code is for development only (KVITT_DEBUG is off)")
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        device = twofactor.confirmed_device(user)
        if device is None:
            raise CommandError(f"user {user.username!r} has no confirmed two-factor device (log in to enrol, or run `kvitt demo`)")
        code = twofactor.current_code(device)
        left = twofactor.seconds_left_in_step(device)
        self.stdout.write(f"{code}\n")
        self.stderr.write(f"valid for {left} more seconds (and the next 30); each code is accepted once\n")
