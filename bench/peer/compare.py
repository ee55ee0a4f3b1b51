"""Backcare beside django-appointment 3.12.0: ``python -m bench.peer`` (or part of ``make
bench``) rewrites the peer's section of docs/performance.md.

Outside: install the peer into its own virtual environment (``bench/results/peer-venv``,
``pip install django-appointment==3.12.0``) unless it is there, create two throwaway
PostgreSQL databases (``backcare_peer`` for Backcare, ``backcare_peer_da`` for the peer), run
the comparison in a Backcare process, drop both.

Inside (Backcare's process, which starts the peer's worker in the peer's environment and
talks to it in JSON lines): both sides get the schedule of ``bench/peer/schedule.py`` (25,000
appointments, then older history up to 100,000); for each size, three questions (one staff
member, one day; one staff member, 14 days; all 10, 14 days), asked alternately call by call
(Backcare, peer, Backcare, ...), each side timing itself in-process; every answer is checked
equal to the other side's and to the brute-force oracle. Then the same race on both: 50
threads, each with its own database connection, book one free hour at once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bench.measure import failed_section
from bench.pages import load_note
from bench.peer import schedule

ROOT = Path(__file__).resolve().parent.parent.parent
RESULTS = ROOT / "bench" / "results"
VENV = RESULTS / "peer-venv"
PEER_PACKAGE = "django-appointment==3.12.0"
DATABASE, PEER_DATABASE = "backcare_peer", "backcare_peer_da"
HEADING = "## Beside django-appointment"
# PEER_SIZES: other sizes, for a quick try of the benchmark's code ("2000,5000").
SIZES = tuple(int(n) for n in os.environ.get("PEER_SIZES", "25000,100000").split(","))
RUNS = int(os.environ.get("PEER_RUNS", "10"))
RACERS = 50
DAYS = 14


def log(message: str) -> None:
    print(f"[peer] {message}", flush=True)


# --- Outside ----------------------------------------------------------------------------------


def peer_python() -> Path:
    """The peer's interpreter, installing the peer first when it is not there."""
    python = VENV / "bin" / "python"
    if not (python.exists() and (VENV / ".installed").exists()):
        log(f"installing {PEER_PACKAGE} into {VENV.relative_to(ROOT)}")
        subprocess.run(["python3.11", "-m", "venv", str(VENV)], check=True)  # noqa: S603, S607
        subprocess.run(  # noqa: S603 - the peer's own pip, a pinned package
            [str(python), "-m", "pip", "install", "--quiet", PEER_PACKAGE, "psycopg[binary]"],
            check=True,
        )
        (VENV / ".installed").touch()
    return python


def measure(server: str, environment: Callable[..., dict[str, str]]) -> dict[str, Any]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "peer.json"
    out.unlink(missing_ok=True)
    python = peer_python()
    urls = {
        name: urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
        for name in (DATABASE, PEER_DATABASE)
    }
    with psycopg.connect(server, autocommit=True) as admin:
        for name in urls:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {name}")
    try:
        subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "bench.peer", "--inside", str(out)],
            cwd=ROOT,
            env=environment(
                DATABASE_URL=urls[DATABASE],
                PEER_DATABASE_URL=urls[PEER_DATABASE],
                PEER_PYTHON=str(python),
            ),
            check=True,
        )
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            for name in urls:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    results: dict[str, Any] = json.loads(out.read_text())
    return results


def measured_section(server: str, environment: Callable[..., dict[str, str]]) -> list[str]:
    """Run the comparison and give its section; a failure is reported in the section."""
    try:
        return section(measure(server, environment))
    except (subprocess.CalledProcessError, OSError, KeyError, ValueError) as error:
        log(f"failed: {error}")
        return failed_section(HEADING, "the comparison", error)


# --- The report's section ----------------------------------------------------------------------


