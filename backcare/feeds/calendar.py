"""What a therapist's calendar feed holds (SPEC §4, §7).

The feed leaves the system: a calendar app on a phone keeps a copy. So it names each client by
first name and last initial only, and says nothing clinical: the service, the place, the room.
"""

from __future__ import annotations

import datetime as dt

from backcare.booking.models import ACTIVE_STATUSES, Appointment
from backcare.clinic.models import Therapist
from backcare.emails.appointments import appointment_uid
from backcare.lib import ics

DAYS_BACK = 30
DAYS_AHEAD = 180


def short_name(first_name: str, last_name: str) -> str:
    """``Alice A.``: enough for a therapist to know who is coming, and no more."""
    initial = last_name.strip()[:1].upper()
    return f"{first_name.strip()} {initial}." if initial else first_name.strip()


def feed_appointments(therapist: Therapist, *, now: dt.datetime) -> list[Appointment]:
    return list(
        Appointment.objects.filter(
            therapist=therapist,
            status__in=[status.value for status in ACTIVE_STATUSES],
            starts__gte=now - dt.timedelta(days=DAYS_BACK),
            starts__lt=now + dt.timedelta(days=DAYS_AHEAD),
        )
        .select_related("client", "service", "location", "room")
        .order_by("starts")
    )


def therapist_calendar(therapist: Therapist, *, now: dt.datetime) -> bytes:
    events = []
    for appointment in feed_appointments(therapist, now=now):
        client = appointment.client
        place = appointment.location.name
        if appointment.room is not None:
            place = f"{place}, {appointment.room.name}"
        events.append(
            ics.Event(
                uid=appointment_uid(appointment),
                starts=appointment.starts,
                ends=appointment.ends,
                time_zone=appointment.location.time_zone,
                summary=f"{short_name(client.first_name, client.last_name)} — "
                f"{appointment.service.name}",
                location=f"{place} ({appointment.location.address})",
            )
        )
    return ics.calendar(events, stamp=now, name=f"Backcare: {therapist.name}")
