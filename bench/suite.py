"""One database's benchmarks: ``python -m bench.suite OUT.json`` with the environment that
``bench/run.py`` sets (DJANGO_SETTINGS_MODULE=bench.settings, DATABASE_URL or SQLITE_FILE).

1. Migrate a fresh database and write the benchmark clinic (``bench/data.py``).
2. Availability in-process: ``free_slots`` for the 60-minute service, any therapist, every
   location, the next 14 days; beside it, the floor query for the same window.
3. Start gunicorn on this database and ask the same over HTTP (``/bench/availability/``, beside
   ``/bench/floor/``), and the client portal's real booking page for one location and one week,
   beside the floor for that location and week.
4. The booking race: 100 clients post to the portal's booking endpoint at once, ten for each of
   ten free slots, three times; then count bookings and double bookings.
5. The contended race: 60 clients (and one second tab) at once for three therapists at one
   hour at a location with three rooms, five times; winners, server errors, seconds to settle.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from backcare.booking.availability import free_slots, load_search  # noqa: E402
from backcare.booking.models import ACTIVE_STATUSES, Appointment  # noqa: E402
from backcare.portal.booking_forms import monday_of, starts_param  # noqa: E402
from bench import data  # noqa: E402
from bench.floor import floor_query  # noqa: E402
from bench.measure import Http, paired, timed  # noqa: E402
from tests.two_factor import signed_in  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "40"))
HTTP_RUNS = int(os.environ.get("BENCH_HTTP_RUNS", "30"))
DAYS = 14
WORKERS, THREADS = 4, 8


def log(message: str) -> None:
    print(f"[bench {connection.vendor}] {message}", flush=True)


def database_version() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("select sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def session_cookies(user: Any) -> dict[str, str]:
    browser = signed_in(user)  # staff with the second step of signing in passed
    return {"sessionid": browser.cookies["sessionid"].value, "csrftoken": "b" * 32}


class Server:
    """Backcare under gunicorn on this database, as in production."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "backcare.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(WORKERS),
                "--threads",
                str(THREADS),
                "--log-level",
                "warning",
            ],
            env=os.environ.copy(),
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def availability(clinic: data.Clinic, server: Server) -> dict[str, Any]:
    service = clinic.service
    today = timezone.localdate()
    last = today + dt.timedelta(days=DAYS - 1)
    slots = free_slots(service, start_day=today, end_day=last, now=timezone.now())
    rows = floor_query(today, last)
    log(f"availability: {len(slots)} free slots; floor reads {len(rows)} appointments")
    results: dict[str, Any] = {"free_slots": len(slots), "floor_rows": len(rows)}

    def find() -> object:
        return free_slots(service, start_day=today, end_day=last, now=timezone.now())

    def floor() -> object:
        return floor_query(today, last)

    def load() -> object:
        return load_search(service, start_day=today, end_day=last)

    measured, its_floor = paired(find, floor, runs=RUNS)
    results["in_process"], results["in_process_floor"] = measured.as_dict(), its_floor.as_dict()
    # Where the in-process time goes: loading from the database, then the pure slot maths.
    loading, loading_floor = paired(load, floor, runs=RUNS)
    results["loading"], results["loading_floor"] = loading.as_dict(), loading_floor.as_dict()
    search = load_search(service, start_day=today, end_day=last)
    results["slot_maths"] = timed(lambda: search.find(timezone.now()), runs=RUNS).as_dict()
    log("availability in-process measured")

    http = Http("127.0.0.1", server.port, session_cookies(clinic.racers[0].user))
    query = urlencode({"service": service.pk, "start": today.isoformat(), "days": DAYS})
    answer = json.loads(http.get_ok(f"/bench/availability/?{query}"))
    # The same answer, give or take the slots that the clock has since moved past.
    assert abs(len(answer["slots"]) - len(slots)) < 100, (len(answer["slots"]), len(slots))
    over_http, http_floor = paired(
        lambda: http.get_ok(f"/bench/availability/?{query}"),
        lambda: http.get_ok(f"/bench/floor/?{query}"),
        runs=HTTP_RUNS,
    )
    results["http"], results["http_floor"] = over_http.as_dict(), http_floor.as_dict()
    log("availability over HTTP measured")

    # The client portal's booking page: one location, one week, "any therapist".
    place = clinic.locations[0]
    monday = monday_of(today + dt.timedelta(days=7))
    page = "/portal/book/?" + urlencode(
        {"service": service.pk, "location": place.pk, "therapist": "", "week": monday.isoformat()}
    )
    floor_page = "/bench/floor/?" + urlencode(
        {"location": place.pk, "start": monday.isoformat(), "days": 7}
    )
    try:
        http.get_ok(page)
        portal, portal_floor = paired(
            lambda: http.get_ok(page), lambda: http.get_ok(floor_page), runs=HTTP_RUNS
        )
        results["portal_page"], results["portal_page_floor"] = (
            portal.as_dict(),
            portal_floor.as_dict(),
        )
        log("portal booking page measured")
    except (RuntimeError, OSError) as error:
        results["portal_page_error"] = str(error)[:300]
    http.close()
    return results


def double_bookings(day_start: dt.datetime, day_end: dt.datetime) -> int:
    """Pairs of active appointments that overlap for one therapist, one room or one client."""
    active: list[dict[str, Any]] = [
        dict(row)
        for row in Appointment.objects.filter(
            status__in=ACTIVE_STATUSES, starts__lt=day_end, blocked_until__gt=day_start
        )
        .order_by("starts")
        .values("therapist_id", "room_id", "client_id", "starts", "ends", "blocked_until")
    ]
    clashes = 0
    for key, until in (
        ("therapist_id", "blocked_until"),
        ("room_id", "blocked_until"),
        ("client_id", "ends"),
    ):
        busy: dict[Any, list[tuple[dt.datetime, dt.datetime]]] = {}
        for row in active:
            if row[key] is None:
                continue
            mine = busy.setdefault(row[key], [])
            clashes += sum(1 for s, e in mine if s < row[until] and row["starts"] < e)
            mine.append((row["starts"], row[until]))
    return clashes


