"""What the staff calendar shows (SPEC §4): a location's therapists side by side for a day or a
week, or one therapist's day or week, in the location's time zone.

Loading takes a fixed number of queries whatever the number of appointments, therapists or
days: therapists, hours and their breaks, time off, closures, appointments. The layout is
:mod:`backcare.scheduling.timetable`'s.

What a viewer sees of an appointment follows the access policy: the owner and the front desk
see every client's name and service; a therapist sees their own appointments in full and a
colleague's only as "Booked" (SPEC §1). Nothing clinical is ever on the calendar.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, Q

from backcare import policy
from backcare.accounts.models import User
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.clinic.models import Location, Therapist
from backcare.holds.queries import standings
from backcare.policy import Action
from backcare.scheduling.clock import clock
from backcare.scheduling.models import Closure, TimeOff, WorkingHours
from backcare.scheduling.slots import Interval, local_day_to_utc, local_interval_to_utc
from backcare.scheduling.timetable import (
    STEP,
    Cell,
    Column,
    Shade,
    WallTime,
    day_rows,
    lay_out,
    merge_rows,
)

SHADE_WORDS = {
    Shade.GAP: "no such time (the clocks went forward)",
    Shade.OFF: "not working",
    Shade.OPEN: "free",
    Shade.BREAK: "break",
    Shade.AWAY: "time off",
    Shade.BUFFER: "buffer after an appointment",
    Shade.CLOSED: "closed",
}


@dataclass(frozen=True)
class Entry:
    """One appointment as this viewer may see it."""

    appointment: Appointment
    detailed: bool
    """The viewer may see who and what; otherwise the calendar only says "Booked"."""
    elsewhere: bool
    """At another location than the calendar's."""
    zone: ZoneInfo
    held: str = ""
    """For a booked session of a held client (SPEC §2a): the hold in the staff's words."""
    held_label: str = ""
    """"On hold", or "Questionnaire not done" when the client has yet to answer it."""

    @property
    def local_starts(self) -> dt.datetime:
        return self.appointment.starts.astimezone(self.zone)

    @property
    def local_ends(self) -> dt.datetime:
        return self.appointment.ends.astimezone(self.zone)


@dataclass(frozen=True)
class Header:
    label: str
    span: int = 1
    therapist: Therapist | None = None
    day: dt.date | None = None


@dataclass(frozen=True)
class GridCell:
    cell: Cell[Entry]
    therapist: Therapist
    day: dt.date
    book_query: str = ""
    """The query string of the booking form for this free time; empty when it cannot be booked."""

    @property
    def shade(self) -> str:
        return str(self.cell.shade)

    @property
    def words(self) -> str:
        return SHADE_WORDS[self.cell.shade]

    @property
    def entries(self) -> list[Entry]:
        return self.cell.items


@dataclass(frozen=True)
class GridRow:
    label: str
    """The time of day: on the first row of each hour, and on every row for screen readers."""
    on_the_hour: bool
    cells: list[GridCell]


@dataclass(frozen=True)
class Agenda:
    zone: ZoneInfo
    days: list[dt.date]
    day_headers: list[Header]
    """Above the therapist headers when a location's week is shown; otherwise empty."""
    column_headers: list[Header]
    rows: list[GridRow]
    therapists: list[Therapist]
    appointment_count: int


def window(days: Sequence[dt.date], zone: ZoneInfo) -> Interval:
    return Interval(local_day_to_utc(days[0], zone).start, local_day_to_utc(days[-1], zone).end)


def _hours_of(
    rows: Iterable[WorkingHours], day: dt.date, zone: ZoneInfo
) -> tuple[list[tuple[Interval, int]], list[Interval]]:
    """The real time of the `rows` that apply to `day` (with their location), and their breaks."""
    working: list[tuple[Interval, int]] = []
    breaks: list[Interval] = []
    for hours in rows:
        if hours.weekday != day.weekday():
            continue
        span = local_interval_to_utc(day, hours.starts, hours.ends, zone)
        if span is None:
            continue
        working.append((span, hours.location_id))
        for pause in hours.breaks.all():
            interval = local_interval_to_utc(day, pause.starts, pause.ends, zone)
            if interval is not None:
                breaks.append(interval)
    return working, breaks


def _closed_days(closures: Iterable[Closure], location_id: int) -> set[dt.date]:
    return {
        day
        for closure in closures
        if closure.location_id in (None, location_id)
        for day in closure.days()
    }


