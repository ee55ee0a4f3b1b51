"""The signed-in client's own record, which every portal page is about."""

from __future__ import annotations

from django.http import Http404

from backcare import policy
from backcare.clinic.models import Client
from backcare.policy import AuthenticatedRequest


def own_client(request: AuthenticatedRequest) -> Client:
    """The client record linked to this login (with its home location); a login without one
    gets the not-found page."""
    client = policy.visible_clients(request.user).select_related("home_location").first()
    if client is None:
        raise Http404("No client record is linked to this login.")
    return client
