from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "kvitt.network"
    label = "network"
