from django.core.management.base import BaseCommand

from kvitt.web.demo import DEMO_PASSWORD, DEMO_USERS, load_demo


class Command(BaseCommand):
    help = "Load the demo network, users and care events (safe to run again: nothing is duplicated)"

    def handle(self, *args, **options):
        load_demo()
        self.stdout.write("Demo data loaded. Users (password %s):" % DEMO_PASSWORD)
        for username, org_key, role in DEMO_USERS:
            self.stdout.write(f"  {username:<15} {role:<24} ({org_key})")
