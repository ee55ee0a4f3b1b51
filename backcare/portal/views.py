"""The client portal: a client's own home, with their questionnaire and next steps."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from backcare import policy
from backcare.audit.log import record
from backcare.intake.models import Intake
from backcare.policy import Action, AuthenticatedRequest
from backcare.portal import today


@policy.requires(Action.CLIENT_HOME)
def home(request: AuthenticatedRequest) -> HttpResponse:
    """The client's home: their next visit (with check-in once it opens), their program's
    progress and what to do next. An htmx poll gets the next-visit part alone."""
    mine = today.own(request)
    client = mine.client if mine is not None else None
    context: dict[str, object] = {"client": client, "refresh_seconds": today.REFRESH_SECONDS}
    if mine is not None and client is not None:
        where = mine.standing
        intakes = client.intakes.order_by("-pk")
        context.update(
            standing=where,
            intake_draft=intakes.filter(status=Intake.Status.DRAFT).first(),
            intake_latest=intakes.filter(status=Intake.Status.SUBMITTED).first(),
        )
        context.update(today.client_day(client, where, now=timezone.now()))
    if getattr(request, "htmx", False):
        return render(request, "portal/_today.html", context)
    if client is not None:
        record(request.user, "client.viewed", client)
        context["consents"] = client.consents.all()
    return render(request, "portal/home.html", context)
