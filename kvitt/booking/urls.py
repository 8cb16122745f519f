from django.urls import path

from kvitt.booking import views

app_name = "booking"

urlpatterns = [
    path("", views.booking_list, name="list"),
    path("search/", views.search_results, name="search"),
    path("book/", views.book, name="book"),
    path("<int:booking_id>/cancel/", views.cancel, name="cancel"),
    path("integrations/", views.integrations, name="integrations"),
    path("integrations/location/<int:location_id>/", views.integration_edit, name="integration_edit"),
    path("integrations/<int:integration_id>/test/", views.integration_test, name="integration_test"),
    path("integrations/<int:integration_id>/secret/", views.integration_secret, name="integration_secret"),
    path("integrations/<int:integration_id>/request/", views.integration_request, name="integration_request"),
]
