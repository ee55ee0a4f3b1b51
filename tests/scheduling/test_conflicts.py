"""Time off and closures entered over booked sessions list them, to move or cancel with one click
(issue 11 item 8): through the owner's pages, with named people and a frozen clock."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from backcare.audit.models import AuditEvent
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.booking.queries import booked_during_closure, booked_during_time_off
from backcare.scheduling.models import Closure, TimeOff
from tests import factories
from tests.conftest import Clinic
from tests.pages import text
from tests.scheduling import clinic_week
from tests.scheduling.clinic_week import NOW
from tests.scheduling.clinic_week import on as local

NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
UTC = dt.UTC
MONDAY = dt.date(2026, 6, 8)

pytestmark = pytest.mark.usefixtures("frozen")  # tests/scheduling/conftest.py


def url(name: str, *args: object) -> str:
    return reverse(f"scheduling:{name}", args=args)


def session(clinic: Clinic, starts: dt.datetime, **kwargs: Any) -> Appointment:
    """Alice's appointment with Tess at Midtown at `starts`, in no room, unless told otherwise."""
    return clinic_week.appointment(clinic, starts, **{"room": None, **kwargs})


@pytest.fixture
def monday(clinic: Clinic) -> dict[str, Appointment]:
    """On Monday June 8 Alice sees Tess at 10:00 and Bob sees Theo at 14:00 at Midtown."""
    clinic.theo.locations.add(clinic.location)
    return {
        "alice": session(clinic, local(MONDAY, 10)),
        "bob": session(clinic, local(MONDAY, 14), client=clinic.bob, therapist=clinic.theo),
    }


# --- Time off ---------------------------------------------------------------------------------


def test_time_off_over_a_booked_session_lists_it_on_the_page(
    clinic: Clinic, monday: dict[str, Appointment], as_owner: HttpClient
) -> None:
    session(clinic, local(MONDAY + dt.timedelta(days=3), 10), client=clinic.bob)  # Thursday

    added = as_owner.post(
        url("time_off"),
        {
            "therapist": clinic.tess.pk,
            "first_day": "2026-06-08",
            "last_day": "2026-06-09",
            "reason": "Training course",
        },
    )

    away = TimeOff.objects.get()
    assert added.status_code == 302
    assert added["Location"] == url("time_off_sessions", away.pk)
    page = as_owner.get(added["Location"])
    shown = text(page)
    assert "1 session is booked then" in shown
    assert "Alice Anders" in shown
    assert "Monday, June 8 at 10:00 AM (EDT)" in shown
    assert "Tess Therapist" in shown
    alice = monday["alice"]
    for link in (
        alice.get_absolute_url(),
        url("appointment_move", alice.pk),
        url("appointment_cancel", alice.pk),
    ):
        assert f'href="{link}"' in page.content.decode()
    assert "Bob Baker" not in shown  # with Theo that day, and with Tess only on Thursday
    assert "Cancel this session and email the clients" in shown
    assert Appointment.objects.get(pk=alice.pk).status == AppointmentStatus.BOOKED


def test_time_off_over_nothing_booked_returns_to_the_list(
    clinic: Clinic, monday: dict[str, Appointment], as_owner: HttpClient
) -> None:
    added = as_owner.post(
        url("time_off"),
        {"therapist": clinic.tess.pk, "first_day": "2026-06-09", "last_day": "2026-06-09"},
    )

    assert added.status_code == 302
    assert added["Location"] == url("time_off")
    assert "No sessions are booked then" in text(
        as_owner.get(url("time_off_sessions", TimeOff.objects.get().pk))
    )


def test_cancelling_the_sessions_during_time_off_cancels_and_emails_the_client(
    clinic: Clinic,
    monday: dict[str, Appointment],
    as_owner: HttpClient,
    django_capture_on_commit_callbacks: Any,
) -> None:
    away = factories.TimeOffFactory.create(
        therapist=clinic.tess, starts=local(MONDAY, 0), ends=local(MONDAY, 12)
    )

    with django_capture_on_commit_callbacks(execute=True):
        done = as_owner.post(url("time_off_cancel_sessions", away.pk))

    assert done.status_code == 302
    assert done["Location"] == url("time_off_sessions", away.pk)
    alice = Appointment.objects.get(pk=monday["alice"].pk)
    assert alice.status == AppointmentStatus.CANCELLED
    assert alice.cancel_reason == "Tess Therapist is away that day."
    assert Appointment.objects.get(pk=monday["bob"].pk).status == AppointmentStatus.BOOKED
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "Cancelled: your appointment on Monday, June 8 at 10:00 AM (EDT)"


# --- Closures ---------------------------------------------------------------------------------


