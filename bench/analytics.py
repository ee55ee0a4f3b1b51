"""The analytics benchmark (issue 6): the owner's analytics page over 1,000,000 sessions and
100,000 programs on PostgreSQL. Target: the page in under 2 seconds.

``make bench`` runs it after the availability benchmarks and puts its section into
docs/performance.md. To run only this part: ``python -m bench.analytics`` (a few minutes; it
rewrites only the Analytics section of docs/performance.md). ``--keep`` leaves the
``backcare_anbench`` database in place afterwards (for EXPLAIN), ``--reuse`` measures the kept
database again without rebuilding it. ``BENCH_POSTGRES_URL`` names the server as for
``bench/run.py``; ``ANALYTICS_RUNS`` sets the repetitions (10).

In its own process (``python -m bench.analytics --inside OUT.json``, with the environment that
``bench/run.py`` sets) it migrates the fresh database, writes the clinic
(``bench/analytics_data.py``), then times the page for all time at all locations and for the
last 12 months at one location: over HTTP against gunicorn, signed in as the owner, and
in-process through Django's test client. Each CSV export is timed once over HTTP (after one
warm-up request). The queries of one in-process page load are captured; the slowest are
explained (EXPLAIN ANALYZE) into the results file (bench/results/analytics.json), not into the
page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg

from bench.measure import failed_section

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
REPORT = ROOT / "docs" / "performance.md"
DATABASE = "backcare_anbench"
TARGET_MS = 2000.0
RUNS = int(os.environ.get("ANALYTICS_RUNS", "10"))
WARMUP = 2
SLOW, SLOW_RUNS = 5, 3
"""A page whose first load takes SLOW times its target is timed SLOW_RUNS times."""
HTTP_TIMEOUT = 300
EXPORTS = ("programs", "responders", "improvement", "attendance", "utilisation")
EXPLAINED = 3
HEADING = "## Analytics"


def log(message: str) -> None:
    print(f"[analytics] {message}", flush=True)


# --- Outside: a throwaway database and a process to measure in ---------------------------------


def database_url(server: str) -> str:
    return urlunsplit(urlsplit(server)._replace(path=f"/{DATABASE}"))


def measure(
    server: str,
    environment: Callable[..., dict[str, str]],
    *,
    keep: bool = False,
    reuse: bool = False,
) -> dict[str, Any]:
    """Run the benchmark in a fresh ``backcare_anbench`` database on ``server`` (a postgres://
    address); ``environment(**extra)`` gives the process environment, as ``bench/run.py``'s."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "analytics.json"
    out.unlink(missing_ok=True)
    with psycopg.connect(server, autocommit=True) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]
        ).fetchone()
        if not (reuse and exists):
            reuse = False
            admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {DATABASE}")
    try:
        command = [sys.executable, "-m", "bench.analytics", "--inside", str(out)]
        subprocess.run(  # noqa: S603 - our own interpreter and module
            [*command, "--reuse"] if reuse else command,
            cwd=ROOT,
            env=environment(DATABASE_URL=database_url(server)),
            check=True,
        )
    finally:
        if not keep:
            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    results: dict[str, Any] = json.loads(out.read_text())
    return results


# --- The report's section -----------------------------------------------------------------------


def verdict(timing: dict[str, Any]) -> str:
    return "met" if timing["p95_ms"] < TARGET_MS else "missed"


