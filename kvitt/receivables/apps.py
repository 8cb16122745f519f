from django.apps import AppConfig


class ReceivablesConfig(AppConfig):
    name = "kvitt.receivables"
    label = "receivables"
