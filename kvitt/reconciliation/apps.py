from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    name = "kvitt.reconciliation"
    label = "reconciliation"
