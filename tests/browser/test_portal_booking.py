"""In a real browser, a client books a session, moves it and cancels it (issue 4)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from backcare.booking.models import Appointment, AppointmentStatus
from tests import factories
from tests.browser.conftest import at_home
from tests.conftest import Clinic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_every_day(clinic: Clinic) -> Clinic:
    """Tess works 09:00-17:00 every day at Midtown, so next week always has free times.

    The clock is not frozen here: the browser keeps its own time for cookies.
    """
    factories.weekly_hours(clinic.tess, clinic.location, weekdays=range(7))
    return clinic


def test_a_client_books_reschedules_and_cancels(
    page: Page, live_server, open_every_day: Clinic
) -> None:
    clinic = open_every_day
    at_home(page, live_server.url, clinic.alice.user)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Alice")

    # Book: choose a service and Tess, look at next week, take its first free time.
    page.get_by_role("main").get_by_role("link", name="Book a session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a session")
    page.get_by_label("Therapist").select_option(label="Tess Therapist")
    page.get_by_role("button", name="Show free times").click()
    expect(page.get_by_text("Times are in Eastern Time")).to_be_visible()
    page.get_by_role("link", name="Next week →").click()
    first_time = page.locator(".times a").first
    first_time.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your booking")
    expect(page.get_by_text("Tess Therapist")).to_be_visible()
    page.get_by_role("button", name="Book this time").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You're booked")
    expect(page.get_by_role("link", name="Add to my calendar (.ics)")).to_be_visible()
    booked = Appointment.objects.get(client=clinic.alice)
    assert booked.status == AppointmentStatus.BOOKED
    assert booked.therapist == clinic.tess
    assert booked.starts > dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    first_starts = booked.starts

    # Reschedule: the same free times, for the same service and place; take a later one.
    page.get_by_role("link", name="Change time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new time")
    page.locator(".times a").nth(3).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Move your appointment?")
    page.get_by_role("button", name="Move my appointment").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your appointment is moved")
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED
    moved_to = booked.starts
    assert moved_to == first_starts + dt.timedelta(minutes=45)  # the fourth quarter hour

    # Cancel, after a confirmation step, from the list of appointments.
    page.get_by_role("link", name="All my appointments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My appointments")
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your appointment?")
    page.get_by_label("Anything you would like us to know? (optional)").fill("Away for work")
    page.get_by_role("button", name="Yes, cancel it").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("My appointments")
    expect(page.get_by_role("status")).to_contain_text("is cancelled")
    expect(page.get_by_text("Nothing booked.")).to_be_visible()
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.CANCELLED
    assert booked.cancel_reason == "Away for work"
    assert booked.starts == moved_to


def test_the_therapist_list_follows_the_chosen_location(
    page: Page, live_server, open_every_day: Clinic
) -> None:
    clinic = open_every_day
    uptown = factories.LocationFactory.create(name="Uptown")
    factories.weekly_hours(clinic.theo, uptown)
    at_home(page, live_server.url, clinic.alice.user)
    page.goto(f"{live_server.url}/portal/book/")
    therapist = page.get_by_label("Therapist")
    therapist.select_option(label="Tess Therapist")

    page.get_by_label("Location").select_option(label="Uptown")

    expect(therapist).to_have_value("")  # Tess does not work at Uptown: back to anyone
    expect(therapist.locator("option", has_text="Tess Therapist")).to_be_disabled()
    expect(therapist.locator("option", has_text="Theo Colleague")).to_be_enabled()
