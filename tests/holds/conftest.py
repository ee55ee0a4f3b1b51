"""Alice, held after a possible injury, with everything a door could be asked to change: a
booked session tomorrow, a draft program with Tess, an open clinic (SPEC §2a)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import time_machine
from django.utils import timezone

from backcare.booking.models import Appointment
from backcare.care.models import Program, ProgramStatus
from backcare.notes.models import Alert
from backcare.scheduling.models import BookingPolicy
from backcare.screening.models import Screening
from tests import factories
from tests.conftest import Clinic

# Monday 1 June 2026, 08:00 in Atlanta (EDT, UTC-4).
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A wall-clock time in Atlanta in June 2026, as UTC."""
    return dt.datetime(2026, 6, day, hour + 4, minute, tzinfo=dt.UTC)


@dataclass
class Held:
    clinic: Clinic
    screening: Screening
    program: Program
    session: Appointment
    """Alice's session with Tess on Tuesday June 2 at 10:00."""
    alert: Alert


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def make_program(clinic: Clinic, screening: Screening, status: str) -> Program:
    return factories.ProgramFactory.create(
        client=clinic.alice,
        therapist=clinic.tess,
        service=clinic.service,
        screening=screening,
        status=status,
        created_by=clinic.tess.user,
        created_at=NOW - dt.timedelta(days=7),
    )


def open_clinic(clinic: Clinic) -> None:
    """Tess and Theo work Monday to Friday 09:00-17:00 at Midtown."""
    for therapist in (clinic.tess, clinic.theo):
        factories.weekly_hours(therapist, clinic.location)
    BookingPolicy.current()


@pytest.fixture
def held(clinic: Clinic, frozen: None) -> Held:
    open_clinic(clinic)
    screening = factories.screened(clinic.alice, [], at=NOW - dt.timedelta(days=8))
    program = make_program(clinic, screening, ProgramStatus.DRAFT)
    session = factories.AppointmentFactory.create(
        client=clinic.alice,
        therapist=clinic.tess,
        service=clinic.service,
        location=clinic.location,
        starts=local(2, 10),
        program=program,
    )
    alert = Alert.objects.create(
        client=clinic.alice,
        program=program,
        kind="possible_injury",
        message="Possible injury: the client should consult a doctor.",
        source="The clinic's precaution.",
        opened_at=timezone.now() - dt.timedelta(hours=1),
    )
    return Held(clinic, screening, program, session, alert)
