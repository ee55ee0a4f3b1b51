"""What billing does when a session is attended, cancelled or missed. Within the publisher's
transaction: an invoice or a used credit commits with the status change, or not at all."""

from __future__ import annotations

from backcare import events
from backcare.billing import actions


@events.subscribe(events.AppointmentAttended, within_transaction=True)
def bill_the_session(event: events.AppointmentAttended) -> None:
    actions.bill_attended_session(None, event.appointment)


@events.subscribe(events.AppointmentCancelled, within_transaction=True)
def charge_a_late_cancellation(event: events.AppointmentCancelled) -> None:
    # A session cancelled by a clinical hold or by the clinic is never late, never charged;
    # a package session keeps its credit, which only attendance uses.
    if event.late and not event.held:
        actions.charge_fee(None, event.appointment, "late_cancellation")


@events.subscribe(events.AppointmentMissed, within_transaction=True)
def charge_a_no_show(event: events.AppointmentMissed) -> None:
    actions.charge_fee(None, event.appointment, "no_show")
