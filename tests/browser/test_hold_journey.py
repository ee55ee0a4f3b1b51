"""In a real browser, the clinical hold end to end (SPEC §2a): muscles that do not relax on a
draft program pause it; the client's next session is held and refused at check-in; online
booking is refused; the owner lifts the hold with a reason; booking works again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from backcare.booking.models import Appointment, AppointmentStatus
from backcare.care.models import ProgramStatus
from backcare.holds.models import HoldRelease
from backcare.notes.actions import record_check_in
from backcare.notes.models import CheckIn
from backcare.scheduling.models import BookingPolicy
from tests import factories
from tests.browser.conftest import at_home, new_page_at_home
from tests.conftest import Clinic
from tests.notes.conftest import check_in_answers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_possible_injury_holds_the_client_until_the_owner_lifts_it(
    page: Page, browser: Browser, live_server: Any, clinic: Clinic
) -> None:
    now = timezone.now()
    factories.weekly_hours(clinic.tess, clinic.location, weekdays=range(7))
    BookingPolicy.current()
    screening = factories.screened(clinic.alice, [], actor=clinic.tess.user, nrs_now=6)
    program = factories.ProgramFactory.create(
        client=clinic.alice,
        therapist=clinic.tess,
        service=clinic.service,
        screening=screening,
        status=ProgramStatus.DRAFT,  # planned, never activated
    )
    today, next_week = (
        factories.AppointmentFactory.create(
            client=clinic.alice,
            therapist=clinic.tess,
            service=clinic.service,
            location=clinic.location,
            starts=now - dt.timedelta(minutes=5) + dt.timedelta(weeks=week),
            program=program,
        )
        for week in (0, 1)
    )
    record_check_in(clinic.front_desk, today, check_in_answers(), source=CheckIn.Source.DESK)

    # The therapist signs the note: the muscles did not relax.
    at_home(page, live_server.url, clinic.tess.user)
    page.goto(f"{live_server.url}{reverse('notes:note', args=[today.pk])}")
    page.get_by_label("Findings").fill("Paraspinals stayed hard under light pressure.")
    page.get_by_label("Swedish massage: minutes").fill("40")
    page.get_by_label("Swedish massage: pressure (1–5)").fill("2")
    page.get_by_label("Tissue response to pressure").select_option("no_relaxation")
    page.get_by_label("Pain after the session (0–10)").select_option("5")
    page.get_by_role("button", name="Sign the note").click()
    expect(page.get_by_text("Note signed. It can no longer be changed.")).to_be_visible()
    page.get_by_role("link", name=program.title).click()
    expect(page.get_by_text("Paused").first).to_be_visible()

    # The desk: the next session is flagged and check-in is refused with the reason.
    desk = new_page_at_home(browser, live_server.url, clinic.front_desk)
    desk.goto(f"{live_server.url}{reverse('scheduling:appointment', args=[next_week.pk])}")
    expect(desk.get_by_role("region", name="Clinical hold")).to_contain_text("Not bookable.")
    desk.goto(f"{live_server.url}{reverse('notes:desk_check_in', args=[next_week.pk])}")
    expect(desk.get_by_role("heading", name="Check-in is on hold")).to_be_visible()
    expect(desk.get_by_text("waiting for a doctor's answer")).to_be_visible()

    # The client: online booking is refused, with whom to call.
    alice = new_page_at_home(browser, live_server.url, clinic.alice.user)
    alice.goto(f"{live_server.url}{reverse('booking:start')}")
    expect(alice.get_by_text("would like a doctor to check your back")).to_be_visible()
    expect(alice.get_by_role("button", name="Show free times")).to_have_count(0)

    # The owner lifts the hold with a written reason.
    owner = new_page_at_home(browser, live_server.url, clinic.owner)
    owner.goto(f"{live_server.url}{clinic.alice.get_absolute_url()}")
    owner.get_by_role("link", name="Record a doctor's answer or lift the hold").click()
    expect(owner.get_by_role("heading", level=1)).to_have_text("Clinical hold")
    owner.get_by_label("The owner's decision").check()
    owner.get_by_label("What was decided and why").fill(
        "Spoke with Alice and her doctor by phone: no injury, go on with light pressure."
    )
    owner.get_by_role("button", name="Lift the hold").click()
    expect(owner.get_by_text("The hold on Alice Anders is lifted.")).to_be_visible()
    assert HoldRelease.objects.get().basis == "owner_override"

    # Booking works again.
    alice.goto(f"{live_server.url}{reverse('booking:start')}")
    alice.get_by_label("Therapist").select_option(label="Tess Therapist")
    alice.get_by_role("button", name="Show free times").click()
    alice.get_by_role("link", name="Next week →").click()
    alice.locator(".times a").first.click()
    alice.get_by_role("button", name="Book this time").click()
    expect(alice.get_by_role("heading", level=1)).to_have_text("You're booked")
    assert (
        Appointment.objects.filter(client=clinic.alice, status=AppointmentStatus.BOOKED).count()
        == 2
    )
