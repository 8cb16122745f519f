from django.urls import path

from kvitt.einvoice import views

app_name = "einvoice"

urlpatterns = [
    path("", views.invoice_list, name="invoices"),
    path("cases/", views.cases, name="cases"),
    path("cases/<str:sak_id>/", views.case_detail, name="case"),
    path("cases/<str:sak_id>/build/", views.build, name="build"),
    path("invoices/<int:invoice_id>/", views.invoice_detail, name="invoice"),
    path("invoices/<int:invoice_id>/preview/", views.preview, name="preview"),
    path("invoices/<int:invoice_id>/pdf/", views.pdf, name="pdf"),
    path("invoices/<int:invoice_id>/xml/", views.xml, name="xml"),
    path("invoices/<int:invoice_id>/send/", views.send, name="send"),
    path("invoices/<int:invoice_id>/credit/", views.credit, name="credit"),
]
