"""Appointment reminders, ``REMINDER_HOURS`` before the start (SPEC §4: 48 h and 2 h).

When an appointment is booked or moved, one task per reminder is put on the queue to run at
the reminder's time (``run_after``). When it runs, the task checks that the appointment is
still booked and still starts when the reminder was planned for; a moved or cancelled
appointment's old reminders therefore do nothing, and the move planned fresh ones. The key of a
reminder's Notice holds the appointment, the offset and the start time, so each reminder is
sent at most once however many tasks carry it. ``backcare send_due_reminders`` is the safety
net that enqueues any reminder that is due and was never sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from backcare.booking.models import Appointment, AppointmentStatus
from backcare.emails import appointments
from backcare.holds.queries import booking_hold
from backcare.notices.models import Notice
from backcare.notices.outbox import clinic_reply_to, deliver_pending, record_notice
from backcare.scheduling.clock import spoken

logger = logging.getLogger(__name__)

# A reminder task that a backend runs a little before its run_after still counts as on time.
EARLY_TOLERANCE = dt.timedelta(minutes=1)


def reminder_key(appointment_id: int, hours: int, starts: dt.datetime) -> str:
    stamp = starts.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"appointment-{appointment_id}-reminder-{hours}h-{stamp}"


def ahead(hours: int) -> str:
    """``in 2 days``, ``in 2 hours``: how far off the appointment is, for the email."""
    if hours % 24 == 0:
        days = hours // 24
        return "in a day" if days == 1 else f"in {days} days"
    return "in an hour" if hours == 1 else f"in {hours} hours"


def reminder_times(
    starts: dt.datetime, hours: Iterable[int], *, planned_at: dt.datetime
) -> list[tuple[int, dt.datetime]]:
    """``(hours, when)`` for each reminder still ahead at ``planned_at``.

    A reminder whose time has already passed when the appointment is booked or moved is
    skipped: the confirmation has just told the client.
    """
    times = [(offset, starts - dt.timedelta(hours=offset)) for offset in sorted(set(hours))]
    return [(offset, when) for offset, when in times if when > planned_at]


def superseded(hours: int, starts: dt.datetime, *, now: dt.datetime) -> bool:
    """Is a closer reminder already due? Then this one is stale, and two at once would nag."""
    return any(
        now >= starts - dt.timedelta(hours=other)
        for other in settings.REMINDER_HOURS
        if other < hours
    )


def plan_reminders(appointment: Appointment, *, now: dt.datetime) -> int:
    """Enqueue the appointment's reminders to run at their times. Returns how many."""
    if not wants_reminders(appointment):
        return 0
    if not send_reminder.get_backend().supports_defer:
        # The immediate backend (tests) cannot wait; send_due_reminders covers this case.
        return 0
    planned = reminder_times(appointment.starts, settings.REMINDER_HOURS, planned_at=now)
    for hours, when in planned:
        send_reminder.using(run_after=when).enqueue(
            appointment_id=appointment.pk, hours=hours, starts=appointment.starts.isoformat()
        )
    return len(planned)


def wants_reminders(appointment: Appointment) -> bool:
    client = appointment.client
    return appointments.emailable(client) and client.appointment_reminders


@task()
def send_reminder(*, appointment_id: int, hours: int, starts: str) -> bool:
    """Send one reminder if it still makes sense now. True when an email went out.

    ``starts`` is the start time the reminder was planned for (ISO 8601).
    """
    planned_starts = dt.datetime.fromisoformat(starts)
    appointment = (
        Appointment.objects.select_related("client", "therapist__user", "service", "location")
        .filter(pk=appointment_id)
        .first()
    )
    now = timezone.now()
    due = planned_starts - dt.timedelta(hours=hours)
    if appointment is None or appointment.status != AppointmentStatus.BOOKED:
        return False
    if appointment.starts != planned_starts:
        return False  # moved: the move planned reminders of its own
    if not due - EARLY_TOLERANCE <= now < appointment.starts:
        logger.info("Reminder %sh for appointment %s is not due now.", hours, appointment_id)
        return False
    if superseded(hours, appointment.starts, now=now):
        return False  # sent late (no worker ran): the closer reminder is due, send only that
    if not wants_reminders(appointment):
        return False
    if booking_hold(appointment.client, now.astimezone(appointment.location.zone).date()):
        # Held (SPEC §2a): "see you on…" would contradict the email that says it can't go ahead.
        logger.info("Reminder for appointment %s not sent: the client is on hold.", appointment_id)
        return False
    location = appointment.location
    # Recorded (if it is new) and sent now: False when it was sent already, is being sent, or
    # could not be sent yet (it is then tried again later).
    notice = record_notice(
        key=reminder_key(appointment.pk, hours, appointment.starts),
        kind="appointment_reminder",
        to=[appointment.client.email],
        # Never the service's name: the clinic's own words may say what the treatment is for.
        subject=f"Reminder: your appointment on {spoken(appointment.starts, location.time_zone)}",
        template="notices/appointment_reminder",
        context={**appointments.context(appointment), "ahead": ahead(hours)},
        attachments=[appointments.ics_attachment([appointment], made_at=now)],
        appointment_id=appointment.pk,
        reply_to=clinic_reply_to(),
    )
    return deliver_pending(notice.key)


def enqueue_due_reminders(*, now: dt.datetime, window: dt.timedelta) -> int:
    """The safety net: enqueue every reminder due within ``window`` of ``now`` (either side)
    that has no Notice yet. Idempotent: a reminder already sent or claimed is skipped, and one
    enqueued twice is still sent once. Returns how many were enqueued.
    """
    hours_list = sorted(set(settings.REMINDER_HOURS))
    if not hours_list:
        return 0
    soonest = now - window + dt.timedelta(hours=hours_list[0])
    latest = now + window + dt.timedelta(hours=hours_list[-1])
    candidates = (
        Appointment.objects.filter(
            status=AppointmentStatus.BOOKED,
            starts__gt=now,
            starts__gte=soonest,
            starts__lte=latest,
            client__appointment_reminders=True,
            client__contact_by_email=True,
        )
        .exclude(Q(client__email=""))
        .select_related("client")
    )
    wanted = []
    for appointment in candidates:
        for hours in hours_list:
            when = appointment.starts - dt.timedelta(hours=hours)
            if now - window <= when <= now + window and when > appointment.booked_at:
                wanted.append((appointment, hours, when))
    already = set(
        Notice.objects.filter(
            key__in=[reminder_key(item.pk, hours, item.starts) for item, hours, _ in wanted]
        ).values_list("key", flat=True)
    )
    can_wait = send_reminder.get_backend().supports_defer
    enqueued = 0
    for appointment, hours, when in wanted:
        if reminder_key(appointment.pk, hours, appointment.starts) in already:
            continue
        if when > now and not can_wait:
            continue  # a later run picks it up once it is due
        reminder = send_reminder.using(run_after=when) if when > now else send_reminder
        reminder.enqueue(
            appointment_id=appointment.pk, hours=hours, starts=appointment.starts.isoformat()
        )
        enqueued += 1
    return enqueued
