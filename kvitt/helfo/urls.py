from django.urls import path

from kvitt.helfo import views

app_name = "helfo"

urlpatterns = [
    path("", views.orders, name="orders"),
    path("generate/", views.generate, name="generate"),
    path("settlements/", views.settlement_list, name="settlements"),
    path("settlements/new/", views.create_settlement, name="create_settlement"),
    path("settlements/<int:settlement_id>/", views.settlement_detail, name="settlement"),
    path("settlements/<int:settlement_id>/sign/", views.sign, name="sign"),
    path("settlements/<int:settlement_id>/send/", views.send, name="send"),
    path("settlements/<int:settlement_id>/file/", views.download, name="download"),
    path("settlements/<int:settlement_id>/cancel/", views.cancel, name="cancel"),
    path("settlements/<int:settlement_id>/apprec/", views.upload_apprec, name="apprec"),
    path("practices/<int:practice_id>/statuses/", views.import_statuses, name="import_statuses"),
    path("bills/<int:card_id>/", views.bill_detail, name="bill"),
    path("bills/<int:card_id>/correct/", views.correct, name="correct"),
    path("bills/<int:card_id>/payment/", views.register_payment, name="payment"),
    path("bills/<int:card_id>/credit/", views.credit, name="credit"),
]
