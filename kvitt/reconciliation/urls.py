from django.urls import path

from kvitt.reconciliation import views

app_name = "reconciliation"

urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("reports/save/", views.save_report, name="save_report"),
    path("reports/<int:definition_id>/delete/", views.delete_report, name="delete_report"),
    path("reports/<int:definition_id>/schedule/", views.schedule_report, name="schedule_report"),
    path("export/", views.start_export, name="start_export"),
    path("exports/<int:export_id>/", views.export_status, name="export_status"),
    path("exports/<int:export_id>/progress/", views.export_progress, name="export_progress"),
    path("exports/<int:export_id>/download/", views.export_download, name="export_download"),
    path("imports/", views.imports, name="imports"),
    path("support/", views.support, name="support"),
]
