"""The waitlist listens for freed slots (a cancellation, or the old time of a moved appointment).

Scheduling sends ``slot_freed`` after its transaction commits, and robustly: a failure here is
logged and never undoes the cancellation. Connected in ``WaitlistConfig.ready``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from backcare.clinic.models import Location, Room, Therapist
from backcare.scheduling import signals
from backcare.scheduling.models import Appointment
from backcare.waitlist.actions import FreedSlot, offer_freed_slot


def on_slot_freed(
    sender: Any,
    *,
    therapist: Therapist,
    location: Location,
    starts: dt.datetime,
    ends: dt.datetime,
    room: Room | None = None,
    **kwargs: Any,
) -> None:
    offer_freed_slot(FreedSlot(therapist, location, starts, ends, room))


def connect() -> None:
    signals.slot_freed.connect(
        on_slot_freed, sender=Appointment, dispatch_uid="waitlist.on_slot_freed"
    )
