"""Booking, moving, cancelling and attending appointments through the named actions (SPEC §4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection

from backcare import events
from backcare.audit.models import AuditEvent
from backcare.booking.actions import (
    BookingHeld,
    CancellationRefused,
    ClientAlreadyBooked,
    SchedulingError,
    SlotTaken,
    SlotUnavailable,
    TooClose,
    cancel_appointment,
    check_in,
    complete_appointment,
    mark_no_show,
    reschedule_appointment,
)
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.clinic.models import CareTeamMembership, Room
from tests import factories
from tests.conftest import Clinic
from tests.scheduling.clinic_week import NOW, book, local

UTC = dt.UTC
# Monday 1 June 2026 in Atlanta is EDT (UTC-4): 10:00 local is 14:00 UTC.


pytestmark = pytest.mark.usefixtures("frozen")  # tests/scheduling/conftest.py


class Heard:
    """Collects the events of one kind that were delivered."""

    def __init__(self) -> None:
        self.calls: list[Any] = []

    def __call__(self, event: Any) -> None:
        self.calls.append(event)


@pytest.fixture
def listen() -> Iterator[Callable[[Any], Heard]]:
    subscribed: list[tuple[Any, Heard]] = []

    def attach(kind: Any) -> Heard:
        heard = Heard()
        events.subscribe(kind)(heard)
        subscribed.append((kind, heard))
        return heard

    yield attach
    for kind, heard in subscribed:
        events.unsubscribe(kind, heard)


# --- Booking --------------------------------------------------------------------------------


def test_staff_book_a_free_time_with_room_buffer_and_audit(open_clinic: Clinic) -> None:
    appointment = book(open_clinic, local(1, 10))

    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.starts == local(1, 10)
    assert appointment.ends == local(1, 11)
    assert appointment.blocked_until == local(1, 11, 15)
    assert appointment.room == open_clinic.room
    assert appointment.booked_by == open_clinic.front_desk
    assert appointment.booked_at == NOW
    event = AuditEvent.objects.get(action="appointment.booked")
    assert event.actor == open_clinic.front_desk
    assert event.client == open_clinic.alice
    assert event.object_id == str(appointment.pk)
    assert event.changes["starts"]["after"] == local(1, 10).isoformat()


def test_a_client_books_for_themselves_and_the_therapist_does_not_join_the_care_team(
    open_clinic: Clinic,
) -> None:
    """Access to the clinical record follows treatment (a check-in), not a booking (SPEC §2a)."""
    bob = open_clinic.bob
    assert not CareTeamMembership.objects.filter(client=bob, therapist=open_clinic.tess).exists()

    appointment = book(open_clinic, local(1, 10), actor=bob.user, client=bob)

    assert appointment.client == bob
    assert not CareTeamMembership.objects.filter(client=bob).exists()
    assert not AuditEvent.objects.filter(action="care_team.added", client=bob).exists()


def test_a_client_cannot_book_for_someone_else(open_clinic: Clinic) -> None:
    with pytest.raises(SchedulingError) as refused:
        book(open_clinic, local(1, 10), actor=open_clinic.bob.user, client=open_clinic.alice)
    assert refused.value.field == "client"
    assert not Appointment.objects.exists()


def test_booking_announces_itself_only_after_commit(
    open_clinic: Clinic,
    listen: Callable[[Any], Heard],
    django_capture_on_commit_callbacks: Any,
) -> None:
    heard = listen(events.AppointmentBooked)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        appointment = book(open_clinic, local(1, 10))
    assert heard.calls == []
    for callback in callbacks:
        callback()
    assert heard.calls == [events.AppointmentBooked(appointment)]


def test_the_screening_hold_blocks_booking_a_sixteen_year_old(open_clinic: Clinic) -> None:
    teen = factories.ClientFactory.create(date_of_birth=dt.date(2010, 3, 1))

    with pytest.raises(BookingHeld) as by_staff:
        book(open_clinic, local(1, 10), client=teen)
    assert by_staff.value.hold.kind == "minor"
    assert by_staff.value.field == "client"
    assert by_staff.value.message == by_staff.value.hold.staff_message
    assert not Appointment.objects.exists()


def test_the_held_client_is_told_in_their_own_words(open_clinic: Clinic) -> None:
    login = factories.UserFactory.create(email="teen@example.com", role="client")
    teen = factories.ClientFactory.create(date_of_birth=dt.date(2010, 3, 1), user=login)

    with pytest.raises(BookingHeld) as refused:
        book(open_clinic, local(1, 10), actor=login, client=teen)
    assert refused.value.message == refused.value.hold.client_message


def test_a_time_in_the_past_is_refused_even_for_staff(open_clinic: Clinic) -> None:
    with pytest.raises(SlotUnavailable, match="already passed"):
        book(open_clinic, NOW - dt.timedelta(days=7))


def test_clients_must_give_minimum_notice_but_staff_need_not(open_clinic: Clinic) -> None:
    soon = local(25, 9, month=5)  # 09:00 local today, one hour from now
    alice = open_clinic.alice
    with pytest.raises(SlotUnavailable, match="notice") as refused:
        book(open_clinic, soon, actor=alice.user)
    assert refused.value.alternatives
    assert all(slot.start >= NOW + dt.timedelta(hours=2) for slot in refused.value.alternatives)

    assert book(open_clinic, soon, actor=open_clinic.front_desk).starts == soon


def test_clients_cannot_book_beyond_the_horizon_but_staff_can(open_clinic: Clinic) -> None:
    far = local(3, 10, month=8)  # 70 days ahead; the horizon is 60
    with pytest.raises(SlotUnavailable, match="60 days"):
        book(open_clinic, far, actor=open_clinic.alice.user)

    assert book(open_clinic, far).starts == far


@pytest.mark.parametrize(
    ("when", "why"),
    [
        (local(6, 10), "outside"),  # a Saturday
        (local(1, 8), "outside"),  # before the day starts
        (local(1, 16, 15), "outside"),  # the buffer would end after 17:00
        (local(1, 12), "outside"),  # runs into lunch
        (local(1, 10, 5), "quarter hour"),
    ],
)
def test_times_outside_the_working_hours_or_off_the_grid_are_refused(
    open_clinic: Clinic, when: dt.datetime, why: str
) -> None:
    with pytest.raises(SlotUnavailable, match=why) as refused:
        book(open_clinic, when)
    assert refused.value.field == "starts"
    assert not Appointment.objects.exists()


def test_a_closed_day_is_refused_with_its_name(open_clinic: Clinic) -> None:
    factories.ClosureFactory.create(starts_on=dt.date(2026, 6, 1), name="Staff training day")
    with pytest.raises(SlotUnavailable, match="Staff training day") as refused:
        book(open_clinic, local(1, 10))
    assert refused.value.alternatives[0].start.date() == dt.date(2026, 6, 2)


def test_time_off_is_refused(open_clinic: Clinic) -> None:
    factories.TimeOffFactory.create(
        therapist=open_clinic.tess, starts=local(1, 9), ends=local(2, 9)
    )
    with pytest.raises(SlotUnavailable, match="away"):
        book(open_clinic, local(1, 15))


def test_a_therapist_who_does_not_work_at_the_location_is_refused(clinic: Clinic) -> None:
    elsewhere = factories.LocationFactory.create(name="Decatur")
    with pytest.raises(SchedulingError) as refused:
        book(clinic, local(1, 10), location=elsewhere)
    assert refused.value.field == "therapist"
    assert "does not work at Decatur" in refused.value.message


def test_an_overlap_with_the_therapist_is_slot_taken_with_alternatives(open_clinic: Clinic) -> None:
    book(open_clinic, local(1, 10))

    with pytest.raises(SlotTaken) as refused:
        book(open_clinic, local(1, 10, 30), client=open_clinic.bob)
    assert str(refused.value) == (
        "starts: That time was just taken — here are the nearest free times."
    )
    assert [slot.start for slot in refused.value.alternatives] == [
        local(1, 11, 15),  # the only start before lunch that the buffer leaves
        local(1, 13, 15),
        local(1, 13, 30),
    ]
    assert Appointment.objects.count() == 1


def test_the_buffer_blocks_the_next_slot(open_clinic: Clinic) -> None:
    book(open_clinic, local(1, 10))  # blocked until 11:15

    # Not "just taken": the time is free, the clean-up after the session before is not.
    with pytest.raises(TooClose, match="Tess Therapist needs 15 minutes between sessions"):
        book(open_clinic, local(1, 11), client=open_clinic.bob)
    assert book(open_clinic, local(1, 11, 15), client=open_clinic.bob).starts == local(1, 11, 15)


def test_a_client_cannot_be_double_booked_across_two_therapists(open_clinic: Clinic) -> None:
    factories.RoomFactory.create(location=open_clinic.location, name="Dogwood")
    book(open_clinic, local(1, 10))

    with pytest.raises(ClientAlreadyBooked, match="Alice Anders already has an appointment"):
        book(open_clinic, local(1, 10, 30), therapist=open_clinic.theo)
    # Theo and the second room are free: Bob can have them.
    assert book(open_clinic, local(1, 10, 30), therapist=open_clinic.theo, client=open_clinic.bob)


def test_the_only_room_is_never_double_booked(open_clinic: Clinic) -> None:
    book(open_clinic, local(1, 10))

    with pytest.raises(SlotTaken):
        book(open_clinic, local(1, 10), therapist=open_clinic.theo, client=open_clinic.bob)


def test_a_second_room_is_picked_when_the_first_is_busy(open_clinic: Clinic) -> None:
    dogwood = factories.RoomFactory.create(location=open_clinic.location, name="Dogwood")
    first = book(open_clinic, local(1, 10))
    second = book(open_clinic, local(1, 10), therapist=open_clinic.theo, client=open_clinic.bob)
    assert {first.room, second.room} == {open_clinic.room, dogwood}


def test_a_room_at_another_location_is_refused(open_clinic: Clinic) -> None:
    elsewhere = factories.RoomFactory.create(name="Elsewhere")
    with pytest.raises(SchedulingError) as refused:
        book(open_clinic, local(1, 10), room=elsewhere)
    assert refused.value.field == "room"


def test_the_recheck_refuses_an_overlap_written_since_the_slots_were_shown(
    open_clinic: Clinic,
) -> None:
    """What keeps SQLite safe: the re-check inside the (IMMEDIATE) booking transaction."""
    factories.AppointmentFactory.create(
        client=open_clinic.bob,
        therapist=open_clinic.tess,
        service=open_clinic.service,
        location=open_clinic.location,
        room=open_clinic.room,
        starts=local(1, 10),
    )
    with pytest.raises(SlotTaken) as refused:
        book(open_clinic, local(1, 10))
    assert refused.value.alternatives
    assert Appointment.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite has no exclusion constraints")
def test_on_sqlite_the_database_itself_has_no_overlap_constraint(open_clinic: Clinic) -> None:
    """Why the re-check above matters there: a direct write is not refused."""
    for client in (open_clinic.alice, open_clinic.bob):
        factories.AppointmentFactory.create(
            client=client,
            therapist=open_clinic.tess,
            service=open_clinic.service,
            location=open_clinic.location,
            starts=local(1, 10),
        )
    assert Appointment.objects.count() == 2


def test_a_cancelled_appointment_frees_its_time(open_clinic: Clinic) -> None:
    first = book(open_clinic, local(1, 10))
    cancel_appointment(open_clinic.front_desk, first, "Feeling unwell", NOW)

    assert book(open_clinic, local(1, 10), client=open_clinic.bob).room == open_clinic.room


# --- Rescheduling ---------------------------------------------------------------------------


def test_rescheduling_moves_the_appointment_and_frees_the_old_time(
    open_clinic: Clinic,
    listen: Callable[[Any], Heard],
    django_capture_on_commit_callbacks: Any,
) -> None:
    moved, freed = listen(events.AppointmentRescheduled), listen(events.SlotFreed)
    appointment = book(open_clinic, local(1, 10))

    with django_capture_on_commit_callbacks(execute=True):
        reschedule_appointment(open_clinic.front_desk, appointment, local(2, 14), now=NOW)

    appointment.refresh_from_db()
    assert (appointment.starts, appointment.blocked_until) == (local(2, 14), local(2, 15, 15))
    assert moved.calls[0].previous_starts == local(1, 10)
    assert moved.calls[0].appointment == appointment
    assert freed.calls[0].starts == local(1, 10)
    assert freed.calls[0].therapist == open_clinic.tess
    event = AuditEvent.objects.get(action="appointment.rescheduled")
    assert event.changes["starts"] == {
        "before": local(1, 10).isoformat(),
        "after": local(2, 14).isoformat(),
    }


def test_an_appointment_can_move_into_its_own_time(open_clinic: Clinic) -> None:
    appointment = book(open_clinic, local(1, 10))
    reschedule_appointment(open_clinic.front_desk, appointment, local(1, 10, 30), now=NOW)
    assert appointment.starts == local(1, 10, 30)
    assert appointment.room == open_clinic.room


def test_rescheduling_onto_someone_elses_time_is_slot_taken(open_clinic: Clinic) -> None:
    book(open_clinic, local(1, 10), client=open_clinic.bob)
    appointment = book(open_clinic, local(1, 14))

    with pytest.raises(SlotTaken) as refused:
        reschedule_appointment(open_clinic.front_desk, appointment, local(1, 10), now=NOW)
    assert refused.value.alternatives
    appointment.refresh_from_db()
    assert appointment.starts == local(1, 14)


def test_rescheduling_to_another_therapist_does_not_add_them_to_the_care_team(
    open_clinic: Clinic,
) -> None:
    appointment = book(open_clinic, local(1, 10))
    reschedule_appointment(
        open_clinic.front_desk, appointment, local(1, 14), therapist=open_clinic.theo, now=NOW
    )
    assert appointment.therapist == open_clinic.theo
    assert not CareTeamMembership.objects.filter(
        client=open_clinic.alice, therapist=open_clinic.theo
    ).exists()


def test_a_client_cannot_move_an_appointment_inside_the_cancellation_window(
    open_clinic: Clinic,
) -> None:
    appointment = book(open_clinic, local(1, 10))
    with pytest.raises(CancellationRefused, match="call the clinic"):
        reschedule_appointment(open_clinic.alice.user, appointment, local(2, 10), now=local(1, 8))


# --- Cancelling -----------------------------------------------------------------------------


def test_a_client_cancels_outside_the_window_and_it_is_not_late(
    open_clinic: Clinic,
    listen: Callable[[Any], Heard],
    django_capture_on_commit_callbacks: Any,
) -> None:
    cancelled, freed = listen(events.AppointmentCancelled), listen(events.SlotFreed)
    appointment = book(open_clinic, local(1, 10))

    with django_capture_on_commit_callbacks(execute=True):
        cancel_appointment(open_clinic.alice.user, appointment, "Away that week", NOW)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.late_cancellation is False
    assert appointment.cancelled_at == NOW
    assert appointment.cancel_reason == "Away that week"
    assert cancelled.calls == [events.AppointmentCancelled(appointment, late=False, held=False)]
    assert freed.calls[0].starts == local(1, 10)
    event = AuditEvent.objects.get(action="appointment.cancelled")
    assert event.actor == open_clinic.alice.user
    assert event.client == open_clinic.alice


def test_a_client_is_refused_inside_the_cancellation_window(open_clinic: Clinic) -> None:
    appointment = book(open_clinic, local(1, 10))
    with pytest.raises(CancellationRefused) as refused:
        cancel_appointment(open_clinic.alice.user, appointment, "", local(31, 12, month=5))
    assert "less than 24 hours" in refused.value.message
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_staff_cancel_inside_the_window_and_it_counts_as_late(open_clinic: Clinic) -> None:
    appointment = book(open_clinic, local(1, 10))
    cancel_appointment(open_clinic.front_desk, appointment, "Called in", local(1, 9))
    assert appointment.late_cancellation is True


def test_a_cancelled_appointment_cannot_be_cancelled_again(open_clinic: Clinic) -> None:
    appointment = book(open_clinic, local(1, 10))
    cancel_appointment(open_clinic.front_desk, appointment, "", NOW)
    with pytest.raises(SchedulingError, match="cancelled, so it cannot be cancelled"):
        cancel_appointment(open_clinic.front_desk, appointment, "", NOW)


def test_another_client_cannot_cancel_alices_appointment(open_clinic: Clinic) -> None:
    appointment = book(open_clinic, local(1, 10))
    with pytest.raises(SchedulingError):
        cancel_appointment(open_clinic.bob.user, appointment, "", NOW)


# --- Attending ------------------------------------------------------------------------------


def test_check_in_then_complete_on_the_day(open_clinic: Clinic) -> None:
    factories.screened(open_clinic.alice, [])  # nobody is checked in unscreened
    appointment = book(open_clinic, local(1, 10))
    check_in(open_clinic.alice.user, appointment, local(1, 9, 50))
    assert appointment.status == AppointmentStatus.CHECKED_IN
    complete_appointment(open_clinic.tess.user, appointment, local(1, 11))
    assert appointment.status == AppointmentStatus.COMPLETED
    assert list(
        AuditEvent.objects.filter(
            object_type="scheduling.appointment", object_id=str(appointment.pk)
        )
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["appointment.booked", "appointment.checked_in", "appointment.completed"]


def test_check_in_the_day_before_is_refused(open_clinic: Clinic) -> None:
    appointment = book(open_clinic, local(1, 10))
    with pytest.raises(SchedulingError, match="day of the appointment"):
        check_in(open_clinic.front_desk, appointment, local(31, 18, month=5))


def test_a_no_show_is_recorded_by_staff_after_the_start(open_clinic: Clinic) -> None:
    appointment = book(open_clinic, local(1, 10))
    with pytest.raises(SchedulingError, match="not started"):
        mark_no_show(open_clinic.front_desk, appointment, local(1, 9))
    with pytest.raises(SchedulingError, match="Only the clinic"):
        mark_no_show(open_clinic.alice.user, appointment, local(1, 10, 30))

    mark_no_show(open_clinic.front_desk, appointment, local(1, 10, 30))

    assert appointment.status == AppointmentStatus.NO_SHOW
    assert AuditEvent.objects.filter(action="appointment.no_show").count() == 1


def test_a_no_show_frees_the_rest_of_the_time_for_a_walk_in(open_clinic: Clinic) -> None:
    appointment = book(open_clinic, local(1, 10))
    mark_no_show(open_clinic.front_desk, appointment, local(1, 10, 10))
    walk_in = book(open_clinic, local(1, 10, 15), client=open_clinic.bob, now=local(1, 10, 10))
    assert walk_in.room == open_clinic.room


def test_an_inactive_room_cannot_be_chosen(open_clinic: Clinic) -> None:
    Room.objects.filter(pk=open_clinic.room.pk).update(active=False)
    open_clinic.room.refresh_from_db()
    with pytest.raises(SchedulingError) as refused:
        book(open_clinic, local(1, 10), room=open_clinic.room)
    assert refused.value.field == "room"
    with pytest.raises(SlotTaken):  # the service needs a room and none is in use
        book(open_clinic, local(1, 10))
