"""The client's intake questionnaire, step by step, and their next steps once it is screened.
The steps are the flow both fronts share (``site/intake/flow.py``)."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from backcare import policy
from backcare.audit.log import record
from backcare.holds.queries import standing
from backcare.policy import Action, AuthenticatedRequest
from backcare.portal.own import own_client
from backcare.site.intake.flow import Flow, review_page, start_page, step_page


@require_POST
@policy.requires(Action.CLIENT_HOME)
def portal_start(request: AuthenticatedRequest) -> HttpResponse:
    return start_page(request, Flow(own_client(request), portal=True))


@policy.requires(Action.CLIENT_HOME)
def portal_step(request: AuthenticatedRequest, step: str) -> HttpResponse:
    return step_page(request, Flow(own_client(request), portal=True), step)


@policy.requires(Action.CLIENT_HOME)
def portal_review(request: AuthenticatedRequest) -> HttpResponseBase:
    return review_page(request, Flow(own_client(request), portal=True))


@policy.requires(Action.CLIENT_HOME)
def portal_result(request: AuthenticatedRequest) -> HttpResponse:
    """The client's next steps after screening, in plain words (SPEC §3)."""
    client = own_client(request)
    where = standing(client, timezone.localdate())
    if where.screening is None:
        return redirect("portal:home")
    record(request.user, "screening.viewed", where.screening, client=client)
    return render(
        request,
        "intake/portal_result.html",
        {"client": client, "standing": where, "screening": where.screening},
    )
