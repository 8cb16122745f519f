from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from kvitt.ops.taskbackend import worker_command


class Command(BaseCommand):
    help = "Run a task worker: deliveries, validation batches, dunning runs, report exports"

    def add_arguments(self, parser):
        parser.add_argument("--queue", default="*", help="queue name, or * for every queue")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
        parser.add_argument("--batch", action="store_true", help="run what is queued now, then exit")
        parser.add_argument("--worker-id", default=None)

    def handle(self, *args, **options):
        # The database backend's db_worker or RQ's rqworker, whichever the settings chose.
        command = worker_command(
            settings.TASKS["default"]["BACKEND"], queue=options["queue"], interval=options["interval"],
            worker_id=options["worker_id"], batch=options["batch"],
        )
        call_command(*command)
