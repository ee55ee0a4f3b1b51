"""Free times loaded from the database: what blocks a slot, and a query count that never grows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from backcare.booking.availability import FreeSlot, free_slots, nearest_free
from backcare.booking.models import AppointmentStatus
from tests import factories
from tests.conftest import Clinic
from tests.scheduling.clinic_week import MONDAY, NOW, local, open_weekdays

UTC = dt.UTC


@pytest.fixture
def open_clinic(clinic: Clinic) -> Clinic:
    """Only Tess works, 09:00-12:00 on weekdays, with no lunch."""
    return open_weekdays(clinic, [clinic.tess], ends=dt.time(12), breaks=())


def starts(slots: list[FreeSlot]) -> list[dt.datetime]:
    return [slot.start for slot in slots]


def slots_on(clinic: Clinic, day: dt.date = MONDAY, **kwargs: Any) -> list[FreeSlot]:
    options: dict[str, Any] = {
        "location": clinic.location,
        "therapist": clinic.tess,
        "start_day": day,
        "end_day": day,
        "now": NOW,
        "staff": True,
    }
    options.update(kwargs)
    return free_slots(clinic.service, **options)


def test_a_free_morning_has_quarter_hour_starts_that_leave_room_for_the_buffer(
    open_clinic: Clinic,
) -> None:
    slots = slots_on(open_clinic)
    # 60 minutes plus a 15-minute buffer must end by 12:00: the last start is 10:45.
    assert starts(slots) == [local(1, 9, m) for m in (0, 15, 30, 45)] + [
        local(1, 10, m) for m in (0, 15, 30, 45)
    ]
    assert slots[0] == FreeSlot(
        local(1, 9),
        local(1, 10),
        open_clinic.tess.pk,
        open_clinic.location.pk,
        (open_clinic.room.pk,),
    )


def test_an_appointment_and_its_buffer_block_the_therapist(open_clinic: Clinic) -> None:
    factories.AppointmentFactory.create(
        therapist=open_clinic.tess,
        location=open_clinic.location,
        service=open_clinic.service,
        starts=local(1, 9),
    )
    assert starts(slots_on(open_clinic)) == [local(1, 10, 15), local(1, 10, 30), local(1, 10, 45)]


def test_cancelled_and_missed_appointments_do_not_block(open_clinic: Clinic) -> None:
    for status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
        factories.AppointmentFactory.create(
            therapist=open_clinic.tess,
            location=open_clinic.location,
            service=open_clinic.service,
            starts=local(1, 9),
            status=status,
        )
    assert len(slots_on(open_clinic)) == 8


def test_the_clients_own_appointment_elsewhere_blocks_only_its_own_time(
    open_clinic: Clinic,
) -> None:
    factories.AppointmentFactory.create(
        client=open_clinic.alice, starts=local(1, 9, 30), service=open_clinic.service
    )
    slots = slots_on(open_clinic, client=open_clinic.alice)
    # 09:30-10:30 elsewhere; the other place's buffer is not the client's time.
    assert starts(slots) == [local(1, 10, 30), local(1, 10, 45)]
    assert len(slots_on(open_clinic, client=open_clinic.bob)) == 8


def test_a_busy_room_blocks_and_a_roomless_service_does_not_care(open_clinic: Clinic) -> None:
    factories.AppointmentFactory.create(
        room=open_clinic.room,
        location=open_clinic.location,
        service=open_clinic.service,
        starts=local(1, 9),
        ends=local(1, 11),
        blocked_until=local(1, 11),
    )
    assert starts(slots_on(open_clinic)) == []
    roomless = factories.ServiceFactory.create(needs_room=False)
    slots = free_slots(
        roomless,
        location=open_clinic.location,
        therapist=open_clinic.tess,
        start_day=MONDAY,
        end_day=MONDAY,
        now=NOW,
    )
    assert len(slots) == 8
    assert slots[0].room_ids == ()


def test_time_off_and_closures_remove_slots(open_clinic: Clinic) -> None:
    factories.TimeOffFactory.create(
        therapist=open_clinic.tess, starts=local(1, 9), ends=local(1, 10)
    )
    factories.ClosureFactory.create(location=open_clinic.location, starts_on=dt.date(2026, 6, 2))
    other = factories.LocationFactory.create(name="Decatur")
    factories.ClosureFactory.create(location=other, starts_on=dt.date(2026, 6, 3))

    slots = slots_on(open_clinic, end_day=dt.date(2026, 6, 3))

    assert {slot.start.date() for slot in slots} == {dt.date(2026, 6, 1), dt.date(2026, 6, 3)}
    assert local(1, 10) in starts(slots)
    assert local(1, 9, 45) not in starts(slots)


def test_any_therapist_means_those_who_work_at_the_location(open_clinic: Clinic) -> None:
    factories.weekly_hours(open_clinic.theo, open_clinic.location, weekdays=[0])
    gone = factories.TherapistFactory.create()
    factories.weekly_hours(gone, open_clinic.location, weekdays=[0])
    gone.locations.clear()  # left Midtown; the hours rows remain

    slots = slots_on(open_clinic, therapist=None)

    assert {slot.therapist_id for slot in slots} == {open_clinic.tess.pk, open_clinic.theo.pk}


def test_without_a_location_every_location_is_searched(open_clinic: Clinic) -> None:
    decatur = factories.LocationFactory.create(name="Decatur")
    factories.RoomFactory.create(location=decatur, name="Oak")
    factories.weekly_hours(open_clinic.theo, decatur, weekdays=[0])

    slots = slots_on(open_clinic, location=None, therapist=None)

    assert {slot.location_id for slot in slots} == {open_clinic.location.pk, decatur.pk}


def test_clients_see_the_minimum_notice_and_the_horizon(open_clinic: Clinic) -> None:
    today = dt.date(2026, 5, 25)  # 08:00 local now; two hours' notice means 10:00 at the earliest
    client_view = slots_on(open_clinic, day=today, staff=False)
    staff_view = slots_on(open_clinic, day=today, staff=True)
    assert starts(client_view)[0] == local(25, 10, month=5)
    assert starts(staff_view)[0] == local(25, 9, month=5)

    far = dt.date(2026, 7, 27)  # 63 days ahead
    assert slots_on(open_clinic, day=far, staff=False) == []
    assert slots_on(open_clinic, day=far, staff=True)


def test_slots_keep_local_time_on_either_side_of_the_autumn_change(clinic: Clinic) -> None:
    factories.weekly_hours(clinic.tess, clinic.location)
    slots = free_slots(
        clinic.service,
        location=clinic.location,
        start_day=dt.date(2026, 10, 30),
        end_day=dt.date(2026, 11, 2),
        now=dt.datetime(2026, 10, 1, tzinfo=UTC),
    )
    first_of_each_day: dict[dt.date, dt.datetime] = {}
    for slot in slots:
        first_of_each_day.setdefault(slot.start.astimezone(clinic.location.zone).date(), slot.start)
    assert list(first_of_each_day.values()) == [
        dt.datetime(2026, 10, 30, 13, 0, tzinfo=UTC),  # 09:00 EDT
        dt.datetime(2026, 11, 2, 14, 0, tzinfo=UTC),  # 09:00 EST
    ]


def test_nearest_free_prefers_the_same_day_then_the_same_time_nearby(open_clinic: Clinic) -> None:
    factories.AppointmentFactory.create(
        therapist=open_clinic.tess,
        location=open_clinic.location,
        service=open_clinic.service,
        starts=local(1, 9),
        ends=local(1, 12),
        blocked_until=local(1, 12),
    )
    nearest = nearest_free(
        open_clinic.service,
        open_clinic.location,
        open_clinic.tess,
        open_clinic.alice,
        local(1, 10),
        NOW,
        staff=True,
    )
    # Monday is full; Tuesday is one day away, Friday before it three.
    assert starts(nearest) == [local(2, 10), local(2, 9, 45), local(2, 10, 15)]


def test_the_query_count_does_not_grow_with_the_data(
    open_clinic: Clinic, django_assert_num_queries: Any
) -> None:
    def search() -> list[FreeSlot]:
        return free_slots(
            open_clinic.service,
            location=open_clinic.location,
            client=open_clinic.alice,
            start_day=MONDAY,
            end_day=MONDAY + dt.timedelta(days=13),
            now=NOW,
        )

    def add_data(therapists: int) -> None:
        for index in range(therapists):
            therapist = factories.TherapistFactory.create()
            factories.weekly_hours(
                therapist, open_clinic.location, breaks=[(dt.time(12), dt.time(13))]
            )
            factories.RoomFactory.create(location=open_clinic.location)
            factories.TimeOffFactory.create(therapist=therapist, starts=local(2 + index, 9))
            factories.ClosureFactory.create(starts_on=dt.date(2026, 6, 10 + index))
            for day in (1, 3, 4):
                factories.AppointmentFactory.create(
                    therapist=therapist,
                    location=open_clinic.location,
                    service=open_clinic.service,
                    starts=local(day, 14),
                )

    add_data(1)
    # The policy, hours and their breaks, time off, closures, rooms, appointments.
    with django_assert_num_queries(7):
        few = search()
    add_data(4)
    with django_assert_num_queries(7):
        many = search()
    assert len(many) > len(few)
    with django_assert_num_queries(8):  # and the locations, when none is given
        free_slots(open_clinic.service, start_day=MONDAY, end_day=MONDAY, now=NOW)
