"""The analytics benchmark's clinic: 1,000,000 sessions and 100,000 programs, written to
PostgreSQL with COPY. With every therapist's week full, 1,000,000 sessions take 50 therapists
eight and a half years.

5 locations in the 5 US time zones of ``bench/data.py``, 10 therapists at each, each with their
own room and the same week: Monday to Saturday, 08:00-19:45 local time with a lunch break
13:00-13:30, nine 60-minute sessions (plus a 15-minute buffer) a day. Public holidays close every
location, a few days close one, and every therapist takes a week off a year and the odd sick
day; nobody is booked then.

A program holds a standing weekly time with one therapist, as in a clinic whose books are full:
the shipped chronic-low-back-pain template takes one weekday slot for ten weeks, the intensive
template two (Monday and Thursday, Tuesday and Friday, or Wednesday and Saturday) for four.
Each slot line is packed backwards from today: the program running on it now (its remaining
sessions booked), then the one before it, and so on, with a week or two free between some,
until there are 100,000 programs; a quarter of the clients come back for a later course. Most
programs are completed, some discharged after the client stopped coming, some referred out.
About 5% of past sessions are no-shows and 8% cancelled (a third of those late); a cancelled
session is made up at the end of the program, and a one-off massage (no program) often takes
its place, as do the free weeks between programs, until there are 1,000,000 sessions.

Outcomes follow each client's course: an intake baseline (NRS, PEG, PSFS) before every
program, an NRS at every attended session, PEG, PSFS and PGIC at the fourth session and at
discharge of a completed program. Courses differ: over a third of clients end 50% better or
more, a fifth 30-50%, others a little, not at all, or worse, with small differences between
templates, techniques and therapists.

No therapist, room or client is ever double-booked and every row satisfies every constraint:
the tables' constraints and indexes are dropped for the COPY and created again afterwards,
which checks every row. The analytics' summary of each program (``ProgramCourse``, kept up to
date by the actions' events) is then written as after any bulk import.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, models
from django.utils import timezone

from backcare.accounts.models import Role, User
from backcare.analytics import courses
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.care.models import RUNNING_STATUSES, Program, ProgramStatus
from backcare.care.templates import ProgramTemplate, load_templates
from backcare.clinic.models import Client, Location, Room, Service, Therapist
from backcare.outcomes import catalogue
from backcare.outcomes.models import Occasion, Response
from backcare.outcomes.scoring import score
from backcare.scheduling.models import BookingPolicy, Break, Closure, TimeOff, WorkingHours
from backcare.screening.models import Clearance, Decision, Screening
from backcare.screening.rules import parse_intake, screen
from bench.data import ZONES

TOTAL_APPOINTMENTS = 1_000_000
TOTAL_PROGRAMS = 100_000
DRAFTS = 300
THERAPISTS_PER_LOCATION = 10
ONE_OFF_CLIENTS_PER_LOCATION = 5000
WORKDAYS = 6  # Monday to Saturday
SLOTS = (
    dt.time(8),
    dt.time(9, 15),
    dt.time(10, 30),
    dt.time(11, 45),
    dt.time(13, 30),
    dt.time(14, 45),
    dt.time(16),
    dt.time(17, 15),
    dt.time(18, 30),
)
HOURS = (dt.time(8), dt.time(19, 45))
BREAK = (dt.time(13), dt.time(13, 30))
SESSION = dt.timedelta(minutes=60)
BUFFER = dt.timedelta(minutes=15)
# Intensive programs take the same slot on two weekdays three days apart.
PARTNER_DAYS = 3
ONE_OFFS_AHEAD_WEEKS = 2

INTENSIVE_SHARE = 0.3
RETURNING_SHARE = 0.25
PAUSED_SHARE = 0.05
# How an ended program ended.
FATES = ((ProgramStatus.COMPLETED, 0.82), (ProgramStatus.DISCHARGED, 0.12))
NO_SHOW, CANCELLED, LATE_SHARE = 0.05, 0.08, 0.35
# Gaps between programs on a slot line, in weeks.
GAPS = ((0, 0.6), (1, 0.85), (2, 1.0))
# Screenings that allow massage, with the precautions that change a program.
SCREENING_CODES: tuple[tuple[tuple[str, ...], float], ...] = (
    ((), 0.7),
    (("anticoagulants",), 0.8),
    (("osteoporosis",), 0.9),
    (("varicose_veins",), 0.95),
    (("pregnancy",), 1.0),
)
# Responder courses: (name, cumulative share, least and most share of baseline pain gone).
COURSES = (
    ("worse", 0.08, -0.35, -0.1),
    ("none", 0.2, 0.0, 0.0),
    ("minimal", 0.4, 0.05, 0.25),
    ("moderate", 0.64, 0.3, 0.49),
    ("substantial", 1.0, 0.5, 0.85),
)
# Severe pain (8/10 or more) asks for a physician's clearance first, which every such client
# brings before the program starts.
ALLOWED_DECISIONS = (
    Decision.CLEARED,
    Decision.CLEARED_WITH_PRECAUTIONS,
    Decision.MEDICAL_CLEARANCE_REQUIRED,
)
BASELINE_NRS = ((4, 0.08), (5, 0.22), (6, 0.42), (7, 0.64), (8, 0.84), (9, 0.96), (10, 1.0))
FIRST_NAMES = (  # noqa: SIM905 - a list of names reads better as words
    "Maria James Linda Robert Patricia John Jennifer Michael Elizabeth David Susan William "
    "Jessica Richard Sarah Joseph Karen Thomas Lisa Charles Nancy Daniel Betty Matthew "
    "Sandra Anthony Ashley Mark Emily Donald Kimberly Steven Donna Paul Michelle Andrew "
    "Carol Joshua"
).split()
LAST_NAMES = (  # noqa: SIM905 - a list of names reads better as words
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
    "Torres Nguyen"
).split()


def log(message: str) -> None:
    print(f"[analytics] {message}", flush=True)


# --- The plan: pure Python, no database --------------------------------------------------------


@dataclass
class Plan:
    """One program and its sessions: ``cells`` are ``(line, week)`` in time order and
    ``statuses`` one letter per cell (C completed, N no-show, X cancelled, L cancelled late,
    I checked in, B booked)."""

    pk: int
    client: int
    therapist: int  # index, 0..49
    template: ProgramTemplate
    status: str
    techniques: list[str]
    screening: dict[str, Any]
    cells: list[tuple[int, int]] = field(default_factory=list)
    statuses: str = ""
    baseline: int = 6
    change: float = 0.0  # share of the baseline pain gone by the end (negative: worse)
    pace: int = 3  # attended sessions until most of the change has come


@dataclass
class Week:
    """Where a line's cells are in time: week 0 is the week of ``today``."""

    monday: dt.date

    def day(self, week: int, weekday: int) -> dt.date:
        return self.monday + dt.timedelta(days=7 * week + weekday)


