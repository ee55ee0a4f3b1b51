"""The client portal: a client's own home. Later issues add intake, booking and progress."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from backcare import policy
from backcare.audit.log import record
from backcare.policy import Action, AuthenticatedRequest


@policy.requires(Action.CLIENT_HOME)
def home(request: AuthenticatedRequest) -> HttpResponse:
    client = policy.visible_clients(request.user).select_related("home_location").first()
    if client is not None:
        record(request.user, "client.viewed", client)
    return render(
        request,
        "portal/home.html",
        {"client": client, "consents": client.consents.all() if client else []},
    )
