"""``kvitt ehf_deliver``: one sweep of the EHF outbox (send what is due, poll accepted envelopes).

The worker runs the same sweep as the task ``deliver_due_einvoices``; this command is for cron,
timers and operators who want to push the queue by hand.
"""

import json

from django.core.management.base import BaseCommand

from kvitt.einvoice import services


class Command(BaseCommand):
    help = "Deliver due EHF invoices through the configured access point and poll their status"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=100, help="at most this many rows per step")

    def handle(self, *args, **options):
        outcomes = services.process_due(limit=options["limit"])
        self.stdout.write(json.dumps(outcomes, sort_keys=True))