def line_of(therapist: int, weekday: int, slot: int) -> int:
    return (therapist * WORKDAYS + weekday) * len(SLOTS) + slot


def split_line(line: int) -> tuple[int, int, int]:
    rest, slot = divmod(line, len(SLOTS))
    therapist, weekday = divmod(rest, WORKDAYS)
    return therapist, weekday, slot


def pick(rng: random.Random, table: Sequence[tuple[Any, float]]) -> Any:
    """The first entry whose cumulative share is above a uniform roll."""
    roll = rng.random()
    for value, upto in table:
        if roll < upto:
            return value
    return table[-1][0]


def us_holidays(year: int) -> list[tuple[dt.date, dt.date, str]]:
    def nth_weekday(month: int, weekday: int, n: int) -> dt.date:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))

    last_may = dt.date(year, 5, 31)
    memorial = last_may - dt.timedelta(days=last_may.weekday())
    thanksgiving = nth_weekday(11, 3, 4)
    return [
        (dt.date(year, 1, 1), dt.date(year, 1, 1), "New Year's Day"),
        (memorial, memorial, "Memorial Day"),
        (dt.date(year, 7, 4), dt.date(year, 7, 4), "Independence Day"),
        (nth_weekday(9, 0, 1), nth_weekday(9, 0, 1), "Labor Day"),
        (thanksgiving, thanksgiving + dt.timedelta(days=1), "Thanksgiving"),
        (dt.date(year, 12, 24), dt.date(year, 12, 25), "Christmas"),
    ]


