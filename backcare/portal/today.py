"""The client's day, as the portal home shows it: the next visit (with check-in once it opens),
the program's progress and the one thing to do next. Four queries whatever the client's
history (the tests pin it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from backcare import policy
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.care.models import Program
from backcare.clinic.models import Client
from backcare.holds.queries import Standing, standing
from backcare.intake.models import Intake
from backcare.notes.models import CheckIn

REFRESH_SECONDS = 60

_OWN = "_backcare_own_standing"


@dataclass(frozen=True)
class Own:
    """The signed-in client's record and where they stand."""

    client: Client
    standing: Standing

    @property
    def can_book(self) -> bool:
        return self.standing.hold is None

    @property
    def next_steps(self) -> str:
        return next_steps_url(screened=self.standing.screening is not None)


def own(request: HttpRequest) -> Own | None:
    """The signed-in client's record and standing (six queries), read once per request: the
    page and its navigation ask the one hold check, the one time."""
    if not hasattr(request, _OWN):
        client = policy.visible_clients(request.user).select_related("home_location").first()
        found = Own(client, standing(client, timezone.localdate())) if client is not None else None
        setattr(request, _OWN, found)
    found_before: Own | None = getattr(request, _OWN)
    return found_before


def next_steps_url(*, screened: bool) -> str:
    """Where a held client reads what to do next: the screening's next steps, or their home
    (which starts the health questionnaire) before any screening."""
    return reverse("intake:portal_result" if screened else "portal:home")


@dataclass(frozen=True)
class NextStep:
    """What the client can usefully do now: a sentence, and the button that does it."""

    words: str
    label: str = ""
    url: str = ""


def _check_in_opens(appointment: Appointment, now: dt.datetime) -> bool:
    """Check-in opens on the day of the appointment, in its location's time, until it ends."""
    zone = appointment.location.zone
    return (
        appointment.status == AppointmentStatus.BOOKED
        and now.astimezone(zone).date() >= appointment.starts.astimezone(zone).date()
        and now < appointment.ends
    )


def client_day(client: Client, where: Standing, *, now: dt.datetime) -> dict[str, object]:
    upcoming = (
        Appointment.objects.filter(
            client=client,
            ends__gt=now,
            status__in=(AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN),
        )
        .select_related("location", "service", "therapist__user")
        .order_by("starts", "pk")
        .first()
    )
    checked_in = upcoming is not None and (
        upcoming.status == AppointmentStatus.CHECKED_IN
        or CheckIn.objects.filter(appointment=upcoming).exists()
    )
    program = (
        Program.objects.filter(client=client)
        .exclude(status="draft")
        .annotate(
            sessions_done=Count(
                "appointments", filter=Q(appointments__status=AppointmentStatus.COMPLETED)
            )
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    can_check_in = (
        upcoming is not None
        and not checked_in
        and _check_in_opens(upcoming, now)
        and where.at("check_in") is None
    )
    return {
        "next_visit": upcoming,
        "checked_in": checked_in,
        "can_check_in": can_check_in,
        "program": program,
        "program_percent": min(100, round(100 * program.sessions_done / program.sessions_planned))
        if program is not None and program.sessions_planned
        else 0,
        "next_step": _next_step(where, upcoming, can_check_in, program, client),
    }


def _next_step(
    where: Standing,
    upcoming: Appointment | None,
    can_check_in: bool,
    program: Program | None,
    client: Client,
) -> NextStep:
    if can_check_in and upcoming is not None:
        return NextStep(
            "Your session is today. Check in before you arrive: it takes a minute.",
            "Check in now",
            reverse("notes:portal_check_in", args=[upcoming.pk]),
        )
    if where.screening is None:
        submitted = Intake.objects.filter(client=client, status=Intake.Status.SUBMITTED)
        if not submitted.exists():
            return NextStep(
                "Tell us about your back and your health before your first visit.",
                "Start my questionnaire",
                "",  # the questionnaire card below holds the button (a form)
            )
    if where.hold is not None:
        return NextStep(where.hold.client_message, "Your next steps", next_steps_url(screened=True))
    if upcoming is not None:
        return NextStep("You are booked. We look forward to seeing you.")
    if program is not None and program.is_running:
        return NextStep(
            "Book your next session of your program.", "Book a session", reverse("booking:start")
        )
    return NextStep(
        "Book a massage session at a time that suits you.",
        "Book a session",
        reverse("booking:start"),
    )
