"""Outcome pages for staff: a client's progress, recording their reassessment or discharge
answers, and the discharge summary as a page, a PDF and an email to their physician (SPEC §2
steps 5 and 6, §5)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from backcare import policy
from backcare.care.models import Program
from backcare.clinic.models import Client
from backcare.lib.errors import FieldError
from backcare.outcomes import actions
from backcare.outcomes.records import discharge_summary, progress
from backcare.outcomes.summary import DischargeSummary, attendance_sentence, period
from backcare.policy import Action, AuthenticatedRequest
from backcare.site.outcomes.pages import (
    collect_page,
    load_program,
    progress_page,
    summary_pdf_response,
)

load_client = policy.loader(Client, "client_id")


@policy.requires(Action.PROGRESS_VIEW, load=load_client, audit="progress.viewed")
def staff_progress(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    """A client's NRS, PEG and PSFS over the weeks of their program, for the care team."""
    return progress_page(request, client, portal=False)


@policy.requires(Action.OUTCOMES_RECORD, load=load_program, audit="progress.viewed")
def staff_collect(request: AuthenticatedRequest, program: Program) -> HttpResponse:
    """Staff record a client's reassessment or discharge answers."""
    return collect_page(request, program.client, program, portal=False)


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


@policy.requires(Action.PROGRESS_VIEW, load=load_program)
def summary_pdf(request: AuthenticatedRequest, program: Program) -> HttpResponse:
    return summary_pdf_response(request, program)


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
