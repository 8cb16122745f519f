from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kvitt.core"
    label = "core"
