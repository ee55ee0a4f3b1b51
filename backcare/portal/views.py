"""The client portal: a client's own home, with their questionnaire and next steps."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from backcare import policy
from backcare.audit.log import record
from backcare.holds.queries import standing
from backcare.intake.models import Intake
from backcare.policy import Action, AuthenticatedRequest


@policy.requires(Action.CLIENT_HOME)
def home(request: AuthenticatedRequest) -> HttpResponse:
    client = policy.visible_clients(request.user).select_related("home_location").first()
    context: dict[str, object] = {"client": client}
    if client is not None:
        record(request.user, "client.viewed", client)
        intakes = client.intakes.order_by("-pk")
        context.update(
            consents=client.consents.all(),
            standing=standing(client, timezone.localdate()),
            intake_draft=intakes.filter(status=Intake.Status.DRAFT).first(),
            intake_latest=intakes.filter(status=Intake.Status.SUBMITTED).first(),
            program=client.programs.exclude(status="draft").first(),
        )
    return render(request, "portal/home.html", context)
