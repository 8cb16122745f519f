from django.urls import path

from kvitt.network import views

app_name = "network"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("companies/<int:company_id>/", views.company_detail, name="company"),
    path("locations/<int:location_id>/", views.location_detail, name="location"),
    path("locations/<int:location_id>/invite/", views.invite, name="invite"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:approval_id>/revoke/", views.revoke, name="revoke"),
    path("invitations/<str:token>/accept/", views.accept_invitation, name="accept_invitation"),
]
