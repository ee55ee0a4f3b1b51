"""The staff page of a client's clinical hold: its causes, since when, and lifting it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from backcare import policy
from backcare.clinic.models import Client
from backcare.holds import actions
from backcare.holds.queries import standing
from backcare.lib.errors import FieldError
from backcare.pages import show_refusal
from backcare.policy import Action, AuthenticatedRequest
from backcare.staff.holds.forms import LiftForm

load_client = policy.loader(Client, "client_id")


@require_http_methods(["GET", "HEAD", "POST"])
@policy.requires(Action.HOLD_LIFT, load=load_client, audit="hold.viewed")
def lift(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    override = policy.can(request.user, Action.HOLD_OVERRIDE, client)
    form = LiftForm(request.POST or None, override=override)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.lift_hold(
                request.user,
                client,
                basis=data["basis"],
                reason=data["reason"],
                physician_name=data["physician_name"],
                answered_on=data["answered_on"],
            )
        except FieldError as problem:
            show_refusal(form, problem)
        else:
            messages.success(request, f"The hold on {client.full_name} is lifted.")
            return redirect(client)
    return render(
        request,
        "holds/lift.html",
        {
            "client": client,
            "standing": standing(client, timezone.localdate()),
            "releases": client.hold_releases.select_related("released_by"),
            "form": form,
            "override": override,
        },
        status=400 if form.errors else 200,
    )
