"""Booking an appointment or a series (SPEC §4)."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from backcare import events
from backcare.accounts.models import User
from backcare.audit.log import diff, record
from backcare.booking.actions import common
from backcare.booking.actions.common import (
    _ROOM_ATTEMPTS,
    _ROOM_CONSTRAINT,
    _appointment_snapshot,
    _check_bookable_with,
    _check_hold,
    _check_own,
    _now,
    _Plan,
    _plan,
    _with_alternatives,
    _write,
    settles_contention,
)
from backcare.booking.actions.errors import (
    PublicHoliday,
    SchedulingError,
    SlotTaken,
    SlotUnavailable,
)
from backcare.booking.availability import (
    NEAREST_WINDOW_DAYS,
    FreeSlot,
)
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.clinic.models import Client, Location, Room, Service, Therapist
from backcare.holds.actions import door
from backcare.policy import staff_or_system
from backcare.scheduling.calendar_days import public_holidays
from backcare.scheduling.models import BookingPolicy
from backcare.scheduling.slots import weekly_series

if TYPE_CHECKING:
    from backcare.care.models import Program


def _plan_new(
    client: Client,
    service: Service,
    therapist: Therapist,
    location: Location,
    starts: dt.datetime,
    room: Room | None,
    *,
    now: dt.datetime,
    staff: bool,
) -> _Plan:
    """Re-check a new appointment's time and choose its room (no room is preferred, and it
    has no earlier time of its own to ignore)."""
    return _plan(
        client=client,
        service=service,
        therapist=therapist,
        location=location,
        starts=starts,
        room=room,
        preferred_room=None,
        now=now,
        staff=staff,
        ignoring=None,
    )


def _book(
    actor: User | None,
    *,
    client: Client,
    service: Service,
    therapist: Therapist,
    location: Location,
    starts: dt.datetime,
    room: Room | None,
    now: dt.datetime,
    staff: bool,
    series: uuid.UUID | None = None,
    notes: str = "",
    program: Program | None = None,
) -> Appointment:
    """Re-check, write, audit, announce. Refusals carry the nearest free times."""
    common._lock_for_booking(
        therapist, location, client, rooms=service.needs_room or room is not None
    )
    try:
        for attempt in range(1, _ROOM_ATTEMPTS + 1):
            plan = _plan_new(
                client, service, therapist, location, starts, room, now=now, staff=staff
            )
            common._pause_before_write()
            appointment = Appointment(
                client=client,
                therapist=therapist,
                room=plan.room,
                service=service,
                location=location,
                starts=plan.starts,
                ends=plan.ends,
                blocked_until=plan.blocked_until,
                status=AppointmentStatus.BOOKED,
                booked_by=actor if actor is not None and actor.is_authenticated else None,
                booked_at=now,
                series=series,
                notes=notes,
                program=program,
            )
            try:
                _write(appointment)
            except SlotTaken as taken:
                # The room we picked went to someone else a moment ago: another may be free.
                if (
                    room is None
                    and taken.constraint == _ROOM_CONSTRAINT
                    and attempt < _ROOM_ATTEMPTS
                ):
                    continue
                raise
            break
    except SlotUnavailable as refusal:
        raise _with_alternatives(
            refusal,
            service=service,
            location=location,
            therapist=therapist,
            client=client,
            around=starts,
            now=now,
            staff=staff,
        ) from refusal.__cause__
    record(
        actor,
        "appointment.booked",
        appointment,
        client=client,
        changes=diff({}, _appointment_snapshot(appointment)),
    )
    events.publish(events.AppointmentBooked(appointment))
    return appointment


@door("book")
@settles_contention
@transaction.atomic
def book_appointment(
    actor: User | None,
    client: Client,
    service: Service,
    therapist: Therapist,
    location: Location,
    starts: dt.datetime,
    room: Room | None = None,
    now: dt.datetime | None = None,
    *,
    notes: str = "",
) -> Appointment:
    """Book `client` with `therapist` for `service` at `location`, starting at `starts` (aware).

    Refuses (:class:`SchedulingError` and subclasses) a screening hold, a therapist who does not
    work at the location, a time in the past, off the quarter hour, outside working hours, on
    a closed day, during time off, or overlapping the therapist's, the room's or the client's
    other appointments (:class:`SlotTaken` / :class:`ClientAlreadyBooked`, with the nearest free
    times). Clients must also respect the policy's minimum notice and horizon; staff need not.
    A service that needs a room gets the first free one unless `room` is given. Booking gives
    the therapist no access to the client's clinical record: checking in does (SPEC §2a).
    """
    now = _now(now)
    staff = staff_or_system(actor)
    _check_own(actor, client, "book")
    _check_hold(actor, client, now)
    _check_bookable_with(service, therapist, location)
    return _book(
        actor,
        client=client,
        service=service,
        therapist=therapist,
        location=location,
        starts=starts,
        room=room,
        now=now,
        staff=staff,
        notes=notes,
    )


# --- Series ---------------------------------------------------------------------------------

MAX_SERIES = 52


@dataclass(frozen=True)
class SeriesDate:
    """One date of a series: booked (or free, in a dry run), or refused with alternatives."""

    starts: dt.datetime
    ends: dt.datetime
    appointment: Appointment | None = None
    problem: SlotUnavailable | None = None

    @property
    def free(self) -> bool:
        return self.problem is None

    @property
    def alternatives(self) -> tuple[FreeSlot, ...]:
        return self.problem.alternatives if self.problem is not None else ()


@dataclass(frozen=True)
class SeriesReport:
    dry_run: bool
    series: uuid.UUID | None
    dates: tuple[SeriesDate, ...]

    @property
    def booked(self) -> list[Appointment]:
        return [date.appointment for date in self.dates if date.appointment is not None]

    @property
    def conflicts(self) -> list[SeriesDate]:
        return [date for date in self.dates if not date.free]


def series_starts(
    first_start: dt.datetime, count: int, per_week: int, zone: ZoneInfo, *, days_between: int = 3
) -> list[dt.datetime]:
    """The UTC starts of a series that keeps `first_start`'s local wall-clock time.

    Twice a week, the second weekly session is `days_between` days after the first.
    """
    one_week = dt.timedelta(days=7)
    tick = dt.timedelta(minutes=1)  # weekly_series wants a duration; only the starts are used
    first_local = first_start.astimezone(zone)
    weekly = [
        i.start
        for i in weekly_series(first_local, math.ceil(count / per_week), one_week, zone, tick)
    ]
    if per_week == 1:
        return weekly
    second_local = dt.datetime.combine(
        first_local.date() + dt.timedelta(days=days_between), first_local.time(), tzinfo=zone
    ).replace(fold=first_local.fold)
    second = [i.start for i in weekly_series(second_local, count // 2, one_week, zone, tick)]
    return sorted(weekly + second)[:count]


@door("book")
@settles_contention
@transaction.atomic
def book_series(
    actor: User | None,
    client: Client,
    service: Service,
    therapist: Therapist,
    location: Location,
    first_start: dt.datetime,
    count: int,
    per_week: int = 1,
    *,
    days_between: int = 3,
    room: Room | None = None,
    now: dt.datetime | None = None,
    dry_run: bool = False,
    program: Program | None = None,
) -> SeriesReport:
    """Check, and unless `dry_run` book, `count` sessions at `first_start`'s local time.

    Once or twice (`per_week`) a week, keeping the local wall-clock time across DST changes.
    Every date is checked like a single booking; the report says, per date, booked (free in a
    dry run) or why not with the nearest free times. A date on a public holiday of the
    location's state is skipped (:class:`PublicHoliday`) unless something else refuses it
    first, and no nearest free time falls on one. A real run books every free date and
    reports the rest, so the intended use is: dry run, show the report, then book. Refusals
    that concern the whole series (a screening hold, a therapist not at the location, a bad
    count) raise instead. Sessions of a care `program` (the client's own) belong to it.
    """
    now = _now(now)
    staff = staff_or_system(actor)
    if not 1 <= count <= MAX_SERIES:
        raise SchedulingError("count", f"A series has 1 to {MAX_SERIES} sessions.")
    if per_week not in (1, 2):
        raise SchedulingError("per_week", "A series runs once or twice a week.")
    if per_week == 2 and not 1 <= days_between <= 6:
        raise SchedulingError("days_between", "The second weekly session is 1 to 6 days later.")
    if timezone.is_naive(first_start):
        raise SchedulingError("first_start", "The time must carry its time zone.")
    if first_start < now:
        raise SchedulingError("first_start", "The first session's time has already passed.")
    first_local = first_start.astimezone(location.zone)
    if first_local.minute % BookingPolicy.GRID_MINUTES or first_local.second:
        raise SchedulingError(
            "first_start", "Appointments start on the quarter hour (:00, :15, :30 or :45)."
        )
    if program is not None and program.client_id != client.pk:
        raise SchedulingError("program", "That program belongs to someone else.")
    _check_own(actor, client, "book")
    _check_hold(actor, client, now)
    _check_bookable_with(service, therapist, location)
    duration = dt.timedelta(minutes=service.duration_minutes)
    series = None if dry_run else uuid.uuid4()
    zone = location.zone
    all_starts = series_starts(first_start, count, per_week, zone, days_between=days_between)
    days = [starts.astimezone(zone).date() for starts in all_starts]
    reach = dt.timedelta(days=NEAREST_WINDOW_DAYS)  # the nearest free times avoid them too
    holidays = public_holidays(location.state, min(days) - reach, max(days) + reach)
    dates = []
    for starts, day in zip(all_starts, days, strict=True):
        holiday = holidays.get(day)
        try:
            if dry_run or holiday is not None:
                # The clinic's own reasons (a closure, time off, a taken time) come first.
                _plan_new(client, service, therapist, location, starts, room, now=now, staff=staff)
                if holiday is not None:
                    raise PublicHoliday(day, holiday)
                dates.append(SeriesDate(starts, starts + duration))
            else:
                with transaction.atomic():
                    booked = _book(
                        actor,
                        client=client,
                        service=service,
                        therapist=therapist,
                        location=location,
                        starts=starts,
                        room=room,
                        now=now,
                        staff=staff,
                        series=series,
                        program=program,
                    )
                dates.append(SeriesDate(booked.starts, booked.ends, appointment=booked))
        except SlotUnavailable as refusal:
            refusal = _with_alternatives(
                refusal,
                service=service,
                location=location,
                therapist=therapist,
                client=client,
                around=starts,
                now=now,
                staff=staff,
                skip_days=holidays,
            )
            dates.append(SeriesDate(starts, starts + duration, problem=refusal))
    report = SeriesReport(dry_run=dry_run, series=series, dates=tuple(dates))
    if not dry_run:
        record(
            actor,
            "appointment.series_booked",
            None,
            client=client,
            changes={
                "series": str(series),
                "program": program.pk if program is not None else None,
                "booked": [a.starts.isoformat() for a in report.booked],
                "refused": [
                    {"starts": d.starts.isoformat(), "why": str(d.problem)}
                    for d in report.conflicts
                ],
            },
        )
        if report.booked and series is not None:
            events.publish(events.SeriesBooked(series, tuple(report.booked)))
    return report
