"""``make bench``: run the benchmarks on SQLite and on PostgreSQL, write docs/performance.md.

The parts, in order: availability and the booking races (``bench/suite.py``) on both
databases; the page sweep (``bench/pages.py``: every page of the access matrix); the first
analytics load of a just-started server (``bench/first_load.py``, on SQLite); Backcare beside
django-appointment (``bench/peer/``); the analytics over 1,000,000 sessions
(``bench/analytics.py``). Each of the last four also runs alone and rewrites its own section.

Each database gets a fresh, throwaway copy (an SQLite file under bench/results/, a
``backcare_bench`` database on the PostgreSQL at 127.0.0.1:5432 or ``BENCH_POSTGRES_URL``),
filled by ``bench/suite.py`` in its own process, and removed afterwards. PostgreSQL is skipped,
and the page says so, when it does not answer. On PostgreSQL the analytics benchmark follows
(``bench/analytics.py``, in its own ``backcare_anbench`` database).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import platform
import secrets
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import django
import psycopg

from bench import analytics, first_load, pages
from bench.measure import FAILED
from bench.peer import compare as peer

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
REPORT = ROOT / "docs" / "performance.md"
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
BENCH_DATABASE = "backcare_bench"
TARGET = 3.0


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kilobytes = int(meminfo.read_text().split("MemTotal:", 1)[1].split()[0])
        memory = f"{kilobytes / 1024 / 1024:.1f} GiB"
    return {
        "CPU": cpu,
        "Cores (logical)": str(os.cpu_count()),
        "RAM": memory,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "SQLite (Python's library)": sqlite3.sqlite_version,
    }


def environment(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        SECRET_KEY=secrets.token_urlsafe(48),
        DEBUG="false",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        SECURE_HSTS_SECONDS="0",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        LOG_LEVEL="ERROR",
        PYTHONPATH=str(ROOT),
        # Production requires a key for uploaded documents; the benchmark's are throwaway.
        BACKCARE_FILE_KEYS=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        PRIVATE_MEDIA_DIR="bench/results/private-media",
    )
    env.update(extra)
    return env


def run_suite(name: str, env: dict[str, str]) -> dict[str, Any]:
    out = RESULTS / f"{name}.json"
    out.unlink(missing_ok=True)
    subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.suite", str(out)], cwd=ROOT, env=env, check=True
    )
    results: dict[str, Any] = json.loads(out.read_text())
    return results


def sqlite() -> dict[str, Any]:
    database = RESULTS / "bench.sqlite3"
    for path in RESULTS.glob("bench.sqlite3*"):
        path.unlink()
    try:
        return run_suite("sqlite", environment(SQLITE_FILE=str(database)))
    finally:
        for path in RESULTS.glob("bench.sqlite3*"):
            path.unlink()


def postgres_answers() -> bool:
    parts = urlsplit(POSTGRES)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 2).close()
    except OSError:
        return False
    return True


def postgres() -> dict[str, Any]:
    parts = urlsplit(POSTGRES)
    bench_url = urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        admin.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    try:
        return run_suite("postgresql", environment(DATABASE_URL=bench_url))
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")


def ratio(timing: dict[str, Any], floor: dict[str, Any]) -> str:
    value = timing["p50_ms"] / floor["p50_ms"]
    verdict = "met" if value <= TARGET else "missed"
    return f"{value:.1f}× ({verdict})"


def availability_rows(name: str, results: dict[str, Any]) -> list[str]:
    found = results["availability"]
    rows = []
    keys: tuple[tuple[str, str, str | None], ...] = (
        ("in-process: `free_slots`, 5 locations × 14 days", "in_process", "in_process_floor"),
        ("… of which loading (`load_search`)", "loading", "loading_floor"),
        ("… of which slot maths (`Search.find`)", "slot_maths", None),
        ("HTTP: `/bench/availability/`, 5 locations × 14 days", "http", "http_floor"),
        ("HTTP: portal booking page, 1 location × 1 week", "portal_page", "portal_page_floor"),
    )
    for label, key, floor_key in keys:
        if key not in found:
            reason = found.get(f"{key}_error", "not measured")
            rows.append(f"| {name} | {label} | — | — | — | — | not measured: {reason} |")
            continue
        timing = found[key]
        if floor_key is None:
            rows.append(
                f"| {name} | {label} | {timing['p50_ms']:.1f} | {timing['p95_ms']:.1f} "
                "| | | pure Python, no database |"
            )
            continue
        floor = found[floor_key]
        rows.append(
            f"| {name} | {label} | {timing['p50_ms']:.1f} | {timing['p95_ms']:.1f} "
            f"| {floor['p50_ms']:.1f} | {floor['p95_ms']:.1f} | {ratio(timing, floor)} |"
        )
    return rows


def where_the_time_goes(name: str, results: dict[str, Any]) -> str:
    found = results["availability"]
    total, loading = found["in_process"]["p50_ms"], found["loading"]["p50_ms"]
    maths, floor = found["slot_maths"]["p50_ms"], found["in_process_floor"]["p50_ms"]
    rest = max(0.0, total - loading - maths)
    return (
        f"- {name}: of the {total:.0f} ms in-process p50, loading takes {loading:.0f} ms "
        f"({loading / floor:.1f}× the floor's {floor:.0f} ms), the slot maths {maths:.0f} ms, and "
        + (f"about {rest:.0f} ms is" if rest >= 0.5 else "next to nothing is")
        + " left over (`free_slots` is only the two halves: medians of"
        " separate runs do not add up exactly, and one call making both halves' objects collects"
        f" more garbage). The slot maths finds {found['free_slots']} free slots."
    )


def race_rows(name: str, results: dict[str, Any]) -> list[str]:
    rows = []
    for number, one in enumerate(results["race"]["rounds"], start=1):
        other = ", ".join(str(status) for status in one["other_answers"]) or "none"
        rows.append(
            f"| {name} | {number} ({one['day']}) | {one['attempts']} | {one['free_slots']} "
            f"| {one['booked']} | {one['double_bookings']} | {one['answered_409_taken']} "
            f"| {other} | {one['seconds']:.2f} | {one['requests_per_second']:.0f} |"
        )
    return rows


def contended_rows(name: str, results: dict[str, Any]) -> list[str]:
    rows = []
    for number, one in enumerate(results.get("contended_race", {}).get("rounds", []), start=1):
        other = ", ".join(str(status) for status in one["other_answers"]) or "none"
        rows.append(
            f"| {name} | {number} ({one['day']}) | {one['attempts']} | {one['booked']} "
            f"| {one['therapists_booked']} | {one['double_bookings']} "
            f"| {one['answered_409_taken']} | {one['server_errors']} | {other} "
            f"| {one['seconds']:.2f} |"
        )
    return rows


def report(facts: dict[str, str], results: dict[str, dict[str, Any]], skipped: list[str]) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    server = next(iter(results.values()))["gunicorn"]
    lines = [
        "# Performance",
        "",
        f"Measured by `make bench` (the scripts in `bench/`) on {when}. Numbers from one run on",
        "the machine below; they move by some percent from run to run.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in facts.items()),
        *(f"| {name} (server) | {one['database']} |" for name, one in results.items()),
        "",
        "## Availability",
        "",
        "The question: free times for a 60-minute service (15-minute buffer, needs a room) with",
        '"any therapist" over the next 14 days, at 5 locations (5 US time zones) × 10 therapists',
        "with 10 rooms each, in a database of 100,000 appointments (a year of history, the next 16",
        "days 60% booked). Every number is milliseconds; p50 and p95 by nearest rank; each",
        "measurement alternates call by call with its floor, so both meet the same machine.",
        "The floor is the least any answer must cost: one indexed query fetching the active",
        "appointments of the same therapists in the same window (the window Backcare loads: the",
        "days asked, padded by two days either side for time zones; a range scan of the",
        "therapist-and-start index bounded at both ends) into Python tuples, doing nothing with",
        f"them. Target: p50 within {TARGET:.0f}× its floor.",
        "",
        "| database | measured | p50 | p95 | floor p50 | floor p95 | p50 ÷ floor p50 |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for name, one in results.items():
        lines += availability_rows(name, one)
    lines += ["", "Where the time goes:", ""]
    lines += [where_the_time_goes(name, one) for name, one in results.items()]
    lines += [
        "",
        "What each row measures:",
        "",
        "- **in-process**: `backcare.booking.availability.free_slots(...)` called directly (all",
        "  of Backcare's loading, at most 8 queries, and the pure slot maths), against",
        "  `bench.floor.floor_query` called directly. The two rows below it time its halves",
        "  apart: `load_search` (the database reads, and turning rows into the engine's inputs)",
        "  and `Search.find` (the pure interval sweep over what was loaded, which builds the",
        "  sorted free slots).",
        "- **HTTP `/bench/availability/`**: the same call behind a real HTTP request to gunicorn",
        f"  ({server['workers']} workers × {server['threads']} threads), signed in as a client,",
        "  through every middleware and the access policy, answering JSON; its floor is",
        "  `/bench/floor/`, the floor query behind the same stack. Both endpoints exist only in",
        "  the benchmark's URL configuration (`bench/urls.py`): the product has no 14-day,",
        "  5-location endpoint.",
        "- **HTTP portal booking page**: the client portal's real page (`/portal/book/`) for one",
        "  location and one week, with the client's own appointments, rendered as HTML; its floor",
        "  is `/bench/floor/` for that location and week.",
        "",
        "## Booking race",
        "",
        "100 clients, each signed in, post at the same moment to the client portal's booking",
        "endpoint (`POST /portal/book/confirm/`, which calls `book_appointment`) on gunicorn in a",
        "subprocess, ten clients for each of ten free slots (the only free times at two",
        "otherwise full locations that day, each a different therapist and room). Three rounds,",
        "on three days. *Booked* counts the appointments the racers hold afterwards (target 10);",
        "*double bookings* counts pairs of active appointments that overlap for one therapist,",
        "room or client that day (target 0); 409 is the portal's \"that time was just taken —",
        'here are the nearest free times"; requests per second is 100 over the time from the',
        "release of all 100 requests to the last answer.",
        "",
        "| database | round | attempts | free slots | booked | double bookings | 409 taken "
        "| other answers | seconds | requests/s |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for name, one in results.items():
        lines += race_rows(name, one)
    lines += [
        "",
        "## Contended booking race",
        "",
        "60 clients, and one of them again from a second tab, post at the same moment to the",
        "same endpoint for one hour at a location with three therapists and three rooms, so",
        "every booking competes for a therapist and a room at once (the race that used to end",
        "in PostgreSQL deadlocks answered as server errors, and took about 20 s to settle).",
        "Bookings take their locks in one order (therapist, the location's rooms, client), so",
        "they queue instead of deadlocking. Five rounds, each on a new day. *Booked* must be 3,",
        "one per therapist; *server errors* must be 0; *seconds* is the time from the release",
        "of all 61 requests to the last answer (target: under 5).",
        "",
        "| database | round | attempts | booked | therapists booked | double bookings "
        "| 409 taken | server errors | other answers | seconds to settle |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for name, one in results.items():
        lines += contended_rows(name, one)
    if skipped:
        lines += ["", *(f"Not measured: {reason}" for reason in skipped)]
    lines += [
        "",
        "## How to run it",
        "",
        "`make bench` (most of an hour on a busy 2-core machine: the page sweep and the analytics",
        "take the longest). It needs PostgreSQL",
        "on 127.0.0.1:5432 (user `postgres`, trust authentication) or `BENCH_POSTGRES_URL`; it",
        "creates and drops a `backcare_bench` database (and `backcare_pages`, `backcare_peer`,",
        "`backcare_peer_da` and `backcare_anbench` for the other parts). `BENCH_RUNS` and",
        "`BENCH_HTTP_RUNS` set the repetitions (40 and 30). The peer is installed from PyPI into",
        "`bench/results/peer-venv` the first time.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, Any]] = {}
    skipped: list[str] = []
    results["SQLite"] = sqlite()
    if postgres_answers():
        results["PostgreSQL"] = postgres()
    else:
        skipped.append(f"PostgreSQL did not answer at {urlsplit(POSTGRES).netloc}.")
    text = report(machine(), results, skipped)
    on_postgres = "PostgreSQL" in results
    text = analytics.with_section(
        text,
        pages.measured_section(POSTGRES if on_postgres else None, environment),
        pages.HEADING,
    )
    text = analytics.with_section(
        text, first_load.measured_section(environment), first_load.HEADING
    )
    if on_postgres:
        text = analytics.with_section(
            text, peer.measured_section(POSTGRES, environment), peer.HEADING
        )
        text = analytics.with_section(text, analytics.measured_section(POSTGRES, environment))
    REPORT.write_text(text)
    print(f"Wrote {REPORT.relative_to(ROOT)}")
    if FAILED:
        sys.exit("make bench: these parts failed, and their sections say so:\n" + "\n".join(FAILED))


if __name__ == "__main__":
    main()
