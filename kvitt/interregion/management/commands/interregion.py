"""Inter-regional billing from the command line.

``kvitt interregion build --month 2026-09`` builds and checks the month's bases per home region;
``kvitt interregion send`` queues every checked basis and delivers the outbox (one thread per
receiver, resends with backoff); ``kvitt interregion serve`` runs the producer over mutual TLS.
"""

from __future__ import annotations

import re
import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from kvitt.core.models import Organisation, OrganisationKind
from kvitt.core.permissions import Actor
from kvitt.interregion import services, transport
from kvitt.interregion.models import ClaimSpecification, Direction, SpecStatus


def _region(choice: str | None) -> Organisation:
    regions = Organisation.objects.filter(kind=OrganisationKind.REGION, country="SE")
    if choice:
        found = regions.filter(org_number=choice.replace("-", "")).first()
        if found is None:
            raise CommandError(f"no Swedish region with organisation number {choice!r}")
        return found
    found = list(regions[:2])
    if len(found) != 1:
        raise CommandError("say which region with --region ORGNR")
    return found[0]


class Command(BaseCommand):
    help = "Inter-regional billing: build, send and receive invoice bases (ProcessClaimSpecification)"

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        build = commands.add_parser("build", help="build and check one month's bases per home region")
        build.add_argument("--month", required=True, help="YYYY-MM")
        build.add_argument("--region", help="the care region's organisation number (default: the only region)")
        send = commands.add_parser("send", help="queue checked bases and deliver the outbox")
        send.add_argument("--region", help="only this region's bases")
        serve = commands.add_parser("serve", help="run the producer endpoint over mutual TLS")
        serve.add_argument("--host", default="0.0.0.0")
        serve.add_argument("--port", type=int, default=8443)
        serve.add_argument("--ca", required=True, help="CA bundle that client certificates must chain to (SITHS)")
        serve.add_argument("--cert", required=True)
        serve.add_argument("--key", required=True)

    def handle(self, *args, action, **options):
        return getattr(self, f"_{action}")(**options)

    def _build(self, month, region=None, **_):
        match = re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", month or "")
        if not match:
            raise CommandError("--month must be YYYY-MM")
        organisation = _region(region)
        report = services.build_month(Actor.system(organisation, "kvitt interregion build"), int(match[1]), int(match[2]))
        for row in report.specifications:
            style = self.style.SUCCESS if row.status == SpecStatus.READY else self.style.ERROR
            self.stdout.write(style(f"{row.basis_id} -> {row.customer_org_number}: {row.lines.count()} lines, "
                                    f"{row.payable_amount / 100:.2f} SEK, {row.get_status_display()}"))
            for finding in row.findings:
                self.stdout.write(f"  {finding['rule']} {finding['location']}: {finding['message']}")
        for event_id, reason in report.skipped:
            self.stdout.write(self.style.WARNING(f"skipped care event {event_id}: {reason}"))
        if not report.specifications:
            self.stdout.write("nothing to bill")

    def _send(self, region=None, **_):
        rows = ClaimSpecification.objects.filter(direction=Direction.SENT, status=SpecStatus.READY)
        organisation = _region(region) if region else None
        if organisation is not None:
            rows = rows.filter(organisation=organisation)
        for row in rows.select_related("organisation"):
            services.queue_for_delivery(Actor.system(row.organisation, "kvitt interregion send"), row)
        handled = services.deliver_pending(organisation=organisation)
        done = ClaimSpecification.objects.filter(direction=Direction.SENT, delivery__finished_at__isnull=False).order_by("-delivery__finished_at")[:handled]
        for row in done:
            self.stdout.write(f"{row.basis_id}: {row.get_status_display()} {row.result_comment}".rstrip())
        self.stdout.write(f"{handled} deliveries handled")

    def _serve(self, host, port, ca, cert, key, **_):
        context = transport.server_ssl_context(ca, cert, key)
        server = transport.MutualTlsServer((host, port), context, services.producer_endpoint())
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *a: stop.set())
        server.start()
        self.stdout.write(f"ProcessClaimSpecification producer on {server.url} (client certificates required)")
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
