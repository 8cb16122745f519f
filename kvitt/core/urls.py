from django.urls import path

from kvitt.core import twofactor_views, views

app_name = "core"

urlpatterns = [
    path("audit/", views.audit_log, name="audit"),
    path("audit/patient/", views.access_report, name="access_report"),
    path("2fa/enrol/", twofactor_views.enrol, name="two_factor_enrol"),
    path("2fa/verify/", twofactor_views.verify, name="two_factor_verify"),
]
