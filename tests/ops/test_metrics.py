"""/metrics answers in Prometheus' text format with latency, queues, outboxes and the claims SLA."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from kvitt.claims.models import InboundInvoice, NoticeOutbox
from kvitt.ops.metrics import OUTBOXES
from tests import factories
from tests.ops import jobs

pytestmark = pytest.mark.django_db


def scrape(client, **extra) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def inbound(payer, n: int, due_at) -> InboundInvoice:
    body = f"<Invoice n='{n}'/>".encode()
    return InboundInvoice.objects.create(
        payer=payer, source="upload", original=body, document=body, sha256=hashlib.sha256(body).hexdigest(), due_at=due_at
    )


def test_metrics_show_request_latency_queues_outboxes_and_the_claims_sla(client):
    now = timezone.now()
    for key in ("a", "b", "c"):
        jobs.record_run.enqueue(key)
    payer = factories.payer()
    late = inbound(payer, 1, now - datetime.timedelta(hours=2))
    inbound(payer, 2, now + datetime.timedelta(hours=5))
    NoticeOutbox.objects.create(invoice=late, kind="email", key="k1", state="dead", attempts=6)
    NoticeOutbox.objects.create(invoice=late, kind="email", key="k2", state="sent", attempts=3)
    NoticeOutbox.objects.create(invoice=late, kind="email", key="k3", state="pending", attempts=0)
    assert client.get("/healthz").status_code == 200

    samples = scrape(client)

    assert value(samples, "kvitt_http_request_duration_seconds_count", route="/healthz", method="GET", status="200") >= 1
    assert value(samples, "kvitt_task_queue_depth", task="tests.ops.jobs.record_run", queue="default") == 3
    assert 0 <= value(samples, "kvitt_task_queue_oldest_age_seconds", task="tests.ops.jobs.record_run", queue="default") < 60
    assert value(samples, "kvitt_deliveries_failed", outbox="claims_notice") == 1
    assert value(samples, "kvitt_deliveries_retried", outbox="claims_notice") == 2
    assert value(samples, "kvitt_delivery_retries", outbox="claims_notice") == 5 + 2
    assert value(samples, "kvitt_deliveries_waiting", outbox="claims_notice") == 1
    assert value(samples, "kvitt_outbox_rows", outbox="claims_notice", state="sent") == 1
    for outbox in OUTBOXES:  # every outbox reports, empty ones with zeros
        assert ("kvitt_deliveries_failed", (("outbox", outbox.name),)) in samples
    assert value(samples, "kvitt_claims_validation_backlog") == 2
    assert value(samples, "kvitt_claims_validation_overdue") == 1
    assert -7300 < value(samples, "kvitt_claims_validation_sla_headroom_seconds") < -7100


def test_metrics_refuse_public_addresses_unless_the_token_is_given(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="8.8.4.4").status_code == 403
    settings.KVITT_METRICS_TOKEN = "s3cret-scrape-token"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    scrape(client, HTTP_AUTHORIZATION="Bearer s3cret-scrape-token", REMOTE_ADDR="8.8.4.4")
