"""`kvitt ehf validate|build`: check EHF / Peppol BIS 3.0 documents, build invoices.

``validate [--json] [--official] [--no-xsd] [--schema-dir DIR] FILE...`` prints, per file, whether
it is valid and every failed rule; with ``--json`` one JSON object per line and file. The exit
code is 0 only when every file is valid.

``build`` is provided by ``kvitt.einvoice.cli_build`` when that module exists: the command calls
``cli_build.add_build_arguments(subparser)`` to declare its options and
``cli_build.run_build(command, options)`` to run it (an int result is the exit code).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kvitt.einvoice.validation import (
    FATAL,
    Finding,
    OfficialArtifactsUnavailable,
    ValidationReport,
    validate_document,
    validate_official,
)

MAX_FILE_BYTES = 64 * 1024 * 1024


def _build_module():
    try:
        return importlib.import_module("kvitt.einvoice.cli_build")
    except ModuleNotFoundError as exc:
        if exc.name != "kvitt.einvoice.cli_build":
            raise
        return None


def _read(path: str) -> tuple[bytes | None, Finding | None]:
    file = Path(path)
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            return None, Finding("IO", FATAL, f"{path} is larger than {MAX_FILE_BYTES} bytes", path)
        return file.read_bytes(), None
    except OSError as exc:
        return None, Finding("IO", FATAL, f"cannot read {path}: {exc.strerror or exc}", path)


class Command(BaseCommand):
    help = "EHF / Peppol BIS 3.0 invoices: validate files against XSD, CEN and Peppol rules; build invoices"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{validate,build}")
        validate = actions.add_parser("validate", help="validate Invoice/CreditNote files")
        validate.add_argument("files", nargs="+", metavar="FILE")
        validate.add_argument("--json", action="store_true", help="one JSON object per line and file")
        validate.add_argument("--official", action="store_true",
                              help="also run the official XSLT artefacts from $KVITT_PEPPOL_ARTIFACTS through Saxon")
        validate.add_argument("--no-xsd", action="store_true", help="skip the UBL 2.1 schema check")
        validate.add_argument("--schema-dir", default=None, help="folder with the UBL 2.1 maindoc/ and common/ schemas")
        build = actions.add_parser("build", help="build an invoice for a case's uninvoiced care events")
        module = _build_module()
        if module is not None:
            module.add_build_arguments(build)
        else:
            build.add_argument("rest", nargs="*", help="(not available)")

    def handle(self, *args, **options):
        if options["action"] == "build":
            return self._build(options)
        return self._validate(options)

    # ------------------------------------------------------------------ build

    def _build(self, options):
        module = _build_module()
        if module is None:
            raise CommandError("ehf build is not available: kvitt.einvoice.cli_build is not installed", returncode=2)
        result = module.run_build(self, options)
        if isinstance(result, int) and result != 0:
            raise CommandError("ehf build failed", returncode=result)

    # ------------------------------------------------------------------ validate

    def _validate(self, options):
        invalid = 0
        for path in options["files"]:
            data, problem = _read(path)
            if problem is not None:
                report = ValidationReport.of([problem])
            else:
                report = validate_document(data, xsd=not options["no_xsd"], schema_dir=options["schema_dir"])
            official = None
            if options["official"] and data is not None:
                try:
                    official = validate_official(data)
                except OfficialArtifactsUnavailable as exc:
                    raise CommandError(f"--official: {exc}", returncode=2) from None
            valid = report.valid and (official is None or official.valid)
            invalid += not valid
            if options["json"]:
                self._emit_json(path, valid, report, official)
            else:
                self._emit_text(path, valid, report, official)
        if invalid:
            raise CommandError(f"{invalid} of {len(options['files'])} file(s) invalid", returncode=1)

    def _emit_json(self, path, valid, report, official):
        record = {"file": path, "valid": valid, "failed": [f.as_dict() for f in report.findings]}
        if official is not None:
            record["official"] = {"valid": official.valid, "failed": [f.as_dict() for f in official.findings]}
        self.stdout.write(json.dumps(record, ensure_ascii=False))

    def _emit_text(self, path, valid, report, official):
        self.stdout.write(f"{path}: {'valid' if valid else 'INVALID'}")
        sections = [("", report)] + ([("official ", official)] if official is not None else [])
        for label, result in sections:
            for finding in result.findings:
                self.stdout.write(f"  {label}{finding.flag:7} {finding.id:24} {finding.location}")
                self.stdout.write(f"      {finding.message}")
