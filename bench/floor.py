"""The floor a free-times search is measured against: one indexed query fetching the same
window's appointments, with nothing done to them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from backcare.booking.availability import LONGEST_SESSION
from backcare.booking.models import ACTIVE_STATUSES, Appointment
from backcare.clinic.models import Location
from backcare.scheduling.models import WorkingHours

# The same padding as backcare.booking.availability.load_search, so both read the same rows.
PAD = dt.timedelta(days=2)


def floor_query(
    start_day: dt.date, end_day: dt.date, location: Location | None = None
) -> list[tuple[Any, ...]]:
    """The active appointments of the therapists who work at `location` (or anywhere) that touch
    local days `start_day` to `end_day`: one query (the therapists are a subquery), a range scan
    of the ``appointment_therapist_starts`` index between both ends of the window."""
    window_start = dt.datetime.combine(start_day, dt.time(0), tzinfo=dt.UTC) - PAD
    window_end = dt.datetime.combine(end_day, dt.time(0), tzinfo=dt.UTC) + dt.timedelta(days=1)
    therapists = WorkingHours.objects.values("therapist_id")
    if location is not None:
        therapists = therapists.filter(location=location)
    return list(
        Appointment.objects.filter(
            therapist_id__in=therapists,
            status__in=ACTIVE_STATUSES,
            starts__gte=window_start - LONGEST_SESSION,
            starts__lt=window_end + PAD,
            blocked_until__gt=window_start,
        ).values_list("therapist_id", "room_id", "client_id", "starts", "ends", "blocked_until")
    )
