"""Events other apps listen to.

``patient_payment_booked`` (sender PatientInvoice): invoice, amount_minor (negative for a
reversal), booked_on, care_event_ids. Helfo listens: a patient share paid after the refund
was claimed must be reported to the egenandel register with the next settlement.
"""

from django.dispatch import Signal

patient_payment_booked = Signal()
