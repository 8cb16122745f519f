"""kvitt booking deliver | pull | outbox: run the booking worker jobs by hand or from cron."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Booking jobs: deliver due webhooks (also those abandoned by dead workers), pull calendars, show the outbox"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        deliver = sub.add_parser("deliver", help="deliver every due outbox row now")
        deliver.add_argument("--limit", type=int, default=200)
        pull = sub.add_parser("pull", help="pull availability from journal systems")
        pull.add_argument("--integration", type=int, help="one integration id (default: every active one)")
        pull.add_argument("--days", type=int, default=30)
        sub.add_parser("outbox", help="count outbox rows by status")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "deliver":
            from kvitt.booking import outbox

            outcomes = outbox.process_due(limit=options["limit"])
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())) or "nothing due")
        elif action == "pull":
            self._pull(options["integration"], options["days"])
        elif action == "outbox":
            from django.db.models import Count

            from kvitt.booking.models import OutboxMessage

            for row in OutboxMessage.objects.values("status").annotate(n=Count("id")).order_by("status"):
                self.stdout.write(f"{row['status']}: {row['n']}")

    def _pull(self, integration_id, days):
        from kvitt.booking import availability, connectors, services
        from kvitt.booking.models import IntegrationStatus, JournalIntegration

        qs = JournalIntegration.objects.select_related("location__company")
        qs = qs.filter(pk=integration_id) if integration_id else qs.filter(status=IntegrationStatus.ACTIVE)
        failures = 0
        for integration in qs:
            try:
                report = services.pull_availability(integration, days)
                self.stdout.write(f"{integration.pk} {integration.location.name}: {report.as_dict()}")
            except (connectors.ConnectorError, availability.AvailabilityError) as exc:
                failures += 1
                self.stderr.write(f"{integration.pk} {integration.location.name}: {exc}")
        if failures:
            raise CommandError(f"{failures} pull(s) failed")
