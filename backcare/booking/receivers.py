"""A hold reaches booked sessions at once: after an alert of a possible injury or a stopped
session, or a screening that holds booking, inside the transaction that raised the alert or ran
the screening, so the held (or cancelled) sessions commit with it; robustly: a failure here is
logged and never undoes the alert or the screening. Subscribed when ``BookingConfig.ready``
imports this module."""

from __future__ import annotations

from backcare import events
from backcare.booking.actions.holding import hold_future_sessions
from backcare.holds.rules import HOLDING_ALERTS


@events.subscribe(events.AlertRaised, within_transaction=True)
def hold_after_alert(event: events.AlertRaised) -> None:
    alert = event.alert
    if alert.kind in HOLDING_ALERTS:
        hold_future_sessions(alert.client, alert.opened_at)


@events.subscribe(events.ScreeningRun, within_transaction=True)
def hold_after_screening(event: events.ScreeningRun) -> None:
    if event.holding:
        hold_future_sessions(event.screening.client, event.screening.created_at)
