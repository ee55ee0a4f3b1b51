"""Each program's summary for the analytics (ProgramCourse): decided by the progress page's own
rules, and kept up to date by the events of every change it is derived from (SPEC §5)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from backcare.analytics.course import course
from backcare.analytics.models import ProgramCourse
from backcare.booking.actions import cancel_appointment
from backcare.booking.models import AppointmentStatus
from backcare.care.actions import attach_appointments
from backcare.care.models import Program
from backcare.outcomes.actions import record_response
from backcare.outcomes.instruments import shipped_instruments
from backcare.outcomes.progress import Entry
from tests import factories
from tests.analytics.conftest import FIRST_DAY, at, program, session

NEW_YORK = ZoneInfo("America/New_York")
NRS = shipped_instruments()["nrs"]


def summary(of: Program) -> ProgramCourse:
    return ProgramCourse.objects.get(program=of)


def nrs(score: float, when: dt.datetime, occasion: str = "check_in") -> Entry:
    return Entry("nrs", score, when, occasion)


def test_the_baseline_is_the_last_intake_answer_up_to_the_end_of_the_first_day():
    intake = [
        nrs(9, at(FIRST_DAY - dt.timedelta(days=10)), "intake"),
        nrs(8, at(FIRST_DAY, 14), "intake"),  # on the first day itself: counts
        nrs(2, at(FIRST_DAY + dt.timedelta(days=3)), "intake"),  # after: does not
    ]
    found = course(NRS, FIRST_DAY, NEW_YORK, intake, [nrs(6, at(FIRST_DAY + dt.timedelta(7)))])
    assert found.baseline == 8
    assert found.responder_class == "moderate"  # 8 to 6: 2 points


def test_weeks_run_to_the_first_meaningful_improvement_and_to_the_last_score():
    intake = [nrs(10, at(FIRST_DAY - dt.timedelta(days=7)), "intake")]
    follow_ups = [
        nrs(9, at(FIRST_DAY + dt.timedelta(days=7))),  # week 1: not yet
        nrs(7, at(FIRST_DAY + dt.timedelta(days=14))),  # week 2: 30% better
        nrs(9, at(FIRST_DAY + dt.timedelta(days=28))),  # week 4: the latest, 1 point only
    ]
    found = course(NRS, FIRST_DAY, NEW_YORK, intake, follow_ups)
    assert (found.improved_week, found.latest_week) == (2, 4)
    assert found.responder_class == "minimal"  # judged by the latest score


def test_an_evening_answer_belongs_to_the_clinics_day_not_the_utc_one():
    intake = [nrs(10, at(FIRST_DAY - dt.timedelta(days=7)), "intake")]
    # 01:30 UTC on day 8 is 8:30 pm in Atlanta on day 7: week 1, not week 2.
    evening = dt.datetime.combine(FIRST_DAY + dt.timedelta(days=8), dt.time(1, 30), tzinfo=dt.UTC)
    found = course(NRS, FIRST_DAY, NEW_YORK, intake, [nrs(4, evening)])
    assert found.improved_week == 1


def test_without_a_score_since_the_start_there_is_no_class():
    intake = [nrs(10, at(FIRST_DAY - dt.timedelta(days=7)), "intake")]
    found = course(NRS, FIRST_DAY, NEW_YORK, intake, [])
    assert (found.baseline, found.latest, found.responder_class) == (10, None, "")
    assert found.improved_week is None and found.latest_week is None


# --- Kept up to date --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_pain_score_updates_the_programs_summary(clinic, django_capture_on_commit_callbacks):
    made = program(clinic, baseline=10, scores={7: 9})
    assert summary(made).responder_class == "minimal"
    with django_capture_on_commit_callbacks(execute=True):
        record_response(
            None,
            made.client,
            "nrs",
            [4],
            occasion="check_in",
            program=made,
            now=at(FIRST_DAY + dt.timedelta(days=14)),
        )
    found = summary(made)
    assert (found.latest, found.responder_class, found.improved_week) == (4, "substantial", 2)


@pytest.mark.django_db
def test_cancelling_the_first_session_moves_the_program_to_where_it_now_starts(
    clinic, django_capture_on_commit_callbacks
):
    elsewhere = factories.LocationFactory.create(name="Decatur")
    made = program(clinic, scores={7: 8})
    first = session(clinic, made, FIRST_DAY, location=elsewhere, status=AppointmentStatus.BOOKED)
    session(clinic, made, FIRST_DAY + dt.timedelta(days=7), location=clinic.location)
    assert summary(made).place == elsewhere
    with django_capture_on_commit_callbacks(execute=True):
        cancel_appointment(
            clinic.front_desk, first, "Away", now=at(FIRST_DAY - dt.timedelta(days=3))
        )
    assert summary(made).place == clinic.location


@pytest.mark.django_db
def test_attaching_booked_sessions_gives_the_program_its_location(
    clinic, django_capture_on_commit_callbacks
):
    made = program(clinic, scores={7: 8})
    loose = factories.AppointmentFactory.create(
        client=made.client,
        therapist=made.therapist,
        service=clinic.service,
        location=clinic.location,
        starts=at(FIRST_DAY),
    )
    assert summary(made).place is None
    with django_capture_on_commit_callbacks(execute=True):
        attach_appointments(None, made, [loose])
    assert summary(made).place == clinic.location


@pytest.mark.django_db
def test_refresh_analytics_rebuilds_summaries_lost_to_a_bulk_load(clinic, capsys):
    made = program(clinic, baseline=10, scores={7: 7, 14: 4}, sessions=[0, 7, 14])
    fields = ("place", "baseline", "latest", "responder_class", "latest_week", "improved_week")
    before = ProgramCourse.objects.values(*fields).get(program=made)
    ProgramCourse.objects.all().delete()
    call_command("refresh_analytics")
    after = ProgramCourse.objects.values(*fields).get(program=made)
    assert after == before
    assert "Refreshed the analytics of 1 program." in capsys.readouterr().out
