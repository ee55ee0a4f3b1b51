"""A client fills in the health questionnaire in a real browser and sees what it means
(issue 3): urgent answers lead to the emergency page with booking closed; a clean intake leads
on to booking."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from backcare.holds.queries import booking_hold
from backcare.intake.questionnaire import answers_for, load_questionnaire
from backcare.screening.models import Screening
from tests.browser.conftest import at_home
from tests.conftest import Clinic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_the_step(page: Page, answers: dict[str, Any]) -> None:
    """Answer every question of the step on screen the way a person would."""
    title = page.get_by_role("heading", level=1).inner_text()
    step = next(s for s in load_questionnaire().steps if s.title == title)
    for question in step.questions:
        value = answers.get(question.id)
        if value is None:
            continue
        if question.kind == "body_chart":
            for code in value:
                page.locator(f'path[data-code="{code}"]').click()
        elif question.kind in ("yes_no", "scale", "choice"):
            group = page.get_by_role("group", name=question.label)
            label = dict(question.choices).get(value, "Yes" if value == "yes" else "No")
            if question.kind == "scale":
                label = str(value)
            group.get_by_label(label, exact=True).check()
        elif question.kind in ("number", "text"):
            page.get_by_label(question.label, exact=True).fill(str(value))
        elif question.kind == "activities":
            for number, goal in enumerate(value, start=1):
                page.get_by_label(f"Activity {number}", exact=True).fill(goal["activity"])
                page.get_by_label(f"How well can you do activity {number} today?").select_option(
                    str(goal["score"])
                )
        elif question.kind == "consent" and value:
            page.get_by_label(question.label).check()
    page.get_by_role("button", name="Save and continue").click()


def fill_in_the_questionnaire(
    page: Page, answers: dict[str, Any], *, start: str = "Start my questionnaire"
) -> None:
    page.get_by_role("button", name=start).click()
    for _ in load_questionnaire().steps:
        answer_the_step(page, answers)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    page.get_by_role("button", name="Send my answers").click()


def test_a_client_with_an_urgent_answer_is_sent_to_emergency_care_and_cannot_book(
    page: Page, live_server, clinic: Clinic
) -> None:
    at_home(page, live_server.url, clinic.alice.user)
    fill_in_the_questionnaire(page, answers_for(["saddle_numbness"], nrs_now=6))

    expect(page.get_by_role("heading", level=1)).to_have_text("Please get medical care today")
    expect(page.get_by_text("call 911")).to_be_visible()
    expect(page.get_by_text("Online booking is closed for now")).to_be_visible()
    expect(page.get_by_role("link", name="Book your first session")).to_have_count(0)
    screening = Screening.objects.get(client=clinic.alice)
    assert screening.decision == "urgent_referral"
    hold = booking_hold(clinic.alice, screening.created_at.date())
    assert hold is not None and hold.kind == "urgent_referral"

    page.get_by_role("link", name="Back to my care").click()
    expect(page.get_by_text(hold.client_message)).to_be_visible()


def test_a_client_with_a_clean_intake_can_go_on_to_book(
    page: Page, live_server, clinic: Clinic
) -> None:
    at_home(page, live_server.url, clinic.bob.user)
    fill_in_the_questionnaire(page, answers_for([], nrs_now=4, duration_weeks=30))

    expect(page.get_by_role("heading", level=1)).to_have_text("You're ready to book")
    book = page.get_by_role("link", name="Book your first session")
    expect(book).to_be_visible()
    assert Screening.objects.get(client=clinic.bob).decision == "cleared"
    book.click()
    expect(page).not_to_have_url(f"{live_server.url}/portal/next-steps/")
