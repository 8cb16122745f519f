"""Security headers Django 5.2 does not set by itself."""

from django.conf import settings


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.KVITT_CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        # The API docs page loads Swagger UI from the ninja package's own static files only.
        response.setdefault("Content-Security-Policy", self.policy)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
