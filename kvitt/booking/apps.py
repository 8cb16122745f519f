from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "kvitt.booking"
    label = "booking"
