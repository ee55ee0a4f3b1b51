from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from backcare.booking.models import Appointment
from backcare.care.models import Goal, Program
from backcare.clinic.models import Client
from tests import factories
from tests.conftest import Clinic
from tests.outcomes.clinic_files import questionnaire

WriteInstrument = Callable[..., Path]


@pytest.fixture
def clinic_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "clinic-instruments"
    folder.mkdir()
    return folder


@pytest.fixture
def write_instrument(clinic_dir: Path) -> WriteInstrument:
    """Drop a Questionnaire and its scoring file into the clinic folder, as a clinic would."""

    def write(
        instrument_id: str,
        items: list[dict[str, Any]] | None,
        scoring: dict[str, Any] | None,
    ) -> Path:
        if items is not None:
            (clinic_dir / f"{instrument_id}.json").write_text(
                json.dumps(questionnaire(instrument_id, items)), encoding="utf-8"
            )
        if scoring is not None:
            (clinic_dir / f"{instrument_id}.scoring.json").write_text(
                json.dumps({"instrument": instrument_id, **scoring}), encoding="utf-8"
            )
        return clinic_dir

    return write


# --- Records for the collection, progress and discharge tests -------------------------------

START = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
"""A Monday afternoon in Atlanta: the program's first session."""


def make_program(
    clinic: Clinic,
    client: Client | None = None,
    *,
    sessions: int = 10,
    reassessments: tuple[int, ...] = (4, 10),
    goals: tuple[tuple[str, int], ...] = (
        ("Sitting through a film", 4),
        ("Gardening", 3),
        ("Lifting the laundry basket", 5),
    ),
    status: str = "active",
    at: dt.datetime = START,
) -> Program:
    """A program for Alice with Tess (or ``client``), written straight to the tables."""
    client = client or clinic.alice
    screening = client.screenings.order_by("-created_at").first() or factories.screened(
        client, at=at - dt.timedelta(days=7)
    )
    program = factories.ProgramFactory.create(  # the chronic low back pain template, weekly
        client=client,
        therapist=clinic.tess,
        service=clinic.service,
        sessions_planned=sessions,
        reassessment_sessions=list(reassessments),
        techniques=["swedish", "myofascial_release"],
        self_care="Walk for 20 minutes every day. Do the knee-to-chest stretch morning and night.",
        screening=screening,
        status=status,
        started_on=at.date(),
        created_by=clinic.tess.user,
        created_at=at - dt.timedelta(days=1),
    )
    for position, (activity, baseline) in enumerate(goals):
        Goal.objects.create(
            program=program, activity=activity, baseline=baseline, target=8, position=position
        )
    return program


def add_sessions(
    clinic: Clinic, program: Program, statuses: list[str], *, start: dt.datetime = START
) -> list[Appointment]:
    """One weekly appointment of the program per status, from ``start``."""
    return [
        factories.AppointmentFactory.create(
            client=program.client,
            therapist=program.therapist,
            service=program.service,
            location=clinic.location,
            program=program,
            starts=start + dt.timedelta(weeks=week),
            status=status,
        )
        for week, status in enumerate(statuses)
    ]


@pytest.fixture
def program(clinic: Clinic) -> Program:
    return make_program(clinic)
