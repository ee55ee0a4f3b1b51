"""Shared set-up for the waitlist tests: Midtown open on weekdays, a frozen clock, and Dana, a
client whose appointment on Tuesday at 10:00 is about to free up."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core import mail

from backcare.accounts.models import User
from backcare.booking.actions import book_appointment
from backcare.booking.models import Appointment
from backcare.clinic.models import Client
from backcare.scheduling.models import BookingPolicy
from backcare.waitlist.actions import join_waitlist
from backcare.waitlist.matching import TimeOfDay
from backcare.waitlist.models import WaitlistEntry
from tests import factories
from tests.conftest import Clinic

UTC = dt.UTC
# Monday 25 May 2026, 08:00 in Atlanta (EDT, UTC-4).
NOW = dt.datetime(2026, 5, 25, 12, 0, tzinfo=UTC)
TODAY = dt.date(2026, 5, 25)
EVERY_TIME = frozenset(TimeOfDay)


def local(day: int, hour: int, minute: int = 0, month: int = 5) -> dt.datetime:
    """A wall-clock time in Atlanta in 2026 (EDT), as UTC."""
    return dt.datetime(2026, month, day, tzinfo=UTC) + dt.timedelta(hours=hour + 4, minutes=minute)


TUESDAY_10 = local(26, 10)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def open_clinic(clinic: Clinic, clock: time_machine.Traveller) -> Clinic:
    """Tess works Monday to Friday 09:00-17:00 at Midtown."""
    factories.weekly_hours(clinic.tess, clinic.location)
    BookingPolicy.current()
    return clinic


@pytest.fixture
def dana(open_clinic: Clinic) -> Client:
    return factories.ClientFactory.create(first_name="Dana", last_name="Diaz", email="")


@pytest.fixture
def danas_appointment(open_clinic: Clinic, dana: Client) -> Appointment:
    """Dana's appointment with Tess on Tuesday 26 May at 10:00, booked by the front desk."""
    return book_appointment(
        open_clinic.front_desk,
        dana,
        open_clinic.service,
        open_clinic.tess,
        open_clinic.location,
        TUESDAY_10,
        now=NOW,
    )


def wait(
    clinic: Clinic, client: Client, *, asked: dt.datetime = NOW, **changes: Any
) -> WaitlistEntry:
    """Put `client` on the waitlist at Midtown for the next fortnight, any time, anyone."""
    options: dict[str, Any] = {
        "service": clinic.service,
        "location": clinic.location,
        "therapist": None,
        "earliest": TODAY,
        "latest": TODAY + dt.timedelta(days=14),
        "times_of_day": EVERY_TIME,
        "now": asked,
    }
    options.update(changes)
    return join_waitlist(client.user, client, **options)


def user_of(client: Client) -> User:
    assert client.user is not None
    return client.user


def offer_emails(address: str) -> list[Any]:
    return [m for m in mail.outbox if address in m.to and "earlier time" in m.subject]


def offer_path(message: Any) -> str:
    """The offer page's path, from the link in an offer email."""
    found = re.search(r"https?://[^/\s]+(/waitlist/offers/[^/\s]+/)", message.body)
    assert found is not None, message.body
    return found.group(1)
