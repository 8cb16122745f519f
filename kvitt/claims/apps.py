from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "kvitt.claims"
    label = "claims"
