"""Appointment emails and reminders, sent when the scheduling signals fire.

Scheduling sends its signals after the booking's transaction has committed, and robustly: a
receiver that fails is logged and never undoes a booking. Connected in ``NoticesConfig.ready``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone

from backcare.notices import appointments as emails
from backcare.notices import reminders
from backcare.scheduling import signals
from backcare.scheduling.models import Appointment


def on_booked(sender: Any, *, appointment: Appointment, **kwargs: Any) -> None:
    now = timezone.now()
    if appointment.series is None:
        # A series gets one email for all its sessions (on_series_booked).
        emails.send_booked(appointment, now=now)
    reminders.plan_reminders(appointment, now=now)


def on_series_booked(
    sender: Any, *, series: uuid.UUID, appointments: list[Appointment], **kwargs: Any
) -> None:
    emails.send_series_booked(appointments, now=timezone.now())


def on_rescheduled(
    sender: Any, *, appointment: Appointment, previous_starts: dt.datetime, **kwargs: Any
) -> None:
    now = timezone.now()
    emails.send_rescheduled(appointment, previous_starts=previous_starts, now=now)
    if appointment.starts != previous_starts:
        reminders.plan_reminders(appointment, now=now)


def on_cancelled(
    sender: Any, *, appointment: Appointment, held: bool = False, **kwargs: Any
) -> None:
    # Its reminders need no cancelling: they check the appointment's status when they run.
    # A session cancelled by a clinical hold is told in the hold's own email.
    if not held:
        emails.send_cancelled(appointment, now=timezone.now())


def connect() -> None:
    for signal, receiver in (
        (signals.appointment_booked, on_booked),
        (signals.series_booked, on_series_booked),
        (signals.appointment_rescheduled, on_rescheduled),
        (signals.appointment_cancelled, on_cancelled),
    ):
        signal.connect(receiver, sender=Appointment, dispatch_uid=f"notices.{receiver.__name__}")
