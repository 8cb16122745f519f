"""Importing bank files: parse, store, match and allocate, one database transaction per file.

``import_bank_files`` is the one verb. For each file it

1. refuses a file whose SHA-256 is already stored (nothing changes),
2. parses it strictly (a bad record names its line and field; nothing of the file is stored),
3. leaves out transactions already imported from another file (format + bank transaction id),
4. matches the rest in memory against the ledger's receivables (``kvitt.payments.matching``),
5. stores the file, its transactions and the allocations, posts them to the ledger and
   writes the audit row, all in one transaction, and
6. after commit sends ``payment_received`` for each allocation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence, Union

from django.db import IntegrityError
from django.db import transaction as db_transaction

from kvitt.core import audit
from kvitt.core.permissions import Actor, require_kind, require_role
from kvitt.payments import detect
from kvitt.payments.bulk import collector_paused
from kvitt.payments.matching import Matcher, MatchResult, Outcome
from kvitt.payments.model import BankFileError, ParsedFile
from kvitt.payments.models import BankFile, BankTransaction, Payment
from kvitt.payments.ports import Posting, ReceivableLedger, get_ledger
from kvitt.payments.signals import payment_received

IMPORT_ROLES = ("clinic_admin", "billing_clerk", "collection_agent", "system")
IMPORT_KINDS = ("clinic_company", "collection_agency")
BATCH = 2000
ID_CHUNK = 900  # below SQLite's old 999-parameter limit
RAW_LIMIT = 2000

BankFileInput = Union[str, Path, bytes, tuple]


@dataclass
class FileReport:
    """What happened to one file, for the command line and the web."""

    name: str
    status: str  # imported | already_imported | refused
    format: str = ""
    transactions: int = 0
    new: int = 0
    already_known: int = 0
    matched: int = 0
    left: int = 0
    outcomes: dict = field(default_factory=dict)
    amount_minor: int = 0
    error: str = ""
    bank_file_id: int | None = None
    skipped: list = field(default_factory=list)

    def line(self) -> str:
        if self.status == "refused":
            return f"{self.name}: refused: {self.error}"
        if self.status == "already_imported":
            return f"{self.name}: already imported (file {self.bank_file_id}); nothing changed"
        known = f", {self.already_known} already known" if self.already_known else ""
        return (f"{self.name}: {self.format} imported {self.new} of {self.transactions} transactions{known}; "
                f"matched {self.matched}, left {self.left} for the manual queue")


def _read(item: BankFileInput) -> tuple[str, bytes]:
    if isinstance(item, tuple):
        name, data = item
        return str(name), bytes(data)
    if isinstance(item, (bytes, bytearray)):
        return "<bytes>", bytes(item)
    path = Path(item)
    return path.name, path.read_bytes()


def _existing_ids(format: str, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        found.update(
            BankTransaction.objects.filter(format=format, transaction_id__in=chunk).values_list("transaction_id", flat=True)
        )
    return found


class _Importer:
    def __init__(self, actor: Actor, ledger: ReceivableLedger | None):
        self.actor = actor
        self.organisation = actor.organisation
        self.ledger = ledger
        self.ledger_label = ledger.label if ledger is not None else ""
        self._matcher: Matcher | None = None

    @property
    def matcher(self) -> Matcher:
        if self._matcher is None:
            items = self.ledger.open_items(self.organisation) if self.ledger is not None else ()
            with collector_paused():
                self._matcher = Matcher(items)
        return self._matcher

    def import_one(self, name: str, data: bytes) -> FileReport:
        digest = hashlib.sha256(data).hexdigest()
        existing = BankFile.objects.filter(sha256=digest).only("id").first()
        if existing is not None:
            return FileReport(name, "already_imported", bank_file_id=existing.id)
        try:
            parsed = detect.parse(data)
        except BankFileError as exc:
            return FileReport(name, "refused", error=str(exc))
        try:
            with db_transaction.atomic():
                return self._store(name, data, digest, parsed)
        except IntegrityError:
            self._matcher = None
            # Another process stored the same file or transactions meanwhile; ours rolled back.
            concurrent = BankFile.objects.filter(sha256=digest).only("id").first()
            if concurrent is None:
                raise
            return FileReport(name, "already_imported", bank_file_id=concurrent.id)
        except Exception:
            self._matcher = None  # its running amounts include the rolled-back file
            raise

    def _store(self, name: str, data: bytes, digest: str, parsed: ParsedFile) -> FileReport:
        known = _existing_ids(parsed.format, [t.transaction_id for t in parsed.transactions])
        fresh = [t for t in parsed.transactions if t.transaction_id not in known]
        matcher = self.matcher
        results = matcher.match_many(fresh)
        user = self.actor.user if getattr(self.actor.user, "pk", None) else None
        bank_file = BankFile.objects.create(
            organisation=self.organisation, format=parsed.format, sha256=digest, file_id=parsed.file_id[:200],
            name=name[:255], size=len(data), imported_by=user, transaction_count=len(parsed.transactions),
            new_count=len(fresh), amount_minor=parsed.amount_minor,
            totals={**parsed.totals, "skipped": parsed.skipped},
        )
        rows = BankTransaction.objects.bulk_create([self._row(bank_file, r) for r in results], batch_size=BATCH)
        payments = [self._payment(row, r, a, user) for row, r in zip(rows, results) for a in r.allocations]
        payments = Payment.objects.bulk_create(payments, batch_size=BATCH)
        postings = self._postings(rows, results, payments)
        if self.ledger is not None and postings:
            self.ledger.apply(self.organisation, postings)
        outcomes = {o.value: 0 for o in Outcome}
        for result in results:
            outcomes[result.outcome.value] += 1
        left = outcomes[Outcome.UNMATCHED.value]
        bank_file.matched_count = len(results) - left
        bank_file.unmatched_count = left
        bank_file.save(update_fields=["matched_count", "unmatched_count"])
        audit.record(self.actor, "bank_import", bank_file, privacy=("financial",),
                     fields=("amount_minor", "payer_name", "payer_account", "reference"),
                     reason=f"{parsed.format} {parsed.file_id} {len(fresh)} new transactions")
        self._announce(postings)
        return FileReport(
            name, "imported", parsed.format, len(parsed.transactions), len(fresh), len(known),
            len(results) - left, left, outcomes, parsed.amount_minor, bank_file_id=bank_file.id, skipped=parsed.skipped,
        )

    def _row(self, bank_file: BankFile, result: MatchResult) -> BankTransaction:
        t = result.transaction
        return BankTransaction(
            bank_file=bank_file, organisation=self.organisation, format=t.format, transaction_id=t.transaction_id,
            file_line=t.file_line, booking_date=t.booking_date, value_date=t.value_date, amount_minor=t.amount_minor,
            currency=t.currency, reference=(t.reference or "")[:35], extra_references=list(t.extra_references),
            free_text=t.free_text, payer_name=t.payer_name[:140], payer_account=t.payer_account[:50],
            creditor_account=t.creditor_account[:50], reversal=t.reversal, outcome=result.outcome.value,
            method=result.method.value, credit_minor=result.credit_minor,
            suggestions=[{"receivable_id": str(s.receivable_id), "score": s.score, "reason": s.reason} for s in result.suggestions],
            note=result.note[:300], raw="\n".join(t.raw)[:RAW_LIMIT],
        )

    def _payment(self, row: BankTransaction, result: MatchResult, allocation, user) -> Payment:
        return Payment(
            bank_transaction=row, organisation=self.organisation, ledger=self.ledger_label,
            receivable_id=str(allocation.receivable_id), amount_minor=allocation.amount_minor,
            outcome=result.outcome.value, method=result.method.value, created_by=user,
        )

    def _postings(self, rows, results, payments) -> list[Posting]:
        postings = []
        payment_iter = iter(payments)
        for row, result in zip(rows, results):
            t = result.transaction
            credit_left = result.credit_minor
            for allocation in result.allocations:
                payment = next(payment_iter)
                postings.append(Posting(str(allocation.receivable_id), allocation.amount_minor, credit_left,
                                        result.outcome.value, result.method.value, row.pk, payment.pk,
                                        t.booking_date, t.currency))
                credit_left = 0
            if credit_left and result.targets and not result.allocations:
                postings.append(Posting(str(result.targets[0]), 0, credit_left, result.outcome.value,
                                        result.method.value, row.pk, None, t.booking_date, t.currency))
        return postings

    def _announce(self, postings: list[Posting]) -> None:
        if not postings or not payment_received.has_listeners(Payment):
            return
        organisation, label = self.organisation, self.ledger_label

        def send():
            for p in postings:
                payment_received.send(
                    sender=Payment, organisation=organisation, ledger=label, receivable_id=p.receivable_id,
                    amount_minor=p.amount_minor, credit_minor=p.credit_minor, outcome=p.outcome, method=p.method,
                    bank_transaction_id=p.bank_transaction_id, payment_id=p.payment_id,
                    booking_date=p.booking_date, currency=p.currency,
                )

        db_transaction.on_commit(send)


def import_bank_files(
    actor: Actor, files: Iterable[BankFileInput], *, ledger: ReceivableLedger | None = None
) -> list[FileReport]:
    """Import bank files (paths, bytes or (name, bytes)); one report per file, in order.

    A refused file does not stop the others; each imported file is its own transaction.
    """
    require_role(actor, *IMPORT_ROLES)
    require_kind(actor, *IMPORT_KINDS)
    importer = _Importer(actor, ledger if ledger is not None else get_ledger())
    reports = []
    for item in files:
        name, data = _read(item)
        reports.append(importer.import_one(name, data))
    return reports


def check_bank_file(data: bytes) -> ParsedFile:
    """Parse without storing (for ``kvitt bank check``); raises ``BankFileError``."""
    return detect.parse(data)
