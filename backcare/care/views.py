"""Care program pages (SPEC §2 step 3): start a program from a template, read it, change its
status, book its sessions; the client's own program in the portal; the technique pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from backcare import policy
from backcare.audit.log import record
from backcare.care import actions
from backcare.care.forms import ProgramForm, ProgramSeriesForm, StatusForm
from backcare.care.models import RUNNING_STATUSES, Program, ProgramStatus
from backcare.care.techniques import load_catalogue, technique
from backcare.care.templates import load_templates
from backcare.clinic.models import Client, Service, Therapist
from backcare.holds.queries import standing
from backcare.lib.errors import FieldError
from backcare.policy import Action, AuthenticatedRequest
from backcare.scheduling.views import SeriesLine, series_lines
from backcare.screening.views import technique_rows

load_client = policy.loader(Client, "client_id")


def load_program(program_id: int) -> Program:
    try:
        return Program.objects.select_related(
            "client", "therapist__user", "service", "screening"
        ).get(pk=program_id)
    except Program.DoesNotExist:
        raise Http404("No such record.") from None


load_program.kwarg = "program_id"  # type: ignore[attr-defined]


def _show_error(form: Any, problem: FieldError) -> None:
    field = problem.field if problem.field in form.fields else None
    form.add_error(field, problem.message)


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
                _show_error(form, problem)
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


def _program_context(program: Program) -> dict[str, Any]:
    screening_rows = {row["code"]: row for row in technique_rows(program.screening)}
    return {
        "program": program,
        "client": program.client,
        "goals": list(program.goals.all()),
        "techniques": [
            {
                "code": code,
                "entry": technique(code),
                "instruction": screening_rows.get(code, {}).get("instruction", ""),
                "verdict": screening_rows.get(code, {}).get("verdict", "ok"),
            }
            for code in program.techniques
        ],
        "positioning": ["Side-lying only" if p == "side_lying" else p for p in program.positioning],
        "template": _template_or_none(program.template),
    }


def _template_or_none(key: str) -> Any:
    try:
        return load_templates().get(key)
    except KeyError:
        return None


@policy.requires(Action.PROGRAM_VIEW, load=load_program, audit="program.viewed")
def program_detail(request: AuthenticatedRequest, program: Program) -> HttpResponse:
    """Goals, techniques with the pressure cap and positioning, reassessment points, status
    history with reasons, and the program's appointments."""
    history = program.status_changes.select_related("changed_by", "clearance")
    appointments = program.appointments.select_related(
        "therapist__user", "location", "room"
    ).order_by("starts")
    return render(
        request,
        "care/program_detail.html",
        {
            **_program_context(program),
            "history": history,
            "appointments": appointments,
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
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.change_program_status(
                    request.user,
                    program,
                    data["status"],
                    data["reason"],
                    clearance=data.get("clearance"),
                    now=timezone.now(),
                )
            except FieldError as problem:
                _show_error(form, problem)
            else:
                messages.success(
                    request, f"The program is now {program.get_status_display().lower()}."
                )
                return redirect(program)
    else:
        form = StatusForm(current=program.status, client_id=program.client_id)
    return render(
        request,
        "care/program_status.html",
        {
            "program": program,
            "client": program.client,
            "form": form,
            "resuming": program.status == ProgramStatus.PAUSED,
        },
        status=400 if form.errors else 200,
    )


@policy.requires(Action.PROGRAM_MANAGE, load=load_program)
def program_book(request: AuthenticatedRequest, program: Program) -> HttpResponse:
    """Check the program's remaining sessions date by date, then book the free dates."""
    twice = program.sessions_per_week == 2
    form = ProgramSeriesForm(request.POST if request.method == "POST" else None, twice_weekly=twice)
    report = None
    lines: list[SeriesLine] = []
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
            _show_error(form, problem)
        else:
            lines = series_lines(report, program.client, program.service, data["location"])
            if booking:
                booked = len(report.booked)
                messages.success(
                    request,
                    f"Booked {booked} session{'s' if booked != 1 else ''} of the program."
                    + (
                        f" {len(report.conflicts)} date(s) need another time: see below."
                        if report.conflicts
                        else ""
                    ),
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
            "report": report,
            "lines": lines,
            "free_count": sum(1 for line in lines if not line.problem),
        },
        status=400 if form.errors else 200,
    )


# --- The client's own program -----------------------------------------------------------------


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
        {**_program_context(program), "upcoming": upcoming},
    )


# --- Techniques -------------------------------------------------------------------------------


@policy.requires(Action.TECHNIQUE_READ)
def technique_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "care/technique_list.html",
        {"techniques": load_catalogue(), "staff": request.user.is_clinic_staff},
    )


@policy.requires(Action.TECHNIQUE_READ)
def technique_detail(request: AuthenticatedRequest, code: str) -> HttpResponse:
    try:
        entry = technique(code)
    except KeyError:
        raise Http404("No such technique.") from None
    return render(
        request,
        "care/technique_detail.html",
        {"technique": entry, "staff": request.user.is_clinic_staff},
    )
