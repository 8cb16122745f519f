import datetime

from django.core.management.base import BaseCommand, CommandError

from kvitt.receivables import services


class Command(BaseCommand):
    help = "Patient invoice follow-up: `kvitt dunning run [--date YYYY-MM-DD] [--enqueue]` moves every invoice along"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="the daily run: plan breaches, reminders, notices, hand-over to collection")
        run.add_argument("--date", help="the day to run for (default today)")
        run.add_argument("--enqueue", action="store_true", help="queue it for a worker instead of running here")

    def handle(self, *args, **options):
        try:
            day = datetime.date.fromisoformat(options["date"]) if options.get("date") else None
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}") from None
        if options.get("enqueue"):
            from kvitt.receivables.tasks import daily_dunning

            result = daily_dunning.enqueue(day.isoformat() if day else None)
            self.stdout.write(f"queued dunning run {result.id}")
            return
        report = services.run_dunning(day)
        self.stdout.write(f"dunning run for {report.day}: steps {report.steps or 'none'}, "
                          f"skipped {report.skipped or 'none'}, plans breached {report.plans_breached}")
