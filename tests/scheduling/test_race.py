"""Concurrent bookings on PostgreSQL: the exclusion constraints keep the promise (STYLE.md).

Each thread has its own database connection and its own transaction, as two web requests
would. A barrier releases them together; in the "all past the re-check" runs a second barrier
inside the booking action holds every thread after its Python re-check and before its write,
the worst interleaving there is. With the constraints, one booking wins and every other thread
gets SlotTaken; with them dropped, the same race double-books, which shows that the re-check
alone would not do.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import IntegrityError, connection, connections, transaction

from backcare.booking.actions import SlotTaken, book_appointment
from backcare.booking.actions import common as actions
from backcare.booking.models import Appointment
from backcare.clinic.actions import add_to_care_team
from backcare.clinic.models import CareTeamMembership, Client
from backcare.scheduling.models import BookingPolicy
from tests import factories
from tests.conftest import Clinic
from tests.scheduling.clinic_week import NOW

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL"
    ),
]

THREADS = 20
UTC = dt.UTC
SLOT = dt.datetime(2026, 6, 1, 14, 0, tzinfo=UTC)  # Monday 10:00 in Atlanta
EXCLUSIONS = (
    "appointment_therapist_no_overlap",
    "appointment_room_no_overlap",
    "appointment_client_no_overlap",
)


@pytest.fixture
def race(clinic: Clinic) -> tuple[Clinic, list[Client]]:
    factories.weekly_hours(clinic.tess, clinic.location)
    BookingPolicy.current()
    clients = [factories.ClientFactory.create() for _ in range(THREADS)]
    return clinic, clients


def run_together(work: list[Callable[[], Any]]) -> list[Any]:
    """Run each callable in its own thread and connection, released together; their results."""
    start = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)

    def thread(index: int) -> None:
        try:
            start.wait(timeout=30)
            results[index] = work[index]()
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=thread, args=(i,)) for i in range(len(work))]
    for each in threads:
        each.start()
    for each in threads:
        each.join(timeout=120)
    assert not any(each.is_alive() for each in threads), "a booking thread hung"
    return results


@pytest.fixture
def all_past_the_recheck(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold every booking between its re-check and its write until all have re-checked.

    The booking's advisory locks normally make that impossible (one booking of a therapist at
    a time); they are lifted here so that the database's constraints alone are under test."""
    gate = threading.Barrier(THREADS)
    monkeypatch.setattr(actions, "_lock_for_booking", lambda *args, **kwargs: None)
    monkeypatch.setattr(actions, "_pause_before_write", lambda: gate.wait(timeout=30))


def book_for(clinic: Clinic, client: Client) -> Callable[[], Any]:
    return lambda: book_appointment(
        clinic.front_desk,
        client,
        clinic.service,
        clinic.tess,
        clinic.location,
        SLOT,
        now=NOW,
    )


def assert_one_winner(results: list[Any]) -> None:
    winners = [r for r in results if isinstance(r, Appointment)]
    losers = [r for r in results if not isinstance(r, Appointment)]
    assert len(winners) == 1, results
    assert all(isinstance(r, SlotTaken) for r in losers), losers
    assert all(r.alternatives for r in losers)
    assert all(r.message == SlotTaken.MESSAGE for r in losers)
    assert Appointment.objects.count() == 1
    assert Appointment.objects.get().pk == winners[0].pk


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_bookings_of_one_slot_make_one_appointment(
    race: tuple[Clinic, list[Client]],
) -> None:
    clinic, clients = race
    assert_one_winner(run_together([book_for(clinic, client) for client in clients]))


@pytest.mark.django_db(transaction=True)
def test_when_all_pass_the_recheck_together_the_database_still_lets_one_through(
    race: tuple[Clinic, list[Client]], all_past_the_recheck: None
) -> None:
    clinic, clients = race
    assert_one_winner(run_together([book_for(clinic, client) for client in clients]))


