from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "kvitt.payments"
    label = "payments"
