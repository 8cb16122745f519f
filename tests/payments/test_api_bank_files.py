"""POST /api/v1/payments/bank-files: the bank import over HTTP, with the CLI's checks and idempotence."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kvitt.core.models import ApiToken, AuditEntry, Organisation
from kvitt.payments.bgmax_writer import BgMaxDeposit, BgMaxPayment, write
from kvitt.payments.models import BankFile, BankTransaction

from .ocr_builder import OcrPayment
from .ocr_builder import build as build_ocr

pytestmark = pytest.mark.django_db

URL = "/api/v1/payments/bank-files"


@pytest.fixture
def clinic():
    return Organisation.objects.create(name="Fysio Sentrum AS", kind="clinic_company", country="NO", org_number="923609016")


def bearer(organisation, role: str) -> dict:
    _token, raw = ApiToken.issue(organisation, "bank robot", role)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def ocr_file(count: int = 3) -> bytes:
    return build_ocr([OcrPayment(10000 + n, "12345678903") for n in range(count)])


def bgmax_file() -> bytes:
    return write([BgMaxDeposit("9912346", datetime.date(2026, 1, 5), [BgMaxPayment(100000, "655969", payer_name="Kalles Plåt AB")])])


def post_raw(client, data: bytes, headers: dict, name: str = "nets.txt"):
    return client.post(f"{URL}?name={name}", data=data, content_type="application/octet-stream", **headers)


def test_a_file_as_the_body_is_imported_once_and_sending_it_again_changes_nothing(client, clinic):
    headers = bearer(clinic, "billing_clerk")
    first = post_raw(client, ocr_file(), headers)
    assert first.status_code == 201, first.content
    (report,) = first.json()["files"]
    assert (report["name"], report["status"], report["format"], report["new"], report["transactions"]) == (
        "nets.txt", "imported", "ocr_giro", 3, 3)
    assert report["amount_minor"] == 10000 + 10001 + 10002
    bank_file = BankFile.objects.get()
    assert report["bank_file_id"] == bank_file.pk and bank_file.organisation_id == clinic.pk
    assert AuditEntry.objects.filter(action="bank_import", object_id=str(bank_file.pk)).exists()

    again = post_raw(client, ocr_file(), headers)  # e.g. a retry after a lost answer
    assert again.status_code == 200
    assert again.json()["files"][0]["status"] == "already_imported"
    assert again.json()["files"][0]["bank_file_id"] == bank_file.pk
    assert BankFile.objects.count() == 1 and BankTransaction.objects.count() == 3


def test_several_files_as_multipart_get_one_report_each_in_order(client, clinic):
    files = [SimpleUploadedFile("nets.txt", ocr_file()), SimpleUploadedFile("bg.txt", bgmax_file())]
    response = client.post(URL, data={"file": files}, **bearer(clinic, "clinic_admin"))
    assert response.status_code == 201, response.content
    assert [(r["name"], r["format"], r["status"]) for r in response.json()["files"]] == [
        ("nets.txt", "ocr_giro", "imported"), ("bg.txt", "bgmax", "imported")]
    assert BankFile.objects.count() == 2


def test_a_broken_file_is_refused_naming_line_and_field_and_nothing_is_stored(client, clinic):
    lines = ocr_file().decode().splitlines()
    lines[2] = lines[2][:40] + "X" + lines[2][41:]
    response = post_raw(client, ("\n".join(lines) + "\n").encode(), bearer(clinic, "billing_clerk"), name="broken.txt")
    assert response.status_code == 422
    (report,) = response.json()["files"]
    assert report["status"] == "refused" and "line 3" in report["error"] and "amount" in report["error"]
    assert BankFile.objects.count() == 0 and BankTransaction.objects.count() == 0


def test_a_file_larger_than_the_form_data_limit_still_comes_through(client, clinic, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000  # what would stop request.body
    data = ocr_file(count=20)
    assert len(data) > 1000
    response = post_raw(client, data, bearer(clinic, "billing_clerk"))
    assert response.status_code == 201 and response.json()["files"][0]["new"] == 20


@pytest.mark.parametrize("role", ["practitioner", "auditor"])
def test_roles_that_do_not_import_are_refused(client, clinic, role):
    response = post_raw(client, ocr_file(), bearer(clinic, role))
    assert response.status_code == 403
    assert role in response.json()["detail"]
    assert BankFile.objects.count() == 0


def test_an_insurer_may_not_import_bank_files_and_anonymous_callers_are_turned_away(client):
    insurer = Organisation.objects.create(name="Trygg Forsikring ASA", kind="insurer", country="NO", org_number="974760673")
    assert post_raw(client, ocr_file(), bearer(insurer, "billing_clerk")).status_code == 403
    assert post_raw(client, ocr_file(), {}).status_code == 401
    assert BankFile.objects.count() == 0


def test_an_empty_body_or_a_multipart_without_file_is_a_clear_400(client, clinic):
    headers = bearer(clinic, "billing_clerk")
    empty = post_raw(client, b"", headers)
    assert empty.status_code == 400 and "empty" in empty.json()["detail"]
    wrong_field = client.post(URL, data={"document": SimpleUploadedFile("x.txt", ocr_file())}, **headers)
    assert wrong_field.status_code == 400 and "'file'" in wrong_field.json()["detail"]
