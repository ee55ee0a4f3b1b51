"""The clinic's day, as the staff home shows it: a therapist's sessions of today and the front
desk's arrivals, late clients, held clients and the freed times to fill from the waitlist.

Each read runs a fixed number of queries whatever the size of the day (the tests pin it), so
that the pages can poll every half minute without weighing on the database.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from backcare.booking.models import Appointment, AppointmentStatus
from backcare.clinic.models import CareTeamMembership, Location, Therapist
from backcare.holds.queries import Standing, standings
from backcare.notes.models import Alert, CheckIn, SessionNote
from backcare.waitlist.matching import TimeOfDay, time_of_day
from backcare.waitlist.models import EntryStatus, WaitlistEntry

# How often the today pages refresh themselves, in seconds.
REFRESH_SECONDS = 30

# A location's "today" (its own wall-clock day, whatever its time zone) lies inside this long
# either side of now: no day is longer than 25 hours.
_ANY_ZONES_DAY = dt.timedelta(hours=26)


def _today_there(appointment: Appointment, now: dt.datetime) -> bool:
    """Is the appointment on today's date at its own location, in that location's time zone?"""
    zone = appointment.location.zone
    return appointment.starts.astimezone(zone).date() == now.astimezone(zone).date()


@dataclass(frozen=True)
class Session:
    """One appointment of the day, with what the staff need to know about it."""

    appointment: Appointment
    checked_in: bool
    note: str
    """"" (no note yet), "draft" or "signed"."""
    held: str
    """The hold in the staff's words, or ""."""
    open_alerts: int
    late: bool
    opens_chart: bool = True
    """The viewer may open the client's chart and notes (a therapist: a client they treat)."""

    @property
    def program_week(self) -> int | None:
        program = self.appointment.program
        if program is None or program.started_on is None:
            return None
        local_day = self.appointment.local_starts().date()
        return max(1, (local_day - program.started_on).days // 7 + 1)

    @property
    def program_weeks(self) -> int | None:
        program = self.appointment.program
        if program is None:
            return None
        return -(-program.sessions_planned // max(1, program.sessions_per_week))


@dataclass(frozen=True)
class Gap:
    """A time freed today by a cancellation, with the waiting clients it could suit."""

    appointment: Appointment
    waiting: list[WaitlistEntry] = field(default_factory=list)


@dataclass(frozen=True)
class Day:
    day: dt.date
    now: dt.datetime
    sessions: list[Session]
    gaps: list[Gap] = field(default_factory=list)

    @property
    def late(self) -> list[Session]:
        return [session for session in self.sessions if session.late]

    @property
    def held(self) -> list[Session]:
        return [session for session in self.sessions if session.held]

    @property
    def checked_in_count(self) -> int:
        return sum(1 for session in self.sessions if session.checked_in)


_SHOWN = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.COMPLETED,
    AppointmentStatus.NO_SHOW,
)


def _sessions(
    appointments: list[Appointment],
    day: dt.date,
    now: dt.datetime,
    treated: set[int] | None = None,
) -> list[Session]:
    ids = [appointment.pk for appointment in appointments] or [0]
    checked = set(CheckIn.objects.filter(appointment_id__in=ids).values_list("appointment_id"))
    checked_ids = {pk for (pk,) in checked}
    notes = {
        appointment_id: "signed" if signed_at is not None else "draft"
        for appointment_id, signed_at in SessionNote.objects.filter(
            appointment_id__in=ids
        ).values_list("appointment_id", "signed_at")
    }
    clients = {appointment.client_id: appointment.client for appointment in appointments}
    where: dict[int, Standing] = standings(clients.values(), day)
    alerts = Counter(
        Alert.objects.filter(
            client_id__in=list(clients) or [0], status=Alert.Status.OPEN
        ).values_list("client_id", flat=True)
    )
    sessions = []
    for appointment in appointments:
        hold = where[appointment.client_id].at("check_in")
        checked_in = appointment.pk in checked_ids or appointment.status in (
            AppointmentStatus.CHECKED_IN,
            AppointmentStatus.COMPLETED,
        )
        sessions.append(
            Session(
                appointment=appointment,
                checked_in=checked_in,
                note=notes.get(appointment.pk, ""),
                held=hold.staff_message if hold is not None else "",
                open_alerts=alerts[appointment.client_id],
                late=appointment.status == AppointmentStatus.BOOKED
                and not checked_in
                and appointment.starts <= now,
                opens_chart=treated is None or appointment.client_id in treated,
            )
        )
    return sessions


def therapist_day(therapist: Therapist | None, now: dt.datetime) -> Day:
    """The therapist's sessions of today, in order, with whether each client is one they treat
    (their chart and notes open to them). "Today" is each session's location's day, in its time
    zone: a therapist in Chicago sees Chicago's day. Ten queries whatever their number."""
    day = timezone.localdate(now)
    appointments = [
        appointment
        for appointment in Appointment.objects.filter(
            therapist_id=therapist.pk if therapist is not None else 0,
            starts__gte=now - _ANY_ZONES_DAY,
            starts__lt=now + _ANY_ZONES_DAY,
            status__in=_SHOWN,
        )
        .select_related("client", "service", "location", "room", "program")
        .order_by("starts", "pk")
        if _today_there(appointment, now)
    ]
    treated = set(
        CareTeamMembership.objects.filter(
            therapist_id=therapist.pk if therapist is not None else 0, ended_at__isnull=True
        ).values_list("client_id", flat=True)
    )
    return Day(day, now, _sessions(appointments, day, now, treated))


def _suits(entry: WaitlistEntry, cancelled: Appointment) -> bool:
    local = cancelled.local_starts()
    part = time_of_day(local.time())
    wanted = {
        TimeOfDay.MORNING: entry.mornings,
        TimeOfDay.AFTERNOON: entry.afternoons,
        TimeOfDay.EVENING: entry.evenings,
    }
    return (
        wanted[part]
        and entry.earliest <= local.date() <= entry.latest
        and entry.location_id == cancelled.location_id
        and entry.therapist_id in (None, cancelled.therapist_id)
        and entry.client_id != cancelled.client_id
    )


def desk_day(now: dt.datetime, location: Location | None = None) -> Day:
    """Today's arrivals at ``location`` (every location when None), late and held clients, and
    the times freed today with the waiting clients they could suit. "Today" is each location's
    own day, in its time zone. Eleven queries whatever the size of the day."""
    day = timezone.localdate(now)
    at = {"location": location} if location is not None else {}
    appointments = [
        appointment
        for appointment in Appointment.objects.filter(
            starts__gte=now - _ANY_ZONES_DAY,
            starts__lt=now + _ANY_ZONES_DAY,
            status__in=_SHOWN,
            **at,
        )
        .select_related("client", "service", "location", "therapist__user", "program")
        .order_by("starts", "location__name", "pk")
        if _today_there(appointment, now)
    ]
    freed = [
        appointment
        for appointment in Appointment.objects.filter(
            starts__gte=now,
            starts__lt=now + _ANY_ZONES_DAY,
            status=AppointmentStatus.CANCELLED,
            **at,
        )
        .select_related("client", "service", "location", "therapist__user")
        .order_by("starts", "pk")
        if _today_there(appointment, now)
    ]
    a_day = dt.timedelta(days=1)
    waiting = list(
        WaitlistEntry.objects.filter(
            status=EntryStatus.ACTIVE, earliest__lte=day + a_day, latest__gte=day - a_day, **at
        )
        .select_related("client", "service", "location", "therapist__user")
        .order_by("created_at", "pk")
    )
    gaps = [
        Gap(
            appointment=cancelled,
            waiting=[entry for entry in waiting if _suits(entry, cancelled)],
        )
        for cancelled in freed
    ]
    return Day(day, now, _sessions(appointments, day, now), gaps)


def waiting_on(location: Location, day: dt.date) -> list[WaitlistEntry]:
    """The clients waiting for a time at ``location`` that ``day`` would suit, first come first.
    One query."""
    return list(
        WaitlistEntry.objects.filter(
            location=location, status=EntryStatus.ACTIVE, earliest__lte=day, latest__gte=day
        )
        .select_related("client", "service", "therapist__user")
        .order_by("created_at", "pk")
    )
