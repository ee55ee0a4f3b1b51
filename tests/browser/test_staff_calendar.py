"""The front desk moves an appointment in the week view, in a real headless Chromium (issue 4):
the move form opens in a dialog over the calendar, a taken time offers the nearest free times,
and the grid updates in place."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from backcare.booking.models import Appointment
from backcare.scheduling.models import BookingPolicy
from tests import factories
from tests.browser.conftest import at_home
from tests.conftest import Clinic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def next_monday(clinic: Clinic) -> dt.date:
    today = timezone.now().astimezone(clinic.location.zone).date()
    return today + dt.timedelta(days=7 - today.weekday())


def at(clinic: Clinic, day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clinic.location.zone)


def row(page: Page, label: str) -> Locator:
    """The calendar's row for a time of day, by the label down its side."""
    return page.locator("#calendar tbody tr").filter(
        has=page.locator("th", has_text=re.compile(rf"^{re.escape(label)}$"))
    )


@pytest.fixture
def week(clinic: Clinic) -> dict[str, Any]:
    """Tess works weekdays 09:00-17:00 at Midtown; Alice is booked next Monday at 10:00 and
    Bob at 14:00."""
    factories.weekly_hours(clinic.tess, clinic.location)
    BookingPolicy.current()
    monday = next_monday(clinic)
    common = {
        "therapist": clinic.tess,
        "service": clinic.service,
        "location": clinic.location,
    }
    alice = factories.AppointmentFactory.create(
        client=clinic.alice, starts=at(clinic, monday, 10), room=clinic.room, **common
    )
    factories.AppointmentFactory.create(client=clinic.bob, starts=at(clinic, monday, 14), **common)
    return {"monday": monday, "alice": alice}


def open_week(page: Page, live_server: Any, clinic: Clinic, monday: dt.date) -> None:
    at_home(page, live_server.url, clinic.front_desk)
    expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, Fran")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Calendar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Midtown")
    # A location opens on its day; the week grid is one therapist's (seven columns).
    tess = reverse("scheduling:therapist_calendar", args=[clinic.tess.pk])
    page.goto(f"{live_server.url}{tess}?view=week")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tess Therapist")
    page.get_by_role("link", name="Next week ›").click()
    expect(page.get_by_role("columnheader", name=f"{monday:%a %b} {monday.day}")).to_be_visible()


def test_staff_move_an_appointment_in_the_week_view(
    page: Page, live_server: Any, clinic: Clinic, week: dict[str, Any]
) -> None:
    monday: dt.date = week["monday"]
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    open_week(page, live_server, clinic, monday)
    expect(row(page, "10:00 AM")).to_contain_text("Alice Anders")
    grid_before = page.locator("#calendar").element_handle()
    address = page.url

    page.get_by_role("link", name="Move Alice Anders").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Move Alice Anders")).to_be_visible()
    expect(dialog.get_by_label("Date")).to_be_focused()
    tuesday = monday + dt.timedelta(days=1)
    dialog.get_by_label("Date").fill(tuesday.isoformat())
    dialog.get_by_label("Time").fill("11:00")
    dialog.get_by_role("button", name="Move", exact=True).click()

    expect(dialog).to_be_hidden()
    expect(page.get_by_role("status")).to_contain_text(
        f"Moved Alice Anders to Tuesday, {tuesday:%B} {tuesday.day} at 11:00 AM"
    )
    expect(row(page, "10:00 AM")).not_to_contain_text("Alice Anders")
    expect(row(page, "11:00 AM")).to_contain_text("Alice Anders")
    # The grid was swapped in place: same page, a new grid element.
    assert page.url == address
    assert grid_before is not None and not grid_before.is_visible()
    moved = Appointment.objects.get(pk=week["alice"].pk)
    assert moved.starts == at(clinic, tuesday, 11)
    assert errors == []  # nothing refused by the content security policy, no script errors


def test_a_taken_time_offers_the_nearest_free_times_in_the_dialog(
    page: Page, live_server: Any, clinic: Clinic, week: dict[str, Any]
) -> None:
    monday: dt.date = week["monday"]
    open_week(page, live_server, clinic, monday)

    page.get_by_role("link", name="Move Alice Anders").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Time").fill("14:30")  # Bob's appointment runs 14:00-15:00
    dialog.get_by_role("button", name="Move", exact=True).click()

    expect(dialog.get_by_role("alert")).to_be_visible()
    expect(dialog).to_contain_text("That time was just taken — here are the nearest free times.")
    nearest = dialog.get_by_role("group", name="The nearest free times").get_by_role("button")
    expect(nearest.first).to_be_visible()
    choice = nearest.first.inner_text()
    nearest.first.click()

    expect(dialog).to_be_hidden()
    moved = Appointment.objects.get(pk=week["alice"].pk)
    local = moved.starts.astimezone(clinic.location.zone)
    assert f"{local.hour % 12 or 12}:{local:%M} {local:%p}" in choice
    expect(page.get_by_role("status")).to_contain_text("Moved Alice Anders")


def test_staff_book_a_free_time_from_the_week_view_finding_the_client_by_name(
    page: Page, live_server: Any, clinic: Clinic, week: dict[str, Any]
) -> None:
    tuesday: dt.date = week["monday"] + dt.timedelta(days=1)
    open_week(page, live_server, clinic, week["monday"])

    page.get_by_role(
        "link", name=f"Book Tess Therapist, {tuesday:%a %b} {tuesday.day} at 11:00 AM"
    ).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="New appointment")).to_be_visible()
    expect(dialog.get_by_label("Time")).to_have_value("11:00")
    dialog.get_by_label("Find a client").fill("bak")
    client = dialog.get_by_role("combobox", name="Client")
    expect(client.locator("option")).to_have_text(["Choose a client", re.compile("Baker, Bob")])
    client.select_option(label=client.locator("option").nth(1).inner_text())
    dialog.get_by_label("Service").select_option(label=clinic.service.name)
    dialog.get_by_role("button", name="Book").click()

    expect(dialog).to_be_hidden()
    expect(page.get_by_role("status")).to_contain_text("Booked Bob Baker with Tess Therapist")
    expect(row(page, "11:00 AM")).to_contain_text("Bob Baker")
    booked = Appointment.objects.get(client=clinic.bob, starts=at(clinic, tuesday, 11))
    assert booked.booked_by == clinic.front_desk
