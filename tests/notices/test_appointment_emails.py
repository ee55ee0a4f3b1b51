"""The client's emails about an appointment, each with an .ics file (SPEC §4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail

from backcare.booking.actions import book_series, cancel_appointment, reschedule_appointment
from backcare.notices.models import Notice
from tests import factories
from tests.conftest import Clinic
from tests.notices.conftest import book, calendar_of, local, wall_clock

pytestmark = pytest.mark.django_db


def test_booking_emails_the_client_a_confirmation_with_a_calendar_invitation(
    open_clinic: Clinic, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(open_clinic, local(1, 10))

    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "Your appointment on Monday, June 1 at 10:00 AM (EDT)"
    assert "Monday, June 1 at 10:00 AM (EDT)" in message.body
    assert "with Tess Therapist" in message.body
    assert "1100 Peachtree St NE, Atlanta, GA 30309" in message.body
    assert "(404) 555-0199" in message.body
    assert "&" not in message.body  # plain text, not HTML-escaped

    calendar = calendar_of(message)
    assert calendar["METHOD"] == "REQUEST"
    (timezone,) = calendar.walk("VTIMEZONE")
    assert timezone["TZID"] == "America/New_York"
    (event,) = calendar.events
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert wall_clock(event) == "2026-06-01 10:00 -0400"
    assert event.end - event.start == dt.timedelta(minutes=60)
    assert event.start == appointment.starts
    assert str(event["SUMMARY"]) == "Back massage — 60 minutes with Tess Therapist"
    assert "1100 Peachtree St NE, Atlanta, GA 30309" in str(event["LOCATION"])
    assert str(event["UID"]) == f"appointment-{appointment.pk}@127.0.0.1"
    assert event["STATUS"] == "CONFIRMED"
    assert Notice.objects.get(kind="appointment_booked").appointment_id == appointment.pk


def test_the_calendar_attachment_announces_its_method_to_mail_programs(
    open_clinic: Clinic, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        book(open_clinic, local(1, 10))

    parts = [part for part in mail.outbox[0].message().walk() if part.get_filename()]
    assert [(part.get_content_type(), part.get_param("method")) for part in parts] == [
        ("text/calendar", "REQUEST")
    ]


@pytest.mark.parametrize(
    "change", [{"email": ""}, {"contact_by_email": False}], ids=["no address", "said no"]
)
def test_no_email_for_a_client_without_an_address_or_who_said_no(
    open_clinic: Clinic, django_capture_on_commit_callbacks: Any, change: dict[str, Any]
) -> None:
    for field, value in change.items():
        setattr(open_clinic.alice, field, value)
    open_clinic.alice.save()

    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(open_clinic, local(1, 10))
    with django_capture_on_commit_callbacks(execute=True):
        cancel_appointment(open_clinic.front_desk, appointment)

    assert mail.outbox == []


def test_moving_an_appointment_sends_an_update_to_the_same_calendar_event(
    open_clinic: Clinic, django_capture_on_commit_callbacks: Any, clock: time_machine.Traveller
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(open_clinic, local(1, 10))
    clock.shift(dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        reschedule_appointment(open_clinic.front_desk, appointment, local(2, 14, 30))

    booked, moved = mail.outbox
    assert moved.subject == "Your appointment has moved to Tuesday, June 2 at 2:30 PM (EDT)"
    assert "Now:  Tuesday, June 2 at 2:30 PM (EDT)" in moved.body
    assert "Was:  Monday, June 1 at 10:00 AM (EDT)" in moved.body
    first, update = calendar_of(booked).events[0], calendar_of(moved).events[0]
    assert update["UID"] == first["UID"]
    assert update.sequence > first.sequence
    assert wall_clock(update) == "2026-06-02 14:30 -0400"
    assert calendar_of(moved)["METHOD"] == "REQUEST"


def test_moving_twice_sends_two_updates(
    open_clinic: Clinic, django_capture_on_commit_callbacks: Any, clock: time_machine.Traveller
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(open_clinic, local(1, 10))
    for starts in (local(2, 10), local(1, 10)):
        clock.shift(dt.timedelta(minutes=5))
        with django_capture_on_commit_callbacks(execute=True):
            reschedule_appointment(open_clinic.front_desk, appointment, starts)

    sequences = [calendar_of(message).events[0].sequence for message in mail.outbox]
    assert len(sequences) == 3
    assert sequences == sorted(set(sequences))


def test_cancelling_sends_a_calendar_cancellation(
    open_clinic: Clinic, django_capture_on_commit_callbacks: Any, clock: time_machine.Traveller
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(open_clinic, local(1, 10))
    clock.shift(dt.timedelta(minutes=30))
    with django_capture_on_commit_callbacks(execute=True):
        cancel_appointment(open_clinic.front_desk, appointment, "Feeling unwell")

    booked, cancelled = mail.outbox
    assert cancelled.subject == "Cancelled: your appointment on Monday, June 1 at 10:00 AM (EDT)"
    assert "is cancelled" in cancelled.body
    calendar = calendar_of(cancelled)
    assert calendar["METHOD"] == "CANCEL"
    (event,) = calendar.events
    assert event["STATUS"] == "CANCELLED"
    assert event["UID"] == calendar_of(booked).events[0]["UID"]
    assert event.sequence > calendar_of(booked).events[0].sequence


def test_a_series_is_confirmed_in_one_email_holding_every_session(
    open_clinic: Clinic, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report = book_series(
            open_clinic.front_desk,
            open_clinic.alice,
            open_clinic.service,
            open_clinic.tess,
            open_clinic.location,
            local(1, 10),
            count=4,
        )

    assert len(report.booked) == 4
    (message,) = mail.outbox
    assert message.subject == "Your 4 appointments, starting Monday, June 1 at 10:00 AM (EDT)"
    assert "4. Monday, June 22 at 10:00 AM (EDT)" in message.body
    events = calendar_of(message).events
    assert len(events) == 4
    assert len({str(event["UID"]) for event in events}) == 4


def test_a_change_of_therapist_at_the_same_time_is_not_called_a_move(
    open_clinic: Clinic, django_capture_on_commit_callbacks: Any, clock: time_machine.Traveller
) -> None:
    factories.weekly_hours(open_clinic.theo, open_clinic.location)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(open_clinic, local(1, 10))
    clock.shift(dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        reschedule_appointment(
            open_clinic.front_desk, appointment, local(1, 10), therapist=open_clinic.theo
        )

    changed = mail.outbox[-1]
    assert changed.subject == "A change to your appointment on Monday, June 1 at 10:00 AM (EDT)"
    assert "is now with Theo Colleague. The time stays the same." in changed.body
    assert calendar_of(changed).events[0].sequence > calendar_of(mail.outbox[0]).events[0].sequence
