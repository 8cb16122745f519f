"""UBL 2.1 schema validation (the first layer of Peppol BIS 3 validation) with lxml.

The OASIS maindoc schemas are read from a configurable folder (``settings.KVITT_UBL_XSD_DIR``),
compiled once per folder and document type and kept; libxml2 is told never to touch the network.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from kvitt.einvoice.ubl import CREDIT_NOTE, INVOICE, ROOT_NAMESPACES, EInvoiceError

SCHEMA_FILES = {
    INVOICE: Path("maindoc") / "UBL-Invoice-2.1.xsd",
    CREDIT_NOTE: Path("maindoc") / "UBL-CreditNote-2.1.xsd",
}

_cache: dict[tuple[str, str], etree.XMLSchema] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class XsdFinding:
    """One schema violation as libxml2 reports it."""

    message: str
    line: int | None
    column: int | None
    path: str | None

    def as_dict(self) -> dict:
        return {"id": "UBL-XSD", "flag": "fatal", "location": self.path or "", "line": self.line, "message": self.message}


def default_schema_dir() -> Path:
    from django.conf import settings

    return Path(settings.KVITT_UBL_XSD_DIR)


def schema_for(kind: str, schema_dir: Path | str | None = None) -> etree.XMLSchema:
    """The compiled schema for ``'Invoice'`` or ``'CreditNote'`` from ``schema_dir`` (cached)."""
    folder = Path(schema_dir) if schema_dir is not None else default_schema_dir()
    key = (str(folder.resolve()), kind)
    schema = _cache.get(key)
    if schema is not None:
        return schema
    with _lock:
        schema = _cache.get(key)
        if schema is None:
            schema = _compile(folder, kind)
            _cache[key] = schema
    return schema


def _compile(folder: Path, kind: str) -> etree.XMLSchema:
    path = folder / SCHEMA_FILES[kind]
    if not path.is_file():
        raise FileNotFoundError(f"UBL 2.1 schema {path} not found; set KVITT_UBL_XSD_DIR to the folder holding maindoc/ and common/")
    # The schemas are trusted local files; imports resolve relative to them, never over the network.
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(path), parser=parser))


def _root_of(root_or_bytes) -> etree._Element:
    if isinstance(root_or_bytes, (bytes, str)):
        from kvitt.einvoice.parser import parse_root

        return parse_root(root_or_bytes if isinstance(root_or_bytes, bytes) else root_or_bytes.encode())
    if isinstance(root_or_bytes, etree._ElementTree):
        return root_or_bytes.getroot()
    return root_or_bytes


def validate_xsd(root_or_bytes, schema_dir: Path | str | None = None) -> list[XsdFinding]:
    """Validate a UBL Invoice/CreditNote against the UBL 2.1 schema; an empty list means valid.

    Bytes are parsed safely first (bad XML raises :class:`EInvoiceError`); a root that is neither
    Invoice nor CreditNote also raises, since there is no schema to check it against.
    """
    root = _root_of(root_or_bytes)
    qname = etree.QName(root)
    if qname.localname not in ROOT_NAMESPACES or qname.namespace != ROOT_NAMESPACES[qname.localname]:
        raise EInvoiceError(f"no UBL 2.1 schema for root element {qname.text!r}", element=f"/{qname.localname}")
    schema = schema_for(qname.localname, schema_dir)
    # XMLSchema objects keep the last error log, so validation is serialised per schema.
    with _lock:
        ok = schema.validate(root)
        errors = [] if ok else list(schema.error_log)
    return [XsdFinding(message=e.message, line=e.line or None, column=e.column or None, path=e.path or None) for e in errors]


def is_valid_xsd(root_or_bytes, schema_dir: Path | str | None = None) -> bool:
    return not validate_xsd(root_or_bytes, schema_dir)
