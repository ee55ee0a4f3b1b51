"""The page sweep: every page of the access matrix (tests/access_matrix.toml), for every persona
that may open it, on the benchmark clinic, timed in-process and over HTTP.

``python -m bench.pages`` runs only this part and rewrites its section of docs/performance.md;
``make bench`` runs it after the availability suite. In a fresh, throwaway database
(``backcare_pages`` on PostgreSQL, or an SQLite file when PostgreSQL does not answer) it writes
the benchmark clinic (``bench/data.py``: 5 locations, 50 therapists, 10,000 clients, 100,000
appointments, with the notes, check-ins, responses and audit rows of every attended session),
puts the access matrix's people in it (the owner, Fran at the desk, Tess who treats Alice, Theo
at another location, Alice and Bob, two of the 10,000 clients) with the records its URLs name
(``tests/matrix.py``, as the access tests make them), then asks each page as each persona whom
the matrix lets open it: in-process through Django's test client (signed in, the second step
passed), and over HTTP to gunicorn on the same database. p50 and p95 by nearest rank, and the
queries of one in-process load.
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
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from backcare.lib.pdf import forget_drawn
from bench.measure import failed_section

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DATABASE = "backcare_pages"
HEADING = "## Every page"
RUNS = int(os.environ.get("PAGES_RUNS", "7"))
HTTP_RUNS = int(os.environ.get("PAGES_HTTP_RUNS", "5"))
PAGE_TARGET_MS = 150.0
DOCUMENT_TARGET_MS = 300.0
SLOWEST = 10
# The sweep asks the public API's pages a dozen times a second from one address: more than its
# per-address limit lets through (60 a minute), which would measure the limit, not the page.
LIMITS = {"API_PUBLIC_PER_MINUTE": "100000"}
_PDF = (
    "a PDF drawn with fpdf2: CPU time (its queries are few and fixed). In-process is timed as a"
    " first drawing (the kept documents are forgotten before each load); over HTTP the server"
    " keeps a drawn document and sends it again while its data is unchanged, well within target."
    " On a quiet machine (the 2026-12-04 run) a first drawing took 90-230 ms at p50 and its p95,"
    " the slowest of seven, up to half a second. Plan: draw a document in the background queue"
    " when the record it shows is saved, so that the first download is a kept one too."
)
_GRID = (
    "the page works out a week's grid or the free times around a session (the availability"
    " search, holds, rooms) at every load, over the location's full week: its queries are fixed,"
    " the time is Python, and on a quiet machine it is close to target at p50. Plan: profile the"
    " grid's rows (the first suspect) and build the week once per location and day."
)
_NEAR = (
    "close to target at p50 (its queries are few and fixed) and over it at p95, the slowest of"
    " seven loads. Plan: profile the page's rendering and time it with more runs, to tell a real"
    " tail from a garbage collection."
)
_PDFS = (
    "screening:letter_pdf screening:portal_letter notes:alert_letter outcomes:summary_pdf"
    " outcomes:portal_summary_pdf billing:superbill billing:necessity_letter billing:receipt"
    " portal_billing:receipt portal_billing:superbill portal_billing:necessity_letter"
)
_GRIDS = (
    "scheduling:calendar scheduling:location_calendar scheduling:therapist_calendar"
    " scheduling:appointment scheduling:client_series notes:note booking:start public:embed"
    " outcomes:staff_collect waitlist:staff_add"
)
_NEARS = (
    "clinic:client_edit clinic:therapist_list clinic:therapist_create audit:log scheduling:hours"
    " outcomes:staff_progress"
)
# Pages over target, by URL name: why, and the plan (written after reading a run's results).
EXPLAINED: dict[str, str] = {
    **dict.fromkeys(_PDFS.split(), _PDF),
    **dict.fromkeys(_GRIDS.split(), _GRID),
    **dict.fromkeys(_NEARS.split(), _NEAR),
    "audit:export": (
        "a download of the whole audit log as CSV, not a page: time grows with the log's rows"
        " (the in-process time reads the whole stream). Rows are sent 500 at a time since one"
        " network write per row took 44-57 s here. Plan: export a chosen period (the filters"
        " apply), or prepare the file in the background queue and offer it when ready."
    ),
    "api:openapi-json": (
        "the OpenAPI document is built once per process and kept; a p95 over target is the"
        " first load after start. Plan: build it at start-up."
    ),
    "api:openapi-view": (
        "the API's documentation page around the kept OpenAPI document. Plan: build the"
        " document at start-up."
    ),
    "analytics:dashboard": (
        "the clinic's statistics over every session (the Analytics section measures it over"
        " 1,000,000 sessions). Plan: issue 17's third item (warm up at start-up, prepare in the"
        " background)."
    ),
    "fhir:everything": (
        "Alice's whole record, with the clinic's directory, as one FHIR bundle (59 queries,"
        " fixed whatever her history). Plan: profile the resource conversion; page the bundle"
        " for a long history."
    ),
    "staff:home": (
        "the staff home lists the whole day: for the desk and the owner every arrival at all five"
        " locations (about 180 sessions on a benchmark weekday) in one page, for a therapist"
        " their own day. Its queries are fixed (the test pins them); the time grows with the"
        " day's sessions, not with the clinic's history, and is mostly rendering the rows."
        " Plan: open on the person's own location, the other locations a click away, and"
        " profile the row template."
    ),
    "two_factor:setup": (
        "draws the authenticator app's QR code on the server at every load (segno, in pure"
        " Python): CPU time, not the database. Plan: draw it once, when the pending key is"
        " made, and keep the SVG with it."
    ),
    "staff:client_detail": (
        "the client's chart over a year of history (sessions, notes, check-ins, outcome"
        " scores); its queries are fixed. Plan: profile where the time goes (rendering the"
        " history or reading it) and show the latest rows with the rest a click away."
    ),
}


def log(message: str) -> None:
    print(f"[pages] {message}", flush=True)


# --- Outside: a throwaway database and a process to measure in --------------------------------


def measure(server: str | None, environment: Callable[..., dict[str, str]]) -> dict[str, Any]:
    """Run the sweep in a fresh database: ``backcare_pages`` on ``server`` (a postgres://
    address), or an SQLite file when ``server`` is None."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "pages.json"
    out.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench.pages", "--inside", str(out)]
    if server is None:
        database = RESULTS / "pages.sqlite3"
        for path in RESULTS.glob("pages.sqlite3*"):
            path.unlink()
        try:
            subprocess.run(  # noqa: S603 - our own interpreter and module
                command, cwd=ROOT, env=environment(SQLITE_FILE=str(database), **LIMITS), check=False
            )
        finally:
            for path in RESULTS.glob("pages.sqlite3*"):
                path.unlink()
    else:
        url = urlunsplit(urlsplit(server)._replace(path=f"/{DATABASE}"))
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {DATABASE}")
        try:
            subprocess.run(  # noqa: S603 - our own interpreter and module
                command, cwd=ROOT, env=environment(DATABASE_URL=url, **LIMITS), check=False
            )
        finally:
            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    # A sweep that stopped part way has saved what it measured; the section says how far.
    results: dict[str, Any] = json.loads(out.read_text())
    return results


