"""Session notes and alerts for the demo clinic, after its programs (``backcare/demo/programs.py``).

Every past session of an active program gets a signed note, written through the same actions
the pages use. The first such program ends with a session where the muscles did not relax: the
monitor pauses it, opens an alert and drafts a letter. Another program, at a reassessment
session with little improvement, gets a "not responding" alert. Loading again changes nothing.
"""

from __future__ import annotations

import datetime as dt

from backcare.booking.models import Appointment, AppointmentStatus
from backcare.care.models import Program, ProgramStatus
from backcare.notes import actions, queries
from backcare.notes.models import SessionNote

TOOK_PLACE = (AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED)
PORTAL_LOGIN = "alex.rivera@example.com"


def _past_sessions(program: Program, now: dt.datetime) -> list[Appointment]:
    return list(
        program.appointments.filter(status__in=TOOK_PLACE, ends__lte=now)
        .select_related("therapist__user", "client", "service", "location")
        .order_by("starts", "pk")
    )


def _write(
    appointment: Appointment,
    *,
    pre: int,
    post: int,
    response: str = "relaxed",
    findings: str = "Hypertonic lumbar paraspinals, tender at L4-L5 on the left.",
) -> SessionNote:
    therapist = appointment.therapist.user
    when = appointment.ends + dt.timedelta(minutes=10)
    note = actions.start_note(therapist, appointment, now=when)
    values = {
        **{name: getattr(note, name) for name in actions.NOTE_FIELDS},
        "subjective": "Slept better this week; sitting at work still aggravates it.",
        "pre_nrs": pre,
        "findings": findings,
        "fingertip_floor_cm": 24,
        "tissue_response": response,
        "post_nrs": post,
        "plan": "Continue the program; review at the next reassessment.",
        "home_care": note.home_care
        or "Walk 20 minutes a day; cat-cow stretches morning and night.",
    }
    note = actions.save_note(therapist, note, values, now=when)
    return actions.sign_note(therapist, note, now=when)


def load(now: dt.datetime) -> None:
    if SessionNote.objects.exists():
        return
    programs = list(
        Program.objects.filter(status=ProgramStatus.ACTIVE)
        .select_related("client", "therapist__user")
        .order_by("pk")
    )
    with_sessions = [(p, _past_sessions(p, now)) for p in programs]
    with_sessions = [(p, sessions) for p, sessions in with_sessions if sessions]
    if not with_sessions:
        return
    # A program whose past sessions reach a reassessment point shows "not responding".
    not_responding = next(
        (
            program
            for program, sessions in with_sessions[1:]
            if any(number <= len(sessions) for number in program.reassessment_sessions)
        ),
        None,
    )
    # The muscles of one client did not relax: they are held until a doctor answers. Not the
    # portal login's (Alex), who shows the demo's booking pages, nor the client whose recorded
    # clearance shows a client booked again.
    pausing = next(
        (
            index
            for index, (program, _) in enumerate(with_sessions)
            if program.client.email != PORTAL_LOGIN and not program.client.clearances.exists()
        ),
        0,
    )
    for index, (program, sessions) in enumerate(with_sessions):
        baseline = queries.baseline_nrs(program.client, program) or 6
        for number, session in enumerate(sessions, start=1):
            last = number == len(sessions)
            if index == pausing and last:
                # The session that pauses the program: the muscles did not relax.
                _write(
                    session,
                    pre=max(0, baseline - 1),
                    post=max(0, baseline - 1),
                    response="no_relaxation",
                    findings="Paraspinals stayed hard under light pressure; guarding on the left.",
                )
            elif program == not_responding:
                # Little change: at the reassessment pain is a point below the start.
                _write(session, pre=max(0, baseline - 1), post=max(0, baseline - 1))
            else:
                eased = min(baseline, number)
                _write(session, pre=baseline - eased, post=max(0, baseline - eased - 1))