def section(results: dict[str, Any]) -> list[str]:
    lines = [
        HEADING,
        "",
        f"The PyPI package `{PEER_PACKAGE}` (a Django appointment app), installed by the",
        "benchmark into its own virtual environment and run in its own process on its own",
        f"PostgreSQL database ({results['database']}), against Backcare on another, both fed",
        "the same generated schedule (`bench/peer/schedule.py`): 10 staff working Monday to",
        "Friday 09:00-17:00 in one time zone, one 60-minute service with no buffer, the next 20",
        "days about 60% booked on quarter hours and the rest history. Each question is asked",
        f"{results['runs']} times alternately, call by call (Backcare, then the peer, then",
        "Backcare, ...), each side timing itself in-process (no HTTP, no transport between the",
        "processes counted); milliseconds, p50 and p95 by nearest rank; queries of one call.",
        "The ratios are the fair part: both sides met the same machine, call by call; the",
        "milliseconds move with whatever else the machine is doing.",
        "*Same answer*: the free starts (staff, day, time) are equal on both sides and equal",
        "to a brute-force oracle's (every quarter hour tested against every appointment).",
        "",
        *load_note(results),
        "| appointments | question | Backcare p50 | p95 | queries | peer p50 | p95 | queries "
        "| peer ÷ Backcare (p50) | free starts | same answer |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for size in results["sizes"]:
        for one in size["questions"]:
            same = "yes" if one["equal_peer"] and one["equal_oracle"] else "**no**"
            lines.append(
                f"| {size['appointments']:,} | {one['question']} "
                f"| {one['backcare']['p50_ms']:.1f} | {one['backcare']['p95_ms']:.1f} "
                f"| {one['backcare_queries']} | {one['peer']['p50_ms']:.1f} "
                f"| {one['peer']['p95_ms']:.1f} | {one['peer_queries']} "
                f"| {one['ratio']:.1f}× | {one['slots']:,} | {same} |"
            )
    race = results["race"]
    lines += [
        "",
        f"The booking race: {RACERS} threads, each with its own database connection and its",
        f"own client, book the same free hour ({race['slot']}) at the same moment on each side,",
        "through each side's own booking code: Backcare's `book_appointment` (the action every",
        "booking page and the API call), the peer's request form then its",
        "`create_and_save_appointment` (what its two booking views do, without the HTTP).",
        "*Double bookings*: appointments held for that hour beyond the first.",
        "",
        "| side | attempts | booked | double bookings | refused | seconds |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for side in ("Backcare", "peer"):
        one = race[side]
        lines.append(
            f"| {side} | {one['attempts']} | {one['booked']} | {max(0, one['booked'] - 1)} "
            f"| {one['attempts'] - one['answered_booked']} | {one['seconds']:.2f} |"
        )
    lines += [
        "",
        "What is comparable and what is not:",
        "",
        "- Both were asked the same question (the free starts of a 60-minute service on a",
        "  15-minute step) over the same appointments, and gave the same answer. The peer asks",
        "  its database once per staff member and day (about 15 queries each); Backcare loads",
        "  the whole window at once, which is most of the difference at 14 days and all staff.",
        "- The peer has no rooms, buffers after a session, breaks, closures, per-location time",
        "  zones, minimum notice or horizon, and does not keep a client from being booked twice",
        "  at once (it has days off and unavailable hours, checked per staff member and day).",
        "  Backcare checked all of those (with none to find) and the peer none: Backcare did",
        "  more work for the same answer.",
        "- The peer's question runs in a naive local time; Backcare's in UTC with each",
        "  location's zone. Backcare's search is `free_slots` for staff (no notice or horizon),",
        "  at its one location; the peer's is `get_available_slots_for_staff` for each staff",
        "  member and day, as its booking page calls it one day at a time.",
        "- The race: the peer checks nothing at booking, so every request books; Backcare",
        "  locks the therapist, checks again and refuses all but one (and PostgreSQL's",
        "  exclusion constraint would refuse a second if it did not).",
        "",
        "Only this part: `python -m bench.peer` (rewrites only this section; `PEER_RUNS` sets the",
        "repetitions). Every result is in `bench/results/peer.json`.",
        "",
    ]
    return lines


# --- Inside: Backcare's side, driving the peer's worker -----------------------------------------


class Worker:
    """The peer's worker process (bench/peer/worker.py in the peer's environment)."""

    def __init__(self) -> None:
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        env.update(DJANGO_SETTINGS_MODULE="bench.peer.settings", PYTHONPATH=str(ROOT))
        self.process = subprocess.Popen(  # noqa: S603 - the peer's interpreter, our module
            [os.environ["PEER_PYTHON"], "-m", "bench.peer.worker"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, cmd: str, **arguments: Any) -> dict[str, Any]:
        stdin: IO[str] | None = self.process.stdin
        stdout: IO[str] | None = self.process.stdout
        assert stdin is not None and stdout is not None
        stdin.write(json.dumps({"cmd": cmd, **arguments}) + "\n")
        stdin.flush()
        line = stdout.readline()
        if not line:
            raise RuntimeError(f"the peer's worker stopped on {cmd!r}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.write('{"cmd": "quit"}\n')
            self.process.stdin.close()
        self.process.wait(timeout=60)


def inside(out: Path) -> None:
    import django

    django.setup()

    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from backcare.accounts.models import Role, User
    from backcare.booking.actions.booking import book_appointment
    from backcare.booking.availability import free_slots
    from backcare.booking.models import ACTIVE_STATUSES, Appointment, AppointmentStatus
    from backcare.clinic.models import Client, Location, Service, Therapist
    from backcare.scheduling.models import BookingPolicy, WorkingHours
    from bench.measure import Timing, percentile
    from bench.suite import database_version

    zone = ZoneInfo("America/New_York")
    today = timezone.localtime(timezone.now(), zone).date()
    log("migrating; setting up both sides")
    call_command("migrate", verbosity=0, interactive=False)
    BookingPolicy.current()
    place = Location.objects.create(
        name="Peer clinic",
        address_line1="1 Main St",
        city="Springfield",
        state="GA",
        postal_code="30309",
        time_zone="America/New_York",
    )
    service = Service.objects.create(
        name="Back massage — 60 minutes",
        duration_minutes=schedule.DURATION,
        buffer_after_minutes=0,
        price=Decimal("95.00"),
        techniques=["swedish"],
        needs_room=False,
    )
    password = make_password(None)
    staff: list[Therapist] = []
    for index in range(schedule.STAFF):
        user = User.objects.create(
            email=f"staff{index}@peer.example",
            full_name=f"Staff {index}",
            role=Role.THERAPIST,
            password=password,
        )
        therapist = Therapist.objects.create(
            user=user, licence_number=f"PT{index:05d}", licence_state="GA", techniques=["swedish"]
        )
        therapist.locations.add(place)
        staff.append(therapist)
    WorkingHours.objects.bulk_create(
        WorkingHours(therapist=t, location=place, weekday=day, starts=dt.time(9), ends=dt.time(17))
        for t in staff
        for day in schedule.WORKDAYS
    )
    clients = Client.objects.bulk_create(
        Client(
            first_name="Racer",
            last_name=f"{i:03d}",
            date_of_birth=dt.date(1980, 1, 1),
            email=f"client{i}@peer.example",
        )
        for i in range(RACERS)
    )
    peer = Worker()
    peer.ask("setup", clients=RACERS)

    def load(bookings: list[schedule.Booking]) -> None:
        rows = []
        for who, day, minutes in bookings:
            starts = dt.datetime.combine(
                dt.date.fromisoformat(day), dt.time(minutes // 60, minutes % 60), tzinfo=zone
            ).astimezone(dt.UTC)
            ends = starts + dt.timedelta(minutes=schedule.DURATION)
            past = dt.date.fromisoformat(day) < today
            rows.append(
                Appointment(
                    client=clients[who % len(clients)],  # one client per staff: no clashes
                    therapist=staff[who],
                    service=service,
                    location=place,
                    starts=starts,
                    ends=ends,
                    blocked_until=ends,
                    status=AppointmentStatus.COMPLETED if past else AppointmentStatus.BOOKED,
                    booked_at=starts - dt.timedelta(days=7),
                )
            )
        Appointment.objects.bulk_create(rows, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        peer.ask("load", bookings=[list(b) for b in bookings])

    first = today + dt.timedelta(days=1)
    while first.weekday() not in schedule.WORKDAYS:
        first += dt.timedelta(days=1)
    questions = (
        ("one staff member, one day", [0], 1),
        (f"one staff member, {DAYS} days", [0], DAYS),
        (f"all {schedule.STAFF} staff, {DAYS} days", list(range(schedule.STAFF)), DAYS),
    )

    def backcare(who: list[int], days: int) -> set[schedule.Slot]:
        index = {t.pk: i for i, t in enumerate(staff)}
        found = free_slots(
            service,
            start_day=first,
            end_day=first + dt.timedelta(days=days - 1),
            now=timezone.now(),
            location=place,
            therapist=staff[who[0]] if len(who) == 1 else None,
            staff=True,
        )
        return {
            (
                index[s.therapist_id],
                f"{s.start.astimezone(zone):%Y-%m-%d}",
                f"{s.start.astimezone(zone):%H:%M}",
            )
            for s in found
        }

    def timing(samples: list[float]) -> dict[str, Any]:
        return Timing(
            len(samples), round(percentile(samples, 0.5), 2), round(percentile(samples, 0.95), 2)
        ).as_dict()

    everything = schedule.build(SIZES[-1], today)
    sizes = []
    loaded = 0
    for size in SIZES:
        load(everything[loaded:size])
        loaded = size
        log(f"{size} appointments on both sides")
        measured = []
        for question, who, days in questions:
            window = [first + dt.timedelta(days=d) for d in range(days)]
            expected = schedule.oracle(everything[:size], who, window)
            with CaptureQueriesContext(connection) as queries:
                ours = backcare(who, days)
            theirs_answer = peer.ask(
                "slots", staff=who, first=first.isoformat(), days=days, answer=True
            )
            theirs = {(s[0], s[1], s[2]) for s in theirs_answer["slots"]}
            ours_ms: list[float] = []
            theirs_ms: list[float] = []
            for _ in range(RUNS):
                began = time.perf_counter()
                backcare(who, days)
                ours_ms.append((time.perf_counter() - began) * 1000)
                one = peer.ask("slots", staff=who, first=first.isoformat(), days=days, answer=False)
                theirs_ms.append(one["ms"])
            ours_t, theirs_t = timing(ours_ms), timing(theirs_ms)
            measured.append(
                {
                    "question": question,
                    "slots": len(expected),
                    "equal_peer": ours == theirs,
                    "equal_oracle": ours == expected and theirs == expected,
                    "backcare": ours_t,
                    "peer": theirs_t,
                    "backcare_queries": len(queries.captured_queries),
                    "peer_queries": theirs_answer["queries"],
                    "ratio": theirs_t["p50_ms"] / ours_t["p50_ms"],
                }
            )
            log(f"{size}: {measured[-1]}")
        sizes.append({"appointments": size, "questions": measured})

    # The race: the first free hour of staff member 0 on the first day, on both sides.
    free = sorted(s for s in schedule.oracle(everything, [0], [first]) if s[0] == 0)
    _, day, start = free[0]
    starts = dt.datetime.combine(first, dt.time.fromisoformat(start), tzinfo=zone)
    clients_in_line = iter(clients)

    def book() -> None:
        client = next(clients_in_line)  # each racer its own client
        try:
            book_appointment(None, client, service, staff[0], place, starts)
        finally:
            connections.close_all()

    answers, seconds = schedule.at_once(book, RACERS)
    ours_race = schedule.race_result(
        answers,
        seconds,
        Appointment.objects.filter(
            therapist=staff[0],
            status__in=ACTIVE_STATUSES,
            starts__lt=starts + dt.timedelta(hours=1),
            blocked_until__gt=starts,
        ).count(),
    )
    theirs_race = peer.ask("race", staff=0, date=day, start=start, racers=RACERS)
    log(f"race: Backcare {ours_race}; peer {theirs_race}")
    peer.stop()
    results = {
        "load_average": os.getloadavg()[1],  # over the last 5 minutes, at the end
        "database": database_version(),
        "runs": RUNS,
        "first_day": first.isoformat(),
        "sizes": sizes,
        "race": {"slot": f"{day} {start}", "Backcare": ours_race, "peer": theirs_race},
    }
    out.write_text(json.dumps(results, indent=2))
    log(f"wrote {out}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.peer", description=__doc__)
    parser.add_argument("--inside", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--from-results",
        action="store_true",
        help="write the section again from bench/results/peer.json, measuring nothing",
    )
    arguments = parser.parse_args()
    if arguments.inside:
        inside(arguments.inside)
        return

    from bench.analytics import rewrite_section

    if arguments.from_results:
        rewrite_section(section(json.loads((RESULTS / "peer.json").read_text())), HEADING)
        return
    from bench.run import POSTGRES, environment, postgres_answers

    if not postgres_answers():
        sys.exit(f"PostgreSQL did not answer at {urlsplit(POSTGRES).netloc}.")
    results = measure(POSTGRES, environment)
    rewrite_section(section(results), HEADING)
