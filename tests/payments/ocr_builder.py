"""OCR giro files for tests, written with netsgiro's own writer (the format's reference library)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import netsgiro

NETS_DATE = datetime.date(2026, 1, 5)


@dataclass
class OcrPayment:
    amount_minor: int
    kid: str | None
    type: int = 10  # from giro debited account
    text: str | None = None
    debit_account: str = "99990512341"


def build(payments: list[OcrPayment], *, transmission: str = "1000081", recipient: str = "00012345",
          assignment: str = "4000086", account: str = "15032080000") -> bytes:
    sending = netsgiro.Transmission(number=transmission, data_transmitter="00008080", data_recipient=recipient,
                                    date=NETS_DATE)
    target = sending.add_assignment(service_code=netsgiro.ServiceCode.OCR_GIRO,
                                    assignment_type=netsgiro.AssignmentType.TRANSACTIONS,
                                    agreement_id="000000001", number=assignment, account=account, date=NETS_DATE)
    for number, payment in enumerate(payments, start=1):
        target.transactions.append(
            netsgiro.Transaction(
                service_code=netsgiro.ServiceCode.OCR_GIRO, type=payment.type, number=number, date=NETS_DATE,
                amount=Decimal(payment.amount_minor) / 100, kid=payment.kid, reference="099038562",
                text=payment.text, centre_id="13", day_code=5, partial_settlement_number=1,
                partial_settlement_serial_number="01800", sign="0", form_number="9636827194",
                bank_date=NETS_DATE - datetime.timedelta(days=1), debit_account=payment.debit_account,
                filler="0000000",
            )
        )
    return (sending.to_ocr() + "\n").encode("latin-1")
