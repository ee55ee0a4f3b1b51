"""The owner's page of connected systems: connect one with its public key, disconnect it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from backcare import policy
from backcare.policy import Action, AuthenticatedRequest
from backcare.staff.systems_forms import SystemClientForm
from backcare.systems import actions
from backcare.systems.models import SystemClient
from backcare.systems.tokens import token_url


def _page(request: AuthenticatedRequest, form: SystemClientForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "systems/systems.html",
        {
            "systems": SystemClient.objects.all(),
            "form": form,
            "token_url": token_url(),
        },
        status=status,
    )


@policy.requires(Action.SYSTEMS_MANAGE)
def system_list(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "POST":
        form = SystemClientForm(request.POST)
        if not form.is_valid():
            return _page(request, form, status=400)
        system = actions.register_system(
            request.user,
            name=form.cleaned_data["name"],
            jwks=form.cleaned_data["jwks"],
            allowed_scopes=form.cleaned_data["scopes"],
        )
        messages.success(
            request, f"{system.name} is connected. Give them the client id {system.client_id}."
        )
        return redirect("staff_systems:list")
    return _page(request, SystemClientForm())


@require_POST
@policy.requires(Action.SYSTEMS_MANAGE)
def system_revoke(request: AuthenticatedRequest) -> HttpResponse:
    system_id = request.POST.get("system", "")
    system = get_object_or_404(SystemClient, pk=int(system_id) if system_id.isdigit() else 0)
    actions.revoke_system(request.user, system, now=timezone.now())
    messages.success(request, f"{system.name} is disconnected: its tokens no longer work.")
    return redirect("staff_systems:list")
