"""The week the scheduling tests book in, shared by their files: "now" is Monday 25 May 2026,
08:00 in Atlanta, and the sessions fall in the summer weeks after it (EDT, UTC-4)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from backcare.booking.actions import book_appointment
from backcare.booking.models import Appointment
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


def open_weekdays(clinic: Clinic) -> Clinic:
    """Tess and Theo work Monday to Friday 09:00-17:00 at Midtown with lunch 12:30-13:15."""
    for therapist in (clinic.tess, clinic.theo):
        factories.weekly_hours(therapist, clinic.location, breaks=[LUNCH])
    BookingPolicy.current()
    return clinic


def book(clinic: Clinic, starts: dt.datetime, **kwargs: Any) -> Appointment:
    """Book Alice with Tess at Midtown at `starts`, by the front desk, unless told otherwise."""
    options: dict[str, Any] = {
        "actor": clinic.front_desk,
        "client": clinic.alice,
        "service": clinic.service,
        "therapist": clinic.tess,
        "location": clinic.location,
        "starts": starts,
        "now": NOW,
    }
    options.update(kwargs)
    return book_appointment(**options)
