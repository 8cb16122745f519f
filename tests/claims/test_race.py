"""Two invoices racing for the last covered treatment: exactly one is approved (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from kvitt.cases.selectors import remaining_coverage
from kvitt.claims import services
from kvitt.claims.models import InboundInvoice, InboundStatus

from tests.claims import invoices as f
from tests.claims.world import at, make_world


def _single(actor, invoice):
    services.validate_invoice(actor, invoice)


def _batch(actor, invoice):
    # The batch path: a chunk context (assignments locked, reads set-wise) and the guarded consumption.
    assert [status for _pk, status, _s in services.validate_many(actor, [invoice.pk])] != ["error"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("paths", [(_single, _single), (_batch, _batch), (_batch, _single)], ids=["single", "batch", "mixed"])
def test_two_invoices_for_the_last_treatment_cannot_both_be_approved(paths):
    world = make_world(max_treatments=1)
    ids = [services.receive(world.handler, world.invoice_bytes(f.line(at(day)), number=str(day)))[0].pk for day in (2, 3)]
    barrier = threading.Barrier(2)
    errors = []

    def validate(pk, path):
        try:
            invoice = InboundInvoice.objects.select_related("payer").get(pk=pk)
            barrier.wait(timeout=10)
            path(services.worker_actor(invoice.payer), invoice)
        except Exception as exc:  # reported below; a thread must not swallow it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=validate, args=(pk, path)) for pk, path in zip(ids, paths)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    statuses = sorted(InboundInvoice.objects.filter(pk__in=ids).values_list("status", flat=True))
    assert statuses == [InboundStatus.APPROVED, InboundStatus.REJECTED]
    loser = InboundInvoice.objects.get(pk__in=ids, status=InboundStatus.REJECTED)
    assert list(loser.findings.values_list("code", flat=True)) == ["CLM-209"]
    left = remaining_coverage(world.assignment)
    assert (left.consumed_treatments, left.consumed_amount) == (1, 85_000)
