"""The waitlist listens for freed slots (a cancellation, or the old time of a moved appointment).

``SlotFreed`` arrives after the cancellation has committed, and robustly: a failure here is
logged and never undoes the cancellation. Subscribed when ``WaitlistConfig.ready`` imports this
module.
"""

from __future__ import annotations

from backcare import events
from backcare.waitlist.actions import FreedSlot, offer_freed_slot


@events.subscribe(events.SlotFreed)
def on_slot_freed(event: events.SlotFreed) -> None:
    offer_freed_slot(
        FreedSlot(event.therapist, event.location, event.starts, event.ends, event.room)
    )
