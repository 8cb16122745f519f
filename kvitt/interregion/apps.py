from django.apps import AppConfig


class InterregionConfig(AppConfig):
    name = "kvitt.interregion"
    label = "interregion"