def measured_section(server: str | None, environment: Callable[..., dict[str, str]]) -> list[str]:
    """Run the sweep and give its section; a failure is reported in the section instead of
    stopping the other parts (its output is above it in the terminal); ``make bench`` then
    ends with an error."""
    try:
        return section(measure(server, environment))
    except (subprocess.CalledProcessError, OSError, KeyError, ValueError) as error:
        log(f"failed: {error}")
        return failed_section(HEADING, "the page sweep", error)


# --- The report's section ----------------------------------------------------------------------


def target_of(page: dict[str, Any]) -> float:
    return DOCUMENT_TARGET_MS if page["document"] else PAGE_TARGET_MS


def within(page: dict[str, Any]) -> bool:
    return all(page[way]["p95_ms"] <= target_of(page) for way in ("in_process", "http"))


def row(page: dict[str, Any]) -> str:
    kind = "PDF" if page["document"] else "page"
    verdict = "met" if within(page) else f"**missed** (target {target_of(page):.0f} ms)"
    return (
        f"| `{page['name']}` | {page['persona']} | {kind} "
        f"| {page['in_process']['p50_ms']:.0f} | {page['in_process']['p95_ms']:.0f} "
        f"| {page['http']['p50_ms']:.0f} | {page['http']['p95_ms']:.0f} "
        f"| {page['queries']} | {verdict} |"
    )


def load_note(results: dict[str, Any]) -> list[str]:
    """What else the machine was doing: its load average as the run ended."""
    if "load_average" not in results:
        return []
    load, cores = results["load_average"], os.cpu_count() or 1
    if load > cores:
        busy = "above the core count: other work shared the machine and the milliseconds are"
        after = "higher than on a quiet one."
    else:
        busy = "within the core count: the benchmark's own processes and nothing else of"
        after = "note."
    return [
        f"The machine's load average was {load:.1f} as the run ended ({cores} cores): {busy}",
        after,
        "",
    ]


def why(name: str, missed: list[dict[str, Any]]) -> str:
    """Why ``name`` is over target, and the plan: for a page whose p50 is well within target
    every way, one slow load among few; otherwise as written in EXPLAINED."""
    its = [page for page in missed if page["name"] == name]
    if its and all(
        page[way]["p50_ms"] <= target_of(page) / 2 for page in its for way in ("in_process", "http")
    ):
        return (
            "well within target at p50; the p95 is the slowest of a few loads (a garbage"
            " collection, a new connection, the sweep's other process)."
            " Plan: time it with more runs to tell a real tail from noise."
        )
    if name in EXPLAINED:
        return EXPLAINED[name]
    return "not explained yet."