def test_a_closure_over_booked_sessions_lists_them(
    clinic: Clinic, monday: dict[str, Appointment], as_owner: HttpClient
) -> None:
    session(clinic, local(MONDAY, 16), client=clinic.bob, status=AppointmentStatus.CANCELLED)
    session(clinic, local(MONDAY + dt.timedelta(days=1), 10))  # Tuesday: open

    added = as_owner.post(
        url("closures"),
        {
            "location": clinic.location.pk,
            "starts_on": "2026-06-08",
            "ends_on": "2026-06-08",
            "name": "Burst pipe",
        },
    )

    closure = Closure.objects.get()
    assert added.status_code == 302
    assert added["Location"] == url("closure_sessions", closure.pk)
    page = as_owner.get(added["Location"])
    shown = text(page)
    assert "2 sessions are booked then" in shown
    assert shown.index("Alice Anders") < shown.index("Bob Baker")  # in the order of the day
    assert "Monday, June 8 at 10:00 AM (EDT)" in shown
    assert "Monday, June 8 at 2:00 PM (EDT)" in shown
    assert "Tess Therapist" in shown
    assert "Theo Colleague" in shown
    assert "Tuesday" not in shown
    for appointment in monday.values():
        assert f'href="{appointment.get_absolute_url()}"' in page.content.decode()
    assert "Cancel these sessions and email the clients" in shown
    assert "The clinic is closed that day (Burst pipe)." in shown


def test_the_cancel_them_option_cancels_the_sessions_and_emails_the_clients(
    clinic: Clinic,
    monday: dict[str, Appointment],
    as_owner: HttpClient,
    django_capture_on_commit_callbacks: Any,
) -> None:
    closure = factories.ClosureFactory.create(
        location=clinic.location, starts_on=MONDAY, name="Burst pipe"
    )

    with django_capture_on_commit_callbacks(execute=True):
        done = as_owner.post(url("closure_cancel_sessions", closure.pk))

    assert done.status_code == 302
    assert done["Location"] == url("closure_sessions", closure.pk)
    for appointment in monday.values():
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.CANCELLED
        assert appointment.cancel_reason == "The clinic is closed that day (Burst pipe)."
    assert sorted(message.to[0] for message in mail.outbox) == [
        "alice@example.com",
        "bob@example.com",
    ]
    assert all(message.subject.startswith("Cancelled: ") for message in mail.outbox)
    events = AuditEvent.objects.filter(action="appointment.cancelled")
    assert {event.object_id for event in events} == {str(a.pk) for a in monday.values()}
    assert {event.actor for event in events} == {clinic.owner}
    after = as_owner.get(done["Location"])
    assert "Cancelled 2 sessions." in text(after)
    assert "No sessions are booked then" in text(after)


def test_only_the_owner_sees_or_cancels_the_sessions_booked_then(
    clinic: Clinic,
    monday: dict[str, Appointment],
    as_front_desk: HttpClient,
    as_tess: HttpClient,
    as_alice: HttpClient,
) -> None:
    closure = factories.ClosureFactory.create(location=clinic.location, starts_on=MONDAY)
    away = factories.TimeOffFactory.create(therapist=clinic.tess, starts=local(MONDAY, 0))

    for http in (as_front_desk, as_tess, as_alice):
        assert http.get(url("closure_sessions", closure.pk)).status_code == 403
        assert http.post(url("closure_cancel_sessions", closure.pk)).status_code == 403
        assert http.get(url("time_off_sessions", away.pk)).status_code == 403
        assert http.post(url("time_off_cancel_sessions", away.pk)).status_code == 403
    assert not Appointment.objects.filter(status=AppointmentStatus.CANCELLED).exists()


# --- The query --------------------------------------------------------------------------------


def test_a_closure_of_every_location_finds_sessions_by_each_locations_own_day(
    clinic: Clinic, django_assert_num_queries: Any
) -> None:
    pacific = factories.LocationFactory.create(
        name="Venice", state="CA", time_zone="America/Los_Angeles"
    )
    on_the_day = session(clinic, local(MONDAY, 21, zone=LOS_ANGELES), location=pacific)
    # Sunday 21:00 in Los Angeles is already Monday in UTC (and in Atlanta): not closed there.
    session(clinic, local(MONDAY - dt.timedelta(days=1), 21, zone=LOS_ANGELES), location=pacific)
    at_midtown = session(clinic, local(MONDAY, 9), client=clinic.bob)
    closure = factories.ClosureFactory.create(location=None, starts_on=MONDAY, name="")

    with django_assert_num_queries(1):
        found = booked_during_closure(closure, NOW)

    assert found == [at_midtown, on_the_day]


def test_sessions_already_over_are_not_listed(clinic: Clinic) -> None:
    earlier = session(clinic, local(MONDAY, 10))
    away = factories.TimeOffFactory.create(
        therapist=clinic.tess, starts=local(MONDAY, 0), ends=local(MONDAY, 23)
    )

    assert booked_during_time_off(away, local(MONDAY, 9)) == [earlier]
    assert booked_during_time_off(away, local(MONDAY, 11)) == []
