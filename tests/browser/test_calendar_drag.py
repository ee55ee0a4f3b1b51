"""Dragging on the staff calendar, in a real headless Chromium: an appointment dragged onto a
free time moves there through the same move as the form; a held client's appointment does not
move, the reason is said and it stays where it was; a waiting client dragged onto a free time
opens the booking form at that time, and booking it fills the time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from backcare.booking.models import Appointment
from backcare.scheduling.models import BookingPolicy
from backcare.waitlist.models import WaitlistEntry
from tests import factories
from tests.browser.conftest import at_home
from tests.browser.test_staff_calendar import at, next_monday
from tests.conftest import Clinic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def monday(clinic: Clinic) -> dt.date:
    """Tess works weekdays 09:00-17:00 at Midtown; Alice has answered her questionnaire and is
    booked next Monday at 10:00."""
    factories.weekly_hours(clinic.tess, clinic.location)
    BookingPolicy.current()
    factories.screened(clinic.alice, [])
    day = next_monday(clinic)
    factories.AppointmentFactory.create(
        client=clinic.alice,
        therapist=clinic.tess,
        service=clinic.service,
        location=clinic.location,
        starts=at(clinic, day, 10),
    )
    return day


def open_day(page: Page, live_server: Any, clinic: Clinic, day: dt.date) -> None:
    at_home(page, live_server.url, clinic.front_desk)
    expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, Fran")
    calendar = reverse("scheduling:location_calendar", args=[clinic.location.pk])
    page.goto(f"{live_server.url}{calendar}?date={day.isoformat()}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Midtown")


def free_time(page: Page, day: dt.date, label: str) -> Locator:
    """The calendar's cell of Tess's free time at ``label`` on ``day``."""
    name = f"Book Tess Therapist, {day:%a %b} {day.day} at {label}"
    return page.get_by_role("link", name=name, exact=True).locator("xpath=..")


def drag(page: Page, source: Locator, target: Locator) -> None:
    """Press, move in steps as a hand does, release: what the drag library listens to. The
    target is brought to the middle of the screen first, away from the edges that scroll."""
    target.evaluate("cell => cell.scrollIntoView({block: 'center'})")
    start = source.bounding_box()
    end = target.bounding_box()
    assert start is not None and end is not None
    page.mouse.move(start["x"] + 10, start["y"] + 8)
    page.mouse.down()
    page.mouse.move(start["x"] + 20, start["y"] + 20, steps=5)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=15)
    # Release once the free time shows what is dragged over it, as a hand does.
    expect(target.locator(".sortable-ghost")).to_be_attached()
    page.mouse.up()


def book_waiting(page: Page, who: str, time: Locator, value: str) -> None:
    """Drag ``who`` from the waitlist onto the free ``time``: the booking form opens at that
    time (``value``, as its Time field shows it), and booking it says so."""
    waiting = page.locator(".waiting-entry", has_text=who)
    expect(waiting).to_be_visible()

    drag(page, waiting, time)

    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="New appointment")).to_be_visible()
    expect(dialog.get_by_label("Time")).to_have_value(value)
    dialog.get_by_role("button", name="Book").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("status")).to_contain_text(f"Booked {who} with Tess Therapist")


def test_the_desk_drags_an_appointment_to_a_new_time(
    page: Page, live_server: Any, clinic: Clinic, monday: dt.date
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_day(page, live_server, clinic, monday)
    entry = page.locator(".entry.movable", has_text="Alice Anders")

    drag(page, entry, free_time(page, monday, "1:00 PM"))

    expect(page.get_by_role("status")).to_contain_text("Moved Alice Anders to")
    expect(page.get_by_role("status")).to_contain_text("at 1:00 PM")
    moved = Appointment.objects.get(client=clinic.alice)
    assert moved.starts == at(clinic, monday, 13)
    expect(free_time(page, monday, "10:00 AM")).to_be_attached()  # the old time is free again
    assert errors == []


def test_a_held_clients_appointment_cannot_be_dragged_to_a_new_time(
    page: Page, live_server: Any, clinic: Clinic, monday: dt.date
) -> None:
    factories.possible_injury(clinic.alice)
    open_day(page, live_server, clinic, monday)
    entry = page.locator(".entry", has_text="Alice Anders")

    drag(page, entry, free_time(page, monday, "1:00 PM"))

    status = page.get_by_role("status")
    expect(status).to_contain_text("Not moved:")
    expect(status).to_contain_text("hold", ignore_case=True)
    kept = Appointment.objects.get(client=clinic.alice)
    assert kept.starts == at(clinic, monday, 10)
    # The grid reloaded with the appointment where it was, and no free time at 10:00.
    expect(page.locator(".entry", has_text="Alice Anders")).to_have_count(1)
    expect(
        page.get_by_role(
            "link", name=f"Book Tess Therapist, {monday:%a %b} {monday.day} at 10:00 AM", exact=True
        )
    ).to_have_count(0)


def test_a_waiting_client_dragged_onto_a_free_time_is_booked_there(
    page: Page, live_server: Any, clinic: Clinic, monday: dt.date
) -> None:
    factories.screened(clinic.bob, [])
    WaitlistEntry.objects.create(
        client=clinic.bob,
        service=clinic.service,
        location=clinic.location,
        earliest=monday,
        latest=monday + dt.timedelta(days=4),
    )
    open_day(page, live_server, clinic, monday)

    book_waiting(page, "Bob Baker", free_time(page, monday, "2:00 PM"), "14:00")

    assert Appointment.objects.filter(client=clinic.bob, starts=at(clinic, monday, 14)).exists()
