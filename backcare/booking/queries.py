"""Reads for scheduling pages and actions: the sessions still booked when a therapist is away
or a location is closed."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from backcare.booking.models import Appointment, AppointmentStatus
from backcare.scheduling.calendar_days import falls_on_days
from backcare.scheduling.models import Closure, TimeOff

# A session still to be given: booked, or the client is here already. One that has ended, been
# completed, cancelled or missed is past moving.
_STILL_ON = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)
# Every zone's midnight lies within this of UTC's (offsets are within ±14 hours).
_ZONE_SLACK = dt.timedelta(hours=14)


def _still_on(now: dt.datetime) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(status__in=_STILL_ON, ends__gt=now)
        .select_related("client", "therapist__user", "location", "service")
        .order_by("starts", "pk")
    )


def booked_during_time_off(away: TimeOff, now: dt.datetime) -> list[Appointment]:
    """The therapist's sessions, not yet over at `now`, that overlap `away`: one query."""
    return list(
        _still_on(now)
        .filter(therapist_id=away.therapist_id, starts__lt=away.ends)
        .filter(ends__gt=away.starts)
    )


def booked_during_closure(closure: Closure, now: dt.datetime) -> list[Appointment]:
    """The sessions, not yet over at `now`, on the closure's days at its location (or at any
    location, each in its own zone): one query."""
    # The closed days in UTC, widened by the furthest any zone can be from UTC; the exact local
    # days are checked below, in each appointment's location's zone.
    opens = dt.datetime.combine(closure.starts_on, dt.time(0), tzinfo=dt.UTC) - _ZONE_SLACK
    reopens = (
        dt.datetime.combine(closure.ends_on + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)
        + _ZONE_SLACK
    )
    where = Q() if closure.location_id is None else Q(location_id=closure.location_id)
    return [
        appointment
        for appointment in _still_on(now).filter(where, starts__lt=reopens, ends__gt=opens)
        if falls_on_days(
            appointment.starts,
            appointment.ends,
            appointment.location.zone,
            closure.starts_on,
            closure.ends_on,
        )
    ]
