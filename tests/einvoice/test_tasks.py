import datetime
import json

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kvitt.einvoice import services, tasks
from kvitt.einvoice.models import DeliveryOutbox, InvoiceStatus, OutboxStatus
from tests.einvoice.test_services import Clinic


@pytest.mark.django_db
def test_queueing_enqueues_the_worker_task_and_the_task_follows_up(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.KVITT_ACCESS_POINT = {"transport": "directory", "directory": str(tmp_path)}
    clinic = Clinic()
    case = clinic.assignment()
    clinic.event(case.sakid)
    invoice = services.build_case_invoice(clinic.clerk, case.sakid)
    with django_capture_on_commit_callbacks(execute=True):
        outbox = services.queue_for_delivery(clinic.clerk, invoice)
    queued = DBTaskResult.objects.get(task_path="kvitt.einvoice.tasks.deliver_einvoice")
    assert queued.args_kwargs["args"] == [outbox.pk]

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.deliver_einvoice.call(outbox.pk) == OutboxStatus.ACCEPTED
    assert (tmp_path / f"{invoice.message_id}.xml").is_file()
    poll = DBTaskResult.objects.get(task_path="kvitt.einvoice.tasks.poll_einvoice")
    assert poll.run_after is not None and poll.run_after > timezone.now()

    (tmp_path / "status").mkdir()
    (tmp_path / "status" / f"{invoice.message_id}.json").write_text(json.dumps({"status": "delivered"}))
    DeliveryOutbox.objects.filter(pk=outbox.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
    assert tasks.poll_einvoice.call(outbox.pk) == OutboxStatus.DELIVERED
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.DELIVERED


@pytest.mark.django_db
def test_sweep_command_sends_what_is_due(settings, tmp_path, capsys, django_capture_on_commit_callbacks):
    settings.KVITT_ACCESS_POINT = {"transport": "directory", "directory": str(tmp_path)}
    clinic = Clinic()
    case = clinic.assignment()
    clinic.event(case.sakid)
    invoice = services.build_case_invoice(clinic.clerk, case.sakid)
    services.queue_for_delivery(clinic.clerk, invoice)  # on_commit never runs: as if the enqueue was lost
    call_command("ehf_deliver")
    assert json.loads(capsys.readouterr().out) == {"accepted": 1}
    assert DeliveryOutbox.objects.get().status == OutboxStatus.ACCEPTED
