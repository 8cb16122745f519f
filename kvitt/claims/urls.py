from django.urls import path

from kvitt.claims import views

app_name = "claims"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("upload/", views.upload, name="upload"),
    path("frequency/", views.frequency, name="frequency"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/override/", views.override, name="override"),
    path("<int:pk>/revalidate/", views.revalidate, name="revalidate"),
    path("<int:pk>/exception/", views.raise_exception, name="exception"),
]
