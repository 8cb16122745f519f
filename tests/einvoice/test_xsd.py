import shutil

import pytest
from lxml import etree

from kvitt.einvoice import xsd
from kvitt.einvoice.ubl import EInvoiceError


@pytest.fixture(scope="module")
def schema_dir(shared_fixtures):
    folder = shared_fixtures / "ubl-2.1-xsd"
    if not (folder / "maindoc" / "UBL-Invoice-2.1.xsd").is_file():
        pytest.skip("UBL 2.1 schemas are not present")
    return folder


def test_official_examples_pass_the_schema(shared_fixtures, schema_dir):
    files = sorted((shared_fixtures / "peppol" / "examples").glob("*.xml"))
    files += sorted((shared_fixtures / "cen" / "testfiles").glob("*.xml"))
    assert files
    for path in files:
        assert xsd.validate_xsd(path.read_bytes(), schema_dir) == [], path.name


def test_unknown_element_is_reported_with_line_and_path(shared_fixtures, schema_dir):
    data = (shared_fixtures / "peppol" / "examples" / "base-example.xml").read_bytes()
    bad = data.replace(b"<cbc:IssueDate>", b"<cbc:Foo>x</cbc:Foo><cbc:IssueDate>", 1)
    findings = xsd.validate_xsd(bad, schema_dir)
    assert len(findings) == 1
    assert "Foo" in findings[0].message and "not expected" in findings[0].message
    assert findings[0].line and findings[0].path.endswith("cbc:Foo")
    assert not xsd.is_valid_xsd(bad, schema_dir)


def test_wrong_order_and_bad_date_are_reported(shared_fixtures, schema_dir):
    data = (shared_fixtures / "peppol" / "examples" / "base-creditnote-correction.xml").read_bytes()
    root = etree.fromstring(data)  # trusted fixture file
    issue = root.find("{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}IssueDate")
    issue.text = "2026-02-30"
    messages = " ".join(f.message for f in xsd.validate_xsd(root, schema_dir))
    assert "IssueDate" in messages and "2026-02-30" in messages


def test_schemas_are_compiled_once(schema_dir):
    first = xsd.schema_for("Invoice", schema_dir)
    assert xsd.schema_for("Invoice", schema_dir) is first
    assert xsd.schema_for("CreditNote", schema_dir) is not first


def test_schema_folder_is_configurable(schema_dir, tmp_path, settings):
    copy = tmp_path / "xsd"
    shutil.copytree(schema_dir, copy)
    settings.KVITT_UBL_XSD_DIR = copy
    assert xsd.default_schema_dir() == copy
    schema = xsd.schema_for("Invoice")
    assert schema is xsd.schema_for("Invoice", copy)
    assert schema is not xsd.schema_for("Invoice", schema_dir)


def test_missing_schema_folder_says_what_to_set(tmp_path):
    with pytest.raises(FileNotFoundError) as exc:
        xsd.schema_for("Invoice", tmp_path / "nowhere")
    assert "KVITT_UBL_XSD_DIR" in str(exc.value)


def test_non_ubl_root_is_refused(schema_dir):
    with pytest.raises(EInvoiceError):
        xsd.validate_xsd(b"<Order/>", schema_dir)
