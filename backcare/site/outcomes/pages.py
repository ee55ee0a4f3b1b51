"""Outcome page parts both fronts run: a client's progress, the reassessment and discharge form,
and the discharge summary as a PDF (SPEC §2 steps 5 and 6, §5). The pages themselves are in
``staff/outcomes/views.py`` and ``portal/outcomes.py``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from backcare import policy
from backcare.audit.log import record
from backcare.care.models import Program
from backcare.clinic.models import Client
from backcare.outcomes import actions, catalogue
from backcare.outcomes.models import Occasion
from backcare.outcomes.records import (
    current_program,
    discharge_summary,
    progress,
    reassessment_due,
)
from backcare.outcomes.summary import (
    render_discharge_summary,
    summary_filename,
)
from backcare.policy import Action, AuthenticatedRequest
from backcare.site.outcomes.forms import OutcomesForm


def load_program(**kwargs: Any) -> Program:
    try:
        return Program.objects.select_related(
            "client__home_location", "therapist__user", "service"
        ).get(pk=kwargs["program_id"])
    except Program.DoesNotExist:
        raise Http404("No such program.") from None


load_program.kwarg = "program_id"  # type: ignore[attr-defined]


# --- progress -------------------------------------------------------------------------------


def progress_page(request: AuthenticatedRequest, client: Client, *, portal: bool) -> HttpResponse:
    program = current_program(client)
    return render(
        request,
        "outcomes/progress.html",
        {
            "client": client,
            "program": program,
            "progress": progress(client, program),
            "due": reassessment_due(program) if program is not None else None,
            "portal": portal,
            "can_record": not portal and policy.can(request.user, Action.OUTCOMES_RECORD, client),
        },
    )


# --- collecting answers ----------------------------------------------------------------------


def collect_page(
    request: AuthenticatedRequest, client: Client, program: Program, *, portal: bool
) -> HttpResponse:
    activities = [goal.activity for goal in program.goals.all()]
    instruments = catalogue.follow_up()
    initial_occasion = request.GET.get("occasion", Occasion.REASSESSMENT)
    form = OutcomesForm(
        request.POST if request.method == "POST" else None,
        instruments=instruments,
        activities=activities,
        initial={"occasion": initial_occasion},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    actions.record_responses(
                        request.user,
                        client,
                        form.answers(),
                        occasion=form.cleaned_data["occasion"],
                        program=program,
                        activities={
                            inst.id: form.activity_names(inst) for inst in form.instruments
                        },
                    )
            except actions.ResponseError as problem:
                form.add_response_error(problem)
            else:
                messages.success(
                    request,
                    "Thank you, your answers are saved."
                    if portal
                    else "Answers saved. The progress chart now includes them.",
                )
                if portal:
                    return redirect("outcomes:portal_progress")
                return redirect("outcomes:staff_progress", client.pk)
        status = 400
    return render(
        request,
        "outcomes/collect.html",
        {
            "client": client,
            "program": program,
            "form": form,
            "portal": portal,
            "due": reassessment_due(program),
        },
        status=status,
    )


# --- the discharge summary --------------------------------------------------------------------


def summary_pdf_response(request: HttpRequest, program: Program) -> HttpResponse:
    summary = discharge_summary(program, today=timezone.localdate())
    record(request.user, "discharge_summary.downloaded", program, client=program.client)  # type: ignore[arg-type]
    response = HttpResponse(render_discharge_summary(summary), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{summary_filename(summary)}"'
    return response
