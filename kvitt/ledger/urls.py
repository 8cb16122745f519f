from django.urls import path

from kvitt.ledger import views

app_name = "ledger"

urlpatterns = [
    path("events/", views.event_list, name="events"),
    path("events/<int:event_pk>/", views.event_detail, name="event"),
]
