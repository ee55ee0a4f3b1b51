"""A therapist checks a client in on the clinic's tablet, writes and signs the session note with
muscles that did not relax, and sees the alert and the paused program (SPEC §2 steps 4-5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, Route, expect

from backcare.care.models import ProgramStatus
from backcare.notes.actions import record_check_in
from backcare.notes.models import Alert, CheckIn, SessionNote
from backcare.notes.queries import red_flag_step
from tests.browser.conftest import at_home
from tests.conftest import Clinic
from tests.factories import AppointmentFactory, ProgramFactory, screened
from tests.notes.conftest import check_in_answers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check_in(page: Page, pain: str) -> None:
    """On the check-in form: the pain score, "no" to every other question, then check in."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in")
    page.get_by_role("group", name="How bad is your pain right now?").get_by_label(
        pain, exact=True
    ).check()
    for question in red_flag_step().questions:
        page.get_by_role("group", name=question.label).get_by_label("No", exact=True).check()
    page.get_by_role(
        "group", name="Has anything changed in your health or your medicines since your last visit?"
    ).get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("heading", name="Checked in")).to_be_visible()


def test_a_note_with_no_relaxation_pauses_the_program_and_raises_an_alert(
    page: Page, live_server: Any, clinic: Clinic
) -> None:
    now = timezone.now()
    screening = screened(clinic.alice, ["osteoporosis"], actor=clinic.tess.user, nrs_now=6)
    program = ProgramFactory.create(
        client=clinic.alice,
        therapist=clinic.tess,
        service=clinic.service,
        pressure_cap=2,
        screening=screening,
        status=ProgramStatus.ACTIVE,
        started_on=now.date(),
        created_at=now,
    )
    session = AppointmentFactory.create(
        client=clinic.alice,
        therapist=clinic.tess,
        service=clinic.service,
        location=clinic.location,
        starts=now - dt.timedelta(minutes=5),  # under way: a note is signed once it started
        program=program,
    )

    at_home(page, live_server.url, clinic.tess.user)
    page.goto(f"{live_server.url}/staff/appointments/{session.pk}/")
    page.get_by_role("link", name="Check-in questions").click()
    check_in(page, pain="5")

    page.get_by_role("link", name="Write the session note").click()
    expect(page.get_by_label("Pain before the session (0–10)")).to_have_value("5")
    page.get_by_label("Findings").fill("Paraspinals hard under light pressure.")
    page.get_by_label("Tissue response to pressure").select_option("no_relaxation")
    page.get_by_label("Pain after the session (0–10)").select_option("6")
    expect(page.locator("#autosave-status")).to_contain_text("Saved at", timeout=15_000)
    page.get_by_role("button", name="Sign the note").click()

    expect(page.get_by_text("Note signed. It can no longer be changed.")).to_be_visible()
    banner = page.get_by_role("region", name="Alert")
    expect(banner).to_contain_text("Possible injury: the client should consult a doctor")
    banner.get_by_role("link", name="Open alert").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Possible injury")
    expect(page.get_by_text("Paused by this alert.")).to_be_visible()
    page.get_by_role("link", name=program.title).click()
    expect(page.get_by_text("Paused").first).to_be_visible()
    expect(page.get_by_role("region", name="Alerts")).to_contain_text("Possible injury")

    assert SessionNote.objects.get(appointment=session).is_signed
    assert Alert.objects.get().kind == "possible_injury"
    program.refresh_from_db()
    assert program.status == ProgramStatus.PAUSED


def test_what_is_typed_before_the_page_has_finished_loading_is_saved_too(
    page: Page, live_server: Any, clinic: Clinic
) -> None:
    """On a slow connection the note's autosave arrives after the therapist has begun to type:
    what was typed by then is saved as soon as it arrives, as anything typed after."""
    screened(clinic.alice, [], actor=clinic.tess.user)
    session = AppointmentFactory.create(
        client=clinic.alice,
        therapist=clinic.tess,
        service=clinic.service,
        location=clinic.location,
        starts=timezone.now() - dt.timedelta(minutes=5),
    )
    record_check_in(clinic.front_desk, session, check_in_answers(nrs=4), source=CheckIn.Source.DESK)
    at_home(page, live_server.url, clinic.tess.user)
    held: list[Route] = []
    page.route("**/note-autosave.js", lambda route: held.append(route))

    page.goto(f"{live_server.url}/staff/appointments/{session.pk}/note/", wait_until="commit")
    page.get_by_label("Findings").fill("Typed while the page was loading.")
    page.get_by_label("Tissue response to pressure").select_option("relaxed")
    assert len(held) == 1  # the autosave has not arrived yet
    held[0].continue_()

    expect(page.locator("#autosave-status")).to_contain_text("Saved at")
    note = SessionNote.objects.get(appointment=session)
    assert note.findings == "Typed while the page was loading."
    assert note.tissue_response == "relaxed"
