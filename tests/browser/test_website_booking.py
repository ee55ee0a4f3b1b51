"""In a real browser, a visitor of the clinic's website books a first session from the public
page: holds a time, signs up, follows the emailed link, answers the health questions and
confirms; or is told to get medical care today when the answers show a red flag."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from backcare.booking.models import Appointment
from backcare.clinic.models import Client
from backcare.intake.questionnaire import answers_for
from backcare.signup.models import HeldTime
from tests import factories
from tests.browser.test_intake_journeys import fill_in_the_questionnaire
from tests.conftest import Clinic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_every_day(clinic: Clinic) -> Clinic:
    """Tess works 09:00-17:00 every day at Midtown (the clock is not frozen: see
    test_portal_booking.py)."""
    factories.weekly_hours(clinic.tess, clinic.location, weekdays=range(7))
    return clinic


def hold_and_sign_up(page: Page, base_url: str, clinic: Clinic) -> None:
    page.goto(f"{base_url}/book/{clinic.location.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a massage session at Midtown")
    page.get_by_role("link", name="Next week →").click()
    page.locator(".times a").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your chosen time")
    page.get_by_role("button", name="Hold this time and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
    expect(page.get_by_text("We are holding")).to_be_visible()
    page.get_by_label("First name").fill("Carmen")
    page.get_by_label("Last name").fill("Diaz")
    page.get_by_label("Date of birth").fill("1985-03-14")
    page.get_by_label("Email").fill("carmen@example.com")
    page.get_by_label("Phone").fill("404-555-0199")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    # The link from the email (the test outbox), opened in the same browser.
    (email,) = mail.outbox
    match = re.search(r"https?://[^/\s]+(/\S+)", str(email.body))
    assert match is not None
    page.goto(base_url + match.group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
    page.locator("#id_new_password1").fill("a-long-new-password")
    page.locator("#id_new_password2").fill("a-long-new-password")
    page.get_by_role("button", name="Save my password and continue").click()
    expect(page.get_by_text("Your password is saved, and you are signed in.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Finish your booking")


def answer_the_questionnaire(page: Page, answers: dict[str, Any]) -> None:
    fill_in_the_questionnaire(page, answers, start="Answer the health questions")


def test_a_visitor_books_a_first_session_from_the_public_page(
    page: Page, live_server, open_every_day: Clinic
) -> None:
    clinic = open_every_day
    hold_and_sign_up(page, live_server.url, clinic)
    answer_the_questionnaire(page, answers_for([]))

    expect(page.get_by_role("heading", level=2)).to_have_text("Confirm your booking")
    page.get_by_role("button", name="Confirm the booking").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You're booked")

    carmen = Client.objects.get(email="carmen@example.com")
    booked = Appointment.objects.get()
    assert booked.client == carmen
    assert booked.therapist == clinic.tess
    assert not HeldTime.objects.exists()


def test_a_red_flag_ends_in_its_message_and_no_booking(
    page: Page, live_server, open_every_day: Clinic
) -> None:
    hold_and_sign_up(page, live_server.url, open_every_day)
    answer_the_questionnaire(page, answers_for(["saddle_numbness"]))

    expect(page.get_by_role("heading", level=1)).to_have_text("Please get medical care today")
    expect(page.get_by_text("Nothing has been booked.", exact=False).first).to_be_visible()
    expect(page.get_by_text("911")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm the booking")).to_have_count(0)
    assert not Appointment.objects.exists()
    assert not HeldTime.objects.exists()
