"""Build camt.054 credit notifications for tests, in the shapes of several schema versions.

Written against the ISO 20022 message definitions: version 02 puts the transaction amount
in ``AmtDtls/TxAmt/Amt`` and the status as text; 04 and 06 have ``TxDtls/Amt``; 08 wraps
the status in ``Sts/Cd`` and party names in ``Pty``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape


@dataclass
class Tx:
    amount: str
    kid: str | None = None
    ustrd: tuple[str, ...] = ()
    debtor: str = ""
    debtor_account: str = ""
    acct_svcr_ref: str = ""
    end_to_end: str = "NOTPROVIDED"
    currency: str = "NOK"


@dataclass
class Entry:
    txs: list[Tx]
    credit: bool = True
    reversal: bool = False
    status: str = "BOOK"
    booking_date: datetime.date = datetime.date(2026, 1, 5)
    acct_svcr_ref: str = ""
    amount: str | None = None  # default: the sum of the transactions
    currency: str = "NOK"


@dataclass
class Notification:
    entries: list[Entry]
    account: str = "NO9386011117947"
    id: str = "NTF-1"
    summary: bool = True


def _tx(tx: Tx, version: str, credit: bool) -> str:
    amount = f'<Amt Ccy="{tx.currency}">{tx.amount}</Amt>'
    if version == "02":
        amount_xml = f"<AmtDtls><TxAmt>{amount}</TxAmt></AmtDtls>"
        indicator = ""
    else:
        amount_xml = amount
        indicator = f"<CdtDbtInd>{'CRDT' if credit else 'DBIT'}</CdtDbtInd>"
    refs = f"<Refs>{f'<AcctSvcrRef>{tx.acct_svcr_ref}</AcctSvcrRef>' if tx.acct_svcr_ref else ''}<EndToEndId>{tx.end_to_end}</EndToEndId></Refs>"
    parties = ""
    if tx.debtor or tx.debtor_account:
        name = escape(tx.debtor)
        debtor = f"<Dbtr><Pty><Nm>{name}</Nm></Pty></Dbtr>" if version >= "08" else f"<Dbtr><Nm>{name}</Nm></Dbtr>"
        account = f"<DbtrAcct><Id><Othr><Id>{tx.debtor_account}</Id></Othr></Id></DbtrAcct>" if tx.debtor_account else ""
        parties = f"<RltdPties>{debtor}{account}</RltdPties>"
    remittance = ""
    if tx.kid or tx.ustrd:
        ustrd = "".join(f"<Ustrd>{escape(u)}</Ustrd>" for u in tx.ustrd)
        strd = (
            f"<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>{tx.kid}</Ref></CdtrRefInf></Strd>"
            if tx.kid else ""
        )
        remittance = f"<RmtInf>{ustrd}{strd}</RmtInf>"
    return f"<TxDtls>{refs}{amount_xml}{indicator}{parties}{remittance}</TxDtls>"


def _entry(entry: Entry, version: str) -> str:
    amount = entry.amount or str(sum((Decimal(t.amount) for t in entry.txs), Decimal("0")))
    status = f"<Sts><Cd>{entry.status}</Cd></Sts>" if version >= "08" else f"<Sts>{entry.status}</Sts>"
    reversal = "<RvslInd>true</RvslInd>" if entry.reversal else ""
    svcr = f"<AcctSvcrRef>{entry.acct_svcr_ref}</AcctSvcrRef>" if entry.acct_svcr_ref else ""
    txs = "".join(_tx(t, version, entry.credit) for t in entry.txs)
    details = f"<NtryDtls>{txs}</NtryDtls>" if entry.txs else ""
    return (
        f'<Ntry><Amt Ccy="{entry.currency}">{amount}</Amt><CdtDbtInd>{"CRDT" if entry.credit else "DBIT"}</CdtDbtInd>'
        f"{reversal}{status}<BookgDt><Dt>{entry.booking_date.isoformat()}</Dt></BookgDt>"
        f"<ValDt><Dt>{entry.booking_date.isoformat()}</Dt></ValDt>{svcr}"
        f"<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn></BkTxCd>"
        f"{details}</Ntry>"
    )


def _summary(notification: Notification) -> str:
    def total(entries):
        return sum((Decimal(e.amount or sum((Decimal(t.amount) for t in e.txs), Decimal("0"))) for e in entries), Decimal("0"))

    credit = [e for e in notification.entries if e.credit]
    debit = [e for e in notification.entries if not e.credit]
    return (
        "<TxsSummry>"
        f"<TtlNtries><NbOfNtries>{len(notification.entries)}</NbOfNtries><Sum>{total(notification.entries)}</Sum></TtlNtries>"
        f"<TtlCdtNtries><NbOfNtries>{len(credit)}</NbOfNtries><Sum>{total(credit)}</Sum></TtlCdtNtries>"
        f"<TtlDbtNtries><NbOfNtries>{len(debit)}</NbOfNtries><Sum>{total(debit)}</Sum></TtlDbtNtries>"
        "</TxsSummry>"
    )


def build(notifications: list[Notification], *, version: str = "08", message_id: str = "MSG-0001") -> bytes:
    body = "".join(
        f"<Ntfctn><Id>{n.id}</Id><CreDtTm>2026-01-05T06:00:00</CreDtTm>"
        f"<Acct><Id><IBAN>{n.account}</IBAN></Id><Ccy>NOK</Ccy></Acct>"
        f"{_summary(n) if n.summary else ''}{''.join(_entry(e, version) for e in n.entries)}</Ntfctn>"
        for n in notifications
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.{version}">\n'
        f"<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>2026-01-05T06:00:00</CreDtTm></GrpHdr>\n"
        f"{body}\n</BkToCstmrDbtCdtNtfctn></Document>\n"
    ).encode("utf-8")


def simple(payments: list[tuple[str, str | None]], **kwargs) -> bytes:
    """One notification, one booked credit entry per (amount, KID)."""
    entries = [Entry([Tx(amount, kid=kid, acct_svcr_ref=f"REF{i:06d}")]) for i, (amount, kid) in enumerate(payments, 1)]
    return build([Notification(entries)], **kwargs)
