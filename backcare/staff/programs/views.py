"""Care program pages (SPEC §2 step 3): start a program from a template, read it, change its
status, book its sessions; the client's own program in the portal; the technique pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from backcare import policy
from backcare.audit.log import record
from backcare.care import actions
from backcare.care.models import RUNNING_STATUSES, Program, ProgramStatus
from backcare.care.templates import load_templates
from backcare.clinic.models import Client, Service, Therapist
from backcare.holds.queries import standing
from backcare.lib.errors import FieldError
from backcare.pages import guard, show_refusal, still_as_seen
from backcare.policy import Action, AuthenticatedRequest
from backcare.site.programs import load_program, program_context
from backcare.site.screening import technique_rows
from backcare.staff.programs.forms import ProgramForm, ProgramSeriesForm, StatusForm
from backcare.staff.schedule.views import series_outcome

load_client = policy.loader(Client, "client_id")


# --- Starting a program -----------------------------------------------------------------------


@policy.requires(Action.PROGRAM_MANAGE, load=load_client)
def program_start(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    """A program from a template, for a client whose latest screening allows it."""
    templates = load_templates()
    where = standing(client, timezone.localdate())
    own = Therapist.objects.filter(user=request.user).first()
    chosen_key = request.GET.get("template") or templates.templates[0].key
    try:
        chosen = templates.get(chosen_key)
    except KeyError:
        chosen = templates.templates[0]
    verdicts = where.screening.techniques if where.screening else {}
    if request.method == "POST":
        form = ProgramForm(request.POST, needs_therapist=own is None)
        if form.is_valid():
            data = form.cleaned_data
            try:
                program = actions.create_program(
                    request.user,
                    client,
                    template=data["template"],
                    service=data["service"],
                    techniques=data["techniques"],
                    goals=form.goals(),
                    self_care=data["self_care"],
                    therapist=data.get("therapist") or own,
                    now=timezone.now(),
                )
            except FieldError as problem:
                show_refusal(form, problem)
            else:
                messages.success(request, "Program planned. Book its sessions when you're ready.")
                return redirect(program)
    else:
        initial = {
            "template": chosen.key,
            "service": Service.objects.filter(
                active=True, duration_minutes=chosen.duration_minutes
            ).first(),
            "therapist": own,
            "techniques": [code for code in chosen.techniques if verdicts.get(code) != "avoid"],
            "self_care": chosen.self_care,
            **ProgramForm.initial_goals(actions.default_goals(client, chosen)),
        }
        form = ProgramForm(initial=initial, needs_therapist=own is None)
    running = client.programs.filter(status__in=RUNNING_STATUSES).first()
    if where.screening is not None:
        record(request.user, "screening.viewed", where.screening, client=client)
    return render(
        request,
        "care/program_form.html",
        {
            "client": client,
            "form": form,
            "templates": templates.templates,
            "chosen": chosen,
            "standing": where,
            "blocked": actions.start_refusal(where),
            "running": running,
            "techniques": technique_rows(where.screening) if where.screening else [],
        },
        status=400 if form.errors else 200,
    )


# --- A program --------------------------------------------------------------------------------


@policy.requires(Action.PROGRAM_VIEW, load=load_program, audit="program.viewed")
def program_detail(request: AuthenticatedRequest, program: Program) -> HttpResponse:
    """Goals, techniques with the pressure cap and positioning, reassessment points, status
    history with reasons, and the program's appointments."""
    history = program.status_changes.select_related("changed_by", "clearance")
    appointments = list(
        program.appointments.select_related("therapist__user", "location", "room").order_by(
            "starts"
        )
    )
    return render(
        request,
        "care/program_detail.html",
        {
            **program_context(program),
            "history": history,
            "appointments": appointments,
            # A colleague's session of a shared program is plain text: not theirs to open.
            "openable": {
                session.pk
                for session in appointments
                if policy.can(request.user, Action.APPOINTMENT_VIEW, session)
            },
            "to_book": actions.sessions_to_book(program),
            "can_manage": policy.can(request.user, Action.PROGRAM_MANAGE, program),
            "can_change": program.is_running,
        },
    )


@policy.requires(Action.PROGRAM_MANAGE, load=load_program)
def program_status(request: AuthenticatedRequest, program: Program) -> HttpResponse:
    """Move the program on, with a reason; resuming offers the client's clearances."""
    if not program.is_running:
        messages.info(request, "This program has ended; its status can't change any more.")
        return redirect(program)
    if request.method == "POST":
        form = StatusForm(request.POST, current=program.status, client_id=program.client_id)
        guard(form, program)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    if not still_as_seen(form, program):
                        return _status_page(request, program, form, status=409)
                actions.change_program_status(
                    request.user,
                    program,
                    data["status"],
                    data["reason"],
                    clearance=data.get("clearance"),
                    now=timezone.now(),
                )
            except FieldError as problem:
                show_refusal(form, problem)
            else:
                messages.success(
                    request, f"The program is now {program.get_status_display().lower()}."
                )
                return redirect(program)
    else:
        form = StatusForm(current=program.status, client_id=program.client_id)
        guard(form, program)
    return _status_page(request, program, form, status=400 if form.errors else 200)


def _status_page(
    request: AuthenticatedRequest, program: Program, form: StatusForm, *, status: int
) -> HttpResponse:
    return render(
        request,
        "care/program_status.html",
        {
            "program": program,
            "client": program.client,
            "form": form,
            "resuming": program.status == ProgramStatus.PAUSED,
        },
        status=status,
    )


@policy.requires(Action.PROGRAM_MANAGE, load=load_program)
def program_book(request: AuthenticatedRequest, program: Program) -> HttpResponse:
    """Check the program's remaining sessions date by date, then book the free dates."""
    twice = program.sessions_per_week == 2
    form = ProgramSeriesForm(request.POST if request.method == "POST" else None, twice_weekly=twice)
    outcome: dict[str, Any] = {"report": None, "lines": [], "free_count": 0}
    if form.is_valid():
        data = form.cleaned_data
        booking = request.POST.get("do") == "book"
        try:
            report = actions.book_program_series(
                request.user,
                program,
                data["location"],
                data["starts"],
                days_between=data.get("days_between") or 3,
                now=timezone.now(),
                dry_run=not booking,
            )
        except FieldError as problem:
            show_refusal(form, problem)
        else:
            outcome = series_outcome(
                request,
                report,
                program.client,
                program.service,
                data["location"],
                booked_for="of the program" if booking else None,
            )
    return render(
        request,
        "care/program_book.html",
        {
            "program": program,
            "client": program.client,
            "form": form,
            "to_book": actions.sessions_to_book(program),
            "hold": standing(program.client, timezone.localdate()).hold,
            **outcome,
        },
        status=400 if form.errors else 200,
    )
