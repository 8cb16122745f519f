"""View helpers: every page knows its actor; refusals look the same everywhere."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def actor_required(view):
    """Logged in and acting for an organisation; passes the Actor as ``request.actor``."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request, "actor", None) is None:
            raise PermissionDenied("no organisation to act for")
        return view(request, *args, **kwargs)

    return wrapper
