from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "kvitt.ledger"
    label = "ledger"
