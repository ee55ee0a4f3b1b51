"""The emails about an appointment: booked, moved, cancelled. Reminders are in ``reminders.py``.

Each goes to the client only when they have an email address and agreed to be emailed
(``contact_by_email``), and carries an .ics file so the appointment lands in their calendar.
Times are written in the location's zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from backcare.booking.models import Appointment
from backcare.clinic.models import Client
from backcare.lib import ics
from backcare.notices.outbox import Attachment, send_notice
from backcare.scheduling.clock import spoken
from backcare.scheduling.models import BookingPolicy


def emailable(client: Client) -> bool:
    return bool(client.email) and client.contact_by_email


def appointment_uid(appointment: Appointment) -> str:
    """The same for the life of an appointment, so calendars update one event."""
    host = urlsplit(settings.SITE_URL).hostname or "backcare"
    return f"appointment-{appointment.pk}@{host}"


def sequence(appointment: Appointment, made_at: dt.datetime) -> int:
    """The .ics SEQUENCE: seconds from the booking to when the file is made.

    RFC 5546 asks only that every revision carry a higher number than the one before. Counting
    from the booking gives that without storing a counter: a moved or cancelled appointment's
    file is always made later than, so supersedes, the confirmation's.
    """
    return max(0, int((made_at - appointment.booked_at).total_seconds()))


def calendar_event(
    appointment: Appointment, *, made_at: dt.datetime, cancelled: bool = False
) -> ics.Event:
    """The client's view of the appointment as a calendar event."""
    location = appointment.location
    client = appointment.client
    organizer_email = settings.CLINIC_EMAIL or _address(settings.DEFAULT_FROM_EMAIL)
    return ics.Event(
        uid=appointment_uid(appointment),
        starts=appointment.starts,
        ends=appointment.ends,
        time_zone=location.time_zone,
        summary=f"{appointment.service.name} with {appointment.therapist.name}",
        location=f"{settings.CLINIC_NAME} {location.name}, {location.address}",
        description=_phone_line(appointment),
        sequence=sequence(appointment, made_at),
        cancelled=cancelled,
        organizer=(settings.CLINIC_NAME, organizer_email),
        attendee=(client.full_name, client.email) if client.email else None,
    )


def ics_attachment(
    appointments: Sequence[Appointment], *, made_at: dt.datetime, cancelled: bool = False
) -> Attachment:
    content = ics.calendar(
        [calendar_event(item, made_at=made_at, cancelled=cancelled) for item in appointments],
        stamp=made_at,
        method="CANCEL" if cancelled else "REQUEST",
    )
    method = "CANCEL" if cancelled else "REQUEST"
    name = "cancelled-appointment.ics" if cancelled else "appointment.ics"
    return (name, content, f"text/calendar; method={method}")


def context(appointment: Appointment) -> dict[str, Any]:
    """What every appointment email may say, as plain text (the context travels as JSON)."""
    location = appointment.location
    return {
        "first_name": appointment.client.first_name,
        "service": appointment.service.name,
        "what": _what(appointment),
        "when": spoken(appointment.starts, location.time_zone),
        "therapist": appointment.therapist.name,
        "location": location.name,
        "address": location.address,
        "phone": location.phone,
        "clinic": settings.CLINIC_NAME,
        "portal": settings.SITE_URL.rstrip("/") + "/portal/",
        "cancellation_hours": BookingPolicy.current().cancellation_window_hours,
    }


def questionnaire_link(appointment: Appointment) -> str:
    """The link to the health questions when the client has never answered them: they may book
    first, but are not checked in or treated until they have (asked at once, in the booking's
    own email); the portal's home starts them. Empty when they have."""
    client = appointment.client
    if client.screenings.exists():
        return ""
    return settings.SITE_URL.rstrip("/") + reverse("portal:home")


def send_booked(appointment: Appointment, *, now: dt.datetime) -> None:
    client = appointment.client
    if not emailable(client):
        return
    send_notice(
        key=f"appointment-{appointment.pk}-booked",
        to=[client.email],
        subject=f"Your appointment on {spoken(appointment.starts, appointment.location.time_zone)}",
        template="notices/appointment_booked",
        context={**context(appointment), "questionnaire": questionnaire_link(appointment)},
        attachments=[ics_attachment([appointment], made_at=now)],
        kind="appointment_booked",
        appointment_id=appointment.pk,
    )


def send_series_booked(appointments: Sequence[Appointment], *, now: dt.datetime) -> None:
    """One email for a program's whole series, rather than one per session."""
    if not appointments or not emailable(appointments[0].client):
        return
    first = appointments[0]
    send_notice(
        key=f"series-{first.series}-booked",
        to=[first.client.email],
        subject=f"Your {len(appointments)} appointments, starting "
        f"{spoken(first.starts, first.location.time_zone)}",
        template="notices/series_booked",
        context={
            **context(first),
            "sessions": [spoken(item.starts, item.location.time_zone) for item in appointments],
            "questionnaire": questionnaire_link(first),
        },
        attachments=[ics_attachment(appointments, made_at=now)],
        kind="series_booked",
        appointment_id=first.pk,
    )


def send_rescheduled(
    appointment: Appointment, *, previous_starts: dt.datetime, now: dt.datetime
) -> None:
    client = appointment.client
    if not emailable(client):
        return
    change = sequence(appointment, now)
    when = spoken(appointment.starts, appointment.location.time_zone)
    moved = appointment.starts != previous_starts  # otherwise only the therapist or room changed
    send_notice(
        key=f"appointment-{appointment.pk}-rescheduled-{change}",
        to=[client.email],
        subject=f"Your appointment has moved to {when}"
        if moved
        else f"A change to your appointment on {when}",
        template="notices/appointment_rescheduled",
        context={
            **context(appointment),
            "moved": moved,
            "previous_when": spoken(previous_starts, appointment.location.time_zone),
        },
        attachments=[ics_attachment([appointment], made_at=now)],
        kind="appointment_rescheduled",
        appointment_id=appointment.pk,
    )


def send_cancelled(appointment: Appointment, *, now: dt.datetime) -> None:
    client = appointment.client
    if not emailable(client):
        return
    send_notice(
        key=f"appointment-{appointment.pk}-cancelled",
        to=[client.email],
        subject=f"Cancelled: your appointment on "
        f"{spoken(appointment.starts, appointment.location.time_zone)}",
        template="notices/appointment_cancelled",
        context=context(appointment),
        attachments=[ics_attachment([appointment], made_at=now, cancelled=True)],
        kind="appointment_cancelled",
        appointment_id=appointment.pk,
    )


def _what(appointment: Appointment) -> str:
    """The service and, unless its name says it already, how long it lasts."""
    name = appointment.service.name
    minutes = int((appointment.ends - appointment.starts).total_seconds() // 60)
    return name if "minute" in name.lower() else f"{name} ({minutes} minutes)"


def _phone_line(appointment: Appointment) -> str:
    phone = appointment.location.phone
    return f"To change or cancel, call {phone}." if phone else ""


def _address(from_email: str) -> str:
    """``no-reply@x`` from ``Backcare <no-reply@x>``."""
    return from_email.rsplit("<", 1)[-1].rstrip(">").strip()
