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
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence, Union

from django.db import IntegrityError, connection
from django.db import transaction as db_transaction
from django.utils import timezone

from kvitt.core import audit
from kvitt.core.permissions import Actor, PermissionDenied, require_kind, require_role
from kvitt.payments import detect
from kvitt.payments.bulk import collector_paused
from kvitt.payments.matching import Matcher, MatchResult, Method, Outcome
from kvitt.payments.model import BankFileError, ParsedFile
from kvitt.payments.models import BankFile, BankTransaction, Payment
from kvitt.payments.ports import Posting, ReceivableLedger, get_ledger
from kvitt.payments.signals import payment_received

IMPORT_ROLES = ("clinic_admin", "billing_clerk", "collection_agent", "system")
IMPORT_KINDS = ("clinic_company", "collection_agency")
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


TRANSACTION_COLUMNS = (
    "bank_file", "organisation", "format", "transaction_id", "file_line", "booking_date", "value_date",
    "amount_minor", "currency", "reference", "extra_references", "free_text", "payer_name", "payer_account",
    "creditor_account", "reversal", "outcome", "method", "credit_minor", "suggestions", "note", "raw",
)
PAYMENT_COLUMNS = (
    "bank_transaction", "organisation", "ledger", "receivable_id", "amount_minor", "outcome", "method",
    "created_at", "created_by",
)
INSERT_CHUNK = 5000
# Plain strings for the database; an Enum's .value is a slow property when read a million times.
OUTCOME_VALUES = {o: o.value for o in Outcome}
METHOD_VALUES = {m: m.value for m in Method}


def _insert_rows(model, fields: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert rows that are already in database form, inside the caller's transaction.

    ``bulk_create`` spends most of an import preparing each value of each object (about
    90 % of the time at a million rows, measured with bench/payments.py). Here the values
    were adapted once by the backend's own adapters; PostgreSQL gets them through COPY,
    SQLite through ``executemany`` of one prepared INSERT.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                # Declared once, so psycopg need not choose a dumper for every value of every row.
                copy.set_types([_copy_type(model._meta.get_field(name)) for name in fields])
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        for start in range(0, len(rows), INSERT_CHUNK):
            cursor.executemany(sql, rows[start : start + INSERT_CHUNK])


# How COPY (text format) receives each kind of column: the server parses the text into the
# column's own type, so JSON arrives as its text and every integer as int8.
_COPY_TYPES = {
    "BigAutoField": "int8", "AutoField": "int8", "BigIntegerField": "int8", "IntegerField": "int8",
    "PositiveIntegerField": "int8", "PositiveBigIntegerField": "int8", "PositiveSmallIntegerField": "int8",
    "SmallIntegerField": "int8", "BooleanField": "bool", "DateField": "date", "DateTimeField": "timestamptz",
}


def _copy_type(field) -> str:
    if field.is_relation:
        field = field.target_field
    return _COPY_TYPES.get(field.get_internal_type(), "text")


ANALYZE_AFTER = 10_000
ANALYZE_GROWTH = 0.2  # re-analyse once a file adds this share of the rows the statistics know
# The columns the import's and the manual queue's queries filter or join on; statistics on
# the wide text columns (raw records, free text) are never used and cost most of an ANALYZE.
ANALYZE_COLUMNS = {
    BankTransaction: ("bank_file", "organisation", "format", "transaction_id", "outcome", "amount_minor", "credit_minor"),
    Payment: ("bank_transaction", "ledger", "receivable_id"),
}


def _refresh_statistics(new_rows: int) -> None:
    """ANALYZE after a bulk load that grew the tables noticeably, as PostgreSQL's documentation advises.

    Without fresh statistics the planner answered the next file's "which ids exist?" question
    by scanning every row of the format (1.5 s per 900 ids at 850 000 rows, measured with
    bench/payments.py) instead of looking each id up in the unique index (8 ms). Once the
    tables are large, one more file changes their statistics little, and analysing them after
    every file cost about a fifth of a PostgreSQL import; so only a file that adds at least
    ``ANALYZE_GROWTH`` of the rows the statistics last counted triggers it (autovacuum's own
    rule, applied at once), and only the columns the queries use are analysed.
    """
    quote = connection.ops.quote_name
    table = BankTransaction._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [quote(table)])
        row = cursor.fetchone()
        known = row[0] if row else -1
        if known > 0 and new_rows < ANALYZE_GROWTH * known:
            return
        targets = []
        for model, fields in ANALYZE_COLUMNS.items():
            columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
            targets.append(f"{quote(model._meta.db_table)} ({columns})")
        cursor.execute(f"ANALYZE {', '.join(targets)}")


