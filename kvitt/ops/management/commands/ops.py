"""`kvitt ops reap` requeues tasks of dead workers; `kvitt ops metrics` prints what /metrics shows."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand

from kvitt.ops import reaper


class Command(BaseCommand):
    help = "Operations: requeue tasks whose worker died (reap), print the Prometheus metrics (metrics)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        reap = sub.add_parser("reap", help="requeue RUNNING tasks whose worker is gone")
        reap.add_argument("--lease", type=int, default=None,
                          help="seconds a task may run before its worker is asked about (default KVITT_TASK_LEASE_SECONDS or 300)")
        sub.add_parser("metrics", help="print the metrics in Prometheus' text format")

    def handle(self, *args, action, **options):
        if action == "reap":
            lease = None if options["lease"] is None else datetime.timedelta(seconds=options["lease"])
            requeued = reaper.requeue_abandoned(lease_for=lease)
            for task_id in requeued:
                self.stdout.write(f"requeued {task_id}")
            self.stdout.write(f"{len(requeued)} task(s) requeued")
        elif action == "metrics":
            from kvitt.ops.metrics import exposition

            self.stdout.write(exposition().decode(), ending="")
