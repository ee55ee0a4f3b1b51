"""The clinic analytics, counted by the database (SPEC §5 clinic analytics).

Every number here comes from a handful of aggregate queries whose cost does not grow with the
size of the page: the database groups programs (with their :class:`ProgramCourse`, kept up to
date as answers and appointments are saved) and appointments and returns one row per group (a
template, a therapist, a location, a week), and Python only adds those groups up and puts the
95% intervals and the Kaplan–Meier curve on them (``stats``).

Definitions, also in docs/analytics.md:

- A program belongs to the range when it **started** in it, and to the location of its first
  appointment that was not cancelled.
- Its **baseline** is the client's intake NRS answered up to its first day (else their first
  intake NRS); its **latest** is the last NRS answered in the program (check-in, reassessment or
  discharge). It is a **responder** when latest against baseline is a meaningful improvement
  by the NRS thresholds of the instrument file (SPEC §5: at least 2 points or 30% better;
  substantial: at least 50%).
- **Weeks to the first meaningful improvement** count from the first day to the first NRS that
  meets the threshold; a program without one is censored at its last NRS.
- **Attendance** counts appointments that started in the range and before now.
- **Utilisation** is booked time (booked, checked-in and completed appointments, by the
  service's length) over working time (the weekly hours as set now, without breaks, closures
  and time off); a room's time is the hours its location is staffed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from backcare.analytics import stats
from backcare.analytics.models import MEANINGFUL_CLASSES
from backcare.analytics.stats import KaplanMeier, Rate, Shift
from backcare.booking.models import ACTIVE_STATUSES, Appointment, AppointmentStatus
from backcare.care.models import RUNNING_STATUSES, Program, ProgramStatus
from backcare.care.templates import load_templates
from backcare.clinic.models import Location, Room, Therapist
from backcare.lib.techniques import TECHNIQUES
from backcare.scheduling.models import Closure, TimeOff, WorkingHours

NO_PLACE = "No sessions booked"


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    """Both days included, in the clinic's time zone."""
    zone: dt.tzinfo
    location: Location | None = None

    @property
    def starts_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), tzinfo=self.zone)

    @property
    def ends_at(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=self.zone)


# --- Programs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramCounts:
    started: int
    completed: int
    discharged: int
    referred_out: int
    running: int
    """Running now (draft, active or paused), of those that started in the range."""

    @property
    def ended(self) -> int:
        return self.completed + self.discharged + self.referred_out

    @property
    def completion(self) -> Rate:
        """Completed, of the programs that ended in the range."""
        return stats.rate(self.completed, self.ended)


def _programs(filters: Filters) -> QuerySet[Program]:
    """Programs, at the chosen location (where their first appointment is)."""
    programs = Program.objects.order_by()
    if filters.location is not None:
        programs = programs.filter(course__place=filters.location)
    return programs


def program_counts(filters: Filters) -> ProgramCounts:
    """One query."""
    started = Q(started_on__gte=filters.start, started_on__lte=filters.end)
    ended = Q(ended_on__gte=filters.start, ended_on__lte=filters.end)
    counts = _programs(filters).aggregate(
        started=Count("pk", filter=started),
        completed=Count("pk", filter=ended & Q(status=ProgramStatus.COMPLETED)),
        discharged=Count("pk", filter=ended & Q(status=ProgramStatus.DISCHARGED)),
        referred_out=Count("pk", filter=ended & Q(status=ProgramStatus.REFERRED_OUT)),
        running=Count("pk", filter=started & Q(status__in=RUNNING_STATUSES)),
    )
    return ProgramCounts(**counts)


# --- Responders -----------------------------------------------------------------------------


