"""A therapist plans a program from a template for a client cleared by her doctor, then books its
series, in a real headless Chromium (SPEC §2 step 3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from backcare.booking.models import Appointment
from backcare.care.models import Program
from backcare.scheduling.calendar_days import public_holidays
from backcare.scheduling.models import BookingPolicy
from backcare.screening.actions import record_clearance
from tests import factories
from tests.browser.conftest import at_home
from tests.conftest import Clinic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tess_plans_a_program_for_a_cleared_client_and_books_its_series(
    page: Page, live_server: Any, clinic: Clinic
) -> None:
    held = factories.screened(clinic.alice, ["night_pain"], actor=clinic.tess.user)
    record_clearance(
        clinic.tess.user,
        clinic.alice,
        held,
        {"physician_name": "Dr. Miriam Okafor", "cleared_on": timezone.localdate()},
        at=timezone.now(),
    )
    factories.weekly_hours(clinic.tess, clinic.location)
    BookingPolicy.current()
    today = timezone.now().astimezone(clinic.location.zone).date()
    monday = today + dt.timedelta(days=7 - today.weekday())
    # The series skips public holidays (Christmas, New Year…): count the dates it books.
    mondays = [monday + dt.timedelta(weeks=week) for week in range(10)]
    holidays = public_holidays(clinic.location.state, mondays[0], mondays[-1])
    free = sum(1 for day in mondays if day not in holidays)

    at_home(page, live_server.url, clinic.tess.user)
    page.goto(f"{live_server.url}{clinic.alice.get_absolute_url()}")
    page.get_by_role("link", name="Start a program").click()

    expect(page.get_by_role("heading", name="Start a program for Alice Anders")).to_be_visible()
    expect(page.get_by_label("Activity 1:", exact=True)).to_have_value("Sitting through a film")
    page.get_by_role("button", name="Plan the program").click()

    expect(
        page.get_by_role("heading", name="Chronic low back pain — 10 weekly 60-minute sessions")
    ).to_be_visible()
    expect(page.get_by_text("Planned from the template")).to_be_visible()
    page.get_by_role("link", name="Book the sessions").click()

    page.get_by_label("Location").select_option(label=str(clinic.location))
    page.get_by_label("First session").fill(monday.isoformat())
    page.get_by_label("Time").fill("10:00")
    page.get_by_role("button", name="Check the dates").click()
    expect(page.get_by_text("The dates, checked (nothing booked yet)")).to_be_visible()
    page.get_by_role("button", name=f"Book the {free} free dates").click()

    expect(page.get_by_role("heading", name="What was booked")).to_be_visible()
    program = Program.objects.get()
    assert Appointment.objects.filter(program=program).count() == free
