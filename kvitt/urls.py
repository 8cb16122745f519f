from django.contrib import admin
from django.urls import include, path

from kvitt.api import api
from kvitt.core.health import healthz, readyz
from kvitt.web.urls import _app_url_includes

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("kvitt.web.urls")),
    *_app_url_includes(),
]
