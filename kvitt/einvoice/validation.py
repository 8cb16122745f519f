"""Validate a Peppol BIS 3.0 / EHF Invoice or CreditNote: UBL 2.1 XSD, then the CEN EN16931
rules, then the Peppol and Norwegian rules, all natively in Python.

``validate_document(data)`` never raises for bad input: malformed or hostile XML comes back as
one fatal finding with a clear message. ``validate_official(data)`` runs the official compiled
Schematron (XSLT) artefacts from ``KVITT_PEPPOL_ARTIFACTS`` through Saxon for cross-checking.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from kvitt.core.xmlsafe import XmlError, parse_xml
from kvitt.einvoice.rules import FATAL, WARNING, Finding, check
from kvitt.einvoice.rules.base import CREDITNOTE_NS, INVOICE_NS

__all__ = [
    "Finding",
    "ValidationReport",
    "validate_document",
    "validate_root",
    "validate_official",
    "official_artifacts",
    "OfficialArtifactsUnavailable",
    "FATAL",
    "WARNING",
]

ARTIFACTS_ENV = "KVITT_PEPPOL_ARTIFACTS"
# The finding id when an official stylesheet stops with an XPath dynamic error.
DYNAMIC_ERROR = "XSLT-DYNAMIC-ERROR"
UBL_ROOTS = {f"{{{INVOICE_NS}}}Invoice", f"{{{CREDITNOTE_NS}}}CreditNote"}
SVRL_NS = "http://purl.oclc.org/dsdl/svrl"


@dataclass(frozen=True)
class ValidationReport:
    """``valid`` is true when no finding has the flag ``fatal``."""

    valid: bool
    findings: list[Finding] = field(default_factory=list)

    @classmethod
    def of(cls, findings: list[Finding]) -> "ValidationReport":
        return cls(valid=not any(f.flag == FATAL for f in findings), findings=findings)

    @property
    def fatal(self) -> list[Finding]:
        return [f for f in self.findings if f.flag == FATAL]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.flag == WARNING]


def _parse(data: bytes) -> tuple[etree._Element | None, Finding | None]:
    try:
        root = parse_xml(data)
    except XmlError as exc:
        return None, Finding("XML", FATAL, f"The document cannot be read: {exc}", f"line {exc.line}" if exc.line else "/")
    if root.tag not in UBL_ROOTS:
        qname = etree.QName(root)
        return None, Finding(
            "UBL-ROOT", FATAL,
            f"The root element is {{{qname.namespace or ''}}}{qname.localname}; expected a UBL 2.1 Invoice or CreditNote.",
            f"/{qname.localname}",
        )
    return root, None


def _xsd_findings(root: etree._Element, schema_dir) -> list[Finding]:
    try:
        from kvitt.einvoice import xsd
    except ImportError:  # the XSD layer is optional; the rules still run
        return []
    try:
        problems = xsd.validate_xsd(root, schema_dir=schema_dir)
    except (OSError, etree.XMLSchemaParseError) as exc:
        # Without the schema the document cannot be shown to be valid; say so instead of crashing.
        return [Finding("UBL-XSD", FATAL, f"The UBL 2.1 schema could not be loaded: {exc}", "/")]
    return [
        Finding("UBL-XSD", FATAL, p.message, p.path or (f"line {p.line}" if p.line else "/"))
        for p in problems
    ]


def validate_root(root: etree._Element, *, xsd: bool = True, schema_dir=None) -> ValidationReport:
    """Validate an already safely parsed UBL root element."""
    findings: list[Finding] = []
    if xsd:
        findings.extend(_xsd_findings(root, schema_dir))
    findings.extend(check(root, sources=("CEN", "PEPPOL")))  # one document index, CEN findings first
    return ValidationReport.of(findings)


def validate_document(data: bytes, *, xsd: bool = True, schema_dir=None) -> ValidationReport:
    """Validate raw bytes: XSD (when ``xsd``), then CEN, then Peppol/Norwegian rules."""
    root, problem = _parse(data)
    if problem is not None:
        return ValidationReport.of([problem])
    return validate_root(root, xsd=xsd, schema_dir=schema_dir)


# ------------------------------------------------------------------ official artefacts (Saxon)


class OfficialArtifactsUnavailable(RuntimeError):
    """No artefacts folder, no compiled XSLT in it, or saxonche is not installed."""


_saxon_lock = threading.Lock()
_saxon: dict = {}


def official_artifacts(folder: str | os.PathLike | None = None) -> list[Path]:
    """The compiled Schematron stylesheets (.xsl/.xslt) in ``folder`` or ``$KVITT_PEPPOL_ARTIFACTS``.

    CEN artefacts run before Peppol ones (sorted so names containing "CEN" come first).
    """
    folder = folder or os.environ.get(ARTIFACTS_ENV) or _artifacts_setting()
    if not folder:
        raise OfficialArtifactsUnavailable(f"set {ARTIFACTS_ENV} to the folder with the official compiled XSLT")
    path = Path(folder)
    if not path.is_dir():
        raise OfficialArtifactsUnavailable(f"{ARTIFACTS_ENV}={folder} is not a folder")
    found = sorted(
        (p for p in path.iterdir() if p.suffix.lower() in (".xsl", ".xslt")),
        key=lambda p: (0 if "CEN" in p.name.upper() else 1, p.name),
    )
    if not found:
        raise OfficialArtifactsUnavailable(f"no .xsl/.xslt files in {folder}")
    return found


def _artifacts_setting() -> str:
    from django.conf import settings

    return getattr(settings, "KVITT_PEPPOL_ARTIFACTS", "") if settings.configured else ""


def _processor():
    try:
        from saxonche import PySaxonProcessor
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise OfficialArtifactsUnavailable("saxonche is not installed (pip install saxonche)") from exc
    if "processor" not in _saxon:
        _saxon["processor"] = PySaxonProcessor(license=False)
        _saxon["executables"] = {}
    return _saxon["processor"]


def _executable(stylesheet: Path):
    processor = _processor()
    key = (str(stylesheet.resolve()), stylesheet.stat().st_mtime_ns)
    executables = _saxon["executables"]
    if key not in executables:
        compiler = processor.new_xslt30_processor()
        executables[key] = compiler.compile_stylesheet(stylesheet_file=str(stylesheet))
    return executables[key]


def svrl_findings(svrl: str | bytes) -> list[Finding]:
    """Failed assertions and successful reports of an SVRL result as findings."""
    data = svrl.encode("utf-8") if isinstance(svrl, str) else svrl
    root = parse_xml(data)
    found = []
    for node in root.iter(f"{{{SVRL_NS}}}failed-assert", f"{{{SVRL_NS}}}successful-report"):
        text = node.find(f"{{{SVRL_NS}}}text")
        message = " ".join("".join(text.itertext()).split()) if text is not None else ""
        flag = (node.get("flag") or FATAL).lower()
        found.append(Finding(node.get("id") or "", flag if flag in (FATAL, WARNING) else FATAL, message, node.get("location") or ""))
    return found


def run_stylesheets(root: etree._Element, stylesheets: list[Path]) -> list[Finding]:
    """Run compiled Schematron stylesheets on a parsed document and collect their SVRL findings."""
    serialized = etree.tostring(root, encoding="unicode")
    findings: list[Finding] = []
    with _saxon_lock:
        processor = _processor()
        node = processor.parse_xml(xml_text=serialized)
        for stylesheet in stylesheets:
            try:
                result = _executable(stylesheet).transform_to_string(xdm_node=node)
            except Exception as exc:  # saxonche raises PySaxonApiError on XPath dynamic errors
                # The official artefacts stop at the first dynamic error (e.g. "" cast to
                # xs:decimal); the document is not valid then, and the user needs to know where.
                findings.append(Finding(DYNAMIC_ERROR, FATAL, f"{stylesheet.name}: {' '.join(str(exc).split())}", ""))
                continue
            findings.extend(svrl_findings(result or ""))
    return findings


def validate_official(data: bytes, *, artifacts: str | os.PathLike | None = None) -> ValidationReport:
    """Validate with the official compiled XSLT artefacts (CEN, then Peppol) through saxonche.

    Raises :class:`OfficialArtifactsUnavailable` when the artefacts or saxonche are missing; bad
    XML is reported as one fatal finding like ``validate_document`` does.
    """
    stylesheets = official_artifacts(artifacts)
    root, problem = _parse(data)
    if problem is not None:
        return ValidationReport.of([problem])
    return ValidationReport.of(run_stylesheets(root, stylesheets))
