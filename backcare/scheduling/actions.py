"""Named write actions for when therapists work."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from backcare.accounts.models import User
from backcare.audit.log import diff, record
from backcare.clinic.models import Location, Therapist
from backcare.scheduling.models import Break, WorkingHours


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
                    "breaks": f"The break {break_starts:%H:%M}–{break_ends:%H:%M} must lie "
                    f"inside the hours {starts:%H:%M}–{ends:%H:%M}."
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
