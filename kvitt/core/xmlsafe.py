"""The one way Kvitt reads XML from outside: no DTDs, no entities, no network, bounded size.

Every reader (UBL, SBDH, BKM, AppRec, camt.054, ProcessClaimSpecification, ERSMO) calls
``parse_xml`` so that hostile documents are refused in one place.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from lxml import etree

# Big enough for a month's invoice basis (5 MB payload limit) with room to spare.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass
class XmlError(ValueError):
    """A document that cannot be read; ``message`` says why and where."""

    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


_local = threading.local()


def _parser() -> etree.XMLParser:
    """One parser per thread (lxml parsers are not thread-safe): a reused parser keeps
    libxml2's name dictionary, which makes parsing a UBL document about a third faster."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = _new_parser()
    return parser


def _new_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=True,
    )


def parse_xml(data: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse ``data`` strictly and return its root element, or raise ``XmlError``."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > max_bytes:
        raise XmlError(f"document is {len(data)} bytes; the limit is {max_bytes} bytes")
    if not data.strip():
        raise XmlError("document is empty")
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise XmlError("DTDs and entity declarations are not accepted")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise XmlError(f"not well-formed XML: {exc.msg}", line=exc.lineno) from None
    if root is None:
        raise XmlError("document has no root element")
    if root.getroottree().docinfo.doctype:
        raise XmlError("DTDs and entity declarations are not accepted")
    return root


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


def namespace(element: etree._Element) -> str:
    return etree.QName(element).namespace or ""