@dataclass
class Group:
    """Programs that share a template, a technique, a therapist or a location."""

    key: str
    label: str
    started: int = 0
    measured: int = 0
    """With a baseline and at least one NRS answered in the program."""
    improved_count: int = 0
    substantial_count: int = 0

    @property
    def improved(self) -> Rate:
        return stats.rate(self.improved_count, self.measured)

    @property
    def substantial(self) -> Rate:
        return stats.rate(self.substantial_count, self.measured)

    def add(self, started: int, measured: int, improved: int, substantial: int) -> None:
        self.started += started
        self.measured += measured
        self.improved_count += improved
        self.substantial_count += substantial


@dataclass(frozen=True)
class Responders:
    overall: Group
    by: Mapping[str, list[Group]]
    """``template``, ``technique``, ``therapist`` and ``location``, each sorted by label."""

    @property
    def tables(self) -> list[tuple[str, list[Group]]]:
        """Each breakdown with its heading, in the order of ``DIMENSIONS``."""
        return [(title, self.by[key]) for key, title in DIMENSIONS.items()]


DIMENSIONS = {
    "template": "Program template",
    "technique": "Technique",
    "therapist": "Therapist",
    "location": "Location",
}


def responders(filters: Filters, labels: Labels) -> Responders:
    """One query, grouped by template, therapist, location and the set of techniques."""
    measured = Q(course__baseline__isnull=False, course__latest__isnull=False)
    rows = (
        _programs(filters)
        .filter(started_on__gte=filters.start, started_on__lte=filters.end)
        .values_list("template", "therapist_id", "course__place", "techniques")
        .annotate(
            started=Count("pk"),
            measured=Count("pk", filter=measured),
            improved=Count("pk", filter=Q(course__responder_class__in=MEANINGFUL_CLASSES)),
            substantial=Count("pk", filter=Q(course__responder_class="substantial")),
        )
    )
    overall = Group("all", "All programs")
    by: dict[str, dict[str, Group]] = {name: {} for name in DIMENSIONS}

    def group(dimension: str, key: object, label: str) -> Group:
        found = by[dimension].get(str(key))
        if found is None:
            found = by[dimension][str(key)] = Group(str(key), label)
        return found

    for template, therapist_id, place, techniques, *counts in rows:
        overall.add(*counts)
        group("template", template, labels.template(template)).add(*counts)
        group("therapist", therapist_id, labels.therapist(therapist_id)).add(*counts)
        group("location", place, labels.location(place)).add(*counts)
        for code in _codes(techniques):
            group("technique", code, TECHNIQUES.get(code, code)).add(*counts)
    return Responders(
        overall,
        {name: sorted(groups.values(), key=lambda g: g.label) for name, groups in by.items()},
    )


def _codes(techniques: object) -> list[str]:
    """A program's techniques as the database gave them: a list, or JSON text (SQLite)."""
    if isinstance(techniques, str):
        techniques = json.loads(techniques)
    return sorted({str(code) for code in techniques}) if isinstance(techniques, list) else []


# --- Weeks to the first meaningful improvement ------------------------------------------------


def improvement_curve(filters: Filters) -> KaplanMeier:
    """One query: programs that started in the range with a baseline and a pain score since,
    counted by the week of their first meaningful improvement, or the week they were last seen
    without one."""
    rows = (
        _programs(filters)
        .filter(
            started_on__gte=filters.start,
            started_on__lte=filters.end,
            course__baseline__isnull=False,
            course__latest_week__isnull=False,
        )
        .values_list("course__improved_week", "course__latest_week")
        .annotate(programs=Count("pk"))
    )
    return stats.kaplan_meier(
        (improved, True, n) if improved is not None else (last, False, n)
        for improved, last, n in rows
    )


# --- Attendance and utilisation ---------------------------------------------------------------


