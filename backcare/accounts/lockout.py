"""What django-axes needs from Backcare to lock out repeated failed sign-ins (SPEC §7).

settings.py points axes here: :func:`email_tried` is the account a sign-in attempt names, the
same whatever letter case it was typed in; :func:`locked_out` is the page a locked-out person
gets. The page says the same whether or not the address belongs to anyone, since attempts at
unknown addresses are counted and locked out like any others.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

# Longer than any address (254), so a pasted essay is not stored whole.
MAX_EMAIL_TRIED = 254


def normalized_email(value: object) -> str:
    """An address as accounts store it: trimmed, lower case, at most 254 characters."""
    return str(value).strip().lower()[:MAX_EMAIL_TRIED] if value is not None else ""


def email_tried(request: HttpRequest | None, credentials: Mapping[str, Any] | None) -> str | None:
    """The address a sign-in attempt was for: from the credentials given to authenticate(), or
    the form posted (``username`` on Backcare's and the admin's sign-in forms)."""
    value: object = None
    if credentials:
        value = credentials.get("username") or credentials.get("email")
    if value is None and request is not None:
        value = request.POST.get("username")
    return normalized_email(value) or None


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """The plain page for a locked-out sign-in: wait, or call the clinic. HTTP 429."""
    minutes = lockout_minutes()
    body = render_to_string(
        "accounts/locked_out.html",
        {"minutes": minutes, "clinic_name": settings.CLINIC_NAME},
        request=request,
    )
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
