"""Background work: long Excel exports and the daily scheduled reports (django-tasks)."""

from __future__ import annotations

import datetime
import io
import logging

from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks import task

from kvitt.core.permissions import Actor
from kvitt.reconciliation.models import Export, ScheduledReport

log = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@task()
def run_export(export_id: int) -> int:
    from kvitt.reconciliation.export import run_export_now

    export = run_export_now(Export.objects.get(pk=export_id))
    return export.rows_done


def _local_now(schedule: ScheduledReport) -> datetime.datetime:
    zone = "Europe/Stockholm" if schedule.organisation.country == "SE" else "Europe/Oslo"
    import zoneinfo

    return timezone.now().astimezone(zoneinfo.ZoneInfo(zone))


def send_scheduled_report(schedule: ScheduledReport, *, now: datetime.datetime | None = None) -> bool:
    """Send one schedule's workbook by e-mail if it is due today and not yet sent."""
    from kvitt.core.models import Membership
    from kvitt.reconciliation.export import write_reports

    local = now or _local_now(schedule)
    if not schedule.active or schedule.last_sent_on == local.date() or local.hour < schedule.hour:
        return False
    membership = Membership.objects.filter(user=schedule.owner, organisation=schedule.organisation).order_by("id").first()
    if membership is None:  # the user left the organisation: stop, do not leak the report
        ScheduledReport.objects.filter(pk=schedule.pk).update(active=False, last_error="no longer a member")
        return False
    actor = Actor.for_membership(membership)
    buffer = io.BytesIO()
    definitions = list(schedule.definitions.all())
    try:
        result = write_reports(actor, definitions, buffer, now=local)
        message = EmailMessage(
            subject=f"Kvitt: {', '.join(d.name for d in definitions)} {local:%Y-%m-%d}",
            body=f"{result.total_rows} rows. The workbook opens on its summary sheet.",
            to=[schedule.email],
        )
        message.attach(f"kvitt-reconciliation-{local:%Y-%m-%d}.xlsx", buffer.getvalue(), XLSX)
        message.send()
    except Exception as exc:  # recorded and retried the next run, never silently dropped
        log.exception("scheduled report %s failed", schedule.pk)
        ScheduledReport.objects.filter(pk=schedule.pk).update(last_error=str(exc)[:2000])
        return False
    ScheduledReport.objects.filter(pk=schedule.pk).update(last_sent_on=local.date(), last_error="")
    return True


@task()
def send_daily_reports() -> int:
    """Run hourly (``kvitt reconciliation send-reports`` from cron, or enqueue): sends what is due."""
    sent = 0
    for schedule in ScheduledReport.objects.filter(active=True).select_related("organisation", "owner"):
        sent += send_scheduled_report(schedule)
    return sent
