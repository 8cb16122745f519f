"""Events other apps listen to.

``payment_received`` is sent once per allocation after the file's transaction commits
(so listeners see committed data and a failed import sends nothing). Sender is
``kvitt.payments.models.Payment``. Keyword arguments:

    organisation, ledger (label), receivable_id, amount_minor (negative for a reversal),
    credit_minor, outcome, method, bank_transaction_id, payment_id, booking_date, currency

The Helfo app listens for payments on bills whose refund was already claimed (the
egenandel report); receivables listen to send receipts or stop dunning.
"""

from django.dispatch import Signal

payment_received = Signal()
