"""/api/v1/payments/: bank files over HTTP, the same import as ``kvitt bank import``.

``POST /api/v1/payments/bank-files`` takes one file as the request body (any content type but
multipart; ``?name=`` names it in the report) or one or more files as multipart form data (field
``file``). Each file goes through ``services.import_bank_files`` with the caller's token role:
the same role and organisation-kind checks, the same strict parsing, one transaction per file,
and the same idempotence: a file whose SHA-256 is already stored is reported ``already_imported``
and changes nothing, so a client may simply send again after a lost answer.

Answers 201 when a file was imported, 200 when every file was already there, 422 when every
file was refused (the reports say why, naming the line and field), always with one report a file.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status

from kvitt.core.permissions import require_kind, require_role
from kvitt.payments import services

router = Router(tags=["payments"])

# A busy account's camt.054 day reaches a few hundred MB (kvitt.payments.camt054).
MAX_BANK_FILE_BYTES = 256 * 1024 * 1024
MAX_FILES = 20


class FileReportOut(Schema):
    name: str
    status: str
    format: str
    transactions: int
    new: int
    already_known: int
    matched: int
    left: int
    outcomes: dict
    amount_minor: int
    error: str
    bank_file_id: int | None
    skipped: list[str]


class BankFilesOut(Schema):
    files: list[FileReportOut]


class ErrorOut(Schema):
    detail: str


class UploadRefused(Exception):
    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _raw_body(request: HttpRequest) -> bytes:
    """The body read from the stream (request.body stops at DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not (declared.isascii() and declared.isdigit()):
        raise UploadRefused(400, "Content-Length is not a number")
    if int(declared) > MAX_BANK_FILE_BYTES:
        raise UploadRefused(413, f"a bank file may be at most {MAX_BANK_FILE_BYTES} bytes")
    data = request.read(MAX_BANK_FILE_BYTES + 1)
    if len(data) > MAX_BANK_FILE_BYTES:
        raise UploadRefused(413, f"a bank file may be at most {MAX_BANK_FILE_BYTES} bytes")
    return data


def uploaded_files(request: HttpRequest) -> list[tuple[str, bytes]]:
    """(name, bytes) of every file in the request, in the order given."""
    if request.content_type == "multipart/form-data":
        uploads = request.FILES.getlist("file")
        if not uploads:
            raise UploadRefused(400, "multipart upload without a 'file' field")
        if len(uploads) > MAX_FILES:
            raise UploadRefused(400, f"at most {MAX_FILES} files in one request")
        if any(upload.size > MAX_BANK_FILE_BYTES for upload in uploads):
            raise UploadRefused(413, f"a bank file may be at most {MAX_BANK_FILE_BYTES} bytes")
        return [(upload.name or f"file-{n}", upload.read()) for n, upload in enumerate(uploads, 1)]
    data = _raw_body(request)
    if not data:
        raise UploadRefused(400, "the request body is empty; send the bank file as the body or as multipart field 'file'")
    return [(request.GET.get("name", "").strip()[:200] or "upload", data)]


@router.post("/bank-files", response={200: BankFilesOut, 201: BankFilesOut, 400: ErrorOut, 413: ErrorOut, 422: BankFilesOut})
def import_bank_files(request):
    """Import bank files (OCR giro, camt.054, BgMax) and match their payments."""
    actor = request.auth
    # Refuse before reading a byte of the upload (the service checks again).
    require_role(actor, *services.IMPORT_ROLES)
    require_kind(actor, *services.IMPORT_KINDS)
    try:
        files = uploaded_files(request)
    except UploadRefused as refused:
        return Status(refused.status, {"detail": refused.detail})
    reports = services.import_bank_files(actor, files)
    statuses = {report.status for report in reports}
    if "imported" in statuses:
        status = 201
    elif statuses == {"refused"}:
        status = 422
    else:
        status = 200
    return Status(status, {"files": [vars(report) for report in reports]})
