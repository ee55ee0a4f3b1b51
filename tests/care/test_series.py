"""A program's sessions are booked as one series with its therapist and service, and each
booked appointment belongs to the program."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from backcare.booking.actions import book_series
from backcare.care.actions import book_program_series, sessions_to_book
from backcare.care.models import ProgramStatus
from backcare.lib.errors import FieldError
from tests import factories
from tests.care.conftest import NOW, program_in
from tests.conftest import Clinic

NY = ZoneInfo("America/New_York")
# Four weeks of Mondays and Thursdays clear of public holidays in Georgia, which a series skips.
MONDAY = dt.datetime(2027, 2, 1, 10, tzinfo=NY)


@time_machine.travel(NOW, tick=False)
def test_the_twice_weekly_series_is_linked_to_the_program(clinic: Clinic) -> None:
    factories.weekly_hours(clinic.tess, clinic.location)
    program = program_in(clinic, ProgramStatus.ACTIVE)
    program.sessions_planned, program.sessions_per_week = 8, 2
    program.save()

    report = book_program_series(clinic.tess.user, program, clinic.location, MONDAY, now=NOW)

    assert len(report.booked) == 8
    assert [a.starts.astimezone(NY).strftime("%a") for a in report.booked[:2]] == ["Mon", "Thu"]
    assert program.appointments.count() == 8
    assert sessions_to_book(program) == 0
    with pytest.raises(FieldError) as refused:
        book_program_series(clinic.tess.user, program, clinic.location, MONDAY, now=NOW)
    assert refused.value.field == "count"


@pytest.mark.parametrize("status", [ProgramStatus.COMPLETED, ProgramStatus.REFERRED_OUT])
def test_an_ended_program_books_nothing(clinic: Clinic, status: str) -> None:
    program = program_in(clinic, status)

    with pytest.raises(FieldError) as refused:
        book_program_series(clinic.tess.user, program, clinic.location, MONDAY, now=NOW)

    assert refused.value.field == "status"


def test_a_series_cannot_be_booked_into_someone_else_s_program(clinic: Clinic) -> None:
    program = program_in(clinic, ProgramStatus.ACTIVE)

    with pytest.raises(FieldError) as refused:
        book_series(
            clinic.owner,
            clinic.bob,
            clinic.service,
            clinic.tess,
            clinic.location,
            MONDAY,
            2,
            program=program,
            now=NOW,
        )

    assert refused.value.field == "program"
