"""Shared set-up for the email tests: a clinic that is open, a frozen clock, and the queue."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any
from unittest import mock

import icalendar
import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker

from backcare.booking.actions import book_appointment
from backcare.booking.models import Appointment
from backcare.scheduling.models import BookingPolicy
from tests import factories
from tests.conftest import Clinic

UTC = dt.UTC
# Monday 25 May 2026, 08:00 in Atlanta (EDT, UTC-4).
NOW = dt.datetime(2026, 5, 25, 12, 0, tzinfo=UTC)
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def local(day: int, hour: int, minute: int = 0, month: int = 6) -> dt.datetime:
    """A wall-clock time in Atlanta in 2026 (EDT from March to November), as UTC."""
    return dt.datetime(2026, month, day, hour + 4, minute, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def open_clinic(clinic: Clinic, clock: time_machine.Traveller) -> Clinic:
    """Tess works Monday to Friday 09:00-17:00 at Midtown, which has a phone number."""
    clinic.location.phone = "(404) 555-0199"
    clinic.location.save(update_fields=["phone"])
    factories.weekly_hours(clinic.tess, clinic.location)
    BookingPolicy.current()
    return clinic


@pytest.fixture
def database_queue() -> Iterator[None]:
    """The real queue (django-tasks-db), as in production, instead of the tests' immediate one."""
    with override_settings(TASKS=DATABASE_QUEUE):
        yield


@contextlib.contextmanager
def made_only_by_the_worker(renderer: str) -> Iterator[None]:
    """Inside, the PDF renderer ``renderer`` (a dotted path) fails the test if called: what
    runs inside it (a request) must leave the PDF to the worker."""
    refusal = AssertionError(f"{renderer} was called inside the request")
    with mock.patch(renderer, side_effect=refusal):
        yield


def book(clinic: Clinic, starts: dt.datetime, **kwargs: Any) -> Appointment:
    options: dict[str, Any] = {
        "actor": clinic.front_desk,
        "client": clinic.alice,
        "service": clinic.service,
        "therapist": clinic.tess,
        "location": clinic.location,
        "starts": starts,
    }
    options.update(kwargs)
    return book_appointment(**options)


def run_worker(worker_id: str = "test-worker", max_tasks: int | None = None) -> None:
    """What ``backcare worker --batch`` does: run every task that is due, then stop.

    The worker closes database connections it finds outside autocommit, as a long-running
    process should; inside a test's transaction that would close the test's own connection.
    """
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    if transaction.get_autocommit():
        worker.run()
    else:
        with mock.patch.object(db_worker, "close_old_connections"):
            worker.run()


def calendar_of(message: Any) -> icalendar.Calendar:
    """The .ics attached to an email, parsed back."""
    (attachment,) = [item for item in message.attachments if item[0].endswith(".ics")]
    content = attachment[1]
    return icalendar.Calendar.from_ical(content.encode() if isinstance(content, str) else content)


def sent_to(address: str) -> list[Any]:
    return [message for message in mail.outbox if address in message.to]


def wall_clock(event: icalendar.Event) -> str:
    """An event's start as the file writes it: local time and UTC offset."""
    start = event.start
    assert isinstance(start, dt.datetime)
    return f"{start:%Y-%m-%d %H:%M %z}"