def _post_at_once(
    port: int, cookies: list[dict[str, str]], bodies: list[str]
) -> tuple[list[int], float]:
    """Each client posts its body to the booking endpoint, all released at the same moment.
    Returns the status codes (-1: no answer) and the seconds until the last answer."""
    clients = [Http("127.0.0.1", port, c) for c in cookies]
    statuses: list[int] = [0] * len(clients)
    gate = threading.Barrier(len(clients) + 1)

    def post(index: int) -> None:
        gate.wait()
        try:
            status, _ = clients[index].request("POST", "/portal/book/confirm/", bodies[index])
            statuses[index] = status
        except OSError:
            statuses[index] = -1

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    gate.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for client in clients:
        client.close()
    return statuses, elapsed


def race(clinic: data.Clinic, server: Server) -> dict[str, Any]:
    """100 clients post at once to the portal's booking endpoint, ten per free slot."""
    cookies = [session_cookies(racer.user) for racer in clinic.racers]
    rounds = []
    for day in clinic.race_days:
        holes = data.hole_starts(clinic, day)
        bodies = []
        for index in range(len(clinic.racers)):
            place, therapist, starts = holes[index % len(holes)]
            bodies.append(
                urlencode(
                    {
                        "service": clinic.service.pk,
                        "location": place.pk,
                        "therapist": therapist.pk,
                        "starts": starts_param(starts),
                    }
                )
            )
        statuses, elapsed = _post_at_once(server.port, cookies, bodies)
        zone_start = min(s for _, _, s in holes) - dt.timedelta(hours=12)
        zone_end = max(s for _, _, s in holes) + dt.timedelta(hours=12)
        made = Appointment.objects.filter(
            client__in=clinic.racers, starts__gte=zone_start, starts__lt=zone_end
        ).count()
        outcome = {
            "day": day.isoformat(),
            "attempts": len(bodies),
            "free_slots": len(holes),
            "booked": made,
            "answered_302_booked": statuses.count(302),
            "answered_409_taken": statuses.count(409),
            "other_answers": sorted({s for s in statuses if s not in (302, 409)}),
            "double_bookings": double_bookings(zone_start, zone_end),
            "seconds": round(elapsed, 3),
            "requests_per_second": round(len(bodies) / elapsed, 1),
        }
        log(f"race {outcome}")
        rounds.append(outcome)
    return {"rounds": rounds}


CONTENDED_ROUNDS = 5


def contended_race(clinic: data.Clinic) -> dict[str, Any]:
    """60 clients post at once for three therapists at one hour at a location with three
    rooms, so every booking competes for a therapist and a room; one client also posts from a
    second tab. Five rounds, each at 10:00 on a new day. Counts winners per therapist, server
    errors, double bookings, and the seconds until the last answer."""
    rush = data.build_contended(clinic.service)
    cookies = [session_cookies(racer.user) for racer in rush.racers]
    cookies.append(cookies[0])  # the second tab
    zone = rush.location.zone
    today = timezone.localdate()
    rounds = []
    server = Server()
    try:
        for number in range(CONTENDED_ROUNDS):
            day = today + dt.timedelta(days=2 + number)
            starts = dt.datetime.combine(day, dt.time(10), tzinfo=zone).astimezone(dt.UTC)
            bodies = [
                urlencode(
                    {
                        "service": clinic.service.pk,
                        "location": rush.location.pk,
                        "therapist": rush.therapists[index % 3].pk,
                        "starts": starts_param(starts),
                    }
                )
                for index in range(len(cookies))
            ]
            statuses, elapsed = _post_at_once(server.port, cookies, bodies)
            won = Appointment.objects.filter(location=rush.location, starts=starts)
            outcome = {
                "day": day.isoformat(),
                "attempts": len(bodies),
                "therapists_and_rooms": 3,
                "booked": won.count(),
                "therapists_booked": won.values("therapist").distinct().count(),
                "answered_302_booked": statuses.count(302),
                "answered_409_taken": statuses.count(409),
                "server_errors": sum(1 for status in statuses if status >= 500 or status < 0),
                "other_answers": sorted({s for s in statuses if s not in (302, 409)}),
                "double_bookings": double_bookings(
                    starts - dt.timedelta(hours=12), starts + dt.timedelta(hours=12)
                ),
                "seconds": round(elapsed, 3),
            }
            log(f"contended race {outcome}")
            rounds.append(outcome)
    finally:
        server.stop()
    return {"rounds": rounds}


def main() -> None:
    out = Path(sys.argv[1])
    log("migrating a fresh database")
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    clinic = data.build(timezone.now())
    log(f"wrote the benchmark clinic in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    results: dict[str, Any] = {
        "database": database_version(),
        "appointments": Appointment.objects.count(),
        "settings_debug": settings.DEBUG,
        "gunicorn": {"workers": WORKERS, "threads": THREADS},
    }
    server = Server()
    try:
        results["availability"] = availability(clinic, server)
        results["race"] = race(clinic, server)
    finally:
        server.stop()
    results["contended_race"] = contended_race(clinic)
    out.write_text(json.dumps(results, indent=2))
    log(f"wrote {out}")


if __name__ == "__main__":
    main()
