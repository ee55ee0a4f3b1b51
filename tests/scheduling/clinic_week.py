"""The week the scheduling tests book in, shared by their files: "now" is Monday 25 May 2026,
08:00 in Atlanta, and the sessions fall in the summer weeks after it (EDT, UTC-4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from backcare.booking.actions import book_appointment
from backcare.booking.models import Appointment
from backcare.clinic.models import Therapist
from backcare.scheduling.models import BookingPolicy
from tests import factories
from tests.conftest import Clinic

UTC = dt.UTC
NEW_YORK = ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 5, 25, 12, 0, tzinfo=UTC)  # Monday 25 May 2026, 08:00 in Atlanta
MONDAY = dt.date(2026, 6, 1)
LUNCH = (dt.time(12, 30), dt.time(13, 15))


def local(day: int, hour: int, minute: int = 0, month: int = 6) -> dt.datetime:
    """A wall-clock time in Atlanta in summer 2026 (EDT, UTC-4), as UTC."""
    return dt.datetime(2026, month, day, hour + 4, minute, tzinfo=UTC)


def on(day: dt.date, hour: int, minute: int = 0, zone: ZoneInfo = NEW_YORK) -> dt.datetime:
    """A wall-clock time on `day` in `zone` (Atlanta's by default), as UTC."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone).astimezone(UTC)


def open_weekdays(
    clinic: Clinic,
    therapists: Sequence[Therapist] | None = None,
    *,
    ends: dt.time = dt.time(17),
    breaks: Sequence[tuple[dt.time, dt.time]] = (LUNCH,),
    policy: bool = True,
) -> Clinic:
    """Tess and Theo (or only `therapists`) work Monday to Friday 09:00-17:00 (or until `ends`)
    at Midtown with lunch 12:30-13:15 (or `breaks`), and the booking policy is made (unless
    `policy` is off)."""
    for therapist in (clinic.tess, clinic.theo) if therapists is None else therapists:
        factories.weekly_hours(therapist, clinic.location, ends=ends, breaks=breaks)
    if policy:
        BookingPolicy.current()
    return clinic


def appointment(clinic: Clinic, starts: dt.datetime, **kwargs: Any) -> Appointment:
    """Alice's appointment with Tess in Midtown's room at `starts`, written straight to the
    table as if booked earlier (no checks), unless told otherwise."""
    options: dict[str, Any] = {
        "client": clinic.alice,
        "therapist": clinic.tess,
        "service": clinic.service,
        "location": clinic.location,
        "room": clinic.room,
        "starts": starts,
    }
    options.update(kwargs)
    return factories.AppointmentFactory.create(**options)


def booking_by_the_desk(clinic: Clinic) -> dict[str, Any]:
    """What a booking action is given by default: the front desk books Alice's service with
    Tess at Midtown."""
    return {
        "actor": clinic.front_desk,
        "client": clinic.alice,
        "service": clinic.service,
        "therapist": clinic.tess,
        "location": clinic.location,
    }


def book(clinic: Clinic, starts: dt.datetime, **kwargs: Any) -> Appointment:
    """Book Alice with Tess at Midtown at `starts`, by the front desk, unless told otherwise."""
    options = {**booking_by_the_desk(clinic), "starts": starts, "now": NOW, **kwargs}
    return book_appointment(**options)
