"""API authentication: bearer tokens for systems, the session (with CSRF) for the web."""

from __future__ import annotations

from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from kvitt.core.logging import current_organisation
from kvitt.core.models import ApiToken
from kvitt.core.permissions import Actor


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        api_token = ApiToken.lookup(token)
        if api_token is None:
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        actor = Actor(user=None, organisation=api_token.organisation, role=api_token.role, label=f"token:{api_token.name}")
        request.actor = actor
        current_organisation.set(str(api_token.organisation_id))
        return actor


class SessionAuth(APIKeyCookie):
    """The web's session cookie; ninja enforces CSRF for cookie auth."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        actor = getattr(request, "actor", None)
        return actor
