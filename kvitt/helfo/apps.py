from django.apps import AppConfig


class HelfoConfig(AppConfig):
    name = "kvitt.helfo"
    label = "helfo"
