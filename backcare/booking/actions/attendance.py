"""Attendance: check-in, no-show and completion of an appointment."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from backcare import events
from backcare.accounts.models import User
from backcare.audit.log import diff, record, snapshot
from backcare.booking.actions.common import _check_own, _lock, _now, _require_status
from backcare.booking.actions.errors import SchedulingError
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.clinic.actions import add_to_care_team
from backcare.clinic.models import CareTeamMembership
from backcare.holds.actions import door, refuse_if_held
from backcare.policy import staff_or_system


def _set_status(
    actor: User | None, appointment: Appointment, status: AppointmentStatus, action: str
) -> Appointment:
    before = snapshot(appointment, ["status"])
    appointment.status = status
    appointment.save(update_fields=["status", "updated_at"])
    record(
        actor,
        action,
        appointment,
        client=appointment.client,
        changes=diff(before, snapshot(appointment, ["status"])),
    )
    return appointment


@transaction.atomic
def mark_no_show(
    actor: User | None, appointment: Appointment, now: dt.datetime | None = None
) -> Appointment:
    """The client did not come. Staff only, once the appointment has started."""
    now = _now(now)
    _lock(appointment)
    if not staff_or_system(actor):
        raise SchedulingError("appointment", "Only the clinic can record a no-show.")
    _require_status(appointment, [AppointmentStatus.BOOKED], "marked as a no-show")
    if now < appointment.starts:
        raise SchedulingError("appointment", "The appointment has not started yet.")
    _set_status(actor, appointment, AppointmentStatus.NO_SHOW, "appointment.no_show")
    events.publish(events.AppointmentMissed(appointment))
    return appointment


@door("check_in")
@transaction.atomic
def check_in(
    actor: User | None, appointment: Appointment, now: dt.datetime | None = None
) -> Appointment:
    """The client has arrived: from the start of the appointment's local day until it ends.

    The appointment's therapist now treats the client and joins their care team (SPEC §2a:
    access to the clinical record follows treatment, not a booking)."""
    now = _now(now)
    _lock(appointment)
    _check_own(actor, appointment.client, "check in to")
    _require_status(appointment, [AppointmentStatus.BOOKED], "checked in")
    zone = appointment.location.zone
    if now.astimezone(zone).date() < appointment.starts.astimezone(zone).date():
        raise SchedulingError("appointment", "Check-in opens on the day of the appointment.")
    if now >= appointment.ends:
        raise SchedulingError("appointment", "This appointment has already ended.")
    refuse_if_held(actor, appointment.client, "check_in", now)
    _set_status(actor, appointment, AppointmentStatus.CHECKED_IN, "appointment.checked_in")
    add_to_care_team(
        actor, appointment.client, appointment.therapist, CareTeamMembership.Reason.TREATED, now
    )
    return appointment


@transaction.atomic
def complete_appointment(
    actor: User | None,
    appointment: Appointment,
    now: dt.datetime | None = None,
    *,
    not_checked_in_because: str = "",
) -> Appointment:
    """The session took place. Staff only, once it has started, for a checked-in appointment
    or, when the client was never checked in, with the reason recorded (SPEC §2a)."""
    now = _now(now)
    _lock(appointment)
    if not staff_or_system(actor):
        raise SchedulingError("appointment", "Only the clinic can complete an appointment.")
    because = not_checked_in_because.strip()
    allowed = [AppointmentStatus.CHECKED_IN] + ([AppointmentStatus.BOOKED] if because else [])
    _require_status(appointment, allowed, "completed")
    if now < appointment.starts:
        raise SchedulingError("appointment", "The appointment has not started yet.")
    completed = _set_status(
        actor, appointment, AppointmentStatus.COMPLETED, "appointment.completed"
    )
    if because:
        record(
            actor,
            "appointment.completed_without_check_in",
            appointment,
            client=appointment.client,
            changes={"reason": {"before": None, "after": because}},
        )
        # Treated without a check-in: the therapist treats the client all the same.
        add_to_care_team(
            actor, appointment.client, appointment.therapist, CareTeamMembership.Reason.TREATED, now
        )
    events.publish(events.AppointmentAttended(completed))
    return completed