def section(results: dict[str, Any]) -> list[str]:
    """The Analytics section of docs/performance.md, from ``measure``'s results."""
    facts = results["data"]
    statuses = facts["appointment_statuses"]
    programs = facts["program_statuses"]
    booked = statuses.get("booked", 0) + statuses.get("checked_in", 0)
    clinic = (
        "The owner's analytics page (`/staff/analytics/`: programs, responder rates with Wilson "
        "intervals, weeks to improvement, attendance, utilisation) on "
        f"{results['database']}, over a clinic of {facts['appointments']:,} sessions and "
        f"{facts['programs']:,} programs, the first on {facts['first_day']}, the last booked for "
        f"{facts['last_day']}: {facts['locations']} locations in 5 US time zones, "
        f"{facts['therapists']} therapists, each with a room and a 6-day week, public holidays "
        f"and time off; {statuses.get('completed', 0):,} sessions completed, "
        f"{statuses.get('no_show', 0):,} no-shows, {statuses.get('cancelled', 0):,} cancelled "
        f"({facts['late_cancellations']:,} late), {booked:,} booked ahead; "
        f"{programs.get('completed', 0):,} programs completed, "
        f"{programs.get('discharged', 0):,} discharged, {programs.get('referred_out', 0):,} "
        f"referred out, {facts['running_programs']:,} running; {facts['responses']:,} outcome "
        "responses (intake baselines, an NRS at every attended session, PEG, PSFS and PGIC at "
        f"the fourth session and at discharge) and {facts['clients']:,} clients. "
        f"`bench/analytics_data.py` wrote it with COPY in {facts['build_seconds']:.0f} s, then "
        "created every constraint and index again, which checked every row (no therapist, room "
        "or client double-booked), wrote the analytics' summary of every program as after a "
        f"bulk import ({facts.get('courses_seconds', 0):.0f} s of that), and vacuumed it as "
        "autovacuum would."
    )
    method = (
        "The page is timed over HTTP (gunicorn, signed in as the owner) and in-process (Django's "
        f"test client, no network): {WARMUP} warm-up loads, then {RUNS} timed (when the first "
        f"load takes over {SLOW * TARGET_MS / 1000:.0f} s: 1 and {SLOW_RUNS}); milliseconds, "
        "p50 and p95 by nearest rank. Each CSV export is timed once over HTTP, after one warm-up "
        f"request. Target: the page in under {TARGET_MS / 1000:.0f} s (met when p95 is under "
        "it). Queries and SQL time: one in-process load, as Django captured it."
    )
    lines = [HEADING, "", *wrap(clinic), "", *wrap(method), ""]
    if "page_error" in results:
        return [*lines, f"Not measured: {results['page_error']}", ""]
    lines += [
        "| measured | filters | runs | p50 | p95 | queries | SQL time | target 2 s |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for scenario in results["scenarios"]:
        queries = scenario["queries"]
        for way, label in (("http", "HTTP"), ("in_process", "in-process")):
            if way not in scenario:
                error = scenario.get(f"{way}_error", "not measured")
                lines.append(f"| page, {label} | {scenario['label']} | | — | — | | | {error} |")
                continue
            timing = scenario[way]
            lines.append(
                f"| page, {label} | {scenario['label']} | {timing['runs']} "
                f"| {timing['p50_ms']:.0f} | {timing['p95_ms']:.0f} | {queries['count']} "
                f"| {queries['sql_ms']:.0f} | {verdict(timing)} |"
            )
    for export in results.get("exports", []):
        if "error" in export:
            lines.append(
                f"| `{export['table']}.csv` | all time | | — | — | | | {export['error']} |"
            )
            continue
        lines.append(
            f"| `{export['table']}.csv`, HTTP | all time | 1 | {export['ms']:.0f} | | | "
            f"| {export['rows']:,} rows |"
        )
    lines += ["", "Where the time goes (one in-process load, the slowest queries):", ""]
    for scenario in results["scenarios"]:
        slowest = scenario["queries"]["slowest"][:3]
        named = "; ".join(
            f"{one['ms']:.0f} ms `{' '.join(one['sql'].split())[:64]}…`" for one in slowest
        )
        lines.append(f"- {scenario['label']}: {named or 'no queries'}.")
    lines += [
        "",
        *wrap(
            "Only this part: `python -m bench.analytics` (rewrites only this section; `--keep` "
            f"leaves the `{DATABASE}` database for EXPLAIN, `--reuse` measures it again without "
            "rebuilding; `ANALYTICS_RUNS` sets the repetitions). The plans of the slowest "
            "queries are in `bench/results/analytics.json`."
        ),
        "",
    ]
    return lines


def wrap(paragraph: str) -> list[str]:
    return textwrap.wrap(paragraph, 96, break_on_hyphens=False)


def measured_section(server: str, environment: Callable[..., dict[str, str]]) -> list[str]:
    """Run the benchmark and give its section; a failure is reported in the section instead of
    stopping the other parts (its output is above it in the terminal); ``make bench`` then
    ends with an error."""
    try:
        return section(measure(server, environment))
    except (subprocess.CalledProcessError, OSError, KeyError, ValueError) as error:
        log(f"failed: {error}")
        return failed_section(HEADING, "the analytics benchmark", error)


def with_section(markdown: str, lines: list[str], heading: str = HEADING) -> str:
    """``markdown`` with its section under ``heading`` (the Analytics, unless named) replaced
    by ``lines`` (or added before "How to run it", or at the end)."""
    text = "\n".join(lines).rstrip("\n") + "\n"
    before, found, after = markdown.partition(f"\n{heading}\n")
    if found:
        rest = after.split("\n## ", 1)
        tail = "\n## " + rest[1] if len(rest) == 2 else ""
        return f"{before}\n{text}{tail}"
    before, found, after = markdown.partition("\n## How to run it\n")
    if found:
        return f"{before}\n{text}\n## How to run it\n{after}"
    return markdown.rstrip("\n") + "\n\n" + text


def rewrite_section(lines: list[str], heading: str) -> None:
    """Rewrite only the section under ``heading`` of docs/performance.md (one part run alone)."""
    markdown = REPORT.read_text() if REPORT.exists() else "# Performance\n"
    REPORT.write_text(with_section(markdown, lines, heading))
    print(f"Wrote the section {heading.removeprefix('## ')!r} of {REPORT.relative_to(ROOT)}")


# --- Inside: the measurements, in a process set up for the benchmark's database ---------------


def inside(out: Path, reuse: bool) -> None:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db.models import Min
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from backcare.accounts.models import Role, User
    from backcare.booking.models import Appointment
    from backcare.clinic.models import Location
    from bench import analytics_data
    from bench.measure import Http, timed
    from bench.suite import Server, database_version, session_cookies

    log("migrating")
    call_command("migrate", verbosity=0, interactive=False)
    if reuse and Appointment.objects.exists():
        log("measuring the database as it is (--reuse)")
        facts = json.loads((RESULTS / "analytics-data.json").read_text())
    else:
        clinic = analytics_data.build(timezone.now())
        facts = clinic.facts
        # The plan's millions of objects are garbage now; collected here, not in a timed load.
        gc.collect()
        (RESULTS / "analytics-data.json").write_text(json.dumps(facts, indent=2))
        log(f"wrote the clinic in {facts['build_seconds']:.0f} s")
    owner = User.objects.get(role=Role.OWNER, email="owner@anbench.example")
    results: dict[str, Any] = {"database": database_version(), "data": facts}

    try:
        page = reverse("analytics:dashboard")
    except NoReverseMatch:
        results["page_error"] = "the analytics page (`analytics:dashboard`) is not built yet."
        out.write_text(json.dumps(results, indent=2))
        log(results["page_error"])
        return

    today = timezone.localdate()
    first = Appointment.objects.aggregate(first=Min("starts"))["first"]
    assert first is not None
    place = Location.objects.order_by("pk").first()
    assert place is not None
    year_ago = today.replace(year=today.year - 1) + dt.timedelta(days=1)
    scenarios: list[dict[str, Any]] = [
        {
            "label": "all time, all locations",
            "query": {"start": first.date().isoformat(), "end": today.isoformat(), "location": ""},
        },
        {
            "label": f"last 12 months, {place.name}",
            "query": {
                "start": year_ago.isoformat(),
                "end": today.isoformat(),
                "location": place.pk,
            },
        },
    ]

    from tests.two_factor import signed_in

    browser = signed_in(owner)  # with the second step of signing in passed

    def in_process(path: str) -> bytes:
        response = browser.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
        return response.content

    server = Server()
    cookies = session_cookies(owner)

    def connect() -> Http:
        http = Http("127.0.0.1", server.port, cookies)
        http.connection.timeout = HTTP_TIMEOUT
        return http

    http = connect()
    try:
        for scenario in scenarios:
            path = f"{page}?{urlencode(scenario['query'])}"
            scenario["path"] = path
            started = time.perf_counter()
            scenario["bytes"] = len(in_process(path))
            first = time.perf_counter() - started
            log(f"{scenario['label']}: first load {first:.1f} s")
            # A page far over its target is timed fewer times, so that make bench ends.
            runs, warmup = (RUNS, WARMUP) if first * 1000 < SLOW * TARGET_MS else (SLOW_RUNS, 1)
            scenario["in_process"] = timed(
                partial(in_process, path), runs=runs, warmup=warmup
            ).as_dict()
            http.close()  # gunicorn drops a keep-alive connection idle for 2 s
            http = connect()
            try:
                scenario["http"] = timed(
                    partial(http.get_ok, path), runs=runs, warmup=warmup
                ).as_dict()
            except (OSError, RuntimeError) as error:
                scenario["http_error"] = str(error)[:200]
                http.close()
                http = connect()
            scenario["queries"] = captured(path, in_process)
            log(
                f"{scenario['label']}: in-process {scenario['in_process']}, "
                f"HTTP {scenario.get('http', scenario.get('http_error'))}, "
                f"{scenario['queries']['count']} queries"
            )
        results["scenarios"] = scenarios
        exports = []
        query = urlencode(scenarios[0]["query"])
        for table in EXPORTS:
            http.close()
            http = connect()
            try:
                path = f"{reverse('analytics:export', args=[table])}?{query}"
                http.get_ok(path)  # a new connection may meet a gunicorn worker's first request
                started = time.perf_counter()
                body = http.get_ok(path)
                took = (time.perf_counter() - started) * 1000
                head = body.decode().splitlines()[:3]
                exports.append(
                    {
                        "table": table,
                        "ms": round(took, 1),
                        "rows": body.count(b"\n") - 1,
                        "head": head,
                    }
                )
                log(f"export {table}: {took:.0f} ms")
            except (NoReverseMatch, RuntimeError, OSError) as error:
                exports.append({"table": table, "error": f"not measured: {str(error)[:120]}"})
                http.close()
                http = connect()
        results["exports"] = exports
    finally:
        http.close()
        server.stop()
    out.write_text(json.dumps(results, indent=2))
    log(f"wrote {out}")


def captured(path: str, load: Callable[[str], bytes]) -> dict[str, Any]:
    """The queries of one load of ``path``: how many, their time, the slowest with plans."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        load(path)
    timed_queries = sorted(
        ((float(one["time"]) * 1000, one["sql"]) for one in queries.captured_queries),
        reverse=True,
    )
    slowest = []
    for rank, (ms, sql) in enumerate(timed_queries[:5]):
        one: dict[str, Any] = {"ms": round(ms, 1), "sql": sql}
        if rank < EXPLAINED and sql.lstrip().upper().startswith(("SELECT", "WITH")):
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                one["plan"] = "\n".join(row[0] for row in cursor.fetchall())
        slowest.append(one)
    return {
        "count": len(timed_queries),
        "sql_ms": round(sum(ms for ms, _ in timed_queries), 1),
        "slowest": slowest,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.analytics", description=__doc__)
    parser.add_argument("--inside", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure a kept database again")
    arguments = parser.parse_args()
    if arguments.inside:
        inside(arguments.inside, arguments.reuse)
        return

    from bench.run import POSTGRES, environment, postgres_answers

    if not postgres_answers():
        sys.exit(f"PostgreSQL did not answer at {urlsplit(POSTGRES).netloc}.")
    results = measure(POSTGRES, environment, keep=arguments.keep, reuse=arguments.reuse)
    rewrite_section(section(results), HEADING)


if __name__ == "__main__":
    main()