def _existing_ids(format: str, ids: list[str]) -> set[str]:
    """Which of these transaction ids are stored already.

    PostgreSQL gets them all in one query (an array parameter, looked up in the unique
    index); SQLite one indexed query per chunk of ``ID_CHUNK`` ids.
    """
    found: set[str] = set()
    if not ids:
        return found
    quote = connection.ops.quote_name
    table = quote(BankTransaction._meta.db_table)
    where = f"SELECT {quote('transaction_id')} FROM {table} WHERE {quote('format')} = %s AND {quote('transaction_id')}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"{where} = ANY(%s::varchar[])", [format, ids])
            found.update(row[0] for row in cursor.fetchall())
            return found
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start : start + ID_CHUNK]
            cursor.execute(f"{where} IN ({', '.join(['%s'] * len(chunk))})", [format, *chunk])
            found.update(row[0] for row in cursor.fetchall())
    return found


def _compact_account(account: str) -> str:
    return "".join(c for c in account if c.isalnum()).upper()


def _own_accounts(organisation) -> set[str]:
    """The organisation's registered accounts (account number, IBAN and the IBAN's BBAN)."""
    from kvitt.network.models import Company

    company = Company.objects.filter(organisation=organisation).only("bank_account", "iban").first()
    accounts: set[str] = set()
    if company is None:
        return accounts
    if company.bank_account:
        accounts.add(_compact_account(company.bank_account))
    if company.iban:
        iban = _compact_account(company.iban)
        accounts.add(iban)
        accounts.add(iban[4:])  # the domestic account inside the IBAN
    return accounts


def _check_accounts(organisation, parsed: ParsedFile) -> None:
    """Refuse a file paid to an account that is not the organisation's (when its accounts are known).

    BgMax names the payee by bankgiro number, which Kvitt does not register, so it is not checked.
    """
    if parsed.format == "bgmax":
        return
    own = _own_accounts(organisation)
    if not own:
        return
    for account in sorted({t.creditor_account for t in parsed.transactions if t.creditor_account}):
        if _compact_account(account) not in own:
            line = next(t.file_line for t in parsed.transactions if t.creditor_account == account)
            raise BankFileError(line, "creditor account",
                                f"the file is for account {account}, which is not an account of {organisation.name}",
                                format=parsed.format)


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
            _check_accounts(self.organisation, parsed)
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
        results = self.matcher.match_many(fresh)
        user = self.actor.user if getattr(self.actor.user, "pk", None) else None
        bank_file = BankFile.objects.create(
            organisation=self.organisation, format=parsed.format, sha256=digest, file_id=parsed.file_id[:200],
            name=name[:255], size=len(data), imported_by=user, transaction_count=len(parsed.transactions),
            new_count=len(fresh), amount_minor=parsed.amount_minor,
            totals={**parsed.totals, "skipped": parsed.skipped},
        )
        with collector_paused():
            _insert_rows(BankTransaction, TRANSACTION_COLUMNS, self._transaction_rows(bank_file, results))
            ids = dict(BankTransaction.objects.filter(bank_file=bank_file).values_list("transaction_id", "id"))
            _insert_rows(Payment, PAYMENT_COLUMNS, self._payment_rows(results, ids, user))
            payment_ids = {
                (tx_id, receivable_id): pk
                for tx_id, receivable_id, pk in Payment.objects.filter(bank_transaction__bank_file=bank_file)
                .values_list("bank_transaction_id", "receivable_id", "id")
            }
            postings = self._postings(results, ids, payment_ids)
        if connection.vendor == "postgresql" and len(results) >= ANALYZE_AFTER:
            _refresh_statistics(len(results))
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

    def _transaction_rows(self, bank_file: BankFile, results: list[MatchResult]) -> list[tuple]:
        ops = connection.ops
        empty_json = json.dumps([])
        organisation_id = self.organisation.id

        def json_value(value):
            # JSON as text, as Django's SQLite backend stores it; PostgreSQL's COPY parses the
            # text into jsonb itself (a Jsonb wrapper per value cost more than the rest of the row).
            return json.dumps(value) if value else empty_json

        days: dict = {None: None}  # a file has few distinct dates; adapt each once

        def day(value):
            adapted = days.get(value, days)
            if adapted is days:
                adapted = days[value] = ops.adapt_datefield_value(value)
            return adapted

        rows = []
        for result in results:
            t = result.transaction
            outcome, method = OUTCOME_VALUES[result.outcome], METHOD_VALUES[result.method]
            suggestions = [{"receivable_id": str(s.receivable_id), "score": s.score, "reason": s.reason}
                           for s in result.suggestions]
            rows.append((
                bank_file.id, organisation_id, t.format, t.transaction_id, t.file_line, day(t.booking_date),
                day(t.value_date), t.amount_minor, t.currency, (t.reference or "")[:35],
                json_value(list(t.extra_references)), t.free_text, t.payer_name[:140], t.payer_account[:50],
                t.creditor_account[:50], t.reversal, outcome, method, result.credit_minor,
                json_value(suggestions), result.note[:300], "\n".join(t.raw)[:RAW_LIMIT],
            ))
        return rows

    def _payment_rows(self, results: list[MatchResult], ids: dict, user) -> list[tuple]:
        created = connection.ops.adapt_datetimefield_value(timezone.now())
        user_id = user.pk if user is not None else None
        organisation_id, label = self.organisation.id, self.ledger_label
        return [
            (ids[r.transaction.transaction_id], organisation_id, label, str(a.receivable_id), a.amount_minor,
             OUTCOME_VALUES[r.outcome], METHOD_VALUES[r.method], created, user_id)
            for r in results
            for a in r.allocations
        ]

    def _postings(self, results: list[MatchResult], ids: dict, payment_ids: dict) -> list[Posting]:
        postings = []
        for result in results:
            t = result.transaction
            row_id = ids[t.transaction_id]
            credit_left = result.credit_minor
            for allocation in result.allocations:
                receivable_id = str(allocation.receivable_id)
                postings.append(Posting(receivable_id, allocation.amount_minor, credit_left, result.outcome.value,
                                        result.method.value, row_id, payment_ids[(row_id, receivable_id)],
                                        t.booking_date, t.currency))
                credit_left = 0
            if credit_left and result.targets and not result.allocations:
                postings.append(Posting(str(result.targets[0]), 0, credit_left, result.outcome.value,
                                        result.method.value, row_id, None, t.booking_date, t.currency))
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
        report = importer.import_one(name, data)
        if importer.ledger is None and report.status == "imported":
            report.skipped.append("no receivable ledger is installed: every payment waits in the manual queue")
        reports.append(report)
    return reports


