"""A day at the clinic, in a real headless Chromium, from the staff home's "today": the front
desk's morning (arrivals, a check-in from the arrival row, a late cancellation filled from the
waitlist by a drag on the calendar) and a therapist's day (today's sessions in order, the note
of a checked-in client opened from its row, signed, and shown signed back on the home page).

The clock stands at 10:00 on a Monday at Midtown (it goes on ticking), so that the day has
clients already late, clients still expected and free times left to fill whenever the tests run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from backcare.booking.actions.cancelling import cancel_appointment
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.clinic.models import Client
from backcare.notes.actions import record_check_in
from backcare.notes.models import CheckIn, SessionNote
from backcare.scheduling.models import BookingPolicy
from backcare.waitlist.models import WaitlistEntry
from tests import factories
from tests.browser.conftest import at_home
from tests.browser.test_calendar_drag import book_waiting, free_time
from tests.browser.test_session_note_journey import check_in
from tests.browser.test_staff_calendar import at, next_monday
from tests.conftest import Clinic
from tests.notes.conftest import check_in_answers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def monday(clinic: Clinic) -> Iterator[dt.date]:
    """Next Monday at Midtown, the clock at 10:00 there; Tess works 09:00-17:00."""
    day = next_monday(clinic)
    with time_machine.travel(at(clinic, day, 10), tick=True):
        factories.weekly_hours(clinic.tess, clinic.location)
        BookingPolicy.current()
        yield day


def client_named(first: str, last: str) -> Client:
    """A client who has answered their health questionnaire."""
    client = factories.ClientFactory.create(first_name=first, last_name=last)
    factories.screened(client, [])
    return client


def book(clinic: Clinic, client: Client, day: dt.date, hour: int, minute: int = 0) -> Appointment:
    return factories.AppointmentFactory.create(
        client=client,
        therapist=clinic.tess,
        service=clinic.service,
        location=clinic.location,
        starts=at(clinic, day, hour) + dt.timedelta(minutes=minute),
    )


def today_row(page: Page, name: str) -> Locator:
    return page.locator(".today-row", has_text=name)


def go_home(page: Page, live_server: Any) -> None:
    page.goto(f"{live_server.url}{reverse('staff:home')}")


def test_a_front_desk_morning(
    page: Page, live_server: Any, clinic: Clinic, monday: dt.date
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    factories.screened(clinic.alice, [])
    factories.screened(clinic.bob, [])
    cara = client_named("Cara", "Hold")
    dan = client_named("Dan", "Dropout")
    eve = client_named("Eve", "Early")
    book(clinic, clinic.alice, monday, 9)  # due an hour ago, not here yet
    arriving = book(clinic, clinic.bob, monday, 10, 30)
    cancelling = book(clinic, dan, monday, 12)
    book(clinic, cara, monday, 14)
    factories.possible_injury(cara)
    WaitlistEntry.objects.create(
        client=eve,
        service=clinic.service,
        location=clinic.location,
        earliest=monday,
        latest=monday + dt.timedelta(days=4),
    )

    # The desk, signed in, sees the day's arrivals, in order, with who is late and who is held.
    at_home(page, live_server.url, clinic.front_desk)
    expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, Fran")
    arrivals = page.get_by_role("region", name="Arrivals today")
    rows = arrivals.locator(".today-row")
    expect(rows).to_have_count(4)
    for index, (when, name) in enumerate(
        [
            ("9:00 AM", "Alice Anders"),
            ("10:30 AM", "Bob Baker"),
            ("12:00 PM", "Dan Dropout"),
            ("2:00 PM", "Cara Hold"),
        ]
    ):
        expect(rows.nth(index).locator(".today-when")).to_have_text(when)
        expect(rows.nth(index).locator(".today-who")).to_contain_text(name)
    expect(today_row(page, "Alice Anders")).to_contain_text("Late")
    expect(today_row(page, "Bob Baker")).to_contain_text("Expected")
    held = today_row(page, "Cara Hold")
    expect(held).to_contain_text("On hold")
    expect(held.get_by_role("link", name="Check in Cara Hold")).to_have_count(0)
    glance = page.get_by_role("region", name="Today at a glance")
    expect(glance).to_contain_text("1late")
    expect(glance).to_contain_text("1on hold")

    # Bob arrives: the desk checks him in from his row, on the clinic's tablet form.
    today_row(page, "Bob Baker").get_by_role("link", name="Check in Bob Baker").click()
    check_in(page, pain="4")

    go_home(page, live_server)
    expect(today_row(page, "Bob Baker").locator(".today-state")).to_contain_text("Checked in")
    expect(
        today_row(page, "Bob Baker").get_by_role("link", name="Check in Bob Baker")
    ).to_have_count(0)
    assert CheckIn.objects.get(appointment=arriving).nrs == 4

    # Dan phones: he cannot come at noon. The desk cancels (late), and the home page offers
    # the freed time to Eve, who is waiting for one.
    cancelled = cancel_appointment(clinic.front_desk, cancelling, "Phoned in: his car broke down.")
    assert cancelled.late_cancellation
    go_home(page, live_server)
    gaps = page.get_by_role("region", name="Times to fill")
    expect(gaps).to_contain_text("12:00 PM with Tess Therapist at Midtown")
    expect(gaps).to_contain_text("freed when Dan Dropout cancelled")
    expect(gaps).to_contain_text("Eve Early is waiting for Back massage")

    # The desk fills it on the calendar: Eve dragged from the waitlist onto the freed noon.
    calendar = reverse("scheduling:location_calendar", args=[clinic.location.pk])
    page.goto(f"{live_server.url}{calendar}?date={monday.isoformat()}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Midtown")

    book_waiting(page, "Eve Early", free_time(page, monday, "12:00 PM"), "12:00")

    expect(page.locator(".entry", has_text="Eve Early")).to_be_visible()
    expect(
        page.get_by_role(
            "link", name=f"Book Tess Therapist, {monday:%a %b} {monday.day} at 12:00 PM", exact=True
        )
    ).to_have_count(0)
    assert Appointment.objects.filter(
        client=eve, starts=at(clinic, monday, 12), status=AppointmentStatus.BOOKED
    ).exists()
    assert errors == []


def test_a_therapists_day(page: Page, live_server: Any, clinic: Clinic, monday: dt.date) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    factories.screened(clinic.alice, [])
    factories.screened(clinic.bob, [])
    factories.treat(clinic.tess, clinic.bob)
    later = book(clinic, clinic.bob, monday, 11)
    first = book(clinic, clinic.alice, monday, 9, 30)
    record_check_in(clinic.front_desk, first, check_in_answers(nrs=6), source=CheckIn.Source.DESK)

    # Tess, signed in, sees her day in order: Alice (in since half past nine), then Bob at eleven.
    at_home(page, live_server.url, clinic.tess.user)
    expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, Tess")
    today = page.get_by_role("region", name="Your sessions today")
    rows = today.locator(".today-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator(".today-when")).to_have_text("9:30 AM")
    expect(rows.nth(0).locator(".today-who")).to_contain_text("Alice Anders")
    expect(rows.nth(0).locator(".today-state")).to_contain_text("Checked in")
    expect(rows.nth(0).locator(".today-state")).to_contain_text("No note yet")
    expect(rows.nth(1).locator(".today-when")).to_have_text("11:00 AM")
    expect(rows.nth(1).locator(".today-who")).to_contain_text("Bob Baker")
    expect(rows.nth(1).locator(".today-state")).to_contain_text("Not checked in yet")

    # One click from Alice's row opens her note, with her check-in pain already in it.
    rows.nth(0).get_by_role("link", name="Write the note for Alice Anders").click()
    expect(page.get_by_label("Pain before the session (0–10)")).to_have_value("6")
    page.get_by_label("Findings").fill("Left paraspinals tight; eased under moderate pressure.")
    page.get_by_label("Tissue response to pressure").select_option("relaxed")
    page.get_by_label("Pain after the session (0–10)").select_option("4")
    expect(page.locator("#autosave-status")).to_contain_text("Saved at")
    page.get_by_role("button", name="Sign the note").click()
    expect(page.get_by_text("Note signed. It can no longer be changed.")).to_be_visible()

    # Back on the home page, Alice's row says the note is signed; Bob's is still to come.
    go_home(page, live_server)
    alice = today.locator(".today-row", has_text="Alice Anders")
    expect(alice.locator(".today-state")).to_contain_text("Note signed")
    expect(alice.get_by_role("link", name="Read the note for Alice Anders")).to_be_visible()
    bob = today.locator(".today-row", has_text="Bob Baker")
    expect(bob.locator(".today-state")).to_contain_text("No note yet")
    assert SessionNote.objects.get(appointment=first).is_signed
    assert not SessionNote.objects.filter(appointment=later).exists()
    assert errors == []
