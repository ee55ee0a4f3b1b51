"""Cancelling appointments: one, or every session a closure or time off falls on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction

from backcare import events
from backcare.accounts.models import User
from backcare.audit.log import diff, record, snapshot
from backcare.booking.actions.common import _check_own, _lock, _now, _require_status
from backcare.booking.actions.errors import CancellationRefused, SchedulingError
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.booking.queries import booked_during_closure, booked_during_time_off
from backcare.policy import staff_or_system
from backcare.scheduling.models import BookingPolicy, Closure, TimeOff


@transaction.atomic
def cancel_appointment(
    actor: User | None,
    appointment: Appointment,
    reason: str = "",
    now: dt.datetime | None = None,
    *,
    held: bool = False,
    by_clinic: bool = False,
) -> Appointment:
    """Cancel a booked (or checked-in) appointment, freeing its time.

    Inside the policy's cancellation window only staff may cancel, and the appointment is
    marked ``late_cancellation``; a client is refused with :class:`CancellationRefused`.
    ``held``: the clinic cancels it because a clinical hold stands (SPEC §2a): never late, and
    the hold's own email tells the client, so the usual cancellation email is not sent.
    ``by_clinic``: the clinic cancels it (a closure, the therapist away): never late.
    """
    now = _now(now)
    _lock(appointment)
    _check_own(actor, appointment.client, "cancel")
    _require_status(
        appointment, [AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN], "cancelled"
    )
    policy = BookingPolicy.current()
    late = now > appointment.starts - policy.cancellation_window and not (held or by_clinic)
    if late and not staff_or_system(actor):
        raise CancellationRefused(
            "appointment",
            f"This appointment is less than {policy.cancellation_window_hours} hours away, so it "
            "can no longer be cancelled online. Please call the clinic to cancel.",
        )
    before = snapshot(appointment, ["status", "late_cancellation", "cancelled_at", "cancel_reason"])
    appointment.status = AppointmentStatus.CANCELLED
    appointment.late_cancellation = late
    appointment.cancelled_at = now
    appointment.cancel_reason = reason.strip()
    appointment.save(
        update_fields=["status", "late_cancellation", "cancelled_at", "cancel_reason", "updated_at"]
    )
    record(
        actor,
        "appointment.cancelled",
        appointment,
        client=appointment.client,
        changes=diff(
            before,
            snapshot(appointment, ["status", "late_cancellation", "cancelled_at", "cancel_reason"]),
        ),
    )
    events.publish(events.AppointmentCancelled(appointment, late=late, held=held))
    if appointment.starts > now:
        events.publish(
            events.SlotFreed(
                appointment,
                starts=appointment.starts,
                ends=appointment.ends,
                therapist=appointment.therapist,
                room=appointment.room,
                location=appointment.location,
            )
        )
    return appointment


def closure_reason(closure: Closure) -> str:
    """Why a session on a closed day was cancelled, as its history and the client read it."""
    return "The clinic is closed that day" + (f" ({closure.name})." if closure.name else ".")


def time_off_reason(away: TimeOff) -> str:
    return f"{away.therapist.name} is away that day."


@transaction.atomic
def cancel_sessions_during_time_off(
    actor: User | None, away: TimeOff, now: dt.datetime | None = None
) -> list[Appointment]:
    """Cancel the therapist's sessions still booked during `away`, each by
    :func:`cancel_appointment` (its audit row, the client's email, the freed slot)."""
    now = _now(now)
    return _cancel_all(actor, booked_during_time_off(away, now), time_off_reason(away), now)


@transaction.atomic
def cancel_sessions_during_closure(
    actor: User | None, closure: Closure, now: dt.datetime | None = None
) -> list[Appointment]:
    """Cancel the sessions still booked on the closure's days, each by
    :func:`cancel_appointment` (its audit row, the client's email, the freed slot)."""
    now = _now(now)
    return _cancel_all(actor, booked_during_closure(closure, now), closure_reason(closure), now)


def _cancel_all(
    actor: User | None, appointments: Sequence[Appointment], reason: str, now: dt.datetime
) -> list[Appointment]:
    if not staff_or_system(actor):
        raise SchedulingError("appointment", "Only the clinic can cancel other people's sessions.")
    cancelled = []
    for appointment in appointments:
        try:
            cancelled.append(
                cancel_appointment(actor, appointment, reason, now=now, by_clinic=True)
            )
        except SchedulingError:
            continue  # cancelled, completed or missed since it was read: nothing left to do
    return cancelled
