"""Prometheus metrics (prometheus_client): request latency, task queues, outboxes, claims SLA.

Request latency is measured in each process by ``PrometheusMiddleware``; under gunicorn with
several worker processes set ``PROMETHEUS_MULTIPROC_DIR`` (an empty directory, per host) so a
scrape of any process sees all of them (docs/OPERATIONS.md). Everything else is read from the
database when /metrics is scraped, so every web process reports the same, whole-installation
figures: they are gauges of the current state, not per-process counters.

The middleware serves ``/metrics`` itself (no URL conf change). With ``KVITT_METRICS_TOKEN`` set it
wants ``Authorization: Bearer <token>``; without it only loopback and private addresses are answered.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import time
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Min, Q, Sum
from django.http import HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

METRICS_PATH = "/metrics"

# Request metrics live in a registry of their own; the default one is left to libraries.
REQUESTS = CollectorRegistry(auto_describe=True)
REQUEST_LATENCY = Histogram(
    "kvitt_http_request_duration_seconds",
    "Time to answer an HTTP request, by route pattern (not raw path), method and status",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REQUESTS,
)


def route_of(request) -> str:
    """The URL pattern that answered (bounded label values), or "unmatched"."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return "/" + (match.route or match.view_name or "")


@dataclass(frozen=True)
class Outbox:
    """An outbox table: what it is called in the metrics and where its states live."""

    name: str
    model: str  # "app_label.Model"
    state_field: str
    given_up: tuple[str, ...]
    waiting: tuple[str, ...]


OUTBOXES = (
    Outbox("einvoice_delivery", "einvoice.DeliveryOutbox", "status", ("dead",), ("pending", "in_flight")),
    Outbox("booking_webhook", "booking.OutboxMessage", "status", ("dead",), ("pending", "in_flight")),
    Outbox("interregion_delivery", "interregion.Delivery", "status", ("failed",), ("pending",)),
    Outbox("claims_notice", "claims.NoticeOutbox", "state", ("dead",), ("pending",)),
)


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _seconds(delta) -> float:
    return round(delta.total_seconds(), 3)


class KvittStateCollector:
    """Reads the installation's queues and backlogs at scrape time."""

    def collect(self):
        now = timezone.now()
        yield from self.task_queue_metrics(now)
        yield from self.outbox_metrics()
        yield from self.claims_metrics(now)

    def task_queue_metrics(self, now):
        from django_tasks_db.compat import TaskResultStatus
        from django_tasks_db.models import DBTaskResult, get_date_max

        depth = GaugeMetricFamily("kvitt_task_queue_depth", "Tasks waiting to run now (READY and due)", labels=["task", "queue"])
        age = GaugeMetricFamily(
            "kvitt_task_queue_oldest_age_seconds", "How long the oldest waiting task has waited", labels=["task", "queue"]
        )
        states = GaugeMetricFamily("kvitt_tasks", "Task results by state (database task backend)", labels=["task", "queue", "status"])
        due = Q(run_after__lte=now) | Q(run_after=get_date_max())
        waiting = (
            DBTaskResult.objects.filter(status=TaskResultStatus.READY).filter(due)
            .values("task_path", "queue_name").annotate(n=Count("id"), oldest=Min("enqueued_at"))
        )
        for row in waiting:
            depth.add_metric([row["task_path"], row["queue_name"]], row["n"])
            age.add_metric([row["task_path"], row["queue_name"]], _seconds(now - row["oldest"]))
        for row in DBTaskResult.objects.values("task_path", "queue_name", "status").annotate(n=Count("id")):
            states.add_metric([row["task_path"], row["queue_name"], row["status"].lower()], row["n"])
        yield from (depth, age, states)

    def outbox_metrics(self):
        rows = GaugeMetricFamily("kvitt_outbox_rows", "Outbox rows by state", labels=["outbox", "state"])
        failed = GaugeMetricFamily("kvitt_deliveries_failed", "Outbox rows given up after their last attempt", labels=["outbox"])
        retried = GaugeMetricFamily(
            "kvitt_deliveries_retried", "Outbox rows that needed more than one attempt (delivered or not)", labels=["outbox"]
        )
        retries = GaugeMetricFamily("kvitt_delivery_retries", "Attempts beyond the first, summed over the rows", labels=["outbox"])
        waiting = GaugeMetricFamily("kvitt_deliveries_waiting", "Outbox rows not yet delivered nor given up", labels=["outbox"])
        for outbox in OUTBOXES:
            model = _model(outbox.model)
            if model is None:
                continue
            field = model._meta.get_field(outbox.state_field)
            counts = dict(model.objects.values_list(outbox.state_field).annotate(n=Count("pk")).order_by())
            for value, _label in field.choices:
                rows.add_metric([outbox.name, value], counts.get(value, 0))
            failed.add_metric([outbox.name], sum(counts.get(v, 0) for v in outbox.given_up))
            waiting.add_metric([outbox.name], sum(counts.get(v, 0) for v in outbox.waiting))
            again = model.objects.filter(attempts__gt=1).aggregate(rows=Count("pk"), extra=Sum("attempts"))
            retried.add_metric([outbox.name], again["rows"])
            retries.add_metric([outbox.name], (again["extra"] or 0) - again["rows"])
        yield from (rows, failed, retried, retries, waiting)

    def claims_metrics(self, now):
        model = _model("claims.InboundInvoice")
        if model is None:
            return
        backlog = GaugeMetricFamily("kvitt_claims_validation_backlog", "Inbound invoices waiting for validation")
        overdue = GaugeMetricFamily(
            "kvitt_claims_validation_overdue", "Inbound invoices waiting past their validation deadline (SLA breached)"
        )
        headroom = GaugeMetricFamily(
            "kvitt_claims_validation_sla_headroom_seconds",
            "Time until the earliest waiting invoice's deadline (negative: breached since)",
        )
        waiting = model.objects.filter(status="received")
        figures = waiting.aggregate(n=Count("pk"), late=Count("pk", filter=Q(due_at__lt=now)), first_due=Min("due_at"))
        backlog.add_metric([], figures["n"])
        overdue.add_metric([], figures["late"])
        yield backlog
        yield overdue
        if figures["first_due"] is not None:
            headroom.add_metric([], _seconds(figures["first_due"] - now))
            yield headroom


def exposition() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)  # every gunicorn worker's request figures
    else:
        registry.register(_Proxy(REQUESTS))
    registry.register(KvittStateCollector())
    return generate_latest(registry)


class _Proxy:
    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()


def may_scrape(request) -> bool:
    token = getattr(settings, "KVITT_METRICS_TOKEN", "") or os.environ.get("KVITT_METRICS_TOKEN", "")
    if token:
        given = request.headers.get("Authorization", "")
        return constant_time_compare(given, f"Bearer {token}")
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def metrics_view(request) -> HttpResponse:
    if not may_scrape(request):
        return HttpResponse("metrics: not allowed from here\n", status=403, content_type="text/plain")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


class PrometheusMiddleware:
    """Times every request and answers /metrics (put it first in MIDDLEWARE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == METRICS_PATH:
            return metrics_view(request)
        started = time.perf_counter()
        response = self.get_response(request)
        REQUEST_LATENCY.labels(route_of(request), request.method, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response
