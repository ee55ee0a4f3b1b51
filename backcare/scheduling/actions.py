"""Named write actions for the clinic's time (SPEC §4): working hours, time off, closures and
the booking policy. Booking, moving, cancelling and attending appointments are in
:mod:`backcare.booking.actions`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from backcare.accounts.models import User
from backcare.audit.log import create_recorded, delete_recorded, diff, record, snapshot
from backcare.clinic.models import Location, Therapist
from backcare.scheduling.clock import clock
from backcare.scheduling.models import BookingPolicy, Break, Closure, TimeOff, WorkingHours

if TYPE_CHECKING:
    pass


@transaction.atomic
def add_working_hours(
    actor: User | None,
    therapist: Therapist,
    location: Location,
    weekday: int,
    starts: dt.time,
    ends: dt.time,
    breaks: tuple[tuple[dt.time, dt.time], ...] = (),
) -> WorkingHours:
    """A weekday's hours at a location, in its wall-clock time, with any breaks inside them."""
    hours = WorkingHours(
        therapist=therapist, location=location, weekday=weekday, starts=starts, ends=ends
    )
    hours.full_clean()
    for break_starts, break_ends in breaks:
        if not starts <= break_starts < break_ends <= ends:
            raise ValidationError(
                {
                    "breaks": f"The break {clock(break_starts)}–{clock(break_ends)} must lie "
                    f"inside the hours {clock(starts)}–{clock(ends)}."
                }
            )
    hours.save()
    for break_starts, break_ends in breaks:
        pause = Break(hours=hours, starts=break_starts, ends=break_ends)
        pause.full_clean()
        pause.save()
    record(
        actor,
        "working_hours.added",
        hours,
        changes=diff(
            {},
            {
                "therapist": therapist.pk,
                "location": location.pk,
                "weekday": weekday,
                "hours": f"{starts:%H:%M}-{ends:%H:%M}",
                "breaks": [f"{b:%H:%M}-{e:%H:%M}" for b, e in breaks],
            },
        ),
    )
    return hours


@transaction.atomic
def remove_working_hours(actor: User | None, hours: WorkingHours) -> None:
    """Remove a weekday's hours (and their breaks). Sessions already booked then stay booked."""
    delete_recorded(actor, hours, "working_hours.removed")


# --- Time off, closures and the booking policy ----------------------------------------------


@transaction.atomic
def add_time_off(
    actor: User | None,
    therapist: Therapist,
    starts: dt.datetime,
    ends: dt.datetime,
    reason: str = "",
) -> TimeOff:
    """The therapist is away from `starts` to `ends` (aware). Existing appointments stay booked."""
    away = TimeOff(therapist=therapist, starts=starts, ends=ends, reason=reason)
    return create_recorded(actor, away, "time_off.added")


@transaction.atomic
def remove_time_off(actor: User | None, away: TimeOff) -> None:
    delete_recorded(actor, away, "time_off.removed")


@transaction.atomic
def add_closure(
    actor: User | None,
    starts_on: dt.date,
    ends_on: dt.date,
    *,
    name: str = "",
    location: Location | None = None,
) -> Closure:
    """Close `location` (or every location) on local days `starts_on` to `ends_on`, included."""
    closure = Closure(location=location, starts_on=starts_on, ends_on=ends_on, name=name)
    return create_recorded(actor, closure, "closure.added")


@transaction.atomic
def remove_closure(actor: User | None, closure: Closure) -> None:
    delete_recorded(actor, closure, "closure.removed")


POLICY_FIELDS = (
    "min_notice_minutes",
    "horizon_days",
    "cancellation_window_hours",
    "held_sessions",
    "clock",
)


@transaction.atomic
def update_booking_policy(actor: User | None, **values: int | str) -> BookingPolicy:
    unknown = sorted(set(values) - set(POLICY_FIELDS))
    if unknown:
        raise TypeError(f"not a booking policy setting: {', '.join(unknown)}")
    policy = BookingPolicy.current()
    before = snapshot(policy, values)
    for name, value in values.items():
        setattr(policy, name, value)
    policy.full_clean()
    changes = diff(before, snapshot(policy, values))
    if changes:
        policy.save(update_fields=list(changes))
        record(actor, "booking_policy.updated", policy, changes=changes)
    return policy