class _Builder:
    """Turns loaded rows into the grid, one column per (day, therapist)."""

    def __init__(
        self,
        *,
        viewer: User,
        zone: ZoneInfo,
        days: list[dt.date],
        now: dt.datetime,
        can_book: bool,
        calendar_location: Location | None,
    ) -> None:
        self.viewer = viewer
        self.zone = zone
        self.days = days
        self.now = now
        self.can_book = can_book
        self.calendar_location = calendar_location
        self.instants = {day: day_rows(day, zone) for day in days}
        self.rows = merge_rows(list(instants) for instants in self.instants.values())
        self.columns: list[tuple[dt.date, Therapist, list[Cell[Entry] | None], dict[int, int]]] = []

    def entries(self, appointments: Iterable[Appointment]) -> list[tuple[Interval, Entry]]:
        here = self.calendar_location.pk if self.calendar_location is not None else None
        appointments = list(appointments)
        booked = {
            a.client_id: a.client for a in appointments if a.status == AppointmentStatus.BOOKED
        }
        where = standings(booked.values(), self.now.astimezone(self.zone).date())
        entries = []
        for appointment in appointments:
            detailed = policy.can(self.viewer, Action.APPOINTMENT_VIEW, appointment)
            hold = (
                where[appointment.client_id].at("check_in")
                if detailed and appointment.client_id in where
                else None
            )
            entries.append(
                (
                    Interval(appointment.starts, appointment.ends),
                    Entry(
                        appointment=appointment,
                        detailed=detailed,
                        elsewhere=here is not None and appointment.location_id != here,
                        zone=self.zone,
                        held=hold.staff_message if hold is not None else "",
                        held_label=""
                        if hold is None
                        else "Questionnaire not done"
                        if hold.kind == "not_screened"
                        else "On hold",
                    ),
                )
            )
        return entries

    def add_column(
        self,
        day: dt.date,
        therapist: Therapist,
        *,
        working: list[tuple[Interval, int]],
        breaks: list[Interval],
        away: list[Interval],
        closed: list[Interval],
        blocks: list[tuple[Interval, Entry]],
    ) -> None:
        instants = self.instants[day]
        whole_day = Interval(min(instants.values()), max(instants.values()) + STEP)
        blocks = [(span, entry) for span, entry in blocks if span.overlaps(whole_day)]
        column = Column(
            day=day,
            working=[span for span, _ in working],
            breaks=breaks,
            away=away,
            closed=closed,
            busy=[
                Interval(entry.appointment.starts, entry.appointment.blocked_until)
                for _, entry in blocks
                if entry.appointment.is_active
            ],
            blocks=blocks,
        )
        cells = lay_out(self.rows, instants, column)
        where: dict[int, int] = {}  # row index -> location of the hours it lies in
        for index, cell in enumerate(cells):
            if cell is not None and cell.starts is not None and cell.shade == Shade.OPEN:
                row = Interval(cell.starts, cell.starts + STEP)
                for span, location_id in working:
                    if span.contains(row):
                        where[index] = location_id
                        break
        self.columns.append((day, therapist, cells, where))

    def _book_query(
        self, cell: Cell[Entry], therapist: Therapist, day: dt.date, location_id: int | None
    ) -> str:
        if (
            not self.can_book
            or location_id is None
            or cell.items
            or cell.starts is None
            or cell.shade != Shade.OPEN
            or cell.starts < self.now
        ):
            return ""
        return urlencode(
            {
                "location": location_id,
                "therapist": therapist.pk,
                "date": day.isoformat(),
                "time": f"{cell.wall.time:%H:%M}",
            },
            safe=":",
        )

    def grid(self) -> list[GridRow]:
        repeated = {row.time for row in self.rows if row.fold == 1}
        abbreviations: dict[WallTime, str] = {}
        for instants in self.instants.values():
            for wall, instant in instants.items():
                if wall.time in repeated:
                    abbreviations[wall] = instant.astimezone(self.zone).tzname() or ""
        grid = []
        for index, wall in enumerate(self.rows):
            label = clock(wall.time)
            if wall in abbreviations:
                label = f"{label} {abbreviations[wall]}"
            cells = []
            for day, therapist, column, where in self.columns:
                cell = column[index]
                if cell is None:
                    continue
                cells.append(
                    GridCell(
                        cell=cell,
                        therapist=therapist,
                        day=day,
                        book_query=self._book_query(cell, therapist, day, where.get(index)),
                    )
                )
            grid.append(GridRow(label=label, on_the_hour=wall.time.minute == 0, cells=cells))
        return grid


def _shown(appointments: Iterable[Appointment]) -> list[Appointment]:
    return [a for a in appointments if a.status != AppointmentStatus.CANCELLED]


def _day_label(day: dt.date) -> str:
    return f"{day:%a} {day:%b} {day.day}"