def section(results: dict[str, Any]) -> list[str]:
    measured: list[dict[str, Any]] = results["pages"]
    facts = results["data"]
    missed = [page for page in measured if not within(page)]
    slowest = sorted(measured, key=lambda page: page["http"]["p95_ms"], reverse=True)[:SLOWEST]
    lines = [
        HEADING,
        "",
        "Every page of the access matrix (`tests/access_matrix.toml`: each URL read with GET that",
        "answers 200), for every persona the matrix lets open it, on "
        f"{results['database']} over the benchmark clinic: {facts['locations']} locations,",
        f"{facts['therapists']} therapists, {facts['clients']:,} clients, "
        f"{facts['appointments']:,} appointments, {facts['notes']:,} signed notes,",
        f"{facts['check_ins']:,} check-ins, {facts['responses']:,} questionnaire responses and "
        f"{facts['audit_rows']:,} audit rows (written in {facts['build_seconds']:.0f} s).",
        "The matrix's people are put into it: Tess is a therapist of the first location with",
        "her year of sessions, Alice one of the 10,000 clients with hers, Theo works at another",
        "location; the records the URLs name are made as the access tests make them",
        "(`tests/matrix.py`). Each page is loaded once to warm up, then "
        f"{results['runs']} times in-process",
        f"(Django's test client, signed in, the second step passed) and {results['http_runs']}"
        " times over HTTP (gunicorn,",
        f"{results['gunicorn']['workers']} workers, on the same database, one keep-alive"
        " connection); milliseconds, p50 and p95 by",
        "nearest rank; *queries*: one in-process load. Target: p95 ≤ "
        f"{PAGE_TARGET_MS:.0f} ms for a page, ≤ {DOCUMENT_TARGET_MS:.0f} ms for a PDF,",
        "both ways.",
        "",
        "Queries do not grow with the data: `tests/test_page_queries.py` (part of `make test`)",
        "loads every one of these pages, as each of these personas, on the test clinic and on the",
        "same clinic with five times the rows, and fails when a count differs. Four pages ran a",
        "query per row and were fixed when it was written: the FHIR search (an audit row per",
        "patient), `Patient/$everything` (the services and locations again per therapist and",
        "service), the owner's staff sign-in page (devices per person) and the day-end close",
        "(cash per location).",
        "",
        *load_note(results),
        f"{len(measured)} pages measured ({len({p['name'] for p in measured})} URLs); "
        f"{len(measured) - len(missed)} within target, {len(missed)} not.",
        "",
    ]
    if results.get("not_measured"):
        lines += [
            "Not measured (the page did not answer 200 on this clinic as the matrix expects):",
            "",
            *(
                f"- `{one['name']}` as {one['persona']}: answered {one['status']}"
                for one in results["not_measured"]
            ),
            "",
        ]
    lines += [
        f"The slowest {len(slowest)} (by p95 over HTTP):",
        "",
        "| page | persona | kind | in-process p50 | p95 | HTTP p50 | p95 | queries | target |",
        "|---|---|---|---:|---:|---:|---:|---:|---|",
        *(row(page) for page in slowest),
        "",
    ]
    if missed:
        names = sorted({page["name"] for page in missed})
        lines += [
            "Pages over target:",
            "",
            "| page | persona | kind | in-process p50 | p95 | HTTP p50 | p95 | queries | target |",
            "|---|---|---|---:|---:|---:|---:|---:|---|",
            *(row(page) for page in missed),
            "",
            "Why, and the plan:",
            "",
            *(f"- `{name}`: {why(name, missed)}" for name in names),
            "",
        ]
    lines += [
        "<details><summary>Every page measured</summary>",
        "",
        "| page | persona | kind | in-process p50 | p95 | HTTP p50 | p95 | queries | target |",
        "|---|---|---|---:|---:|---:|---:|---:|---|",
        *(row(page) for page in sorted(measured, key=lambda p: (p["name"], p["persona"]))),
        "",
        "</details>",
        "",
        "Only this part: `python -m bench.pages` (rewrites only this section; `PAGES_RUNS` and",
        "`PAGES_HTTP_RUNS` set the repetitions). Every result is in `bench/results/pages.json`.",
        "",
    ]
    return lines


# --- Inside: the measurements, in a process set up for the benchmark's database ---------------


