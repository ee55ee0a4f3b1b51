"""In a real browser: a client books before answering the health questions, as with any clinic;
is asked at once; is refused at check-in with a way to answer them; answers (cleared); and is
checked in. Nobody is massaged unscreened."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from backcare.booking.models import Appointment, AppointmentStatus
from backcare.intake.questionnaire import answers_for, load_questionnaire
from backcare.scheduling.models import BookingPolicy
from tests import factories
from tests.browser.conftest import at_home
from tests.browser.test_intake_journeys import answer_the_step
from tests.conftest import Clinic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_client_books_skips_the_questionnaire_is_refused_at_check_in_then_answers_it(
    page: Page, live_server: Any, clinic: Clinic
) -> None:
    factories.weekly_hours(clinic.tess, clinic.location, weekdays=range(7))
    BookingPolicy.current()
    # A session the desk booked for her earlier, under way now.
    today = factories.AppointmentFactory.create(
        client=clinic.alice,
        therapist=clinic.tess,
        service=clinic.service,
        location=clinic.location,
        starts=timezone.now() - dt.timedelta(minutes=5),
    )

    # She books another session online before answering anything.
    at_home(page, live_server.url, clinic.alice.user)
    page.get_by_role("main").get_by_role("link", name="Book a session").click()
    page.get_by_label("Therapist").select_option(label="Tess Therapist")
    page.get_by_role("button", name="Show free times").click()
    page.get_by_role("link", name="Next week →").click()
    page.locator(".times a").first.click()
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You're booked")
    # Asked at once.
    expect(
        page.get_by_text("Before your visit: please answer our health questions.")
    ).to_be_visible()

    # She skips it; at check-in she is refused, with the way to answer.
    page.goto(f"{live_server.url}{reverse('notes:portal_check_in', args=[today.pk])}")
    expect(page.get_by_role("heading", name="We can't check you in yet")).to_be_visible()
    expect(page.get_by_role("button", name="Check in")).to_have_count(0)
    page.get_by_role("button", name="Answer the health questions").click()
    answers = answers_for([], nrs_now=5)
    for _ in load_questionnaire().steps:
        answer_the_step(page, answers)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Check your answers")

    # Cleared: now she checks in.
    page.goto(f"{live_server.url}{reverse('notes:portal_check_in', args=[today.pk])}")
    page.get_by_role("group", name="How bad is your pain right now?").get_by_label(
        "4", exact=True
    ).check()
    for group in page.get_by_role("group").all():
        no = group.get_by_label("No", exact=True)
        if no.count():
            no.check()
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("heading", name="You're checked in")).to_be_visible()
    today.refresh_from_db()
    assert today.status == AppointmentStatus.CHECKED_IN
    assert Appointment.objects.filter(client=clinic.alice).count() == 2