def location_agenda(
    location: Location,
    days: list[dt.date],
    viewer: User,
    *,
    now: dt.datetime,
    can_book: bool,
) -> Agenda:
    """The therapists of `location` side by side, one column each per day of `days`.

    A therapist who practises there (and is active) has a column, and so does anyone with an
    appointment there in the period. Their appointments at other locations show as busy there.
    Queries: therapists, hours, breaks, time off, closures, appointments.
    """
    zone = location.zone
    span = window(days, zone)
    in_window = Q(starts__lt=span.end, ends__gt=span.start)
    booked_here = Appointment.objects.filter(in_window, location=location).exclude(
        status=AppointmentStatus.CANCELLED
    )
    practising = Therapist.locations.through.objects.filter(location=location).values(
        "therapist_id"
    )
    therapists = list(
        Therapist.objects.filter(
            Q(pk__in=practising, active=True) | Q(pk__in=booked_here.values("therapist_id"))
        )
        .select_related("user")
        .order_by("user__full_name", "pk")
    )
    ids = [therapist.pk for therapist in therapists]
    hours: dict[int, list[WorkingHours]] = defaultdict(list)
    for row in WorkingHours.objects.filter(
        location=location, therapist_id__in=ids
    ).prefetch_related(Prefetch("breaks")):
        hours[row.therapist_id].append(row)
    away: dict[int, list[Interval]] = defaultdict(list)
    for time_off in TimeOff.objects.filter(
        therapist_id__in=ids, starts__lt=span.end, ends__gt=span.start
    ):
        away[time_off.therapist_id].append(Interval(time_off.starts, time_off.ends))
    closed_days = _closed_days(
        Closure.objects.filter(
            Q(location=location) | Q(location__isnull=True),
            starts_on__lte=days[-1],
            ends_on__gte=days[0],
        ),
        location.pk,
    )
    appointments = _shown(
        Appointment.objects.filter(in_window, therapist_id__in=ids)
        .select_related("client", "service", "location", "therapist")
        .order_by("starts", "pk")
    )
    builder = _Builder(
        viewer=viewer,
        zone=zone,
        days=days,
        now=now,
        can_book=can_book,
        calendar_location=location,
    )
    by_therapist: dict[int, list[tuple[Interval, Entry]]] = defaultdict(list)
    for interval, entry in builder.entries(appointments):
        by_therapist[entry.appointment.therapist_id].append((interval, entry))
    for day in days:
        closed = [local_day_to_utc(day, zone)] if day in closed_days else []
        for therapist in therapists:
            working, breaks = _hours_of(hours[therapist.pk], day, zone)
            builder.add_column(
                day,
                therapist,
                working=working,
                breaks=breaks,
                away=away[therapist.pk],
                closed=closed,
                blocks=by_therapist[therapist.pk],
            )
    if len(days) > 1:
        day_headers = [Header(_day_label(day), span=len(therapists), day=day) for day in days]
    else:
        day_headers = []
    column_headers = [
        Header(therapist.name, therapist=therapist, day=day)
        for day in days
        for therapist in therapists
    ]
    return Agenda(
        zone=zone,
        days=days,
        day_headers=day_headers,
        column_headers=column_headers,
        rows=builder.grid(),
        therapists=therapists,
        appointment_count=len(appointments),
    )


def therapist_zone(hours: Sequence[WorkingHours]) -> ZoneInfo:
    """The zone a therapist's calendar is shown in: that of the first location they work at."""
    for row in hours:
        return row.location.zone
    return ZoneInfo(settings.TIME_ZONE)


def therapist_agenda(
    therapist: Therapist,
    days: list[dt.date],
    viewer: User,
    *,
    now: dt.datetime,
    can_book: bool,
) -> Agenda:
    """One therapist's days, at every location they work at, one column per day.

    Queries: hours with their locations, breaks, time off, closures, appointments.
    """
    hours = list(
        WorkingHours.objects.filter(therapist=therapist)
        .select_related("location")
        .prefetch_related(Prefetch("breaks"))
        .order_by("location__name", "weekday", "starts")
    )
    zone = therapist_zone(hours)
    span = window(days, zone)
    location_ids = {row.location_id for row in hours}
    away = [
        Interval(time_off.starts, time_off.ends)
        for time_off in TimeOff.objects.filter(
            therapist=therapist, starts__lt=span.end, ends__gt=span.start
        )
    ]
    closures = list(
        Closure.objects.filter(
            Q(location_id__in=location_ids) | Q(location__isnull=True),
            starts_on__lte=days[-1],
            ends_on__gte=days[0],
        )
    )
    closed_at = {location_id: _closed_days(closures, location_id) for location_id in location_ids}
    appointments = _shown(
        Appointment.objects.filter(therapist=therapist, starts__lt=span.end, ends__gt=span.start)
        .select_related("client", "service", "location", "therapist")
        .order_by("starts", "pk")
    )
    builder = _Builder(
        viewer=viewer, zone=zone, days=days, now=now, can_book=can_book, calendar_location=None
    )
    blocks = builder.entries(appointments)
    for day in days:
        working, breaks = _hours_of(hours, day, zone)
        closed = [interval for interval, where in working if day in closed_at.get(where, set())]
        builder.add_column(
            day,
            therapist,
            working=working,
            breaks=breaks,
            away=away,
            closed=closed,
            blocks=blocks,
        )
    return Agenda(
        zone=zone,
        days=days,
        day_headers=[],
        column_headers=[Header(_day_label(day), therapist=therapist, day=day) for day in days],
        rows=builder.grid(),
        therapists=[therapist],
        appointment_count=len(appointments),
    )
