"""What the navigation offers a client: "Book a session" only when they can book; otherwise
"What to do next", which leads to their next step. The one hold check decides
(:func:`backcare.portal.today.own`), read once per request with the page's own."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from backcare import policy
from backcare.policy import Action
from backcare.portal import today


def client_navigation(request: HttpRequest) -> dict[str, Any]:
    if not policy.can(request.user, Action.CLIENT_HOME):
        return {}
    return {"own": SimpleLazyObject(lambda: today.own(request))}
