"""Moving an appointment to another time, therapist or room (SPEC §4)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from backcare import events
from backcare.accounts.models import User
from backcare.audit.log import diff, record
from backcare.booking.actions import common
from backcare.booking.actions.common import (
    _appointment_snapshot,
    _check_bookable_with,
    _check_hold,
    _check_own,
    _lock,
    _now,
    _plan,
    _require_status,
    _with_alternatives,
    _write,
    settles_contention,
)
from backcare.booking.actions.errors import CancellationRefused, SlotUnavailable
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.clinic.models import Room, Therapist
from backcare.holds.actions import door
from backcare.policy import staff_or_system
from backcare.scheduling.models import BookingPolicy


@door("book")
@settles_contention
@transaction.atomic
def reschedule_appointment(
    actor: User | None,
    appointment: Appointment,
    starts: dt.datetime,
    *,
    therapist: Therapist | None = None,
    room: Room | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Move a booked appointment to `starts`, with the same or another therapist.

    The same rules as booking apply to the new time, ignoring the appointment itself. A client
    cannot move an appointment that is inside the cancellation window. The room is kept if it
    is free at the new time, otherwise another is chosen, unless `room` is given.
    """
    now = _now(now)
    staff = staff_or_system(actor)
    _lock(appointment)
    client, location, service = appointment.client, appointment.location, appointment.service
    _check_own(actor, client, "move")
    _require_status(appointment, [AppointmentStatus.BOOKED], "moved")
    policy = BookingPolicy.current()
    if not staff and now > appointment.starts - policy.cancellation_window:
        raise CancellationRefused(
            "appointment",
            f"This appointment is less than {policy.cancellation_window_hours} hours away, so it "
            "can no longer be moved online. Please call the clinic.",
        )
    _check_hold(actor, client, now)
    new_therapist = therapist or appointment.therapist
    _check_bookable_with(service, new_therapist, location)
    before = _appointment_snapshot(appointment)
    previous_starts, previous_ends = appointment.starts, appointment.ends
    previous_therapist, previous_room = appointment.therapist, appointment.room
    common._lock_for_booking(
        new_therapist, location, client, rooms=service.needs_room or room is not None
    )
    try:
        plan = _plan(
            client=client,
            service=service,
            therapist=new_therapist,
            location=location,
            starts=starts,
            room=room,
            preferred_room=appointment.room,
            now=now,
            staff=staff,
            ignoring=appointment,
        )
        common._pause_before_write()
        appointment.therapist = new_therapist
        appointment.room = plan.room
        appointment.starts = plan.starts
        appointment.ends = plan.ends
        appointment.blocked_until = plan.blocked_until
        _write(appointment, ["therapist", "room", "starts", "ends", "blocked_until", "updated_at"])
    except SlotUnavailable as refusal:
        raise _with_alternatives(
            refusal,
            service=service,
            location=location,
            therapist=new_therapist,
            client=client,
            around=starts,
            now=now,
            staff=staff,
            ignoring=appointment,
        ) from refusal.__cause__
    record(
        actor,
        "appointment.rescheduled",
        appointment,
        client=client,
        changes=diff(before, _appointment_snapshot(appointment)),
    )
    events.publish(
        events.AppointmentRescheduled(
            appointment,
            previous_starts=previous_starts,
            previous_ends=previous_ends,
            previous_therapist=previous_therapist,
            previous_room=previous_room,
        )
    )
    if previous_starts > now:
        events.publish(
            events.SlotFreed(
                appointment,
                starts=previous_starts,
                ends=previous_ends,
                therapist=previous_therapist,
                room=previous_room,
                location=location,
            )
        )
    return appointment