class Calendar:
    """Which days a therapist cannot be booked: closures of their location and time off."""

    def __init__(self, locations: int) -> None:
        self.closed_everywhere: set[dt.date] = set()
        self.closed: list[set[dt.date]] = [set() for _ in range(locations)]
        self.away: dict[int, set[dt.date]] = {}

    def close(self, first: dt.date, last: dt.date, location: int | None) -> None:
        days = self.closed_everywhere if location is None else self.closed[location]
        days.update(first + dt.timedelta(days=n) for n in range((last - first).days + 1))

    def take_off(self, therapist: int, first: dt.date, last: dt.date) -> None:
        days = self.away.setdefault(therapist, set())
        days.update(first + dt.timedelta(days=n) for n in range((last - first).days + 1))

    def blocked(self, therapist: int, day: dt.date) -> bool:
        return (
            day in self.closed_everywhere
            or day in self.closed[therapist // THERAPISTS_PER_LOCATION]
            or day in self.away.get(therapist, ())
        )


class Planner:
    """Packs programs onto slot lines backwards from today (see the module docstring)."""

    def __init__(
        self,
        rng: random.Random,
        now: dt.datetime,
        week: Week,
        calendar: Calendar,
        starts_of: Callable[[int, int], dt.datetime],
    ) -> None:
        self.rng = rng
        self.now = now
        self.week = week
        self.calendar = calendar
        self.starts_of = starts_of
        templates = load_templates()
        self.chronic = templates.get("chronic_low_back_pain")
        self.intensive = templates.get("intensive")
        self.plans: list[Plan] = []
        self.clients = 0
        self.client_first_week: dict[int, int] = {}
        self.client_location: dict[int, int] = {}
        therapists = len(ZONES) * THERAPISTS_PER_LOCATION
        # A therapist's, a template's and a technique's small effect on the course.
        self.skill = [rng.uniform(-0.08, 0.08) for _ in range(therapists)]
        self.screenings: dict[tuple[Any, ...], dict[str, Any]] = {}

    # -- cells

    def blocked(self, line: int, week: int) -> bool:
        therapist, weekday, _ = split_line(line)
        return self.calendar.blocked(therapist, self.week.day(week, weekday))

    def cells_back(self, lines: Sequence[int], last_week: int, count: int) -> list[tuple[int, int]]:
        """``count`` free cells of ``lines`` ending in ``last_week``, earliest first."""
        found: list[tuple[int, int]] = []
        week = last_week
        while len(found) < count:
            for line in reversed(lines):
                if len(found) < count and not self.blocked(line, week):
                    found.append((line, week))
            week -= 1
        found.reverse()
        return found

    def cells_forward(self, lines: Sequence[int], first_week: int) -> Iterator[tuple[int, int]]:
        week = first_week
        while True:
            for line in lines:
                if not self.blocked(line, week):
                    yield line, week
            week += 1

    # -- programs

    def new_client(self, location: int) -> int:
        self.clients += 1
        self.client_location[self.clients] = location
        return self.clients

    def course(self, plan: Plan, at_best: str | None = None) -> None:
        """How the client's pain will go (``COURSES``), no better than ``at_best``."""
        rng = self.rng
        lift = self.skill[plan.therapist]
        lift += 0.04 if plan.template is self.intensive else 0.0
        lift += 0.03 if "trigger_point" in plan.techniques else -0.02
        roll = min(0.999, max(0.0, rng.random() + lift))
        for name, upto, least, most in COURSES:
            if roll < upto or name == at_best:
                plan.change = rng.uniform(least, most)
                break
        plan.pace = rng.randint(2, 6)

    def screening(self, plan: Plan) -> None:
        rng = self.rng
        codes: tuple[str, ...] = pick(rng, SCREENING_CODES)
        age = rng.randint(22, 78)
        entered = {
            "age": age,
            "pain": {"nrs_now": plan.baseline, "duration_weeks": rng.choice((14, 20, 30, 52, 104))},
            "codes": list(codes),
        }
        key = (age >= 50, plan.baseline, codes)
        if key not in self.screenings:
            self.screenings[key] = screen(parse_intake(entered)).to_record()
        result = self.screenings[key]
        if result["decision"] not in ALLOWED_DECISIONS:
            raise RuntimeError(f"screening {entered} would hold care: {result['decision']}")
        allowed = [
            code for code in plan.template.techniques if result["techniques"][code] != "avoid"
        ]
        # Therapists leave a technique out now and then; that is what "by technique" compares.
        if "trigger_point" in allowed and rng.random() < 0.3:
            allowed.remove("trigger_point")
        elif "myofascial_release" in allowed and rng.random() < 0.12:
            allowed.remove("myofascial_release")
        plan.techniques = allowed
        plan.screening = {"input": entered, "result": result}

    def make(self, client: int, therapist: int, template: ProgramTemplate, status: str) -> Plan:
        plan = Plan(
            pk=len(self.plans) + 1,
            client=client,
            therapist=therapist,
            template=template,
            status=status,
            techniques=[],
            screening={},
            baseline=pick(self.rng, BASELINE_NRS),
        )
        self.plans.append(plan)
        return plan

    def past_status(self) -> str:
        roll = self.rng.random()
        if roll < NO_SHOW:
            return "N"
        if roll < NO_SHOW + CANCELLED:
            return "L" if self.rng.random() < LATE_SHARE else "X"
        return "C"

    def ended_statuses(self, plan: Plan) -> str:
        """The sessions of an ended program, a make-up after each cancellation."""
        planned = plan.template.sessions
        held_until = planned
        if plan.status == ProgramStatus.DISCHARGED:
            held_until = self.rng.randint(2, planned - 2)
        elif plan.status == ProgramStatus.REFERRED_OUT:
            held_until = self.rng.randint(3, 6)
        statuses: list[str] = []
        held = cancelled = 0
        while held < held_until:
            status = self.past_status()
            if status in "XL":
                if cancelled == 3:
                    status = "C"
                else:
                    cancelled += 1
            if status in "CN":
                held += 1
            statuses.append(status)
        if plan.status != ProgramStatus.DISCHARGED:
            statuses[-1] = "C"  # completed or referred out after a session
        elif self.rng.random() < 0.5:
            statuses.append("N")  # stopped coming
        return "".join(statuses)

    def running(self, lines: Sequence[int], template: ProgramTemplate) -> int:
        """The program running on ``lines`` now; returns its first week."""
        therapist = split_line(lines[0])[0]
        paused = self.rng.random() < PAUSED_SHARE
        client = self.new_client(therapist // THERAPISTS_PER_LOCATION)
        plan = self.make(
            client, therapist, template, ProgramStatus.PAUSED if paused else ProgramStatus.ACTIVE
        )
        self.screening(plan)
        self.course(plan)
        weeks = template.sessions // len(lines)
        first_week = -self.rng.randint(1, weeks - 1)
        held = cancelled = 0
        statuses: list[str] = []
        for line, week in self.cells_forward(lines, first_week):
            if held >= template.sessions:
                break
            starts = self.starts_of(line, week)
            if starts > self.now:
                if paused and plan.cells:
                    break
                status = "B"
            elif starts + SESSION > self.now:
                status = "I"
            else:
                status = self.past_status()
                if status in "XL" and cancelled == 3:
                    status = "C"
            cancelled += status in "XL"
            held += status not in "XL"
            plan.cells.append((line, week))
            statuses.append(status)
        plan.statuses = "".join(statuses)
        if paused and "B" in plan.statuses:
            plan.status = ProgramStatus.ACTIVE  # nothing held yet to pause
        self.client_first_week[client] = plan.cells[0][1]
        return plan.cells[0][1]

    def ended(self, lines: Sequence[int], last_week: int, returning: int | None) -> Plan:
        rng = self.rng
        therapist = split_line(lines[0])[0]
        template = self.intensive if len(lines) == 2 else self.chronic
        status: str = pick(rng, FATES) if rng.random() < 0.94 else ProgramStatus.REFERRED_OUT
        client = returning or self.new_client(therapist // THERAPISTS_PER_LOCATION)
        plan = self.make(client, therapist, template, status)
        self.screening(plan)
        self.course(plan, at_best="none" if status == ProgramStatus.REFERRED_OUT else None)
        plan.statuses = self.ended_statuses(plan)
        plan.cells = self.cells_back(lines, last_week, len(plan.statuses))
        self.client_first_week[client] = plan.cells[0][1]
        return plan

    def pack(self, lines: int) -> None:
        """Fill every slot line backwards until there are TOTAL_PROGRAMS - DRAFTS programs."""
        rng = self.rng
        first_week: dict[int, int] = {}
        last_client: dict[int, int] = {}
        for line in range(lines):
            therapist, weekday, slot = split_line(line)
            if weekday >= PARTNER_DAYS:
                continue
            partner = line_of(therapist, weekday + PARTNER_DAYS, slot)
            if rng.random() < INTENSIVE_SHARE:
                first_week[line] = first_week[partner] = self.running(
                    (line, partner), self.intensive
                )
                last_client[line] = last_client[partner] = self.plans[-1].client
            else:
                for one in (line, partner):
                    first_week[one] = self.running((one,), self.chronic)
                    last_client[one] = self.plans[-1].client
        heap = [(-week, line) for line, week in first_week.items()]
        heapq.heapify(heap)
        while len(self.plans) < TOTAL_PROGRAMS - DRAFTS:
            negative_week, line = heapq.heappop(heap)
            if -negative_week != first_week[line]:
                continue  # moved since it was queued
            therapist, weekday, slot = split_line(line)
            own: tuple[int, ...] = (line,)
            if rng.random() < INTENSIVE_SHARE:
                other = weekday + PARTNER_DAYS if weekday < PARTNER_DAYS else weekday - PARTNER_DAYS
                own = tuple(sorted((line, line_of(therapist, other, slot))))
            last_week = min(first_week[one] for one in own) - 1 - pick(rng, GAPS)
            returning = last_client.get(line)
            if (
                returning is None
                or rng.random() >= RETURNING_SHARE
                or self.client_first_week[returning] <= last_week + 1
            ):
                returning = None
            plan = self.ended(own, last_week, returning)
            for one in own:
                first_week[one] = plan.cells[0][1]
                last_client[one] = plan.client
                heapq.heappush(heap, (-first_week[one], one))
        for _ in range(DRAFTS):
            therapist = rng.randrange(len(self.skill))
            client = self.new_client(therapist // THERAPISTS_PER_LOCATION)
            template = self.intensive if rng.random() < INTENSIVE_SHARE else self.chronic
            plan = self.make(client, therapist, template, ProgramStatus.DRAFT)
            self.screening(plan)
            self.course(plan)
        self.earliest_full_week = max(first_week.values())


# --- Writing: COPY into tables without their constraints, then the constraints back ------------


def _copy_text(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, list | dict):
        value = json.dumps(value)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


class Table:
    """COPY rows into a model's table: ``given`` columns per row, every other column its
    field's default (or NULL, or empty text)."""

    def __init__(self, model: type[models.Model], columns: str) -> None:
        given = columns.split()
        self.model = model
        self.name = model._meta.db_table
        fields = {f.column: f for f in model._meta.concrete_fields}
        unknown = set(given) - fields.keys()
        if unknown:
            raise ValueError(f"{self.name} has no columns {sorted(unknown)}")
        rest = [column for column in fields if column not in given]
        self.columns = [*given, *rest]
        suffix = []
        for column in rest:
            one = fields[column]
            if one.has_default():
                suffix.append(_copy_text(one.get_default()))
            elif one.null:
                suffix.append("\\N")
            elif isinstance(one, models.CharField | models.TextField):
                suffix.append("")
            else:
                raise ValueError(f"{self.name}.{column} needs a value")
        self.suffix = "".join("\t" + text for text in suffix) + "\n"

    def write(self, rows: Iterable[Sequence[str]]) -> int:
        """COPY ``rows`` (already in COPY text form) in; returns how many."""
        count = 0
        raw = connection.connection
        assert raw is not None
        columns = ", ".join(f'"{column}"' for column in self.columns)
        with raw.cursor() as cursor:
            with cursor.copy(f'COPY "{self.name}" ({columns}) FROM STDIN') as copy:
                chunk: list[str] = []
                for row in rows:
                    chunk.append("\t".join(row) + self.suffix)
                    if len(chunk) == 20000:
                        copy.write("".join(chunk))
                        count += len(chunk)
                        chunk = []
                copy.write("".join(chunk))
                count += len(chunk)
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{self.name}\"', 'id'), "  # noqa: S608
                f'(SELECT max(id) FROM "{self.name}"))'
            )
        return count


def drop_constraints(tables: Sequence[str]) -> list[str]:
    """Drop every constraint but the primary key, and every other index, of ``tables``;
    returns the statements that create them again."""
    recreate_indexes: list[str] = []
    recreate_constraints: list[str] = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid), contype, conindid FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype <> 'p'",
                [f'"{table}"'],
            )
            constraints = cursor.fetchall()
            backing = {row[3] for row in constraints if row[3]}
            cursor.execute(
                "SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indexrelid FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary",
                [f'"{table}"'],
            )
            indexes = [row for row in cursor.fetchall() if row[2] not in backing]
            for name, definition, _, _ in constraints:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                recreate_constraints.append(
                    f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
                )
            for name, definition, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
                recreate_indexes.append(definition)
    # Indexes first: the foreign keys and exclusion constraints check every row as they come.
    return recreate_indexes + recreate_constraints


def restore_constraints(statements: Sequence[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for statement in statements:
            started = time.perf_counter()
            cursor.execute(statement)
            took = time.perf_counter() - started
            if took > 2:
                log(f"  {took:.1f} s: {statement[:110]}")


# --- The clinic ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clinic:
    owner: User
    locations: list[Location]
    facts: dict[str, Any]


def _staff(
    rng: random.Random, today: dt.date, years: range
) -> tuple[User, list[Location], list[Therapist], list[Room], Service, Service, Calendar]:
    BookingPolicy.current()
    password = make_password(None)
    owner = User.objects.create(
        email="owner@anbench.example", full_name="Olivia Owner", role=Role.OWNER, password=password
    )
    program_service = Service.objects.create(
        name="Back massage — 60 minutes",
        duration_minutes=60,
        buffer_after_minutes=15,
        price=Decimal("95.00"),
        techniques=["swedish", "myofascial_release", "trigger_point"],
    )
    one_off_service = Service.objects.create(
        name="Relaxation massage — 60 minutes",
        duration_minutes=60,
        buffer_after_minutes=15,
        price=Decimal("85.00"),
        techniques=["swedish"],
    )
    locations = Location.objects.bulk_create(
        Location(
            name=f"Backcare {zone.split('/')[1].replace('_', ' ')}",
            address_line1=f"{100 + index} Main St",
            city=zone.split("/")[1].replace("_", " "),
            state=("NY", "IL", "CO", "AZ", "CA")[index],
            postal_code=f"{10001 + index * 17000:05d}",
            time_zone=zone,
        )
        for index, zone in enumerate(ZONES)
    )
    rooms = Room.objects.bulk_create(
        Room(location=place, name=f"Room {r + 1}")
        for place in locations
        for r in range(THERAPISTS_PER_LOCATION)
    )
    users = User.objects.bulk_create(
        User(
            email=f"therapist{index}@anbench.example",
            full_name=" ".join(
                (FIRST_NAMES[index % len(FIRST_NAMES)], LAST_NAMES[index * 7 % len(LAST_NAMES)])
            ),
            role=Role.THERAPIST,
            password=password,
        )
        for index in range(len(locations) * THERAPISTS_PER_LOCATION)
    )
    therapists = Therapist.objects.bulk_create(
        Therapist(
            user=user,
            licence_number=f"LMT{index:06d}",
            licence_state=locations[index // THERAPISTS_PER_LOCATION].state,
            techniques=["swedish", "myofascial_release", "trigger_point", "deep_tissue"],
        )
        for index, user in enumerate(users)
    )
    Therapist.locations.through.objects.bulk_create(
        Therapist.locations.through(
            therapist_id=t.pk, location_id=locations[i // THERAPISTS_PER_LOCATION].pk
        )
        for i, t in enumerate(therapists)
    )
    hours = WorkingHours.objects.bulk_create(
        WorkingHours(
            therapist=t,
            location=locations[i // THERAPISTS_PER_LOCATION],
            weekday=weekday,
            starts=HOURS[0],
            ends=HOURS[1],
        )
        for i, t in enumerate(therapists)
        for weekday in range(WORKDAYS)
    )
    Break.objects.bulk_create(Break(hours=h, starts=BREAK[0], ends=BREAK[1]) for h in hours)

    calendar = Calendar(len(locations))
    closures = [
        Closure(location=None, starts_on=first, ends_on=last, name=name)
        for year in years
        for first, last, name in us_holidays(year)
    ]
    for index, (days_ago, length, name) in enumerate(
        ((900, 5, "Renovation"), (400, 2, "Flooded basement"), (150, 1, "Power cut"))
    ):
        first = today - dt.timedelta(days=days_ago)
        closures.append(
            Closure(
                location=locations[index * 2],
                starts_on=first,
                ends_on=first + dt.timedelta(days=length - 1),
                name=name,
            )
        )
    Closure.objects.bulk_create(closures)
    for closure in closures:
        where = None if closure.location is None else locations.index(closure.location)
        calendar.close(closure.starts_on, closure.ends_on, where)

    away = []
    for i, therapist in enumerate(therapists):
        zone = ZoneInfo(locations[i // THERAPISTS_PER_LOCATION].time_zone)
        for year in years:
            week_start = dt.date(year, 1, 4) + dt.timedelta(weeks=rng.randint(8, 44))
            monday = week_start - dt.timedelta(days=week_start.weekday())
            periods = [(monday, monday + dt.timedelta(days=5), "Holiday")]
            for _ in range(2):
                sick = dt.date(year, 1, 2) + dt.timedelta(days=rng.randint(0, 360))
                periods.append((sick, sick, "Sick"))
            for first, last, reason in periods:
                calendar.take_off(i, first, last)
                away.append(
                    TimeOff(
                        therapist=therapist,
                        starts=dt.datetime.combine(first, dt.time(0), tzinfo=zone),
                        ends=dt.datetime.combine(
                            last + dt.timedelta(days=1), dt.time(0), tzinfo=zone
                        ),
                        reason=reason,
                    )
                )
    TimeOff.objects.bulk_create(away)
    return (
        owner,
        list(locations),
        list(therapists),
        list(rooms),
        program_service,
        (one_off_service),
        calendar,
    )


class Scores:
    """Each distinct answer's score and details, computed once by the shipped scoring."""

    def __init__(self) -> None:
        self.instruments = catalogue.instruments()
        self.known: dict[tuple[str, tuple[object, ...]], tuple[str, dict[str, Any]]] = {}

    def of(self, instrument: str, answers: Sequence[object]) -> tuple[str, dict[str, Any]]:
        key = (instrument, tuple(answers))
        if key not in self.known:
            result = score(self.instruments[instrument], answers).to_dict()
            value = result.pop("score")
            self.known[key] = (str(value), result)
        return self.known[key]


# The bulk tables and the columns the writer fills in each (every other column takes its
# field's default): tests/test_bench_data.py checks them against the models.
COPIED: tuple[tuple[type[models.Model], str, str], ...] = (
    (
        Client,
        "id first_name last_name date_of_birth email home_location_id created_at updated_at",
        "clients",
    ),
    (
        Screening,
        "id client_id trigger input result decision ruleset_version created_at",
        "screenings",
    ),
    (
        Clearance,
        "id client_id screening_id covers physician_name cleared_on recorded_at document",
        "clearances",
    ),
    (
        Program,
        "id client_id therapist_id template title service_id sessions_planned sessions_per_week"
        " reassessment_sessions techniques pressure_cap positioning self_care screening_id status"
        " started_on ended_on created_at updated_at",
        "programs",
    ),
    (
        Appointment,
        "id client_id therapist_id room_id service_id location_id starts ends blocked_until status"
        " late_cancellation cancelled_at cancel_reason booked_at updated_at series program_id",
        "appointments",
    ),
    (
        Response,
        "id client_id instrument answers score details occasion program_id appointment_id"
        " collected_at",
        "responses",
    ),
)


def build(now: dt.datetime, seed: int = 2026) -> Clinic:
    """Write the benchmark's clinic into the (empty, migrated) PostgreSQL database."""
    started = time.perf_counter()
    writer = Writer(now, random.Random(seed))
    writer.plan()
    tables = [model for model, _columns, _method in COPIED]
    log("dropping the bulk tables' constraints and indexes for the COPY")
    recreate = drop_constraints([model._meta.db_table for model in tables])
    for model, columns, method in COPIED:
        rows = getattr(writer, method)()
        section = time.perf_counter()
        count = Table(model, columns).write(rows)
        writer.facts[FACT_NAMES[model]] = count
        took = time.perf_counter() - section
        log(f"COPY {count:,} rows into {model._meta.db_table} in {took:.1f} s")
    section = time.perf_counter()
    log("creating the constraints and indexes again (every row is checked)")
    restore_constraints(recreate)
    log(f"constraints and indexes back in {time.perf_counter() - section:.1f} s")
    # The analytics keep a summary per program, refreshed on every save; a bulk load writes it
    # afterwards, as `backcare refresh_analytics` does after an import.
    section = time.perf_counter()
    courses.rebuild()
    writer.facts["courses_seconds"] = round(time.perf_counter() - section, 1)
    log(f"analytics courses of every program written in {writer.facts['courses_seconds']} s")
    section = time.perf_counter()
    # As autovacuum would soon after such a load: statistics, and the visibility map that lets
    # index-only scans skip the table.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    log(f"VACUUM (ANALYZE) in {time.perf_counter() - section:.1f} s")
    writer.facts["build_seconds"] = round(time.perf_counter() - started, 1)
    return Clinic(writer.owner, writer.locations, writer.facts)


class Writer:
    """The plan of the clinic, and its rows in COPY text form, table by table."""

    def __init__(self, now: dt.datetime, rng: random.Random) -> None:
        self.now = now
        self.rng = rng
        self.today = timezone.localdate(now)
        self.week = Week(self.today - dt.timedelta(days=self.today.weekday()))
        years = range(self.today.year - 9, self.today.year + 2)
        (
            self.owner,
            self.locations,
            therapists,
            rooms,
            self.program_service,
            self.one_off_service,
            self.calendar,
        ) = _staff(rng, self.today, years)
        self.zones = [ZoneInfo(place.time_zone) for place in self.locations]
        self.therapist_pk = [t.pk for t in therapists]
        self.room_pk = [room.pk for room in rooms]
        self.location_pk = [place.pk for place in self.locations]
        self.lines = len(therapists) * WORKDAYS * len(SLOTS)
        # Every cell's times in UTC: (starts, and the text of starts, ends, blocked until).
        self.times: dict[tuple[int, int], tuple[dt.datetime, str, str, str]] = {}
        self.planner = Planner(rng, now, self.week, self.calendar, self.starts)
        self.one_offs: list[tuple[int, int]] = []
        self.counts: dict[str, int] = {}
        self.facts: dict[str, Any] = {}

    # -- time

    def cell_times(self, line: int, week: int) -> tuple[dt.datetime, str, str, str]:
        found = self.times.get((line, week))
        if found is None:
            therapist, weekday, slot = split_line(line)
            local = dt.datetime.combine(
                self.week.day(week, weekday),
                SLOTS[slot],
                tzinfo=self.zones[therapist // THERAPISTS_PER_LOCATION],
            )
            starts = local.astimezone(dt.UTC)
            found = (
                starts,
                starts.isoformat(),
                (starts + SESSION).isoformat(),
                (starts + SESSION + BUFFER).isoformat(),
            )
            self.times[(line, week)] = found
        return found

    def starts(self, line: int, week: int) -> dt.datetime:
        return self.cell_times(line, week)[0]

    def local_day(self, line: int, week: int) -> dt.date:
        return self.week.day(week, split_line(line)[1])

    def created_at(self, plan: Plan) -> dt.datetime:
        """When the program was made (after its screening): days before its first session."""
        if not plan.cells:
            return self.now - dt.timedelta(days=1 + plan.pk % 13, hours=plan.pk % 7)
        return self.starts(*plan.cells[0]) - dt.timedelta(days=3 + plan.pk % 11, hours=2)

    # -- the plan

    def plan(self) -> None:
        started = time.perf_counter()
        planner = self.planner
        planner.pack(self.lines)
        plans = planner.plans
        program_rows = sum(len(plan.cells) for plan in plans)
        # One-off massages fill early cancellations and free cells up to TOTAL_APPOINTMENTS.
        taken = {cell for plan in plans for cell in plan.cells}
        refillable = [
            cell
            for plan in plans
            for cell, status in zip(plan.cells, plan.statuses, strict=True)
            if status == "X"
        ]
        free = [
            (line, week)
            for week in range(planner.earliest_full_week, ONE_OFFS_AHEAD_WEEKS + 1)
            for line in range(self.lines)
            if (line, week) not in taken and not planner.blocked(line, week)
        ]
        wanted = TOTAL_APPOINTMENTS - program_rows
        if not 0 <= wanted <= len(free) + len(refillable):
            raise RuntimeError(
                f"{program_rows:,} program sessions leave {wanted:,} one-offs for "
                f"{len(free) + len(refillable):,} free cells"
            )
        from_refill = min(len(refillable), wanted * 2 // 3)
        self.one_offs = self.rng.sample(refillable, from_refill) + self.rng.sample(
            free, wanted - from_refill
        )
        self.one_offs.sort(key=lambda cell: (cell[1], cell[0]))
        with_cells = [plan for plan in plans if plan.cells]
        self.facts.update(
            programs=len(plans),
            program_sessions=program_rows,
            one_off_sessions=len(self.one_offs),
            weekly_slot_lines=self.lines,
            first_day=min(self.local_day(*plan.cells[0]) for plan in with_cells).isoformat(),
            last_day=max(self.local_day(*plan.cells[-1]) for plan in with_cells).isoformat(),
            program_statuses={
                status: sum(plan.status == status for plan in plans)
                for status in ProgramStatus.values
            },
            running_programs=sum(plan.status in RUNNING_STATUSES for plan in plans),
            locations=len(self.locations),
            therapists=len(self.therapist_pk),
        )
        log(
            f"planned {len(plans):,} programs with {program_rows:,} sessions and "
            f"{len(self.one_offs):,} one-off sessions on {self.lines:,} weekly slot lines "
            f"({self.facts['first_day']} to {self.facts['last_day']}) in "
            f"{time.perf_counter() - started:.1f} s"
        )

    # -- rows

    def clients(self) -> Iterator[list[str]]:
        """The clients of programs (joined ten days before their first program's first
        session), then each location's pool of one-off clients."""
        planner = self.planner
        joined: dict[int, dt.datetime] = {}
        for plan in planner.plans:
            first = self.created_at(plan) - dt.timedelta(days=7)
            joined[plan.client] = min(joined.get(plan.client, first), first)
        earliest = min(joined.values())
        total = planner.clients + len(self.locations) * ONE_OFF_CLIENTS_PER_LOCATION
        for pk in range(1, total + 1):
            if pk <= planner.clients:
                location = planner.client_location[pk]
                created = joined[pk]
            else:
                location = (pk - planner.clients - 1) // ONE_OFF_CLIENTS_PER_LOCATION
                created = earliest + dt.timedelta(days=(pk * 7) % 900)
            born = dt.date(1945, 1, 1) + dt.timedelta(days=(pk * 37) % 20000)
            yield [
                str(pk),
                FIRST_NAMES[pk % len(FIRST_NAMES)],
                f"{LAST_NAMES[(pk // len(FIRST_NAMES)) % len(LAST_NAMES)]}-{pk}",
                born.isoformat(),
                f"client{pk}@anbench.example",
                str(self.location_pk[location]),
                created.isoformat(),
                created.isoformat(),  # updated_at: not changed since
            ]

    def screenings(self) -> Iterator[list[str]]:
        """The intake screening that allowed each program (its id is the program's)."""
        texts: dict[int, str] = {}
        for plan in self.planner.plans:
            result = plan.screening["result"]
            text = texts.get(id(result))
            if text is None:
                text = texts[id(result)] = _copy_text(result)
            yield [
                str(plan.pk),
                str(plan.client),
                "intake",
                _copy_text(plan.screening["input"]),
                text,
                result["decision"],
                result["ruleset_version"],
                (self.created_at(plan) - dt.timedelta(hours=1)).isoformat(),
            ]

    def clearances(self) -> Iterator[list[str]]:
        """A physician's clearance for each screening that asked for one (severe pain)."""
        pk = 0
        for plan in self.planner.plans:
            result = plan.screening["result"]
            if result["decision"] != Decision.MEDICAL_CLEARANCE_REQUIRED:
                continue
            pk += 1
            codes = sorted(
                reason["code"]
                for reason in result["reasons"]
                if reason["decision"] == Decision.MEDICAL_CLEARANCE_REQUIRED
            )
            recorded = self.created_at(plan) - dt.timedelta(minutes=20)
            yield [
                str(pk),
                str(plan.client),
                str(plan.pk),
                _copy_text(codes),
                f"Dr. {LAST_NAMES[plan.pk % len(LAST_NAMES)]}",
                (recorded.date() - dt.timedelta(days=2)).isoformat(),
                recorded.isoformat(),
                "",
            ]

    def programs(self) -> Iterator[list[str]]:
        planner = self.planner
        texts = {
            template.key: (
                _copy_text(template.title),
                str(template.sessions),
                str(template.sessions_per_week),
                _copy_text(list(template.reassessment_sessions)),
                _copy_text(template.self_care),
            )
            for template in (planner.chronic, planner.intensive)
        }
        for plan in planner.plans:
            created = updated = self.created_at(plan)
            started_on = ended_on = "\\N"
            if plan.cells:
                started_on = self.local_day(*plan.cells[0]).isoformat()
                past = [
                    cell
                    for cell, status in zip(plan.cells, plan.statuses, strict=True)
                    if status not in "BI"
                ]
                updated = self.starts(*(past or plan.cells)[-1]) + SESSION
                if plan.status not in (ProgramStatus.ACTIVE, ProgramStatus.PAUSED):
                    ended = self.local_day(*plan.cells[-1]) + dt.timedelta(days=plan.pk % 4)
                    ended_on = min(ended, self.today).isoformat()
            result = plan.screening["result"]
            title, sessions, per_week, reassess, self_care = texts[plan.template.key]
            yield [
                str(plan.pk),
                str(plan.client),
                str(self.therapist_pk[plan.therapist]),
                plan.template.key,
                title,
                str(self.program_service.pk),
                sessions,
                per_week,
                reassess,
                _copy_text(plan.techniques),
                _copy_text(result["max_pressure"]),
                _copy_text([] if result["positioning"] == "any" else [result["positioning"]]),
                self_care,
                str(plan.pk),
                plan.status,
                started_on,
                ended_on,
                created.isoformat(),
                updated.isoformat(),
            ]

    def appointment(
        self, pk: int, client: int, cell: tuple[int, int], status: str, booked: dt.datetime
    ) -> list[str]:
        """An appointment's row up to its series and program."""
        therapist = split_line(cell[0])[0]
        starts, starts_text, ends_text, blocked_text = self.cell_times(*cell)
        cancelled_at = "\\N"
        reason = ""
        if status == "X":
            at = max(booked + dt.timedelta(hours=1), starts - dt.timedelta(days=2 + pk % 6))
            cancelled_at, reason = at.isoformat(), "Client cancelled"
        elif status == "L":
            at = starts - dt.timedelta(hours=1 + pk % 20)
            cancelled_at, reason = at.isoformat(), "Client cancelled at short notice"
        name = STATUS_NAMES[status]
        self.counts[name] = self.counts.get(name, 0) + 1
        self.counts["late"] = self.counts.get("late", 0) + (status == "L")
        return [
            str(pk),
            str(client),
            str(self.therapist_pk[therapist]),
            str(self.room_pk[therapist]),
            "",
            str(self.location_pk[therapist // THERAPISTS_PER_LOCATION]),
            starts_text,
            ends_text,
            blocked_text,
            name,
            "t" if status == "L" else "f",
            cancelled_at,
            reason,
            booked.isoformat(),
            # Last changed when booked, or when cancelled (as the migration that added it set).
            booked.isoformat() if cancelled_at == "\\N" else cancelled_at,
        ]

    def appointments(self) -> Iterator[list[str]]:
        """Every program's sessions, then the one-offs: the responses count on that order."""
        pk = 0
        service = str(self.program_service.pk)
        for plan in self.planner.plans:
            if not plan.cells:
                continue
            booked = self.created_at(plan) + dt.timedelta(hours=1)
            series = str(uuid.UUID(int=self.rng.getrandbits(128)))
            for cell, status in zip(plan.cells, plan.statuses, strict=True):
                pk += 1
                row = self.appointment(pk, plan.client, cell, status, booked)
                row[4] = service
                yield [*row, series, str(plan.pk)]
        service = str(self.one_off_service.pk)
        pool = self.planner.clients + 1
        for line, week in self.one_offs:
            pk += 1
            therapist, weekday, slot = split_line(line)
            place = therapist // THERAPISTS_PER_LOCATION
            starts = self.starts(line, week)
            # Distinct clients for the sessions that start at one moment at one location.
            moment = (self.week.day(week, weekday).toordinal() * len(SLOTS) + slot) * (
                THERAPISTS_PER_LOCATION
            )
            client = (
                pool
                + place * ONE_OFF_CLIENTS_PER_LOCATION
                + (moment + therapist % THERAPISTS_PER_LOCATION) % ONE_OFF_CLIENTS_PER_LOCATION
            )
            if starts > self.now:
                status = "B"
            elif starts + SESSION > self.now:
                status = "I"
            else:
                status = self.planner.past_status()
            row = self.appointment(
                pk, client, (line, week), status, starts - dt.timedelta(days=1 + pk % 14)
            )
            row[4] = service
            yield [*row, "\\N", "\\N"]
        self.facts["late_cancellations"] = self.counts.pop("late", 0)
        self.facts["appointment_statuses"] = dict(self.counts)

    def responses(self) -> Iterator[list[str]]:
        """Per program: the intake baseline (NRS, PEG, PSFS); an NRS at every attended session;
        PEG, PSFS and PGIC at the fourth session and at the discharge of a completed one."""
        scores = Scores()
        pk = appointment = 0

        def row(
            plan: Plan,
            instrument: str,
            answers: list[Any],
            occasion: str,
            at: dt.datetime,
            visit: int | None,
            activities: list[str] | None = None,
        ) -> list[str]:
            nonlocal pk
            pk += 1
            value, details = scores.of(instrument, answers)
            if activities is not None:
                details = {**details, "activities": activities}
            return [
                str(pk),
                str(plan.client),
                instrument,
                _copy_text(answers),
                value,
                _copy_text(details),
                occasion,
                "\\N" if occasion == Occasion.INTAKE else str(plan.pk),
                "\\N" if visit is None else str(visit),
                at.isoformat(),
            ]

        for plan in self.planner.plans:
            rng = random.Random(plan.pk)
            intake_at = self.created_at(plan) - dt.timedelta(minutes=30)
            peg = [max(0, min(10, plan.baseline + rng.randint(-2, 1))) for _ in range(3)]
            activities = rng.sample(list(plan.template.goal_suggestions), 3)
            psfs = [rng.randint(1, 5) for _ in activities]
            yield row(plan, "nrs", [plan.baseline], Occasion.INTAKE, intake_at, None)
            yield row(plan, "peg", peg, Occasion.INTAKE, intake_at, None)
            yield row(plan, "psfs", psfs, Occasion.INTAKE, intake_at, None, activities)
            attended = 0
            for number, (cell, status) in enumerate(zip(plan.cells, plan.statuses, strict=True)):
                appointment += 1
                if status not in "CI":
                    continue
                attended += 1
                starts = self.starts(*cell)
                # Checked in before the session: treatment shows from the second one.
                eased = plan.change * min(1.0, (attended - 1) / plan.pace)
                noise = rng.choice((-1, 0, 0, 0, 1)) if attended > 1 else 0
                nrs = max(0, min(10, round(plan.baseline * (1 - eased)) + noise))
                before = starts - dt.timedelta(minutes=10)
                yield row(plan, "nrs", [nrs], Occasion.CHECK_IN, before, appointment)
                discharged = (
                    plan.status == ProgramStatus.COMPLETED and number == len(plan.cells) - 1
                )
                if not discharged and attended != 4:
                    continue
                occasion = Occasion.DISCHARGE if discharged else Occasion.REASSESSMENT
                ratio = nrs / plan.baseline
                after = starts + SESSION + dt.timedelta(minutes=5)
                peg_now = [max(0, min(10, round(v * ratio))) for v in peg]
                psfs_now = [max(0, min(10, round(10 - (10 - v) * ratio))) for v in psfs]
                yield row(plan, "peg", peg_now, occasion, after, appointment)
                yield row(plan, "psfs", psfs_now, occasion, after, appointment, activities)
                yield row(plan, "pgic", [pgic(1 - ratio, rng)], occasion, after, appointment)


FACT_NAMES: dict[type[models.Model], str] = {
    Client: "clients",
    Screening: "screenings",
    Clearance: "clearances",
    Program: "programs",
    Appointment: "appointments",
    Response: "responses",
}
STATUS_NAMES = {
    "C": AppointmentStatus.COMPLETED.value,
    "N": AppointmentStatus.NO_SHOW.value,
    "X": AppointmentStatus.CANCELLED.value,
    "L": AppointmentStatus.CANCELLED.value,
    "I": AppointmentStatus.CHECKED_IN.value,
    "B": AppointmentStatus.BOOKED.value,
}


def pgic(improvement: float, rng: random.Random) -> str:
    """The client's global impression, from the share of their pain that has gone."""
    if improvement >= 0.5:
        return rng.choice("112")
    if improvement >= 0.3:
        return rng.choice("223")
    if improvement > 0:
        return rng.choice("334")
    if improvement == 0:
        return "4"
    return rng.choice("556")
