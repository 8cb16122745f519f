"""`kvitt ehf validate` / `kvitt ehf build` through call_command, output and exit codes."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kvitt.einvoice.management.commands import ehf
from tests.einvoice.test_rules_cen import CLINIC_INVOICE


@pytest.fixture
def files(tmp_path):
    good = tmp_path / "good.xml"
    good.write_bytes(CLINIC_INVOICE)
    bad = tmp_path / "bad.xml"
    bad.write_bytes(CLINIC_INVOICE.replace(b"<cbc:ID>2026-000123</cbc:ID>", b"<cbc:ID></cbc:ID>"))
    broken = tmp_path / "broken.xml"
    broken.write_bytes(CLINIC_INVOICE[:200])
    return good, bad, broken


def run(*args):
    out = StringIO()
    try:
        call_command("ehf", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)
    return 0, out.getvalue(), ""


def test_valid_file_exits_zero(files):
    code, out, _ = run("validate", "--no-xsd", str(files[0]))
    assert code == 0
    assert out.strip() == f"{files[0]}: valid"


def test_invalid_file_lists_every_failed_rule_and_exits_one(files):
    code, out, err = run("validate", "--no-xsd", str(files[0]), str(files[1]))
    assert code == 1
    assert "1 of 2 file(s) invalid" in err
    assert f"{files[1]}: INVALID" in out
    assert "BR-02" in out and "[BR-02]-An Invoice shall have an Invoice number (BT-1)." in out
    assert "PEPPOL-EN16931-R008" in out  # the empty cbc:ID is an empty element too


def test_json_prints_one_object_per_file(files):
    code, out, _ = run("validate", "--json", "--no-xsd", *map(str, files), str(files[0].parent / "missing.xml"))
    assert code == 1
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["file"] for r in records] == [*map(str, files), str(files[0].parent / "missing.xml")]
    assert [r["valid"] for r in records] == [True, False, False, False]
    assert records[0]["failed"] == []
    failed = {f["id"]: f for f in records[1]["failed"]}
    assert failed["BR-02"] == {"id": "BR-02", "flag": "fatal", "location": "/Invoice",
                               "message": "[BR-02]-An Invoice shall have an Invoice number (BT-1)."}
    assert records[2]["failed"][0]["id"] == "XML" and "not well-formed" in records[2]["failed"][0]["message"]
    assert records[3]["failed"][0]["id"] == "IO"


def test_xsd_is_checked_with_the_given_schema_dir(files, shared_fixtures):
    code, out, _ = run("validate", "--json", "--schema-dir", str(shared_fixtures / "ubl-2.1-xsd"), str(files[0]))
    assert code == 0, out
    assert json.loads(out)["valid"] is True


def test_official_without_artifacts_is_a_usage_error(files, monkeypatch):
    monkeypatch.delenv("KVITT_PEPPOL_ARTIFACTS", raising=False)
    code, _, err = run("validate", "--official", "--no-xsd", str(files[0]))
    assert code == 2
    assert "KVITT_PEPPOL_ARTIFACTS" in err


@pytest.mark.skipif(ehf._build_module() is not None, reason="kvitt.einvoice.cli_build exists; build is available")
def test_build_without_the_builder_module_says_not_available():
    code, _, err = run("build")
    assert code == 2
    assert "not available" in err


@pytest.mark.skipif(ehf._build_module() is None, reason="kvitt.einvoice.cli_build is not installed")
def test_build_takes_its_options_from_the_builder_module():
    parser = ehf.Command().create_parser("kvitt", "ehf")
    options = vars(parser.parse_args(["build", "--case", "SAK-2026-4711", "--out", "invoice.xml"]))
    assert (options["action"], options["case"], options["out"]) == ("build", "SAK-2026-4711", "invoice.xml")
