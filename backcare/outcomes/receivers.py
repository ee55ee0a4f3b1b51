"""Scores kept with what produced them: an intake's baseline and the pain reported at check-in,
recorded inside the transaction that sent the questionnaire or checked the client in, and
required: if they cannot be kept, neither is the change. Subscribed when
``OutcomesConfig.ready`` imports this module."""

from __future__ import annotations

from backcare import events
from backcare.outcomes.actions import record_intake_baseline, record_response


@events.subscribe(events.IntakeSubmitted, within_transaction=True, required=True)
def baseline_from_intake(event: events.IntakeSubmitted) -> None:
    record_intake_baseline(event.actor, event.intake, event.previous, at=event.at)


@events.subscribe(events.CheckInRecorded, within_transaction=True, required=True)
def pain_at_check_in(event: events.CheckInRecorded) -> None:
    check_in = event.check_in
    appointment = check_in.appointment
    record_response(
        event.actor,
        check_in.client,
        "nrs",
        [check_in.nrs],
        occasion="check_in",
        program=appointment.program,
        appointment=appointment,
        now=check_in.checked_in_at,
    )
