"""Programs for the demo clinic (``backcare demo``), made through the same actions the pages use:
one in every status, several active with their booked sessions, for the screened clients whose
screening allows a program. Loaded after the appointments and before the session notes."""

from __future__ import annotations

import datetime as dt

from backcare.care import actions
from backcare.care.models import Program, ProgramStatus
from backcare.care.templates import load_templates
from backcare.clinic.models import Client, Service
from backcare.holds.queries import standing

# The statuses the demo's programs end up in, in the order of the clients they go to.
PLAN: tuple[tuple[str, str], ...] = (
    (ProgramStatus.ACTIVE, "chronic_low_back_pain"),
    (ProgramStatus.ACTIVE, "intensive"),
    (ProgramStatus.ACTIVE, "chronic_low_back_pain"),
    (ProgramStatus.PAUSED, "chronic_low_back_pain"),
    (ProgramStatus.DRAFT, "intensive"),
    (ProgramStatus.COMPLETED, "chronic_low_back_pain"),
    (ProgramStatus.DISCHARGED, "chronic_low_back_pain"),
    (ProgramStatus.REFERRED_OUT, "intensive"),
)

REASONS: dict[str, str] = {
    ProgramStatus.ACTIVE: "First session booked; goals agreed with the client.",
    ProgramStatus.PAUSED: "Away for three weeks; will resume on return.",
    ProgramStatus.COMPLETED: "All sessions done; goals met or nearly met.",
    ProgramStatus.DISCHARGED: "The client chose to stop after feeling better.",
    ProgramStatus.REFERRED_OUT: "Referred to physical therapy for a strengthening program.",
}


def load(now: dt.datetime) -> None:
    """Make the demo programs, unless there are some already."""
    if Program.objects.exists():
        return
    today = now.date()
    service = Service.objects.get(duration_minutes=60)
    candidates = []
    for client in Client.objects.order_by("pk"):
        where = standing(client, today)
        member = client.care_team.filter(ended_at__isnull=True).select_related("therapist__user")
        first = member.first()
        if where.screening is not None and where.hold is None and first is not None:
            candidates.append((client, first.therapist, where))
    for (status, key), (client, therapist, where) in zip(PLAN, candidates, strict=False):
        template = load_templates().get(key)
        verdicts = where.screening.techniques if where.screening else {}
        created = now - dt.timedelta(days=40 if status in (ProgramStatus.COMPLETED,) else 21)
        program = actions.create_program(
            therapist.user,
            client,
            template=key,
            service=service,
            techniques=[code for code in template.techniques if verdicts.get(code) != "avoid"],
            goals=actions.default_goals(client, template)
            or [actions.GoalInput(name, target=7) for name in template.goal_suggestions[:3]],
            now=created,
        )
        if status == ProgramStatus.DRAFT:
            continue
        started = created + dt.timedelta(days=1)
        actions.change_program_status(
            therapist.user,
            program,
            ProgramStatus.ACTIVE,
            REASONS[ProgramStatus.ACTIVE],
            now=started,
        )
        if status == ProgramStatus.ACTIVE:
            sessions = list(
                client.appointments.exclude(status="cancelled")
                .filter(program__isnull=True)
                .order_by("starts")[: program.sessions_planned]
            )
            if sessions:
                actions.attach_appointments(therapist.user, program, sessions)
            continue
        actions.change_program_status(
            therapist.user, program, status, REASONS[status], now=now - dt.timedelta(days=2)
        )
