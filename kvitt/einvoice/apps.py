from django.apps import AppConfig


class EinvoiceConfig(AppConfig):
    name = "kvitt.einvoice"
    label = "einvoice"
