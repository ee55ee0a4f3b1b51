"""The intake questionnaire filled in by staff on a client's behalf, and a submitted one read
back. The steps are the flow both fronts share (``site/intake/flow.py``).

The owner and the client's care team open any questionnaire; the front desk only a blank one it
fills in with the client present (the access policy, ``Action.INTAKE_FILL``)."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from backcare import policy
from backcare.audit.log import record
from backcare.clinic.models import Client
from backcare.intake.models import Intake
from backcare.policy import Action, AuthenticatedRequest
from backcare.site.intake.flow import Flow, answered_steps, review_page, start_page, step_page

load_client = policy.loader(Client, "client_id")


@require_POST
@policy.requires(Action.INTAKE_FILL, load=load_client)
def staff_start(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    return start_page(request, Flow(client, portal=False))


@policy.requires(Action.INTAKE_FILL, load=load_client)
def staff_step(request: AuthenticatedRequest, client: Client, step: str) -> HttpResponse:
    return step_page(request, Flow(client, portal=False), step)


@policy.requires(Action.INTAKE_FILL, load=load_client)
def staff_review(request: AuthenticatedRequest, client: Client) -> HttpResponseBase:
    return review_page(request, Flow(client, portal=False))


@policy.requires(Action.INTAKE_READ, load=load_client)
def detail(request: AuthenticatedRequest, client: Client, intake_id: int) -> HttpResponse:
    """A submitted questionnaire, read-only, as the client answered it."""
    intake = get_object_or_404(client.intakes.filter(status=Intake.Status.SUBMITTED), pk=intake_id)
    record(request.user, "intake.viewed", intake, client=client)
    return render(
        request,
        "intake/detail.html",
        {
            "client": client,
            "intake": intake,
            "shown": answered_steps(intake),
            "versions": client.intakes.filter(status=Intake.Status.SUBMITTED).order_by("-version"),
        },
    )
