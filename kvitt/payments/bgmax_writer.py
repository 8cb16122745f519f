"""Write BgMax files (the layout ``kvitt.payments.bgmax`` reads).

Bankgirot writes these files, not Kvitt; the writer exists so that tests, demos and the
benchmark can make realistic files with correct control totals, and so that a test can
break exactly one field of an otherwise valid file.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from kvitt.payments.bgmax import REF_NONE, REF_OCR


@dataclass
class BgMaxPayment:
    amount_minor: int
    reference: str = ""
    reference_code: str = ""  # default: OCR when a reference is given, else "no reference"
    sender_bankgiro: str = ""
    channel: str = "1"
    serial: str = ""  # default: numbered through the file
    payer_name: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    org_number: str = ""
    information: tuple[str, ...] = ()
    extra_references: tuple[str, ...] = ()
    deduction: bool = False
    deduction_code: str = "0"


@dataclass
class BgMaxDeposit:
    payee_bankgiro: str
    payment_date: datetime.date
    payments: list[BgMaxPayment] = field(default_factory=list)
    currency: str = "SEK"
    bank_account: str = "58410000010098"
    serial: int = 0  # default: numbered through the file


def _amount_record(code: str, bankgiro: str, reference: str, ref_code: str, amount: int, channel: str,
                   serial: str, tail: str = "") -> str:
    reference = reference.rjust(25) if ref_code == REF_OCR else reference.ljust(25)
    record = f"{code}{bankgiro or '0':0>10}{reference[:25]}{amount:018d}{ref_code}{channel}{serial:0>12}0{tail}"
    return record.ljust(80)


def payment_records(payment: BgMaxPayment, serial: str) -> list[str]:
    code = "21" if payment.deduction else "20"
    ref_code = payment.reference_code or (REF_OCR if payment.reference else REF_NONE)
    tail = payment.deduction_code if payment.deduction else ""
    lines = [_amount_record(code, payment.sender_bankgiro, payment.reference, ref_code, payment.amount_minor,
                            payment.channel, payment.serial or serial, tail)]
    for extra in payment.extra_references:
        lines.append(_amount_record("22", payment.sender_bankgiro, extra, REF_OCR, 0, payment.channel,
                                    payment.serial or serial))
    for text in payment.information:
        lines.append(f"25{text[:50]}".ljust(80))
    if payment.payer_name:
        lines.append(f"26{payment.payer_name[:35]:35}".ljust(80))
    if payment.street or payment.postcode:
        lines.append(f"27{payment.street[:35]:35}{payment.postcode[:9]:9}".ljust(80))
    if payment.city:
        lines.append(f"28{payment.city[:35]:35}".ljust(80))
    if payment.org_number:
        lines.append(f"29{payment.org_number:0>12}".ljust(80))
    return lines


def write(deposits: list[BgMaxDeposit], *, created: datetime.datetime | None = None, test: bool = False,
          encoding: str = "latin-1", first_serial: int = 1) -> bytes:
    """A complete BgMax file with correct deposit totals and end-record counts."""
    created = created or datetime.datetime(2026, 1, 5, 6, 0, 0)
    lines = [f"01{'BGMAX':20}01{created:%Y%m%d%H%M%S%f}{'T' if test else 'P'}".ljust(80)]
    counts = {"20": 0, "21": 0, "22": 0}
    serial = first_serial - 1
    for number, deposit in enumerate(deposits, start=1):
        lines.append(f"05{deposit.payee_bankgiro:0>10}{'':10}{deposit.currency}".ljust(80))
        total = 0
        for payment in deposit.payments:
            serial += 1
            lines.extend(payment_records(payment, str(serial)))
            counts["21" if payment.deduction else "20"] += 1
            counts["22"] += len(payment.extra_references)
            total += -payment.amount_minor if payment.deduction else payment.amount_minor
        lines.append(
            f"15{deposit.bank_account:0>35}{deposit.payment_date:%Y%m%d}{deposit.serial or number:05d}"
            f"{total:018d}{deposit.currency}{len(deposit.payments):08d} "
        )
    lines.append(f"70{counts['20']:08d}{counts['21']:08d}{counts['22']:08d}{len(deposits):08d}".ljust(80))
    return ("\n".join(lines) + "\n").encode(encoding)
