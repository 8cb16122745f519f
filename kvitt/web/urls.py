"""The web app's own pages, plus each app's pages found by convention at /<app>/."""

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.urls import include, path

from kvitt.web import views

app_name = "web"


def _app_url_includes():
    patterns = []
    for app in settings.KVITT_APPS:
        if app == "web":
            continue
        module_name = f"kvitt.{app}.urls"
        if find_spec(module_name) is None:
            continue
        module = import_module(module_name)
        patterns.append(path(f"{app}/", include((module.urlpatterns, module.app_name), namespace=module.app_name)))
    return patterns


urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("acting/", views.switch_acting, name="switch_acting"),
]
