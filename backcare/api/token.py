"""The SMART Backend Services token endpoint: ``POST /auth/token``, where a connected system
trades a signed assertion for an access token (a machine's door: the API front)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from backcare import policy
from backcare.systems import actions
from backcare.systems.tokens import token_url


def _oauth_error(error: str, description: str) -> JsonResponse:
    status = 401 if error == "invalid_client" else 400
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt  # a machine-to-machine endpoint: the signed assertion is the credential
@require_POST
@policy.public
def token(request: HttpRequest) -> JsonResponse:
    """client_credentials with a signed JWT (RFC 7523), answered as OAuth2 JSON (RFC 6749 §5)."""
    form = request.POST
    try:
        issued = actions.issue_token(
            grant_type=form.get("grant_type", ""),
            assertion_type=form.get("client_assertion_type", ""),
            client_assertion=form.get("client_assertion", ""),
            requested_scope=form.get("scope", ""),
            audience=token_url(),
            now=timezone.now(),
        )
    except actions.TokenRefused as refused:
        return _oauth_error(refused.error, refused.description)
    response = JsonResponse(
        {
            "access_token": issued.token,
            "token_type": "bearer",
            "expires_in": issued.expires_in,
            "scope": " ".join(issued.scopes),
        }
    )
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


# Mounted at the site's root under the ``systems:`` names (backcare/urls.py).
urlpatterns = [
    path("auth/token", token, name="token"),
]
