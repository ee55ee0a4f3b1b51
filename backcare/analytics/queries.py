"""The clinic analytics, counted by the database (SPEC §5 clinic analytics).

Every number here comes from a handful of aggregate queries whose cost does not grow with the
size of the page: the database groups programs and appointments and returns one row per group
(a template, a therapist, a location, a week), and Python only adds those groups up and puts
the 95% intervals and the Kaplan–Meier curve on them (``stats``).

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

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from backcare.analytics import stats
from backcare.analytics.stats import KaplanMeier, Rate, Shift
from backcare.care.models import RUNNING_STATUSES, Program, ProgramStatus
from backcare.care.templates import load_templates
from backcare.clinic.models import Location, Room, Therapist
from backcare.lib.techniques import TECHNIQUES
from backcare.outcomes import catalogue
from backcare.outcomes.models import Occasion, Response
from backcare.outcomes.scoring import Instrument, Threshold
from backcare.scheduling.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    Closure,
    TimeOff,
    WorkingHours,
)

MEASURE = "nrs"
"""Responders and weeks to improvement are read from pain (SPEC §5: responder class on NRS)."""

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
    """Programs with ``place``, the location of their first appointment that was not cancelled,
    and the location filter applied."""
    first_place = (
        Appointment.objects.filter(program=OuterRef("pk"))
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by("starts", "pk")
        .values("location_id")[:1]
    )
    programs = Program.objects.order_by().annotate(place=Subquery(first_place))
    if filters.location is not None:
        programs = programs.filter(place=filters.location.pk)
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


def _cohort(filters: Filters) -> tuple[str, list[Any]]:
    """SQL of one row per program that started in the range: its groups, first day, baseline
    NRS, latest NRS and when that was answered."""
    intake = Response.objects.filter(
        client=OuterRef("client_id"), instrument=MEASURE, occasion=Occasion.INTAKE
    )
    follow_ups = Response.objects.filter(program=OuterRef("pk"), instrument=MEASURE).exclude(
        occasion=Occasion.INTAKE
    )
    latest = follow_ups.order_by("-collected_at", "-pk")
    rows = (
        _programs(filters)
        .filter(started_on__gte=filters.start, started_on__lte=filters.end)
        .annotate(
            baseline=Coalesce(
                Subquery(
                    intake.filter(collected_at__date__lte=OuterRef("started_on"))
                    .order_by("-collected_at", "-pk")
                    .values("score")[:1]
                ),
                Subquery(intake.order_by("collected_at", "pk").values("score")[:1]),
            ),
            latest=Subquery(latest.values("score")[:1]),
            last_at=Subquery(latest.values("collected_at")[:1]),
        )
        .values(
            "id",
            "template",
            "therapist_id",
            "place",
            "techniques",
            "started_on",
            "baseline",
            "latest",
            "last_at",
        )
    )
    sql, params = rows.query.sql_with_params()
    return sql, list(params)


def _better(instrument: Instrument, threshold: Threshold, value: str) -> tuple[str, list[Any]]:
    """SQL true when ``value`` is better than ``p.baseline`` by ``threshold`` (SPEC §5), as
    ``scoring.responder`` decides it."""
    if instrument.direction == "lower_is_better":
        gain = f"(p.baseline - {value})"
    else:
        gain = f"({value} - p.baseline)"
    tests, params = [], []
    if threshold.points is not None:
        tests.append(f"{gain} >= %s")
        params.append(float(threshold.points))
    if threshold.percent is not None:
        tests.append(f"(p.baseline > 0 AND {gain} * 100 >= %s * p.baseline)")
        params.append(float(threshold.percent))
    if not tests:
        return "1 = 0", []
    return f"({gain} > 0 AND ({' OR '.join(tests)}))", params


def _measure() -> tuple[Instrument, Threshold, Threshold]:
    """The NRS with its meaningful and substantial thresholds (from its instrument file)."""
    instrument = catalogue.instruments()[MEASURE]
    if instrument.meaningful is None:
        raise ImproperlyConfigured(f"The {MEASURE} instrument file has no meaningful change.")
    return instrument, instrument.meaningful, instrument.substantial or instrument.meaningful


def responders(filters: Filters, labels: Labels) -> Responders:
    """One query, grouped by template, therapist, location and the set of techniques."""
    instrument, meaningful_change, substantial_change = _measure()
    meaningful, meaningful_params = _better(instrument, meaningful_change, "p.latest")
    substantial, substantial_params = _better(instrument, substantial_change, "p.latest")
    measured = "p.baseline IS NOT NULL AND p.latest IS NOT NULL"
    cohort, cohort_params = _cohort(filters)
    sql = f"""
        SELECT p.template, p.therapist_id, p.place, p.techniques, COUNT(*),
            SUM(CASE WHEN {measured} THEN 1 ELSE 0 END),
            SUM(CASE WHEN {measured} AND {meaningful} THEN 1 ELSE 0 END),
            SUM(CASE WHEN {measured} AND {substantial} THEN 1 ELSE 0 END)
        FROM ({cohort}) p
        GROUP BY p.template, p.therapist_id, p.place, p.techniques
    """  # noqa: S608 - the SQL is ours; values go in as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*meaningful_params, *substantial_params, *cohort_params])
        rows = cursor.fetchall()

    overall = Group("all", "All programs")
    by: dict[str, dict[str, Group]] = {name: {} for name in DIMENSIONS}

    def group(dimension: str, key: object, label: str) -> Group:
        found = by[dimension].get(str(key))
        if found is None:
            found = by[dimension][str(key)] = Group(str(key), label)
        return found

    for template, therapist_id, place, techniques, *counts in rows:
        numbers = [int(n or 0) for n in counts]
        overall.add(*numbers)
        group("template", template, labels.template(template)).add(*numbers)
        group("therapist", therapist_id, labels.therapist(therapist_id)).add(*numbers)
        group("location", place, labels.location(place)).add(*numbers)
        for code in _codes(techniques):
            group("technique", code, TECHNIQUES.get(code, code)).add(*numbers)
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


def _days_since_start(value: str, zone: dt.tzinfo) -> tuple[str, list[Any]]:
    """SQL of the days from a program's first day to a stored moment, on the clinic's calendar:
    the moment's date in ``zone``, cast as Django casts ``__date`` (an answer given at 9 pm in
    Atlanta is already the next day in UTC)."""
    day, params = connection.ops.datetime_cast_date_sql(f"({value})", (), str(zone))
    if connection.vendor == "postgresql":
        return f"({day} - p.started_on)", list(params)
    return f"CAST(julianday({day}) - julianday(p.started_on) AS INTEGER)", list(params)


def improvement_curve(filters: Filters) -> KaplanMeier:
    """One query: programs that started in the range with a baseline and an NRS since,
    counted by the week of their first meaningful improvement, or the week they were last seen
    without one."""
    instrument, meaningful_change, _ = _measure()
    better, better_params = _better(instrument, meaningful_change, "r.score")
    days, days_params = _days_since_start("COALESCE(p.better_at, p.last_at)", filters.zone)
    cohort, cohort_params = _cohort(filters)
    response = Response._meta.db_table
    sql = f"""
        SELECT q.week, q.improved, COUNT(*) FROM (
            SELECT CASE WHEN {days} <= 0 THEN 0 ELSE ({days} + 6) / 7 END AS week,
                CASE WHEN p.better_at IS NULL THEN 0 ELSE 1 END AS improved
            FROM (
                SELECT p.*, (
                    SELECT MIN(r.collected_at) FROM {response} r
                    WHERE r.program_id = p.id AND r.instrument = %s AND r.occasion <> %s
                        AND {better}
                ) AS better_at
                FROM ({cohort}) p
                WHERE p.baseline IS NOT NULL AND p.last_at IS NOT NULL
            ) p
        ) q
        GROUP BY q.week, q.improved
    """  # noqa: S608 - the SQL is ours; values go in as parameters
    params = [
        *days_params,
        *days_params,
        MEASURE,
        Occasion.INTAKE.value,
        *better_params,
        *cohort_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return stats.kaplan_meier((int(week), bool(improved), int(n)) for week, improved, n in rows)


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
