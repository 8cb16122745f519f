"""ISO 20022 camt.054 (Bank to Customer Debit/Credit Notification): incoming payments.

Read namespace-agnostically, so the versions banks send (001.02, .04, .06, .08, ...) all
work: elements are matched by local name, and the places that moved between versions are
looked up in each (``TxDtls/Amt`` vs ``TxDtls/AmtDtls/TxAmt/Amt``, ``Sts`` vs ``Sts/Cd``,
``RltdPties/Dbtr/Nm`` vs ``RltdPties/Dbtr/Pty/Nm``).

One transaction per ``TxDtls`` (or per ``Ntry`` when it has none): the KID / OCR
reference comes from ``RmtInf/Strd/CdtrRefInf/Ref``, free text from ``RmtInf/Ustrd``.
Amounts are read as ``Decimal`` and turned into minor units exactly; anything with more
decimals than the currency has is refused. Only booked entries become transactions;
pending or informational ones are listed in ``ParsedFile.skipped``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from lxml import etree

from kvitt.core.xmlsafe import XmlError, parse_xml
from kvitt.payments.bulk import collector_paused
from kvitt.payments.model import CAMT054, BankFileError, BankTransaction, ParsedFile

# Currencies without minor units; everything else Kvitt meets (NOK, SEK, EUR, DKK) has two.
ZERO_DECIMAL_CURRENCIES = {"JPY", "ISK", "KRW", "CLP", "VND"}
NAMESPACE_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.054."
# A day's notification for a busy account runs to tens of megabytes (50 000 transactions
# are about 23 MB), more than parse_xml's default for documents in general.
MAX_BYTES = 256 * 1024 * 1024


def _error(element, field: str, message: str) -> BankFileError:
    line = element.sourceline if element is not None else None
    return BankFileError(line, field, message, format=CAMT054)


def _strip_namespaces(root) -> str:
    """Drop namespaces from every tag so paths read the same across versions; return the old one."""
    namespace = etree.QName(root).namespace or ""
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag[0] == "{":
            element.tag = element.tag.split("}", 1)[1]
    return namespace


def _text(element, path: str) -> str:
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def _first_text(element, *paths: str) -> str:
    for path in paths:
        value = _text(element, path)
        if value:
            return value
    return ""


def minor_units(amount_element, field: str) -> tuple[int, str]:
    """(amount in minor units, currency) of an ``Amt`` element, exactly, or an error."""
    currency = (amount_element.get("Ccy") or "").strip()
    if len(currency) != 3 or not currency.isalpha() or not currency.isupper():
        raise _error(amount_element, f"{field}/@Ccy", f"not a currency code: {currency!r}")
    text = (amount_element.text or "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _error(amount_element, field, f"not an amount: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise _error(amount_element, field, f"an amount must be a non-negative number, got {text!r}")
    decimals = 0 if currency in ZERO_DECIMAL_CURRENCIES else 2
    scaled = value.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise _error(amount_element, field, f"{text} has more than {decimals} decimals for {currency}")
    return int(scaled), currency


def _date(element, path: str) -> datetime.date | None:
    holder = element.find(path)
    if holder is None:
        return None
    text = _first_text(holder, "Dt", "DtTm")
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        raise _error(holder, path, f"not a date: {text!r}") from None


def _credit_debit(element, path: str, field: str) -> str | None:
    value = _text(element, path)
    if value and value not in ("CRDT", "DBIT"):
        raise _error(element.find(path), field, f"expected CRDT or DBIT, got {value!r}")
    return value or None


def _is_true(element, path: str) -> bool:
    value = _text(element, path).lower()
    if value and value not in ("true", "false", "1", "0"):
        raise _error(element.find(path), path, f"expected true or false, got {value!r}")
    return value in ("true", "1")


def _account(element, path: str) -> str:
    holder = element.find(path)
    if holder is None:
        return ""
    return _first_text(holder, "Id/IBAN", "Id/Othr/Id", "Id/BBAN")


def _party_name(details, role: str) -> str:
    return _first_text(details, f"RltdPties/{role}/Nm", f"RltdPties/{role}/Pty/Nm")


def _remittance(details) -> tuple[list[str], str]:
    """(structured references, free text) from every ``RmtInf`` of a transaction."""
    references: list[str] = []
    texts: list[str] = []
    for info in details.findall("RmtInf"):
        for unstructured in info.findall("Ustrd"):
            if unstructured.text and unstructured.text.strip():
                texts.append(unstructured.text.strip())
        for structured in info.findall("Strd"):
            reference = _text(structured, "CdtrRefInf/Ref")
            if reference:
                references.append(reference.replace(" ", ""))
            for extra in structured.findall("AddtlRmtInf"):
                if extra.text and extra.text.strip():
                    texts.append(extra.text.strip())
    return references, " ".join(texts)


def _entry_status(entry) -> str:
    return _first_text(entry, "Sts/Cd", "Sts") or "BOOK"


def _transaction_amount(details, entry_amount: tuple[int, str] | None):
    amount = details.find("Amt")
    if amount is None:
        amount = details.find("AmtDtls/TxAmt/Amt")
    if amount is None:
        amount = details.find("AmtDtls/InstdAmt/Amt")
    if amount is not None:
        return minor_units(amount, "TxDtls/Amt")
    return entry_amount


def _transaction_id(details, entry, account: str, fallback: str, several: bool, index: int) -> str:
    ref = _first_text(details, "Refs/AcctSvcrRef") if details is not None else ""
    if not ref:
        entry_ref = _first_text(entry, "AcctSvcrRef", "NtryRef")
        if entry_ref:
            ref = f"{entry_ref}/{index}" if several else entry_ref
    if not ref and details is not None:
        for path in ("Refs/TxId", "Refs/EndToEndId"):
            value = _text(details, path)
            if value and value.upper() != "NOTPROVIDED":
                ref = value
                break
    return f"{account}:{ref or fallback}"


class _Notification:
    """One ``Ntfctn``: its account and the entries it holds."""

    def __init__(self, element, message_id: str, number: int):
        self.element = element
        self.account = _account(element, "Acct")
        self.currency = _text(element, "Acct/Ccy")
        self.id = _text(element, "Id") or f"{message_id}/{number}"

    def check_summary(self) -> None:
        """``TxsSummry`` counts and sums, when the bank sent them, must match the entries."""
        summary = self.element.find("TxsSummry")
        if summary is None:
            return
        entries = self.element.findall("Ntry")
        amounts = [(minor_units(_entry_amount(e), "Ntry/Amt")[0], _credit_debit(e, "CdtDbtInd", "Ntry/CdtDbtInd")) for e in entries]
        groups = {
            "TtlNtries": amounts,
            "TtlCdtNtries": [a for a in amounts if a[1] == "CRDT"],
            "TtlDbtNtries": [a for a in amounts if a[1] == "DBIT"],
        }
        for name, selected in groups.items():
            block = summary.find(name)
            if block is None:
                continue
            count = _text(block, "NbOfNtries")
            if count and (not (count.isascii() and count.isdigit()) or int(count) != len(selected)):
                raise _error(block.find("NbOfNtries"), f"TxsSummry/{name}/NbOfNtries", f"says {count}, the notification has {len(selected)}")
            total = _text(block, "Sum")
            if total:
                try:
                    declared = Decimal(total).scaleb(2)
                except InvalidOperation:
                    raise _error(block.find("Sum"), f"TxsSummry/{name}/Sum", f"not an amount: {total!r}") from None
                actual = sum(a[0] for a in selected)
                if declared != actual:
                    raise _error(block.find("Sum"), f"TxsSummry/{name}/Sum", f"says {total}, the entries make {Decimal(actual).scaleb(-2)}")


def _root_notification(data: bytes):
    try:
        root = parse_xml(data, max_bytes=MAX_BYTES)
    except XmlError as exc:
        raise BankFileError(exc.line, "XML", exc.message, format=CAMT054) from None
    namespace = _strip_namespaces(root)
    if namespace and not namespace.startswith(NAMESPACE_PREFIX):
        raise _error(root, "Document/@xmlns", f"namespace {namespace!r} is not camt.054 ({NAMESPACE_PREFIX}...)")
    if root.tag != "Document":
        raise _error(root, root.tag, "the root element of a camt.054 message is Document")
    message = root.find("BkToCstmrDbtCdtNtfctn")
    if message is None:
        raise _error(root, "Document/BkToCstmrDbtCdtNtfctn", "missing; this is not a debit/credit notification")
    return message, namespace


def parse(data: bytes) -> ParsedFile:
    """Parse a camt.054 notification strictly; raises ``BankFileError`` naming line and element."""
    with collector_paused():
        return _parse(data)


def _parse(data: bytes) -> ParsedFile:
    message, namespace = _root_notification(data)
    message_id = _text(message, "GrpHdr/MsgId")
    if not message_id:
        raise _error(message, "GrpHdr/MsgId", "the message has no id")
    transactions: list[BankTransaction] = []
    skipped: list[str] = []
    seen: dict[str, int] = {}
    notifications = message.findall("Ntfctn")
    if not notifications:
        raise _error(message, "Ntfctn", "the message has no notification")
    for number, element in enumerate(notifications, start=1):
        notification = _Notification(element, message_id, number)
        notification.check_summary()
        for entry_number, entry in enumerate(element.findall("Ntry"), start=1):
            _read_entry(entry, notification, entry_number, transactions, skipped, seen)
    version = namespace[len(NAMESPACE_PREFIX):] if namespace else ""
    totals = {
        "version": version,
        "notifications": len(notifications),
        "transactions": len(transactions),
        "credit_minor": sum(t.amount_minor for t in transactions if t.amount_minor > 0),
        "debit_minor": -sum(t.amount_minor for t in transactions if t.amount_minor < 0),
    }
    return ParsedFile(format=CAMT054, file_id=message_id, transactions=transactions, totals=totals, skipped=skipped)


def _entry_amount(entry):
    amount_element = entry.find("Amt")
    if amount_element is None:
        raise _error(entry, "Ntry/Amt", "the entry has no amount")
    return amount_element


def _read_entry(entry, notification: _Notification, entry_number: int, out: list, skipped: list, seen: dict) -> None:
    amount_element = _entry_amount(entry)
    entry_amount = minor_units(amount_element, "Ntry/Amt")
    entry_sign = _credit_debit(entry, "CdtDbtInd", "Ntry/CdtDbtInd")
    if entry_sign is None:
        raise _error(entry, "Ntry/CdtDbtInd", "the entry has no credit/debit indicator")
    status = _entry_status(entry)
    if status != "BOOK":
        skipped.append(f"line {entry.sourceline}: entry with status {status} (not booked) left out")
        return
    reversal = _is_true(entry, "RvslInd")
    booking_date = _date(entry, "BookgDt")
    value_date = _date(entry, "ValDt") or booking_date
    details_list = entry.findall("NtryDtls/TxDtls")
    if len(details_list) > 1:
        _check_details_sum(entry, details_list, entry_amount, entry_sign)
    for index, details in enumerate(details_list or [None], start=1):
        holder = details if details is not None else entry
        amount, currency = _transaction_amount(details, entry_amount) if details is not None else entry_amount
        sign = (_credit_debit(details, "CdtDbtInd", "TxDtls/CdtDbtInd") if details is not None else None) or entry_sign
        references, free_text = _remittance(details) if details is not None else ([], "")
        if not free_text:
            free_text = _text(entry, "AddtlNtryInf")
        fallback = f"{notification.id}/{entry_number}/{index}"
        transaction_id = _transaction_id(details, entry, notification.account, fallback, len(details_list) > 1, index)
        occurrence = seen.get(transaction_id, 0) + 1
        seen[transaction_id] = occurrence
        if occurrence > 1:
            transaction_id = f"{transaction_id}#{occurrence}"
        out.append(
            BankTransaction(
                format=CAMT054,
                file_line=holder.sourceline or 0,
                transaction_id=transaction_id,
                booking_date=booking_date,
                value_date=value_date,
                amount_minor=amount if sign == "CRDT" else -amount,
                currency=currency,
                reference=references[0] if references else None,
                free_text=free_text,
                payer_name=_party_name(details, "Dbtr") if details is not None else "",
                payer_account=_account(details, "RltdPties/DbtrAcct") if details is not None else "",
                reversal=reversal,
                creditor_account=notification.account,
                extra_references=tuple(references[1:]),
                raw=(etree.tostring(holder, encoding="unicode")[:4000],),
            )
        )


def _check_details_sum(entry, details_list, entry_amount: tuple[int, str], entry_sign: str) -> None:
    """A batch entry's transactions must add up to the entry (when each states its amount)."""
    total = 0
    for details in details_list:
        found = _transaction_amount(details, None)
        if found is None:
            return
        amount, currency = found
        if currency != entry_amount[1]:
            return  # foreign-currency details are converted; nothing to compare exactly
        sign = _credit_debit(details, "CdtDbtInd", "TxDtls/CdtDbtInd") or entry_sign
        total += amount if sign == entry_sign else -amount
    if total != entry_amount[0]:
        raise _error(entry.find("Amt"), "Ntry/Amt",
                     f"the entry says {entry_amount[0]} minor units, its {len(details_list)} transactions make {total}")