def inside(out: Path) -> None:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from backcare.booking.models import Appointment
    from backcare.clinic.models import Client
    from bench import data
    from bench.measure import Http, timed
    from bench.suite import Server
    from tests.conftest import login_as
    from tests.matrix import make_records, pages

    log("migrating a fresh database")
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    now = timezone.now()
    clinic = data.build(now)
    counts = data.build_records(clinic)
    people = data.people(clinic)
    # Alice's appointment with Tess: a time Tess's full days leave free, four days ahead
    # (outside the cancellation window), before her working day starts.
    early = dt.datetime.combine(
        timezone.localdate(now) + dt.timedelta(days=4),
        dt.time(7, 30),
        tzinfo=clinic.locations[0].zone,
    )
    records = make_records(people, appointment_starts=early)
    facts = {
        "locations": len(clinic.locations),
        "therapists": sum(len(team) for team in clinic.therapists),
        "clients": Client.objects.count(),
        "appointments": Appointment.objects.count(),
        **counts,
        "build_seconds": round(time.perf_counter() - started, 1),
    }
    log(f"wrote the clinic: {facts}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    found = pages(people, records)
    log(f"{len(found)} pages to measure")
    browsers = {persona: login_as(people.user(persona)) for persona, _, _ in found}
    server = Server()
    measured: list[dict[str, Any]] = []
    not_measured: list[dict[str, Any]] = []
    try:
        for number, (persona, name, url) in enumerate(found, start=1):
            browser = browsers[persona]
            try:
                response = browser.get(url)
            except Exception as error:
                not_measured.append({"persona": persona, "name": name, "status": repr(error)})
                continue
            if response.status_code != 200:
                not_measured.append(
                    {"persona": persona, "name": name, "status": response.status_code}
                )
                continue
            document = response.get("Content-Type", "").startswith("application/pdf")
            reset_queries()  # the log keeps 9,000 queries: a full one would count none
            with CaptureQueriesContext(connection) as captured:
                browser.get(url)
            # Read now: the next request empties the log the capture reads lazily.
            queries = len(captured.captured_queries)
            load = partial(_first_drawing if document else _read, browser, url)
            in_process = timed(load, runs=RUNS, warmup=0)
            # A fresh connection for each page: gunicorn closes one left idle for 2 s.
            cookies = {key: morsel.value for key, morsel in browser.cookies.items()}
            http = Http("127.0.0.1", server.port, cookies)
            try:
                status, _ = http.request("GET", url)
                if status != 200:
                    not_measured.append({"persona": persona, "name": name, "status": status})
                    continue
                over_http = timed(partial(http.get_ok, url), runs=HTTP_RUNS, warmup=0)
            except (RuntimeError, OSError) as error:
                not_measured.append({"persona": persona, "name": name, "status": str(error)[:200]})
                continue
            finally:
                http.close()
            measured.append(
                {
                    "persona": persona,
                    "name": name,
                    "url": url,
                    "document": document,
                    "queries": queries,
                    "in_process": in_process.as_dict(),
                    "http": over_http.as_dict(),
                }
            )
            if number % 50 == 0:
                log(f"{number} of {len(found)} pages measured")
                save(out, facts, measured, not_measured)
    finally:
        server.stop()
    save(out, facts, measured, not_measured)
    log(f"wrote {out}")


def _read(browser: Any, url: str) -> None:
    """Load a page and read all of it (a streamed download too)."""
    response = browser.get(url)
    if getattr(response, "streaming", False):
        for _ in response.streaming_content:
            pass


def _first_drawing(browser: Any, url: str) -> None:
    """Load a document as if never drawn before: the kept documents forgotten first."""
    forget_drawn()
    browser.get(url)


def save(out: Path, facts: dict[str, Any], measured: list[Any], not_measured: list[Any]) -> None:
    """Write what is measured so far (a sweep that stops part way keeps its pages)."""
    from bench.suite import THREADS, WORKERS, database_version

    results = {
        "load_average": os.getloadavg()[1],  # over the last 5 minutes
        "database": database_version(),
        "data": facts,
        "runs": RUNS,
        "http_runs": HTTP_RUNS,
        "gunicorn": {"workers": WORKERS, "threads": THREADS},
        "pages": measured,
        "not_measured": not_measured,
    }
    out.write_text(json.dumps(results, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__)
    parser.add_argument("--inside", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--from-results",
        action="store_true",
        help="write the section again from bench/results/pages.json, measuring nothing",
    )
    arguments = parser.parse_args()
    if arguments.inside:
        inside(arguments.inside)
        return

    from bench.analytics import rewrite_section

    if arguments.from_results:
        rewrite_section(section(json.loads((RESULTS / "pages.json").read_text())), HEADING)
        return
    from bench.run import POSTGRES, environment, postgres_answers

    results = measure(POSTGRES if postgres_answers() else None, environment)
    rewrite_section(section(results), HEADING)


if __name__ == "__main__":
    main()
