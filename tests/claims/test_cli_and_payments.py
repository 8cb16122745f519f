"""`kvitt claims` subcommands, the payment run and the overdue alert."""

from __future__ import annotations

import datetime
import io
import logging

import pytest
from django.core.management import call_command
from django.utils import timezone

from kvitt.claims import selectors, services
from kvitt.claims.models import InboundInvoice

from tests.claims import invoices as f
from tests.claims.world import at, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def _run(*args) -> str:
    out = io.StringIO()
    call_command("claims", *args, stdout=out)
    return out.getvalue()


def test_import_dir_then_validate_then_payment_run(world, tmp_path):
    (tmp_path / "one.xml").write_bytes(world.envelope(f.line(at(2)), number="501"))
    (tmp_path / "two.xml").write_bytes(world.invoice_bytes(f.line(at(3), code="B9999"), number="502"))
    text = _run("import-dir", "--insurer", world.payer.org_number, str(tmp_path))
    assert "one.xml: Invoice 501" in text and "two.xml: Invoice 502" in text
    assert '"approved": 1' in _run("validate", "--insurer", world.payer.org_number)
    csv_text = _run("payment-run", "--insurer", world.payer.org_number)
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("inbound_id,supplier_org_number")
    assert len(lines) == 2 and ",501,86011117947," in lines[1] and ",85000,850.00,2026-04-03" in lines[1]
    assert _run("payment-run", "--insurer", world.payer.org_number).strip().count("\n") == 0  # exported once


def test_overdue_alert_and_dashboard(world, caplog):
    invoice, _ = services.receive(world.handler, world.invoice_bytes(f.line(at(2))))
    assert selectors.dashboard(world.handler)["pending"] == 1
    InboundInvoice.objects.filter(pk=invoice.pk).update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    counts = selectors.dashboard(world.handler)
    assert counts["overdue"] == 1 and counts["due_today"] == 0
    assert list(selectors.filtered(selectors.inbound_for(world.handler), "overdue")) == [invoice]
    with caplog.at_level(logging.ERROR, logger="kvitt.claims.alerts"):
        with pytest.raises(SystemExit):
            _run("alert")
    assert world.payer.name in caplog.text


def test_deliver_sends_due_notices(world, mailoutbox, tmp_path):
    from kvitt.einvoice.transports import DirectoryTransport

    invoice, _ = services.receive(world.handler, world.invoice_bytes(f.line(at(2), code="B9999")))
    services.validate_invoice(world.handler, invoice, enqueue_notices=False)
    outcome = services.deliver_due_notices(transport=DirectoryTransport(tmp_path / "ap"))
    assert outcome == {"sent": 2}
    dropped = list((tmp_path / "ap").glob("*.xml"))
    assert len(dropped) == 1 and b"<cbc:ResponseCode>RE</cbc:ResponseCode>" in dropped[0].read_bytes()
    assert len(mailoutbox) == 1 and "avvist" in mailoutbox[0].subject
    assert InboundInvoice.objects.get(pk=invoice.pk).notified_at is not None
