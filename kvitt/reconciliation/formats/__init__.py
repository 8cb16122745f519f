"""Readers for the files downstream systems send back: status lists (CSV, XLSX) and
ERSMO-style care-event XML. Each reader is pure (no database) and strict: the first bad
value raises ``FeedError`` naming its line and column (or element)."""

from kvitt.reconciliation.formats.records import CareEventRecord, FeedError, StatusRecord

__all__ = ["CareEventRecord", "FeedError", "StatusRecord"]
