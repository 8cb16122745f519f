from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    name = "kvitt.reconciliation"
    label = "reconciliation"

    def ready(self) -> None:
        from kvitt.receivables.signals import patient_payment_booked
        from kvitt.reconciliation.routes import on_patient_payment_booked

        patient_payment_booked.connect(on_patient_payment_booked, dispatch_uid="reconciliation-patient-payment")
