"""The client's own program: goals, advice, what each technique is, and the sessions booked."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from backcare import policy
from backcare.care.models import Program
from backcare.policy import Action, AuthenticatedRequest
from backcare.site.programs import load_program, program_context


@policy.requires(Action.PROGRAM_OWN, load=load_program, audit="program.viewed")
def portal_program(request: AuthenticatedRequest, program: Program) -> HttpResponse:
    """The client's own program: goals, advice and what each technique is. Read-only."""
    upcoming = (
        program.appointments.filter(starts__gte=timezone.now(), status__in=("booked", "checked_in"))
        .select_related("location")
        .order_by("starts")
    )
    return render(
        request,
        "care/portal_program.html",
        {**program_context(program), "upcoming": upcoming},
    )
