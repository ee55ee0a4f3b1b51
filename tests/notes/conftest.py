"""Alice's active program with Tess and her appointments, for the check-in and note tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from backcare.booking.models import Appointment
from backcare.care.models import Program, ProgramStatus
from backcare.notes import actions, queries
from backcare.notes.models import CheckIn, SessionNote
from backcare.screening import actions as screening_actions
from tests import factories
from tests.conftest import Clinic

START = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
"""Monday March 2, 2026, 10:00 in Atlanta: the program's first session."""


@dataclass
class Course:
    program: Program
    sessions: list[Appointment]


def check_in_answers(*codes: str, nrs: int = 5, **other: Any) -> dict[str, Any]:
    """Check-in answers: "no" to every red-flag question unless its code is given."""
    answers: dict[str, Any] = {
        question.id: "yes" if question.code in codes else "no"
        for question in queries.red_flag_step().questions
    }
    answers.update({"nrs": nrs, "health_changed": False, "health_changes": ""})
    answers.update(other)
    return answers


def note_values(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "subjective": "Sat through a film on Saturday.",
        "pre_nrs": 5,
        "findings": "Hypertonic paraspinals L3-L5.",
        "areas": ["lower_back_left", "lower_back_right"],
        "fingertip_floor_cm": 22,
        "techniques": [{"code": "swedish", "minutes": 40, "pressure": 2}],
        "tissue_response": "relaxed",
        "post_nrs": 4,
        "adverse_events": "",
        "plan": "Same again next week.",
        "home_care": "Walk 20 minutes a day.",
    }
    values.update(changes)
    return values


@pytest.fixture
def course(clinic: Clinic) -> Course:
    """Alice, screened with osteoporosis (pressure at most 2), cleared of nothing else, on an
    active 10-session program with Tess: swedish and myofascial release, reassessed at 4 and
    10, baseline NRS 6. Ten weekly appointments from START."""
    screening = factories.screened(
        clinic.alice,
        ["osteoporosis"],
        actor=clinic.tess.user,
        at=START - dt.timedelta(days=7),
        nrs_now=6,
    )
    program = factories.ProgramFactory.create(
        client=clinic.alice,
        therapist=clinic.tess,
        service=clinic.service,
        techniques=["swedish", "myofascial_release"],
        pressure_cap=2,
        screening=screening,
        status=ProgramStatus.ACTIVE,
        started_on=START.date(),
        created_by=clinic.tess.user,
        created_at=START - dt.timedelta(days=7),
    )
    sessions = [
        factories.AppointmentFactory.create(
            client=clinic.alice,
            therapist=clinic.tess,
            service=clinic.service,
            location=clinic.location,
            starts=START + dt.timedelta(weeks=week),
            program=program,
            booked_at=START - dt.timedelta(days=7),
        )
        for week in range(10)
    ]
    return Course(program=program, sessions=sessions)


def check_in(
    clinic: Clinic, appointment: Appointment, *codes: str, nrs: int = 5, **other: Any
) -> CheckIn:
    with time_machine.travel(appointment.starts - dt.timedelta(minutes=10), tick=False):
        return actions.record_check_in(
            clinic.front_desk,
            appointment,
            check_in_answers(*codes, nrs=nrs, **other),
            source=CheckIn.Source.DESK,
        )


def signed_note(clinic: Clinic, appointment: Appointment, **changes: Any) -> SessionNote:
    """Check the client in, and write and sign the session's note as Tess."""
    check_in(clinic, appointment, nrs=changes.get("pre_nrs", 5))
    when = appointment.ends
    note = actions.start_note(clinic.tess.user, appointment, now=when)
    note = actions.save_note(clinic.tess.user, note, note_values(**changes), now=when)
    return actions.sign_note(clinic.tess.user, note, now=when)


def record_clearance(clinic: Clinic) -> None:
    screening = clinic.alice.screenings.order_by("-created_at", "-pk").first()
    assert screening is not None
    screening_actions.record_clearance(
        clinic.owner,
        clinic.alice,
        screening,
        {"physician_name": "Dr. Grace Lee", "cleared_on": START.date()},
        at=START,
        document=SimpleUploadedFile("note.pdf", b"%PDF-1.4 note", "application/pdf"),
    )
