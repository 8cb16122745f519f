from django.urls import path

from kvitt.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.assignment_list, name="list"),
    path("new/", views.assignment_new, name="new"),
    path("c/<str:token>/", views.public_confirmation, name="public_confirmation"),
    path("c/<str:token>/pdf/", views.public_confirmation_pdf, name="public_confirmation_pdf"),
    path("<str:sakid>/", views.assignment_detail, name="detail"),
    path("<str:sakid>/state/", views.assignment_transition, name="transition"),
    path("<str:sakid>/confirmation/", views.confirmation_page, name="confirmation"),
    path("<str:sakid>/confirmation.pdf", views.confirmation_pdf, name="confirmation_pdf"),
]