@pytest.fixture
def without_exclusions(db: None) -> Iterator[None]:
    with connection.cursor() as cursor:
        for name in EXCLUSIONS:
            cursor.execute(f"ALTER TABLE scheduling_appointment DROP CONSTRAINT {name}")
    yield
    # Put them back for the rest of the run: the double bookings must go first.
    Appointment.objects.all().delete()
    with connection.schema_editor() as editor:
        for constraint in Appointment._meta.constraints:
            if constraint.name in EXCLUSIONS:
                editor.add_constraint(Appointment, constraint)


@pytest.mark.django_db(transaction=True)
def test_without_the_exclusion_constraints_the_same_race_double_books(
    race: tuple[Clinic, list[Client]], all_past_the_recheck: None, without_exclusions: None
) -> None:
    clinic, clients = race
    results = run_together([book_for(clinic, client) for client in clients])
    assert Appointment.objects.count() > 1
    assert sum(isinstance(r, Appointment) for r in results) > 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_care_team_additions_keep_one_membership(clinic: Clinic) -> None:
    results = run_together(
        [
            lambda: add_to_care_team(
                None, clinic.bob, clinic.theo, CareTeamMembership.Reason.TREATED, NOW
            )
            for _ in range(THREADS)
        ]
    )
    assert all(isinstance(r, CareTeamMembership) for r in results), results
    assert CareTeamMembership.objects.filter(client=clinic.bob, therapist=clinic.theo).count() == 1


def test_the_database_refuses_an_overlapping_appointment_written_directly(
    race: tuple[Clinic, list[Client]],
) -> None:
    clinic, clients = race
    shared = {
        "therapist": clinic.tess,
        "service": clinic.service,
        "location": clinic.location,
    }
    factories.AppointmentFactory.create(client=clients[0], starts=SLOT, **shared)
    with (
        pytest.raises(IntegrityError, match="appointment_therapist_no_overlap"),
        transaction.atomic(),
    ):
        factories.AppointmentFactory.create(
            client=clients[1], starts=SLOT + dt.timedelta(minutes=45), **shared
        )
    # Starting exactly when the other's buffer ends is no overlap: the ranges are half-open.
    factories.AppointmentFactory.create(
        client=clients[1], starts=SLOT + dt.timedelta(minutes=75), **shared
    )


def test_the_database_refuses_a_double_booked_room_and_client(
    race: tuple[Clinic, list[Client]],
) -> None:
    clinic, clients = race
    factories.AppointmentFactory.create(
        client=clients[0], room=clinic.room, location=clinic.location, starts=SLOT
    )
    with pytest.raises(IntegrityError, match="appointment_room_no_overlap"), transaction.atomic():
        factories.AppointmentFactory.create(
            client=clients[1], room=clinic.room, location=clinic.location, starts=SLOT
        )
    with pytest.raises(IntegrityError, match="appointment_client_no_overlap"), transaction.atomic():
        factories.AppointmentFactory.create(client=clients[0], starts=SLOT)
    # A cancelled appointment holds nothing.
    factories.AppointmentFactory.create(client=clients[0], starts=SLOT, status="cancelled")


def test_an_exclusion_violation_becomes_slot_taken_with_alternatives(
    race: tuple[Clinic, list[Client]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rival's row lands after our re-check: no IntegrityError escapes, the loser is told."""
    clinic, clients = race

    def rival_books_first() -> None:
        factories.AppointmentFactory.create(
            client=clients[1],
            therapist=clinic.tess,
            service=clinic.service,
            location=clinic.location,
            starts=SLOT,
        )

    monkeypatch.setattr(actions, "_pause_before_write", rival_books_first)
    with pytest.raises(SlotTaken) as refused:
        book_for(clinic, clients[0])()
    assert refused.value.constraint == "appointment_therapist_no_overlap"
    assert refused.value.alternatives
    assert not Appointment.objects.filter(client=clients[0]).exists()
