"""Outcome pages: a client's progress (staff and portal), the reassessment and discharge form,
and the discharge summary as a page and a PDF (SPEC §2 steps 5 and 6, §5)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from backcare import policy
from backcare.audit.log import record
from backcare.care.models import Program
from backcare.clinic.models import Client
from backcare.lib.errors import FieldError
from backcare.outcomes import actions, catalogue
from backcare.outcomes.forms import OutcomesForm
from backcare.outcomes.models import Occasion
from backcare.outcomes.records import (
    current_program,
    discharge_summary,
    progress,
    reassessment_due,
)
from backcare.outcomes.summary import (
    DischargeSummary,
    attendance_sentence,
    period,
    render_discharge_summary,
    summary_filename,
)
from backcare.policy import Action, AuthenticatedRequest

load_client = policy.loader(Client, "client_id")


def load_program(**kwargs: Any) -> Program:
    try:
        return Program.objects.select_related(
            "client__home_location", "therapist__user", "service"
        ).get(pk=kwargs["program_id"])
    except Program.DoesNotExist:
        raise Http404("No such program.") from None


load_program.kwarg = "program_id"  # type: ignore[attr-defined]


def _own_client(request: AuthenticatedRequest) -> Client:
    client = policy.visible_clients(request.user).select_related("home_location").first()
    if client is None:
        raise Http404("No client record.")
    return client


# --- progress -------------------------------------------------------------------------------


def _progress_page(request: AuthenticatedRequest, client: Client, *, portal: bool) -> HttpResponse:
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


@policy.requires(Action.PROGRESS_VIEW, load=load_client, audit="progress.viewed")
def staff_progress(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    """A client's NRS, PEG and PSFS over the weeks of their program, for the care team."""
    return _progress_page(request, client, portal=False)


@policy.requires(Action.PROGRESS_OWN)
def portal_progress(request: AuthenticatedRequest) -> HttpResponse:
    """The client's own progress."""
    client = _own_client(request)
    record(request.user, "progress.viewed", client)
    return _progress_page(request, client, portal=True)


# --- collecting answers ----------------------------------------------------------------------


def _collect(
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


@policy.requires(Action.OUTCOMES_RECORD, load=load_program, audit="progress.viewed")
def staff_collect(request: AuthenticatedRequest, program: Program) -> HttpResponse:
    """Staff record a client's reassessment or discharge answers."""
    return _collect(request, program.client, program, portal=False)


@policy.requires(Action.PROGRESS_OWN)
def portal_collect(request: AuthenticatedRequest) -> HttpResponse:
    """The client answers their reassessment questions for their current program."""
    client = _own_client(request)
    program = current_program(client)
    if program is None:
        raise Http404("You have no treatment program yet.")
    return _collect(request, client, program, portal=True)


# --- the discharge summary --------------------------------------------------------------------


def _summary_context(summary: DischargeSummary) -> dict[str, Any]:
    return {
        "summary": summary,
        "period": period(summary),
        "attendance": attendance_sentence(summary),
    }


@policy.requires(Action.PROGRESS_VIEW, load=load_program, audit="discharge_summary.viewed")
def summary_page(request: AuthenticatedRequest, program: Program) -> HttpResponse:
    summary = discharge_summary(program, today=timezone.localdate())
    p = progress(program.client, program)
    return render(
        request,
        "outcomes/summary.html",
        {
            **_summary_context(summary),
            "program": program,
            "client": program.client,
            "progress": p,
            "can_send": policy.can(request.user, Action.OUTCOMES_RECORD, program),
        },
    )


def _pdf(request: HttpRequest, program: Program) -> HttpResponse:
    summary = discharge_summary(program, today=timezone.localdate())
    record(request.user, "discharge_summary.downloaded", program, client=program.client)  # type: ignore[arg-type]
    response = HttpResponse(render_discharge_summary(summary), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{summary_filename(summary)}"'
    return response


@policy.requires(Action.PROGRESS_VIEW, load=load_program)
def summary_pdf(request: AuthenticatedRequest, program: Program) -> HttpResponse:
    return _pdf(request, program)


@policy.requires(Action.PROGRESS_OWN, load=load_program)
def portal_summary_pdf(request: AuthenticatedRequest, program: Program) -> HttpResponse:
    """A client downloads the summary of their own program."""
    return _pdf(request, program)


@require_POST
@policy.requires(Action.OUTCOMES_RECORD, load=load_program)
def summary_email(request: AuthenticatedRequest, program: Program) -> HttpResponse:
    """Email the discharge summary to the client's physician."""
    try:
        actions.email_discharge_summary(request.user, program, today=timezone.localdate())
    except FieldError as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, f"The summary is on its way to {program.client.physician_email}.")
    return redirect(reverse("outcomes:summary", args=[program.pk]))
