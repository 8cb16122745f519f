from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run a task worker: deliveries, validation batches, dunning runs, report exports"

    def add_arguments(self, parser):
        parser.add_argument("--queue", default="*", help="queue name, or * for every queue")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
        parser.add_argument("--batch", action="store_true", help="run what is queued now, then exit")
        parser.add_argument("--worker-id", default=None)

    def handle(self, *args, **options):
        worker_args = ["--queue-name", options["queue"], "--interval", str(options["interval"]), "--no-reload"]
        if options["batch"]:
            worker_args.append("--batch")
        if options["worker_id"]:
            worker_args += ["--worker-id", options["worker_id"]]
        call_command("db_worker", *worker_args)
