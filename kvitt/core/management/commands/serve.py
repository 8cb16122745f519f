import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web app with a task worker and the scheduler beside it (development and small installs)"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true", help="serve only the web app")

    def handle(self, *args, **options):
        helpers = []
        if not options["no_worker"]:
            for name in ("worker", "scheduler"):
                process = subprocess.Popen([sys.executable, "-m", "kvitt.cli", name])
                helpers.append(process)
                self.stdout.write(f"{name} started (pid {process.pid})")
        try:
            call_command("runserver", f"{options['host']}:{options['port']}", use_reloader=False)
        finally:
            for process in helpers:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
