from django.urls import path

from kvitt.interregion import views

app_name = "interregion"

urlpatterns = [
    path("sent/", views.sent_list, name="sent"),
    path("sent/<int:pk>/queue/", views.queue_sent, name="queue"),
    path("sent/<int:pk>/invoice/", views.invoice_sent, name="invoice"),
    path("received/", views.received_list, name="received"),
    path("received/<int:pk>/", views.received_detail, name="received_detail"),
    path("match/", views.match, name="match"),
    path("soap/ProcessClaimSpecification/1/rivtabp21", views.soap_endpoint, name="soap"),
]