def check_bank_file(data: bytes) -> ParsedFile:
    """Parse without storing (for ``kvitt bank check``); raises ``BankFileError``."""
    return detect.parse(data)


class ManualAllocationError(ValueError):
    """A manual allocation that cannot be made; the message says why."""


def _open_item(ledger: ReceivableLedger, organisation, receivable_id: str):
    finder = getattr(ledger, "open_item", None)  # optional fast path a ledger may offer
    if finder is not None:
        return finder(organisation, receivable_id)
    return next((r for r in ledger.open_items(organisation) if str(r.id) == receivable_id), None)


def allocate_manually(
    actor: Actor, bank_transaction: BankTransaction, receivable_id: str, amount_minor: int | None = None,
    *, ledger: ReceivableLedger | None = None,
) -> Payment:
    """Book an unmatched (or partly booked) transaction to a receivable by hand, from the manual queue.

    ``amount_minor`` defaults to what is left of the transaction; more than the receivable's
    open amount becomes the debtor's credit balance, as with automatic matching.
    """
    require_role(actor, *IMPORT_ROLES)
    if bank_transaction.organisation_id != actor.organisation.id:
        raise PermissionDenied("the bank transaction belongs to another organisation")
    ledger = ledger if ledger is not None else get_ledger()
    if ledger is None:
        raise ManualAllocationError("no receivable ledger is installed")
    receivable_id = str(receivable_id)
    with db_transaction.atomic():
        row = BankTransaction.objects.select_for_update().get(pk=bank_transaction.pk)
        allocated = sum(row.allocations.values_list("amount_minor", flat=True))
        available = row.amount_minor - allocated - row.credit_minor
        amount = available if amount_minor is None else amount_minor
        if row.amount_minor <= 0:
            raise ManualAllocationError("reversals are matched automatically or not at all; this one has no receivable")
        if amount <= 0 or amount > available:
            raise ManualAllocationError(f"{amount} is not between 1 and the {available} left of the transaction")
        item = _open_item(ledger, actor.organisation, receivable_id)
        if item is None:
            raise ManualAllocationError(f"receivable {receivable_id} is not in the ledger")
        open_minor = 0 if item.closed else max(item.open_minor, 0)
        to_receivable = min(amount, open_minor)
        credit = amount - to_receivable
        if to_receivable == 0:
            outcome = Outcome.CLOSED_INVOICE
        elif credit:
            outcome = Outcome.OVERPAYMENT
        else:
            outcome = Outcome.FULL if to_receivable == open_minor else Outcome.PARTIAL
        user = actor.user if getattr(actor.user, "pk", None) else None
        payment = Payment.objects.create(
            bank_transaction=row, organisation=actor.organisation, ledger=ledger.label, receivable_id=receivable_id,
            amount_minor=to_receivable, outcome=outcome.value, method="manual",
            created_by=user,
        )
        row.outcome, row.method = outcome.value, "manual"
        row.credit_minor += credit
        row.save(update_fields=["outcome", "method", "credit_minor"])
        posting = Posting(receivable_id, to_receivable, credit, outcome.value, "manual", row.pk, payment.pk,
                          row.booking_date, row.currency)
        ledger.apply(actor.organisation, [posting])
        audit.record(actor, "payment_allocate", payment, privacy=("financial",), fields=("amount_minor", "receivable_id"),
                     reason=f"manual allocation of bank transaction {row.transaction_id}")
        importer = _Importer(actor, ledger)
        importer._announce([posting])
    return payment
