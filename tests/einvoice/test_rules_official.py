"""Official-artefacts mode: compiled Schematron XSLT run through saxonche, SVRL read back as findings.

The official CEN/Peppol XSLT files are not part of the repository, so the test compiles a small
ISO Schematron of its own (with two official assertions) into XSLT with the ISO skeleton that lxml
ships, and runs it exactly as ``validate_official`` runs the real artefacts.
"""

import os
from pathlib import Path

import pytest
from lxml import etree, isoschematron

from kvitt.einvoice.validation import (
    OfficialArtifactsUnavailable,
    official_artifacts,
    svrl_findings,
    validate_official,
)
from tests.einvoice.test_rules_cen import CLINIC_INVOICE

saxonche = pytest.importorskip("saxonche")

SCHEMATRON = b"""<schema xmlns="http://purl.oclc.org/dsdl/schematron">
  <ns prefix="cbc" uri="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"/>
  <ns prefix="cac" uri="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"/>
  <ns prefix="ubl" uri="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>
  <pattern>
    <rule context="/ubl:Invoice">
      <assert id="BR-02" flag="fatal" test="(cbc:ID) != ''">[BR-02]-An Invoice shall have an Invoice number (BT-1).</assert>
    </rule>
    <rule context="cac:AccountingSupplierParty/cac:Party">
      <assert id="NO-R-002" flag="warning"
        test="normalize-space(cac:PartyTaxScheme[normalize-space(cac:TaxScheme/cbc:ID) = 'TAX']/cbc:CompanyID) = 'Foretaksregisteret'"
        >For Norwegian suppliers, most invoice issuers are required to append "Foretaksregisteret" to their invoice.</assert>
    </rule>
  </pattern>
</schema>"""


def compile_schematron(schematron: bytes) -> bytes:
    """ISO Schematron -> XSLT with the ISO skeleton (include, abstract expansion, SVRL output)."""
    skeleton = Path(isoschematron.__file__).parent / "resources" / "xsl" / "iso-schematron-xslt1"
    document = etree.fromstring(schematron)
    for step in ("iso_dsdl_include.xsl", "iso_abstract_expand.xsl", "iso_svrl_for_xslt1.xsl"):
        document = etree.XSLT(etree.parse(str(skeleton / step)))(document).getroot()
    return etree.tostring(document)


@pytest.fixture
def artifacts(tmp_path, monkeypatch):
    (tmp_path / "TINY-UBL.xslt").write_bytes(compile_schematron(SCHEMATRON))
    (tmp_path / "readme.txt").write_text("not a stylesheet")
    monkeypatch.setenv("KVITT_PEPPOL_ARTIFACTS", str(tmp_path))
    return tmp_path


def test_valid_invoice_passes_the_compiled_rules(artifacts):
    report = validate_official(CLINIC_INVOICE)
    assert report.valid and report.findings == []


def test_failed_asserts_come_back_with_id_flag_location_and_text(artifacts):
    broken = (CLINIC_INVOICE.replace(b"<cbc:ID>2026-000123</cbc:ID>", b"<cbc:ID></cbc:ID>")
              .replace(b"Foretaksregisteret", b"Foretak"))
    report = validate_official(broken)
    assert not report.valid
    by_id = {f.id: f for f in report.findings}
    assert by_id["BR-02"].flag == "fatal"
    assert by_id["BR-02"].message == "[BR-02]-An Invoice shall have an Invoice number (BT-1)."
    assert "Invoice" in by_id["BR-02"].location
    assert by_id["NO-R-002"].flag == "warning"


def test_bad_xml_is_one_finding_not_an_exception(artifacts):
    report = validate_official(b"<Invoice")
    assert [f.id for f in report.findings] == ["XML"]


def test_missing_artifacts_are_reported(tmp_path, monkeypatch):
    monkeypatch.delenv("KVITT_PEPPOL_ARTIFACTS", raising=False)
    with pytest.raises(OfficialArtifactsUnavailable):
        official_artifacts()
    with pytest.raises(OfficialArtifactsUnavailable, match="no .xsl"):
        official_artifacts(tmp_path)


def test_cen_artifacts_run_before_peppol(tmp_path):
    for name in ("PEPPOL-EN16931-UBL.xslt", "CEN-EN16931-UBL.xslt"):
        (tmp_path / name).write_text("<x/>")
    assert [p.name for p in official_artifacts(tmp_path)] == ["CEN-EN16931-UBL.xslt", "PEPPOL-EN16931-UBL.xslt"]


def test_svrl_reader_handles_successful_reports():
    svrl = b"""<svrl:schematron-output xmlns:svrl="http://purl.oclc.org/dsdl/svrl">
      <svrl:successful-report id="R-1" flag="warning" location="/x"><svrl:text> spaced
        text </svrl:text></svrl:successful-report></svrl:schematron-output>"""
    [finding] = svrl_findings(svrl)
    assert (finding.id, finding.flag, finding.location, finding.message) == ("R-1", "warning", "/x", "spaced text")



# ------------------------------------------------------------------ cross-check with the real artefacts
# Runs only where KVITT_PEPPOL_ARTIFACTS points at the official compiled XSLT of a Peppol BIS release.

REAL_ARTIFACTS = os.environ.get("KVITT_PEPPOL_ARTIFACTS")
needs_real_artifacts = pytest.mark.skipif(
    not REAL_ARTIFACTS or not any(Path(REAL_ARTIFACTS).glob("*EN16931*.xsl*")),
    reason="KVITT_PEPPOL_ARTIFACTS does not point at the official CEN/Peppol XSLT",
)


@needs_real_artifacts
def test_native_and_official_agree_on_the_examples(shared_fixtures):
    from kvitt.core.xmlsafe import parse_xml
    from kvitt.einvoice.rules import check, rule_ids

    files = sorted((shared_fixtures / "peppol" / "examples").glob("*.xml"))
    files += sorted((shared_fixtures / "peppol" / "national-examples" / "NO").glob("*.xml"))
    for file in files:
        data = file.read_bytes()
        official = {(f.id, f.flag) for f in validate_official(data, artifacts=REAL_ARTIFACTS).findings}
        native = {(f.id, f.flag) for f in check(parse_xml(data))}
        known = rule_ids()
        # Rules the native validator does not implement (UBL-CR warnings, other countries) are left out.
        assert {f for f in official if f[0] in known} == native, file.name
