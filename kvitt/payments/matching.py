"""Match bank transactions to open receivables, over plain data and in memory.

The order of the steps is the order of certainty:

1. the structured reference (KID in Norway, OCR reference in Sweden) equals a receivable's;
2. an invoice number or a KID appears in the payment's free text;
3. otherwise nothing is booked: the transaction goes to the manual queue with
   suggestions of open receivables of the same amount whose debtor's name resembles the
   payer's.

Every result says explicitly what happened (``Outcome``): paid in full, partly paid,
overpaid (the excess is a credit balance for refund or set-off), a reversal (money taken
back, the receivable reopens), a payment to an invoice that is already closed (all of it
is credit), or unmatched.

Everything is dictionary look-ups built once per batch; nothing here touches a database,
so a million transactions match in seconds and the same code serves the import service,
the benchmark and the tests. The matcher keeps each receivable's running open amount,
so two partial payments in one file are both seen.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from dataclasses import dataclass, field
from enum import Enum
from typing import Hashable, Iterable

from kvitt.payments.bulk import collector_paused
from kvitt.payments.model import BankTransaction


class Outcome(str, Enum):
    FULL = "full"
    PARTIAL = "partial"
    OVERPAYMENT = "overpayment"
    REVERSAL = "reversal"
    CLOSED_INVOICE = "closed_invoice"
    UNMATCHED = "unmatched"


class Method(str, Enum):
    REFERENCE = "reference"
    FREE_TEXT = "free_text"
    NONE = "none"


@dataclass(slots=True)
class Receivable:
    """What the matcher needs to know about one invoice (or other claim) a debtor owes."""

    id: Hashable
    reference: str | None = None  # KID / OCR reference
    invoice_number: str = ""
    open_minor: int = 0
    debtor_name: str = ""
    total_minor: int | None = None  # the invoiced amount, caps how far a reversal reopens
    closed: bool = False
    currency: str = ""


@dataclass(slots=True)
class Allocation:
    receivable_id: Hashable
    amount_minor: int  # negative for a reversal


@dataclass(frozen=True, slots=True)
class Suggestion:
    receivable_id: Hashable
    score: float
    reason: str


@dataclass(slots=True)
class MatchResult:
    transaction: BankTransaction
    outcome: Outcome
    method: Method = Method.NONE
    targets: tuple = ()  # receivables the payment points at, in the order found
    allocations: tuple[Allocation, ...] = ()
    credit_minor: int = 0  # money no receivable takes: a credit balance (negative: less credit)
    suggestions: tuple[Suggestion, ...] = ()
    note: str = ""

    @property
    def allocated_minor(self) -> int:
        return sum(a.amount_minor for a in self.allocations)


_TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-/]*")
_DIGIT_GROUP = re.compile(r"\d+")
_NAME_FOLD = str.maketrans({"ø": "o", "æ": "ae", "ð": "d", "þ": "th", "ß": "ss", "đ": "d", "ł": "l"})
MIN_TEXT_TOKEN = 3
MAX_SUGGESTIONS = 5
AMOUNT_ONLY_LIMIT = 5  # suggest by amount alone only when that few receivables share it
MAX_CANDIDATES = 2000  # receivables of one amount compared by name, at most


def normalise_reference(reference: str) -> str:
    return reference.replace(" ", "").upper()


def normalise_invoice_number(number: str) -> str:
    return number.replace(" ", "").upper()


@lru_cache(maxsize=200_000)
def name_tokens(name: str) -> frozenset[str]:
    """Lower-case ASCII words of a name, so "ØYVIND ÅSE" and "Øyvind Åse" compare equal."""
    folded = unicodedata.normalize("NFKD", name.casefold().translate(_NAME_FOLD))
    ascii_name = "".join(c for c in folded if not unicodedata.combining(c))
    return frozenset(w for w in re.split(r"[^a-z0-9]+", ascii_name) if len(w) >= 2 and w not in {"as", "ab", "asa"})


def text_candidates(text: str) -> list[str]:
    """Words of a payment text that could be a KID or an invoice number, in order."""
    if not text:
        return []
    found = [normalise_invoice_number(t) for t in _TOKEN.findall(text) if len(t) >= MIN_TEXT_TOKEN]
    groups = _DIGIT_GROUP.findall(text)
    if len(groups) > 1:
        # A KID typed with spaces ("1234 5678 903") arrives as several groups.
        joined = "".join(groups)
        if len(joined) <= 25:
            found.append(joined)
    for token in list(found):
        if token.isdigit() and token.startswith("0"):
            found.append(token.lstrip("0"))
    return found


class Matcher:
    """Matches transactions against one set of receivables, remembering what is paid."""

    def __init__(self, receivables: Iterable[Receivable]):
        self.receivables: dict = {}
        self.remaining: dict = {}
        self.by_reference: dict[str, Hashable] = {}
        self.by_invoice_number: dict[str, Hashable] = {}
        for receivable in receivables:
            self._add(receivable)
        self._suggestion_index: dict | None = None

    def _add(self, receivable: Receivable) -> None:
        key = receivable.id
        self.receivables[key] = receivable
        self.remaining[key] = 0 if receivable.closed else receivable.open_minor
        if receivable.reference:
            self.by_reference[normalise_reference(receivable.reference)] = key
        if receivable.invoice_number:
            self.by_invoice_number[normalise_invoice_number(receivable.invoice_number)] = key

    # Finding the receivables a payment points at -------------------------------------

    def _by_references(self, transaction: BankTransaction) -> list:
        found = []
        for reference in transaction.references:
            key = self.by_reference.get(normalise_reference(reference))
            if key is not None and key not in found:
                found.append(key)
        return found

    def _by_free_text(self, transaction: BankTransaction) -> list:
        found = []
        text = transaction.free_text
        # A structured reference that is no KID of ours may still be an invoice number.
        if transaction.references:
            text = " ".join((*transaction.references, text))
        for token in text_candidates(text):
            key = self.by_invoice_number.get(token)
            if key is None:
                key = self.by_reference.get(token)
            if key is not None and key not in found:
                found.append(key)
        return found

    # Booking -----------------------------------------------------------------------------

    def match(self, transaction: BankTransaction) -> MatchResult:
        targets = self._by_references(transaction)
        method = Method.REFERENCE
        if not targets:
            targets = self._by_free_text(transaction)
            method = Method.FREE_TEXT
        if not targets:
            return MatchResult(transaction, Outcome.UNMATCHED, suggestions=self.suggest(transaction))
        currency = transaction.currency
        wrong_currency = [k for k in targets if self.receivables[k].currency and self.receivables[k].currency != currency]
        if wrong_currency:
            return MatchResult(
                transaction, Outcome.UNMATCHED, method, tuple(targets),
                suggestions=tuple(Suggestion(k, 0.5, "reference matches, currency differs") for k in targets),
                note=f"paid in {currency}, the receivable is in {self.receivables[wrong_currency[0]].currency}",
            )
        if transaction.amount_minor < 0:
            return self._reverse(transaction, method, targets)
        return self._pay(transaction, method, targets)

    def _pay(self, transaction: BankTransaction, method: Method, targets: list) -> MatchResult:
        if len(targets) == 1:
            return self._pay_one(transaction, method, targets[0])
        left = transaction.amount_minor
        allocations = []
        open_before = [k for k in targets if self.remaining[k] > 0]
        for key in targets:
            open_minor = self.remaining[key]
            if left == 0:
                break
            if open_minor <= 0:
                continue
            amount = min(left, open_minor)
            self.remaining[key] = open_minor - amount
            allocations.append(Allocation(key, amount))
            left -= amount
        if not allocations:
            return MatchResult(transaction, Outcome.CLOSED_INVOICE, method, tuple(targets), (), left,
                               note="the invoice is already paid or closed; the payment is a credit balance")
        if left > 0:
            return MatchResult(transaction, Outcome.OVERPAYMENT, method, tuple(targets), tuple(allocations), left,
                               note="paid more than was open; the excess is a credit balance")
        # Full only when every receivable the payment named and that was open is now settled.
        settled = all(self.remaining[k] == 0 for k in open_before)
        outcome = Outcome.FULL if settled else Outcome.PARTIAL
        return MatchResult(transaction, outcome, method, tuple(targets), tuple(allocations), 0)

    def _pay_one(self, transaction: BankTransaction, method: Method, key) -> MatchResult:
        """The common case, one receivable, without the bookkeeping of several."""
        amount = transaction.amount_minor
        open_minor = self.remaining[key]
        if open_minor <= 0:
            return MatchResult(transaction, Outcome.CLOSED_INVOICE, method, (key,), (), amount,
                               note="the invoice is already paid or closed; the payment is a credit balance")
        if amount > open_minor:
            self.remaining[key] = 0
            return MatchResult(transaction, Outcome.OVERPAYMENT, method, (key,), (Allocation(key, open_minor),),
                               amount - open_minor, note="paid more than was open; the excess is a credit balance")
        self.remaining[key] = open_minor - amount
        outcome = Outcome.FULL if amount == open_minor else Outcome.PARTIAL
        return MatchResult(transaction, outcome, method, (key,), (Allocation(key, amount),), 0)

    def _reverse(self, transaction: BankTransaction, method: Method, targets: list) -> MatchResult:
        """Money taken back: reopen the receivable(s), at most up to what they were invoiced."""
        back = -transaction.amount_minor
        allocations = []
        for key in targets:
            if back == 0:
                break
            receivable = self.receivables[key]
            ceiling = receivable.total_minor if receivable.total_minor is not None else self.remaining[key] + back
            reopen = min(back, max(ceiling - self.remaining[key], 0))
            if reopen:
                self.remaining[key] += reopen
                allocations.append(Allocation(key, -reopen))
                back -= reopen
        note = "the payment was reversed; the receivable is open again"
        if back:
            note += "; the rest reduces the debtor's credit balance"
        return MatchResult(transaction, Outcome.REVERSAL, method, tuple(targets), tuple(allocations), -back, note=note)

    def match_many(self, transactions: Iterable[BankTransaction]) -> list[MatchResult]:
        with collector_paused():
            return [self.match(t) for t in transactions]

    # Manual queue ---------------------------------------------------------------------

    def _build_suggestion_index(self) -> dict:
        """Open amount -> receivables; built on first need (most batches never need it)."""
        index: dict = {}
        for key, amount in self.remaining.items():
            if amount > 0:
                index.setdefault(amount, []).append(key)
        return index

    def suggest(self, transaction: BankTransaction) -> tuple[Suggestion, ...]:
        """Open receivables of the same amount, the more alike the debtor's name the better."""
        amount = transaction.amount_minor
        if amount <= 0:
            return ()
        if self._suggestion_index is None:
            self._suggestion_index = self._build_suggestion_index()
        same_amount = [k for k in self._suggestion_index.get(amount, ())[:MAX_CANDIDATES] if self.remaining[k] == amount]
        if not same_amount:
            return ()
        payer_words = name_tokens(transaction.payer_name) if transaction.payer_name else frozenset()
        suggestions = []
        if payer_words:
            for key in same_amount:
                debtor_words = name_tokens(self.receivables[key].debtor_name)
                hits = len(payer_words & debtor_words)
                if hits:
                    score = 0.5 + 0.5 * hits / len(debtor_words | payer_words)
                    suggestions.append(Suggestion(key, round(score, 3), "same amount, similar name"))
        if not suggestions and len(same_amount) <= AMOUNT_ONLY_LIMIT:
            suggestions = [Suggestion(k, 0.3, "same amount") for k in same_amount]
        suggestions.sort(key=lambda s: -s.score)
        return tuple(suggestions[:MAX_SUGGESTIONS])


def match_all(receivables: Iterable[Receivable], transactions: Iterable[BankTransaction]) -> list[MatchResult]:
    """Match transactions in order against receivables; the convenience entry point."""
    with collector_paused():
        matcher = Matcher(receivables)
    return matcher.match_many(transactions)


def summarise(results: Iterable[MatchResult]) -> dict[str, int]:
    counts = {outcome.value: 0 for outcome in Outcome}
    for result in results:
        counts[result.outcome.value] += 1
    return counts
