"""Reads of held times: the free times of the calendar leave them out (registered with
availability when ``SignupConfig.ready`` imports this module)."""

from __future__ import annotations

import datetime as dt

from django.db.models import DateTimeField, Q, QuerySet, Value

from backcare.booking.availability import Window, also_blocked_by
from backcare.signup.models import HeldTime


@also_blocked_by
def held_rows(
    window: Window,
) -> QuerySet[HeldTime, tuple[int, int | None, dt.datetime, dt.datetime, None]]:
    """The held times that block these therapists (and these locations' rooms) in the window,
    as rows shaped like availability's appointment rows: (therapist, room, starts,
    blocked_until, no end of the client's own). Expired ones are left out: that is all it
    takes for a held time to lapse."""
    who = Q(therapist_id__in=window.therapist_ids)
    if window.with_rooms:
        who |= Q(location_id__in=window.location_ids)
    return (
        HeldTime.objects.filter(
            who,
            expires_at__gt=window.now,
            starts__gte=window.start - window.longest,
            starts__lt=window.end,
            blocked_until__gt=window.start,
        )
        .order_by()
        .values_list(
            "therapist_id",
            "room_id",
            "starts",
            "blocked_until",
            Value(None, output_field=DateTimeField()),
        )
    )


def pending_for(client_id: int) -> HeldTime | None:
    """The client's latest held time not yet booked (expired or not)."""
    return (
        HeldTime.objects.filter(client_id=client_id)
        .select_related("service", "location", "therapist__user")
        .order_by("-created_at", "-pk")
        .first()
    )
