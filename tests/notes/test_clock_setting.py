"""The clinic's clock (issue 15): the owner chooses 12-hour ("3:00 PM") or 24-hour ("15:00")
time on the booking policy page, and every time the clinic shows follows it: a page, an email
and a PDF letter."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from pypdf import PdfReader

from backcare.audit.models import AuditEvent
from backcare.booking.actions import book_appointment
from backcare.lib.when import clock, spoken
from backcare.notes.models import Alert
from backcare.scheduling.models import BookingPolicy
from tests import factories
from tests.conftest import Clinic
from tests.notes.conftest import START, Course, signed_note
from tests.pages import text
from tests.scheduling.clinic_week import open_weekdays

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def choose_clock(as_owner: HttpClient, hours: int) -> None:
    policy = BookingPolicy.current()
    answer = as_owner.post(
        reverse("scheduling:booking_policy"),
        {
            "min_notice_minutes": policy.min_notice_minutes,
            "horizon_days": policy.horizon_days,
            "cancellation_window_hours": policy.cancellation_window_hours,
            "held_sessions": policy.held_sessions,
            "clock": hours,
        },
    )
    assert answer.status_code == 302


@pytest.mark.parametrize(
    ("wall", "hours", "shown"),
    [
        (dt.time(15, 0), 12, "3:00 PM"),
        (dt.time(15, 0), 24, "15:00"),
        (dt.time(9, 5), 24, "09:05"),
        (dt.time(0, 30), 12, "12:30 AM"),
        (dt.time(0, 30), 24, "00:30"),
        (dt.time(12, 0), 12, "12:00 PM"),
    ],
)
def test_one_formatter_writes_every_time_of_day(wall: dt.time, hours: int, shown: str) -> None:
    assert clock(wall, hours) == shown


def test_a_spoken_time_follows_the_clock() -> None:
    moment = dt.datetime(2026, 6, 1, 19, 30, tzinfo=dt.UTC)
    assert spoken(moment, "America/New_York") == "Monday, June 1 at 3:30 PM (EDT)"
    assert spoken(moment, "America/New_York", 24) == "Monday, June 1 at 15:30 (EDT)"


def test_the_owner_finds_the_time_format_with_the_booking_policy(as_owner: HttpClient) -> None:
    page = text(as_owner.get(reverse("scheduling:booking_policy")))

    assert "Time format" in page
    assert "12-hour (3:00 PM)" in page and "24-hour (15:00)" in page


def test_switching_to_24_hour_changes_a_page_an_email_and_a_letter(
    clinic: Clinic,
    course: Course,
    as_owner: HttpClient,
    django_capture_on_commit_callbacks: Any,
) -> None:
    open_weekdays(clinic)
    factories.screened(clinic.bob, [])
    session = course.sessions[0]  # Monday March 2, 10:00 in Atlanta
    signed_note(clinic, session, tissue_response="no_relaxation")
    alert = Alert.objects.get()
    letter = reverse("notes:alert_letter", args=[alert.pk])
    assert "10:00 AM" in text(as_owner.get(session.get_absolute_url()))
    assert "March 2, 2026 at 10:00 AM" in pdf_text(as_owner.get(letter).content)

    choose_clock(as_owner, 24)

    assert AuditEvent.objects.filter(action="booking_policy.updated").exists()
    page = text(as_owner.get(session.get_absolute_url()))
    assert "10:00–11:00" in page and "AM" not in page.split("<main", 1)[1]
    assert "March 2, 2026 at 10:00." in pdf_text(as_owner.get(letter).content)
    with (
        time_machine.travel(START, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        book_appointment(
            clinic.front_desk,
            clinic.bob,
            service=clinic.service,
            therapist=clinic.tess,
            location=clinic.location,
            starts=START + dt.timedelta(days=1, hours=5),  # Tuesday, 15:00 in Atlanta
            now=START,
        )
    (email,) = [message for message in mail.outbox if "appointment" in message.subject]
    assert email.subject == "Your appointment on Tuesday, March 3 at 15:00 (EST)"
    assert "Tuesday, March 3 at 15:00 (EST)" in email.body
