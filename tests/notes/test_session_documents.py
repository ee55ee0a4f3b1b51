"""What the documents about a course of sessions say (issue 11, item 7): the discharge summary
counts the sessions that took place and speaks of the client in the third person, and every
letter is written on the letterhead of the location of the session it concerns."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from backcare.booking.models import AppointmentStatus
from backcare.notes.letters import alert_letter
from backcare.notes.models import Alert, SessionNote
from backcare.outcomes.actions import email_discharge_summary, record_response
from backcare.outcomes.records import discharge_summary
from backcare.outcomes.summary import attendance_sentence, render_discharge_summary
from backcare.screening.actions import referral_letter
from backcare.screening.letter import render_referral_letter
from tests import factories
from tests.conftest import Clinic, login_as
from tests.notes.conftest import START, Course, signed_note

TODAY = dt.date(2026, 5, 11)


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_sessions_with_a_signed_note_count_as_attended(clinic: Clinic, course: Course) -> None:
    # Checked in and signed, but nobody marked them completed: they took place all the same.
    for session in course.sessions[:3]:
        signed_note(clinic, session)
    course.sessions[3].status = AppointmentStatus.NO_SHOW
    course.sessions[3].save(update_fields=["status"])
    signed = SessionNote.objects.filter(program=course.program, signed_at__isnull=False)

    summary = discharge_summary(course.program, today=TODAY)

    assert summary.attended == signed.count() == 3
    assert (summary.missed, summary.cancelled) == (1, 0)
    assert attendance_sentence(summary) == "3 of 10 planned sessions attended, 1 missed."


def test_a_session_merely_checked_in_or_completed_counts_too(
    clinic: Clinic, course: Course
) -> None:
    course.sessions[0].status = AppointmentStatus.COMPLETED
    course.sessions[0].save(update_fields=["status"])
    course.sessions[1].status = AppointmentStatus.CHECKED_IN
    course.sessions[1].save(update_fields=["status"])
    assert discharge_summary(course.program, today=TODAY).attended == 2


def test_the_physician_summary_speaks_of_the_client_in_the_third_person(
    clinic: Clinic, course: Course, django_capture_on_commit_callbacks: object
) -> None:
    signed_note(clinic, course.sessions[0])
    # Pain 6 at the intake, 8 at discharge: 33% higher.
    record_response(
        clinic.tess.user,
        clinic.alice,
        "nrs",
        [8],
        occasion="discharge",
        program=course.program,
        now=course.sessions[0].ends + dt.timedelta(days=1),
    )
    summary = discharge_summary(course.program, today=TODAY)
    pain = next(row for row in summary.measures if row.title.startswith("Pain"))
    assert pain.change == "Alice's pain is 33% higher than when they started."
    assert summary.responder.startswith(
        "Alice's pain is 33% higher than when they started: worse than at the start."
    )

    pdf = pdf_text(render_discharge_summary(summary))
    page = (
        login_as(clinic.tess.user)
        .get(reverse("outcomes:summary", args=[course.program.pk]))
        .content.decode()
        .replace("&#x27;", "'")
    )
    clinic.alice.physician_email = "grace.lee@clinic.example"
    clinic.alice.save(update_fields=["physician_email"])
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        email_discharge_summary(clinic.tess.user, course.program, today=TODAY)
    (email,) = mail.outbox
    for words in (pdf, page, str(email.body)):
        assert "Alice's pain is 33% higher than when they started" in words
        assert "Your pain" not in words
        assert "when you started" not in words


@pytest.fixture
def two_places(clinic: Clinic, course: Course) -> Course:
    """Alice lives near Midtown (her home location), but her second and third sessions are at
    Decatur."""
    decatur = factories.LocationFactory.create(
        name="Decatur",
        address_line1="315 W Ponce de Leon Ave",
        city="Decatur",
        postal_code="30030",
        phone="(404) 555-0178",
    )
    clinic.location.phone = "(404) 555-0142"
    clinic.location.save(update_fields=["phone"])
    clinic.alice.home_location = clinic.location
    clinic.alice.save(update_fields=["home_location"])
    for session in course.sessions[1:3]:
        session.location = decatur
        session.save(update_fields=["location"])
    return course


def test_an_alert_letter_is_on_the_letterhead_of_the_sessions_location(
    clinic: Clinic, two_places: Course
) -> None:
    signed_note(clinic, two_places.sessions[0])  # at Midtown
    signed_note(clinic, two_places.sessions[1], tissue_response="no_relaxation")  # at Decatur
    alert = Alert.objects.get(kind="possible_injury")

    letter = alert_letter(alert, therapist=clinic.tess.user, today=TODAY)

    assert letter.letterhead.name.endswith(", Decatur")
    assert letter.letterhead.phone == "(404) 555-0178"
    text = pdf_text(render_referral_letter(letter))
    assert "315 W Ponce de Leon Ave" in text
    assert "Midtown" not in text


def test_a_discharge_summary_is_on_the_letterhead_of_the_latest_session_attended(
    clinic: Clinic, two_places: Course
) -> None:
    signed_note(clinic, two_places.sessions[0])  # at Midtown
    signed_note(clinic, two_places.sessions[1])  # at Decatur, the latest attended
    summary = discharge_summary(two_places.program, today=TODAY)
    assert summary.letterhead.name.endswith(", Decatur")
    assert "315 W Ponce de Leon Ave" in pdf_text(render_discharge_summary(summary))


def test_a_clearance_letter_is_on_the_letterhead_of_the_next_or_latest_appointment(
    clinic: Clinic, two_places: Course
) -> None:
    screening = two_places.program.screening
    on_the_day_of = [session.starts.date() for session in two_places.sessions]

    # The next appointment is at Decatur, though Alice's home location is Midtown.
    nearer = referral_letter(clinic.alice, screening, therapist=None, today=on_the_day_of[1])
    assert nearer.letterhead.name.endswith(", Decatur")
    # The next is back at Midtown.
    later = referral_letter(clinic.alice, screening, therapist=None, today=on_the_day_of[3])
    assert later.letterhead.name.endswith(", Midtown")
    # After the last, the latest one (at Decatur, once the later ones are cancelled).
    for session in two_places.sessions[3:]:
        session.status = AppointmentStatus.CANCELLED
        session.save(update_fields=["status"])
    after = referral_letter(
        clinic.alice, screening, therapist=None, today=START.date() + dt.timedelta(weeks=20)
    )
    assert after.letterhead.name.endswith(", Decatur")
    # With no appointment at all, the client's home location, as before.
    clinic.bob.home_location = clinic.location
    clinic.bob.save(update_fields=["home_location"])
    bobs = referral_letter(clinic.bob, screening, therapist=None, today=TODAY)
    assert bobs.letterhead.name.endswith(", Midtown")
