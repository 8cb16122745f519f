from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "kvitt.notify"
    label = "notify"
