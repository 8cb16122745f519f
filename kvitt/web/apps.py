from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kvitt.web"
    label = "web"
