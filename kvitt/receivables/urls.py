from django.urls import path

from kvitt.receivables import views

app_name = "receivables"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("invoice-shares/", views.invoice_shares, name="invoice_shares"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice"),
    path("invoices/<int:pk>/send/", views.send, name="send"),
    path("disputes/<int:pk>/decide/", views.decide, name="decide"),
    path("collection/", views.collection_worklist, name="collection"),
    path("collection/<int:pk>/", views.collection_case, name="collection_case"),
    path("collection/<int:pk>/act/", views.collection_act, name="collection_act"),
    path("p/<str:token>/", views.patient_page, name="patient_page"),
]
