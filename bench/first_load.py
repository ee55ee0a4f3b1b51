"""The first analytics load (issue 17, item 3): a server that has just started shows the owner's
analytics page no slower than twice a warm load. Target: the first load <= 2x the fifth.

``python -m bench.first_load`` (a couple of minutes) builds the demo clinic in a throwaway SQLite
file (bench/results/first-load.sqlite3), then starts fresh processes that each do what a
gunicorn worker does when it starts (import ``backcare/wsgi.py``, which warms up) and load the
analytics page five times in-process through that WSGI application, signed in as the owner. For
comparison, as many processes start without the warm-up (Django's WSGI handler alone). It
rewrites only its section of docs/performance.md; ``make bench`` runs it too.
``FIRST_LOAD_RUNS`` sets how many fresh processes of each kind (3).

In its own process: ``python -m bench.first_load --inside OUT.json [--cold]``, with the
environment ``bench/run.py`` sets.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.analytics import rewrite_section, wrap
from bench.measure import failed_section

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DATABASE = RESULTS / "first-load.sqlite3"
HEADING = "## First analytics load"
LOADS = 5
TARGET = 2.0
RUNS = int(os.environ.get("FIRST_LOAD_RUNS", "3"))
KINDS = {
    "warm": "warmed up at start-up (`backcare/wsgi.py`)",
    "cold": "not warmed up (Django's WSGI handler alone)",
}


def log(message: str) -> None:
    print(f"[first load] {message}", flush=True)


# --- Outside: the demo clinic and fresh processes to measure in -------------------------------


def measure(environment: Callable[..., dict[str, str]]) -> dict[str, Any]:
    """Build the demo clinic, then time ``RUNS`` fresh processes of each kind."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    for path in RESULTS.glob(f"{DATABASE.name}*"):
        path.unlink()
    env = environment(SQLITE_FILE=str(DATABASE))
    try:
        log("building the demo clinic")
        for command in (["migrate", "--verbosity", "0"], ["demo", "--verbosity", "0"]):
            subprocess.run(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "backcare", *command],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        processes: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
        out = RESULTS / "first-load.json"
        for run in range(RUNS):
            for kind in KINDS:
                out.unlink(missing_ok=True)
                command = [sys.executable, "-m", "bench.first_load", "--inside", str(out)]
                subprocess.run(  # noqa: S603 - our own interpreter and module
                    [*command, "--cold"] if kind == "cold" else command,
                    cwd=ROOT,
                    env=env,
                    check=True,
                )
                measured = json.loads(out.read_text())
                processes[kind].append(measured)
                log(
                    f"{kind} process {run + 1}: first {measured['loads_ms'][0]:.0f} ms, "
                    f"fifth {measured['loads_ms'][-1]:.0f} ms"
                )
    finally:
        for path in RESULTS.glob(f"{DATABASE.name}*"):
            path.unlink()
    return {"runs": RUNS, "processes": processes}


def summary(processes: list[dict[str, Any]]) -> dict[str, float]:
    """The medians over the fresh processes of one kind."""

    def median(values: list[float]) -> float:
        return float(statistics.median(values))

    return {
        "startup_s": median([p["startup_s"] for p in processes]),
        "first_ms": median([p["loads_ms"][0] for p in processes]),
        "fifth_ms": median([p["loads_ms"][-1] for p in processes]),
        "ratio": median([p["loads_ms"][0] / p["loads_ms"][-1] for p in processes]),
    }


def section(results: dict[str, Any]) -> list[str]:
    method = (
        "The owner's analytics page (`/staff/analytics/`, the last twelve months at every "
        "location) on the demo clinic (`backcare demo`, SQLite), in a process that has just "
        "started as a gunicorn worker does: it imports `backcare/wsgi.py`, which prepares the "
        "statistics libraries (imported and run once on a tiny sample), every page's module "
        "and every template before the first request. Then the page is loaded "
        f"{LOADS} times in that process through the WSGI application, signed in as the owner. "
        f"{results['runs']} fresh processes of each kind; the medians, in milliseconds (start-up"
        " in seconds: the import of the WSGI module, with Django's set-up). Target: the first "
        f"load at most {TARGET:g} times the fifth."
    )
    lines = [
        HEADING,
        "",
        *wrap(method),
        "",
        "| the process | start-up (s) | first load | fifth load | first ÷ fifth | target "
        f"{TARGET:g}x |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for kind, label in KINDS.items():
        s = summary(results["processes"][kind])
        verdict = "met" if s["ratio"] <= TARGET else "missed"
        lines.append(
            f"| {label} | {s['startup_s']:.1f} | {s['first_ms']:.0f} | {s['fifth_ms']:.0f} | "
            f"{s['ratio']:.1f}x | {verdict if kind == 'warm' else '(for comparison)'} |"
        )
    lines += [
        "",
        *wrap(
            "Only this part: `python -m bench.first_load` (rewrites only this section; "
            "`FIRST_LOAD_RUNS` sets the fresh processes of each kind)."
        ),
        "",
    ]
    return lines


def measured_section(environment: Callable[..., dict[str, str]]) -> list[str]:
    """The section, or a line saying why it could not be measured."""
    try:
        return section(measure(environment))
    except (subprocess.CalledProcessError, OSError, KeyError, ValueError) as error:
        log(f"failed: {error}")
        return failed_section(HEADING, "the first-load benchmark", error)


# --- Inside: a fresh process, as a starting server --------------------------------------------


def inside(out: Path, *, cold: bool) -> None:
    started = time.perf_counter()
    if cold:
        from django.core.wsgi import get_wsgi_application

        application = get_wsgi_application()
    else:
        from backcare.wsgi import application
    startup = time.perf_counter() - started

    from django.db import connections
    from django.urls import reverse

    from backcare.accounts.models import User
    from bench.suite import session_cookies

    cookies = session_cookies(User.objects.get(email="owner@backcare.demo"))
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    path = reverse("analytics:dashboard")
    connections.close_all()  # a starting server holds no connection from signing in

    def load() -> float:
        status: list[str] = []
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_COOKIE": cookie,
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        began = time.perf_counter()

        def start_response(answer: str, headers: Any, *rest: Any) -> Callable[[bytes], object]:
            status.append(answer)
            return lambda _: None

        response = application(environ, start_response)
        body = b"".join(response)
        response.close()  # as a server does: ends the request
        took = (time.perf_counter() - began) * 1000
        if not status or not status[0].startswith("200") or b"Clinic analytics" not in body:
            raise RuntimeError(f"GET {path} answered {status[:1]}")
        return took

    loads = [load() for _ in range(LOADS)]
    out.write_text(json.dumps({"startup_s": startup, "loads_ms": loads}, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.first_load", description=__doc__)
    parser.add_argument("--inside", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cold", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.inside:
        inside(arguments.inside, cold=arguments.cold)
        return

    from bench.run import environment

    rewrite_section(measured_section(environment), HEADING)


if __name__ == "__main__":
    main()