@dataclass
class Attendance:
    key: str
    label: str
    due: int = 0
    """Appointments that started in the range and before now."""
    attended: int = 0
    no_show: int = 0
    cancelled: int = 0
    late: int = 0
    """Cancelled inside the cancellation window (counted in ``cancelled`` too)."""
    unmarked: int = 0
    """Past appointments still marked booked: nobody recorded what happened."""

    def add(self, status: str, late: bool, n: int) -> None:
        self.due += n
        if status in (AppointmentStatus.COMPLETED, AppointmentStatus.CHECKED_IN):
            self.attended += n
        elif status == AppointmentStatus.NO_SHOW:
            self.no_show += n
        elif status == AppointmentStatus.CANCELLED:
            self.cancelled += n
            self.late += n if late else 0
        else:
            self.unmarked += n

    def rate(self, count: int) -> float | None:
        return stats.share(count, self.due)

    @property
    def attended_rate(self) -> float | None:
        return self.rate(self.attended)

    @property
    def no_show_rate(self) -> float | None:
        return self.rate(self.no_show)

    @property
    def cancelled_rate(self) -> float | None:
        return self.rate(self.cancelled)

    @property
    def late_rate(self) -> float | None:
        return self.rate(self.late)


@dataclass
class Use:
    key: str
    label: str
    available: int = 0
    """Minutes."""
    booked: int = 0

    @property
    def share(self) -> float | None:
        return stats.share(self.booked, self.available)


@dataclass(frozen=True)
class Schedule:
    attendance: Attendance
    attendance_by: Mapping[str, list[Attendance]]
    """``therapist`` and ``location``."""
    therapists: list[Use]
    rooms: list[Use]

    @property
    def uses(self) -> list[tuple[str, list[Use]]]:
        return [("Therapist", self.therapists), ("Room", self.rooms)]


def schedule(filters: Filters, labels: Labels, now: dt.datetime) -> Schedule:
    """One query over appointments, and three for the working hours (with breaks), closures
    and time off."""
    appointments = Appointment.objects.filter(
        starts__gte=filters.starts_at, starts__lt=filters.ends_at
    )
    if filters.location is not None:
        appointments = appointments.filter(location=filters.location)
    active = [status.value for status in ACTIVE_STATUSES]
    rows = (
        appointments.order_by()
        .values("therapist_id", "location_id", "room_id", "status", "late_cancellation")
        .annotate(
            due=Count("pk", filter=Q(starts__lt=now)),
            minutes=Sum("service__duration_minutes", filter=Q(status__in=active), default=0),
        )
    )
    total = Attendance("all", "All appointments")
    by: dict[str, dict[str, Attendance]] = {"therapist": {}, "location": {}}
    therapists: dict[int, Use] = {}
    rooms: dict[int, Use] = {}
    for row in rows:
        status, late, due = row["status"], row["late_cancellation"], row["due"]
        therapist, place, room = row["therapist_id"], row["location_id"], row["room_id"]
        if due:
            total.add(status, late, due)
            for dimension, key, label in (
                ("therapist", therapist, labels.therapist(therapist)),
                ("location", place, labels.location(place)),
            ):
                by[dimension].setdefault(str(key), Attendance(str(key), label)).add(
                    status, late, due
                )
        if row["minutes"]:
            _use(therapists, therapist, labels.therapist(therapist)).booked += row["minutes"]
            if room is not None:
                _use(rooms, room, labels.room(room)).booked += row["minutes"]

    _working_time(filters, labels, therapists, rooms)
    return Schedule(
        total,
        {name: sorted(groups.values(), key=lambda a: a.label) for name, groups in by.items()},
        sorted(therapists.values(), key=lambda u: u.label),
        sorted(rooms.values(), key=lambda u: u.label),
    )


def _use(uses: dict[int, Use], key: int, label: str) -> Use:
    found = uses.get(key)
    if found is None:
        found = uses[key] = Use(str(key), label)
    return found


