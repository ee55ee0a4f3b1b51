"""What a clinical hold does to a client's booked sessions (SPEC §2a): by the clinic's setting,
they stay on the calendar, flagged, or are cancelled; either way the client is told (the
notices app hears :class:`~backcare.events.SessionsHeld`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from backcare import events
from backcare.booking.actions.cancelling import cancel_appointment
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.holds.queries import standing
from backcare.scheduling.models import BookingPolicy

if TYPE_CHECKING:
    from backcare.clinic.models import Client

HOLD_SESSIONS = "hold"
CANCEL_SESSIONS = "cancel"
CANCEL_REASON = "On hold until the clinic has a doctor's answer."


def hold_future_sessions(client: Client, now: dt.datetime) -> list[int]:
    """After something that may have started a hold: by the clinic's setting, keep the client's
    future sessions on the calendar (flagged) or cancel them, and tell the client either way.
    Returns the ids of the sessions concerned."""
    hold = standing(client, timezone.localdate(now)).at("book")
    if hold is None:
        return []
    sessions = list(
        Appointment.objects.filter(
            client=client, status=AppointmentStatus.BOOKED, starts__gt=now
        ).select_related("location", "therapist", "service")
    )
    if not sessions:
        return []
    cancel = BookingPolicy.current().held_sessions == CANCEL_SESSIONS
    if cancel:
        for appointment in sessions:
            cancel_appointment(None, appointment, CANCEL_REASON, now, held=True)
    events.publish(
        events.SessionsHeld(
            client=client,
            sessions=tuple(sessions),
            cancelled=cancel,
            hold_key=hold.first.key,
            message=hold.client_message,
        )
    )
    return [appointment.pk for appointment in sessions]
