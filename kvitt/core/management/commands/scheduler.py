from django.core.management.base import BaseCommand

from kvitt.core import scheduler


class Command(BaseCommand):
    help = "Run the periodic sweeps (deliveries, validation batches, dunning, reports); one per installation"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run what is due now, then exit")
        parser.add_argument("--list", action="store_true", help="list the jobs and their rhythm")

    def handle(self, *args, **options):
        if options["list"]:
            for job in scheduler.JOBS:
                rhythm = f"every {job.every}" if job.every else f"daily at {job.daily_at:%H:%M}"
                self.stdout.write(f"{job.name:<40} kvitt {' '.join(job.args):<28} {rhythm}")
            return
        if options["once"]:
            ran = scheduler.run_due(scheduler.JOBS)
            self.stdout.write("ran: " + (", ".join(ran) or "nothing"))
            return
        self.stdout.write("scheduler started")
        scheduler.run_forever()
