"""The emails Backcare sends when something happens elsewhere: appointment confirmations,
updates, cancellations and reminders (the scheduling events), and the staff's safety emails
(``ScreeningRun``, ``AlertRaised``; composed in ``clinical.py``).

Each is called inside the transaction of the change it tells about (``within_transaction``): the
email's outbox row commits with the change or not at all, so no email is lost between the commit
and the worker; robustly: a subscriber that fails is logged and never undoes a booking.
Subscribed when ``NoticesConfig.ready`` imports this module.
"""

from __future__ import annotations

from django.utils import timezone

from backcare import events
from backcare.emails import appointments as emails
from backcare.emails import clinical, reminders


@events.subscribe(events.AppointmentBooked, within_transaction=True)
def on_booked(event: events.AppointmentBooked) -> None:
    now = timezone.now()
    if event.appointment.series is None:
        # A series gets one email for all its sessions (on_series_booked).
        emails.send_booked(event.appointment, now=now)
    reminders.plan_reminders(event.appointment, now=now)


@events.subscribe(events.SeriesBooked, within_transaction=True)
def on_series_booked(event: events.SeriesBooked) -> None:
    emails.send_series_booked(event.appointments, now=timezone.now())


@events.subscribe(events.AppointmentRescheduled, within_transaction=True)
def on_rescheduled(event: events.AppointmentRescheduled) -> None:
    now = timezone.now()
    appointment = event.appointment
    emails.send_rescheduled(appointment, previous_starts=event.previous_starts, now=now)
    if appointment.starts != event.previous_starts:
        reminders.plan_reminders(appointment, now=now)


@events.subscribe(events.AppointmentCancelled, within_transaction=True)
def on_cancelled(event: events.AppointmentCancelled) -> None:
    # Its reminders need no cancelling: they check the appointment's status when they run.
    # A session cancelled by a clinical hold is told in the hold's own email.
    if not event.held:
        emails.send_cancelled(event.appointment, now=timezone.now())


@events.subscribe(events.ScreeningRun, within_transaction=True)
def on_screening_run(event: events.ScreeningRun) -> None:
    if event.notify and event.holding:
        clinical.send_screening_alert(event.screening)


@events.subscribe(events.SessionsHeld, within_transaction=True)
def on_sessions_held(event: events.SessionsHeld) -> None:
    clinical.send_sessions_held(
        event.client,
        event.sessions,
        cancelled=event.cancelled,
        key=event.hold_key,
        message=event.message,
    )


@events.subscribe(events.AlertRaised, within_transaction=True)
def on_alert_raised(event: events.AlertRaised) -> None:
    clinical.send_alert(event.alert)
