from django.urls import path

from kvitt.core import views

app_name = "core"

urlpatterns = [
    path("audit/", views.audit_log, name="audit"),
    path("audit/patient/", views.access_report, name="access_report"),
]
