"""Outcome answers for the demo clinic, after its appointments, programs and notes.

Each client's intake already recorded the baseline (NRS, PEG, PSFS). Here every attended session
gets the pain rating the client gave at check-in (unless a check-in recorded one), each program
reassessment point reached gets its answers, and an ended program its discharge answers, so the
progress chart and the discharge summary show a realistic course: most clients improve by
different amounts, one does not. Written through ``record_response``; loading again changes
nothing.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import defaultdict
from collections.abc import Mapping, Sequence

from backcare.accounts.models import User
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.care.models import ENDED_STATUSES, Program
from backcare.clinic.models import Client
from backcare.outcomes import catalogue
from backcare.outcomes.actions import record_response
from backcare.outcomes.models import Occasion, Response

# How much of the baseline pain is gone by the third session, by kind of course.
COURSES = (0.6, 0.45, 0.3, 0.15, -0.1)
"""Substantial, moderate, moderate, minimal, worse: the first client's course is the first."""


def _course(client: Client) -> float:
    return COURSES[zlib.crc32(client.full_name.encode()) % len(COURSES)]


def _nrs(baseline: float, session: int, course: float) -> int:
    """Pain at a session: most of the change comes in the first three sessions, then it
    levels off, with a small bump every third session."""
    eased = course * min(1.0, session / 3) + 0.03 * max(0, session - 3)
    value = baseline * (1 - min(eased, 0.9)) + (0.6 if session % 3 == 0 else 0)
    return max(0, min(10, int(value + 0.5)))


def _scaled(
    values: list[int], baseline_nrs: float, nrs: int, *, higher_is_better: bool
) -> list[int]:
    """Move every item of a baseline (PEG, PSFS) as far as NRS moved, in its own direction."""
    ratio = nrs / baseline_nrs if baseline_nrs else 1
    if higher_is_better:
        return [max(0, min(10, round(10 - (10 - v) * ratio))) for v in values]
    return [max(0, min(10, round(v * ratio))) for v in values]


def _pgic(course: float) -> str:
    return "1" if course >= 0.55 else "2" if course >= 0.3 else "3" if course > 0 else "5"


def load(now: dt.datetime) -> None:
    answered = set(
        Response.objects.filter(appointment__isnull=False).values_list("appointment_id", flat=True)
    )
    followed_up = set(
        Response.objects.filter(
            program__isnull=False, occasion__in=(Occasion.REASSESSMENT, Occasion.DISCHARGE)
        ).values_list("program_id", flat=True)
    )
    baselines: dict[int, dict[str, Response]] = defaultdict(dict)
    for response in Response.objects.filter(occasion=Occasion.INTAKE).order_by("collected_at"):
        baselines[response.client_id].setdefault(response.instrument, response)
    visits: dict[int, list[Appointment]] = defaultdict(list)
    for visit in (
        Appointment.objects.filter(status=AppointmentStatus.COMPLETED, ends__lte=now)
        .select_related("client", "program")
        .order_by("starts", "pk")
    ):
        visits[visit.client_id].append(visit)
    for client_id, attended in visits.items():
        baseline = baselines[client_id].get("nrs")
        if baseline is None:
            continue
        course = _course(attended[0].client)
        for number, visit in enumerate(attended, start=1):
            if visit.pk in answered:
                continue
            record_response(
                visit.client.user,
                visit.client,
                "nrs",
                [_nrs(baseline.score, number, course)],
                occasion=Occasion.CHECK_IN,
                program=visit.program,
                appointment=visit,
                now=visit.starts - dt.timedelta(minutes=10),
            )
    programs = Program.objects.exclude(pk__in=followed_up)
    for program in programs.select_related("client__user").prefetch_related("goals"):
        _follow_ups(program, visits.get(program.client_id, []), baselines[program.client_id])


def _follow_ups(
    program: Program, attended: list[Appointment], baseline: dict[str, Response]
) -> None:
    sessions = [visit for visit in attended if visit.program_id == program.pk]
    if "nrs" not in baseline or not sessions:
        return
    course = _course(program.client)
    points = [p for p in program.reassessment_sessions if p <= len(sessions)]
    moments = [(Occasion.REASSESSMENT, p) for p in points]
    if program.status in ENDED_STATUSES:
        moments = [m for m in moments if m[1] != len(sessions)] + [
            (Occasion.DISCHARGE, len(sessions))
        ]
    goals = [goal.activity for goal in program.goals.all()]
    for occasion, number in moments:
        visit = sessions[number - 1]
        nrs = _nrs(baseline["nrs"].score, number, course)
        answers: dict[str, Sequence[object]] = {"nrs": [nrs], "pgic": [_pgic(course)]}
        if "peg" in baseline:
            answers["peg"] = _scaled(
                list(baseline["peg"].answers), baseline["nrs"].score, nrs, higher_is_better=False
            )
        if "psfs" in baseline and len(goals) >= 3:
            start = list(baseline["psfs"].answers)[: len(goals)]
            start += [start[-1]] * (len(goals) - len(start))
            answers["psfs"] = _scaled(start, baseline["nrs"].score, nrs, higher_is_better=True)
        record_answers(program.client.user, answers, occasion, program, visit, goals)


def record_answers(
    actor: User | None,
    answers: Mapping[str, Sequence[object]],
    occasion: Occasion,
    program: Program,
    visit: Appointment,
    goals: Sequence[str],
) -> None:
    """The client's answers at a reassessment or discharge, each instrument the clinic uses
    recorded five minutes after the session ``visit``."""
    for key, values in answers.items():
        if key not in catalogue.enabled():
            continue
        record_response(
            actor,
            program.client,
            key,
            values,
            occasion=occasion,
            program=program,
            appointment=visit,
            now=visit.ends + dt.timedelta(minutes=5),
            activities=goals if key == "psfs" else (),
        )
