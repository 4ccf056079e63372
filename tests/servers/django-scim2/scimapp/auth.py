# The auth glue: a request whose `Authorization: Bearer <token>` matches the token the server was
# started with is authenticated as a service principal; anything else stays anonymous, and
# django-scim2's own SCIMAuthCheckMiddleware (next in MIDDLEWARE) answers it 401.
import hmac

from django.conf import settings
from django.contrib.auth.models import AnonymousUser


class ServicePrincipal(AnonymousUser):
    # Not a stored User: a row in the user table would show up in every /Users listing.
    @property
    def is_anonymous(self):
        return False

    @property
    def is_authenticated(self):
        return True


class BearerTokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.expected = f"Bearer {settings.SCIM_TOKEN}".encode()

    def __call__(self, request):
        given = request.headers.get("Authorization", "").encode()
        authorized = hmac.compare_digest(given, self.expected)
        request.user = ServicePrincipal() if authorized else AnonymousUser()
        return self.get_response(request)