def _working_time(
    filters: Filters, labels: Labels, therapists: dict[int, Use], rooms: dict[int, Use]
) -> None:
    """Add each therapist's working minutes and each room's open minutes in the range."""
    hours = WorkingHours.objects.select_related("location").prefetch_related("breaks")
    if filters.location is not None:
        hours = hours.filter(location=filters.location)
    shifts: dict[tuple[int, int], list[Shift]] = defaultdict(list)
    places: dict[int, Location] = {}
    for row in hours:
        places[row.location_id] = row.location
        shifts[(row.therapist_id, row.location_id)].append(
            Shift(
                row.weekday,
                _minutes(row.starts),
                _minutes(row.ends),
                tuple((_minutes(b.starts), _minutes(b.ends)) for b in row.breaks.all()),
            )
        )
    closed: dict[int | None, set[dt.date]] = defaultdict(set)
    for closure in Closure.objects.filter(starts_on__lte=filters.end, ends_on__gte=filters.start):
        closed[closure.location_id].update(closure.days())
    away: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for therapist_id, starts, ends in TimeOff.objects.filter(
        starts__lt=filters.ends_at, ends__gt=filters.starts_at
    ).values_list("therapist_id", "starts", "ends"):
        away[therapist_id].append((starts, ends))

    for (therapist_id, place_id), week in shifts.items():
        days_closed = closed[None] | closed[place_id]
        counts = stats.weekday_counts(filters.start, filters.end, days_closed)
        minutes = stats.working_minutes(week, counts) - stats.time_off_minutes(
            week,
            away.get(therapist_id, ()),
            places[place_id].zone,
            filters.start,
            filters.end,
            days_closed,
        )
        _use(therapists, therapist_id, labels.therapist(therapist_id)).available += minutes

    by_place: dict[int, list[Shift]] = defaultdict(list)
    for (_, place_id), week in shifts.items():
        by_place[place_id].extend(week)
    for room_id, place_id in labels.room_places.items():
        if filters.location is not None and place_id != filters.location.pk:
            continue
        counts = stats.weekday_counts(filters.start, filters.end, closed[None] | closed[place_id])
        open_minutes = stats.open_minutes(by_place.get(place_id, ()), counts)
        if open_minutes or room_id in rooms:
            _use(rooms, room_id, labels.room(room_id)).available += open_minutes


def _minutes(moment: dt.time) -> int:
    return moment.hour * 60 + moment.minute


# --- Names ------------------------------------------------------------------------------------


@dataclass
class Labels:
    """Names of the clinic's templates, therapists, locations and rooms (three queries)."""

    therapists: dict[int, str] = field(default_factory=dict)
    locations: dict[int, str] = field(default_factory=dict)
    rooms: dict[int, str] = field(default_factory=dict)
    room_places: dict[int, int] = field(default_factory=dict)
    """Each active room's location."""
    templates: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Labels:
        return cls(
            therapists={t.pk: t.name for t in Therapist.objects.select_related("user")},
            locations=dict(Location.objects.values_list("pk", "name")),
            **cls._rooms(),
            templates={t.key: t.title for t in load_templates().templates},
        )

    @staticmethod
    def _rooms() -> dict[str, Any]:
        rooms, places = {}, {}
        for pk, name, place, place_id, active in Room.objects.values_list(
            "pk", "name", "location__name", "location_id", "active"
        ):
            rooms[pk] = f"{name} ({place})"
            if active:
                places[pk] = place_id
        return {"rooms": rooms, "room_places": places}

    def therapist(self, pk: int) -> str:
        return self.therapists.get(pk, f"Therapist {pk}")

    def location(self, pk: int | None) -> str:
        return NO_PLACE if pk is None else self.locations.get(pk, f"Location {pk}")

    def room(self, pk: int) -> str:
        return self.rooms.get(pk, f"Room {pk}")

    def template(self, key: str) -> str:
        return self.templates.get(key, key)


# --- The whole page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    filters: Filters
    programs: ProgramCounts
    responders: Responders
    curve: KaplanMeier
    schedule: Schedule


def report(filters: Filters, now: dt.datetime) -> Report:
    labels = Labels.load()
    return Report(
        filters,
        program_counts(filters),
        responders(filters, labels),
        improvement_curve(filters),
        schedule(filters, labels, now),
    )
