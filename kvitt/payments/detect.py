"""Tell a bank file's format from its content, and parse it with the right reader."""

from __future__ import annotations

from kvitt.payments import bgmax, camt054, ocr_giro
from kvitt.payments.model import BGMAX, CAMT054, OCR_GIRO, BankFileError, ParsedFile

PARSERS = {OCR_GIRO: ocr_giro.parse, CAMT054: camt054.parse, BGMAX: bgmax.parse}


def detect(data: bytes) -> str:
    """``ocr_giro``, ``camt054`` or ``bgmax``; ``BankFileError`` when it is none of them."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<"):
        if b"camt.054" in head or b"BkToCstmrDbtCdtNtfctn" in head:
            return CAMT054
        if b"camt.053" in head or b"BkToCstmrStmt" in head:
            raise BankFileError(1, "Document", "this is a camt.053 account statement; Kvitt reads camt.054 notifications")
        raise BankFileError(1, "Document", "an XML document that is not a camt.054 notification")
    if head.startswith(b"NY00") or head.startswith(b"NY09"):
        return OCR_GIRO
    if head.startswith(b"01BGMAX"):
        return BGMAX
    if head.startswith(b"NY21"):
        raise BankFileError(1, "service code (pos 3-4)", "this is an AvtaleGiro file, not an OCR giro payment file")
    raise BankFileError(1, "file", "not a bank file Kvitt knows (OCR giro, camt.054 or BgMax)")


def parse(data: bytes) -> ParsedFile:
    """Detect the format and parse the file."""
    return PARSERS[detect(data)](data)
