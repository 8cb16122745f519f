from django.apps import AppConfig


class ReceivablesConfig(AppConfig):
    name = "kvitt.receivables"
    label = "receivables"

    def ready(self) -> None:
        from kvitt.payments.ports import register_ledger
        from kvitt.receivables.ledger import PatientInvoiceLedger

        register_ledger(PatientInvoiceLedger())
