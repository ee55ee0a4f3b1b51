"""A screening that holds booking lets go of the times the client held on the website, at
once, inside the screening's transaction: others may book them. Subscribed when
``SignupConfig.ready`` imports this module."""

from __future__ import annotations

from backcare import events
from backcare.holds.queries import booking_hold
from backcare.signup.actions import release_held_times


@events.subscribe(events.ScreeningRun, within_transaction=True)
def release_after_screening(event: events.ScreeningRun) -> None:
    screening = event.screening
    if booking_hold(screening.client, screening.created_at.date()) is not None:
        release_held_times(screening.client)
