"""Attach the acting organisation and a request id to every request."""

from __future__ import annotations

import uuid

from kvitt.core.audit import current_request_id
from kvitt.core.logging import current_organisation
from kvitt.core.permissions import Actor

SESSION_KEY = "kvitt_membership_id"


def actor_for_request(request) -> Actor | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    memberships = list(user.memberships.select_related("organisation").order_by("id"))
    if not memberships:
        return None
    chosen_id = request.session.get(SESSION_KEY)
    membership = next((m for m in memberships if m.id == chosen_id), memberships[0])
    return Actor.for_membership(membership)


class ActingOrganisationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        # Set, not reset at the end: Django logs the response (4xx/5xx) after the middleware
        # has returned, and that line must still carry the request's id and organisation.
        current_request_id.set(request_id[:64])
        current_organisation.set("")
        request.actor = actor_for_request(request)
        if request.actor is not None:
            current_organisation.set(str(request.actor.organisation.id))
        response = self.get_response(request)
        response["X-Request-ID"] = request_id[:64]
        return response
