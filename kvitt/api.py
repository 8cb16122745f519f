"""The HTTP API at /api/v1/: one ninja router per app, found by convention.

An app that has ``kvitt/<app>/api.py`` with a ``router`` gets it mounted at
``/api/v1/<app>/``, so adding an endpoint never means editing this file.
"""

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from ninja import NinjaAPI

from kvitt.core.apiauth import ApiTokenAuth, SessionAuth

api = NinjaAPI(
    title="Kvitt API",
    version="1",
    description="Settlement hub for Nordic healthcare. Token auth for systems, session auth for the web.",
    auth=[ApiTokenAuth(), SessionAuth()],
    urls_namespace="api",
)


@api.exception_handler(PermissionDenied)
def _permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "permission denied"}, status=403)


@api.exception_handler(ValidationError)
def _validation_error(request, exc):
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    else:
        errors = {"__all__": [str(m) for m in exc.messages]}
    return api.create_response(request, {"detail": "validation failed", "errors": errors}, status=422)


def _mount_app_routers() -> None:
    for app in settings.KVITT_APPS:
        module_name = f"kvitt.{app}.api"
        if find_spec(module_name) is None:
            continue
        module = import_module(module_name)
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(f"/{app}/", router)


_mount_app_routers()
