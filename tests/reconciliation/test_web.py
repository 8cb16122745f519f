import datetime
import zoneinfo

import pytest
from django.core import mail
from django.test import Client, override_settings
from openpyxl import load_workbook

from kvitt.reconciliation import services
from kvitt.reconciliation.models import Export, ReportDefinition, ScheduledReport
from kvitt.reconciliation.tasks import send_scheduled_report
from tests.reconciliation.ersmo_samples import ersmo_file, event
from tests.reconciliation.test_scenario import OCTOBER, VF_CSV

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def browser(clerk):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the assertions read English messages
    client.force_login(clerk.user)
    return client


@pytest.mark.django_db
def test_import_pages_matrix_filters_save_report_and_export_with_progress(browser, clerk, systems, django_capture_on_commit_callbacks, tmp_path, settings):
    response = browser.post("/reconciliation/imports/", {"kind": "events", "file": _upload("oktober.xml", ersmo_file(OCTOBER))}, follow=True)
    assert "5 new" in response.content.decode()
    bad = VF_CSV.replace(b"VH-3;VF;Fel", b"VH-3;VF;Hmm")
    response = browser.post("/reconciliation/imports/", {"kind": "statuses", "file": _upload("vf-bad.csv", bad)}, follow=True)
    assert "nothing was stored" in response.content.decode() and "line 4, column 3 (status)" in response.content.decode()
    browser.post("/reconciliation/imports/", {"kind": "statuses", "file": _upload("vf.csv", VF_CSV)})

    page = browser.get("/reconciliation/", {"period_from": "2026-10", "status": ["BeEj", "error"], "system": "VF"})
    html = page.content.decode()
    assert page.status_code == 200 and "VH-2" in html and "VH-3" in html and "VH-1<" not in html
    assert "2 care events" in html

    response = browser.post("/reconciliation/reports/save/", {
        "name": "Stoppade", "period_from": "2026-10", "status": ["BeEj", "error"], "system": "VF",
        "columns": ["number", "status:VF", "code:VF"],
    })
    definition = ReportDefinition.objects.get(name="Stoppade")
    assert response.status_code == 302 and definition.filters == {"period_from": "2026-10", "status": ["BeEj", "error"], "system": ["VF"]}
    assert "VH-3" in browser.get("/reconciliation/", {"report": definition.pk}).content.decode()

    settings.KVITT_VAR_DIR = tmp_path
    with override_settings(TASKS=IMMEDIATE), django_capture_on_commit_callbacks(execute=True):
        response = browser.post("/reconciliation/export/", {"report": definition.pk})
    job = Export.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reconciliation/exports/{job.pk}/"
    assert job.state == "done" and job.rows_done == 2 and job.rows_total == 2
    progress = browser.get(f"/reconciliation/exports/{job.pk}/progress/").content.decode()
    assert "Download" in progress and "hx-get" not in progress
    download = browser.get(f"/reconciliation/exports/{job.pk}/download/")
    path = tmp_path / "download.xlsx"
    path.write_bytes(b"".join(download.streaming_content))
    rows = [[c.value for c in r] for r in load_workbook(path)["Stoppade"].iter_rows()]
    assert rows == [["Care event number", "VF status", "VF code"], ["VH-2", "BeEj", None], ["VH-3", "error", "E12"]]

    other = Client()
    from kvitt.core.models import User

    other.force_login(User.objects.create_user("someone", password="x" * 12))
    assert other.get(f"/reconciliation/exports/{job.pk}/download/").status_code in (403, 404)

    support = browser.post("/reconciliation/support/", {"support_system": "VF", "status": ["error"], "system": "VF"})
    assert "VH-3" in support.content.decode() and "E12" in support.content.decode()


@pytest.mark.django_db
def test_daily_scheduled_report_is_mailed_once_a_day(clerk, systems):
    services.import_care_event_file(clerk, "oktober.xml", ersmo_file(OCTOBER))
    services.import_status_file(clerk, "vf.csv", VF_CSV)
    definition = services.save_report_definition(clerk, name="Alla", columns=["number", "status:VF"], filters={"period_from": "2026-10"})
    schedule = services.schedule_daily_report(clerk, [definition], hour=6)
    morning = datetime.datetime(2026, 11, 5, 5, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm"))
    assert not send_scheduled_report(schedule, now=morning)  # not yet six
    assert send_scheduled_report(schedule, now=morning.replace(hour=7))
    schedule.refresh_from_db()
    assert not send_scheduled_report(schedule, now=morning.replace(hour=9))  # once a day
    (message,) = mail.outbox
    assert message.to == ["clerk@example.se"] and message.attachments[0][0] == "kvitt-reconciliation-2026-11-05.xlsx"
    assert ScheduledReport.objects.get().last_sent_on == datetime.date(2026, 11, 5)


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


@pytest.mark.django_db
def test_cli_imports_and_reports_errors(clerk, systems, tmp_path):
    from django.core.management import CommandError, call_command

    events = tmp_path / "oktober.xml"
    events.write_bytes(ersmo_file(OCTOBER))
    statuses = tmp_path / "vf.csv"
    statuses.write_bytes(VF_CSV)
    org = str(clerk.organisation.pk)
    call_command("reconciliation", "import-events", str(events), "--organisation", org)
    import io

    out = io.StringIO()
    call_command("reconciliation", "import-statuses", str(statuses), "--organisation", org, stdout=out)
    assert "applied; 5 rows, 5 new" in out.getvalue()
    statuses.write_bytes(VF_CSV.replace(b"VH-2;VF;BeEj", b"VH-2;VF;Nej"))
    with pytest.raises(CommandError, match="nothing imported; line 3, column 3"):
        call_command("reconciliation", "import-statuses", str(statuses), "--organisation", org)
