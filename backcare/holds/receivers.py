"""What a hold does to booked sessions when something may have started one: an alert of a
possible injury or a stopped session, or a screening that holds booking.

Called inside the transaction that raised the alert or ran the screening, so the held (or
cancelled) sessions and the client's email in the outbox commit with it; robustly: a failure
here is logged and never undoes the alert or the screening. Subscribed when
``HoldsConfig.ready`` imports this module.
"""

from __future__ import annotations

from backcare import events
from backcare.holds.actions import hold_future_sessions
from backcare.holds.rules import HOLDING_ALERTS
from backcare.screening.models import HOLDING_DECISIONS


@events.subscribe(events.AlertRaised, within_transaction=True)
def hold_after_alert(event: events.AlertRaised) -> None:
    alert = event.alert
    if alert.kind in HOLDING_ALERTS:
        hold_future_sessions(alert.client, alert.opened_at)


@events.subscribe(events.ScreeningRun, within_transaction=True)
def hold_after_screening(event: events.ScreeningRun) -> None:
    screening = event.screening
    if screening.decision in HOLDING_DECISIONS:
        # The client's booked sessions are held (or cancelled) by the clinic's setting.
        hold_future_sessions(screening.client, screening.created_at)
