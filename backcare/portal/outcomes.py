"""The client's own outcome pages: their progress, their reassessment questions and their
program's discharge summary (SPEC §2 steps 5 and 6, §5)."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from backcare import policy
from backcare.audit.log import record
from backcare.care.models import Program
from backcare.outcomes.records import current_program
from backcare.policy import Action, AuthenticatedRequest
from backcare.portal.own import own_client
from backcare.site.outcomes.pages import (
    collect_page,
    load_program,
    progress_page,
    summary_pdf_response,
)


@policy.requires(Action.PROGRESS_OWN)
def portal_progress(request: AuthenticatedRequest) -> HttpResponse:
    """The client's own progress."""
    client = own_client(request)
    record(request.user, "progress.viewed", client)
    return progress_page(request, client, portal=True)


@policy.requires(Action.PROGRESS_OWN)
def portal_collect(request: AuthenticatedRequest) -> HttpResponse:
    """The client answers their reassessment questions for their current program."""
    client = own_client(request)
    program = current_program(client)
    if program is None:
        raise Http404("You have no treatment program yet.")
    return collect_page(request, client, program, portal=True)


@policy.requires(Action.PROGRESS_OWN, load=load_program)
def portal_summary_pdf(request: AuthenticatedRequest, program: Program) -> HttpResponse:
    """A client downloads the summary of their own program."""
    return summary_pdf_response(request, program)
