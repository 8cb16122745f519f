from django.apps import AppConfig


class HelfoConfig(AppConfig):
    name = "kvitt.helfo"
    label = "helfo"

    def ready(self) -> None:
        from kvitt.helfo.receivers import on_patient_payment_booked
        from kvitt.receivables.signals import patient_payment_booked

        patient_payment_booked.connect(on_patient_payment_booked, dispatch_uid="helfo-egenandel")
