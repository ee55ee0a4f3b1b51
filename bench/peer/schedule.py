"""The schedule both sides of the peer comparison are fed, and the brute-force oracle their
answers are checked against. Plain Python (no Django): the peer's own virtual environment
imports it too.

10 staff work Monday to Friday, 09:00-17:00 local time, and give one 60-minute service with
no buffer. Past days are packed backwards from yesterday until there are as many appointments
as asked; the next 20 days are about 60% booked. Within a day a staff member's appointments
start on the quarter hour and never overlap: walking from 09:00, each moment is booked for an
hour with some chance, or skipped by 15, 30 or 60 minutes.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections.abc import Callable, Iterable

STAFF = 10
OPENS, CLOSES = 9 * 60, 17 * 60  # minutes after local midnight
DURATION = 60
GRID = 15
WORKDAYS = frozenset(range(5))  # Monday to Friday
DAYS_AHEAD = 20

Booking = tuple[int, str, int]
"""(staff index, local date in ISO, start in minutes after midnight)."""
Slot = tuple[int, str, str]
"""(staff index, local date in ISO, start as HH:MM): one free start, as every side answers."""


def _day(rng: random.Random, staff: int, day: dt.date, busy: float) -> list[Booking]:
    made = []
    at = OPENS
    while at + DURATION <= CLOSES:
        if rng.random() < busy:
            made.append((staff, day.isoformat(), at))
            at += DURATION
        else:
            at += rng.choice((15, 30, 60))
    return made


def build(total: int, today: dt.date, seed: int = 2026) -> list[Booking]:
    """The next ``DAYS_AHEAD`` days about 60% booked, then past days 90% booked back from
    yesterday, until there are ``total`` appointments. The same ``total`` and ``today`` give
    the same schedule; a larger total adds only older days."""
    rng = random.Random(seed)
    bookings: list[Booking] = []
    for offset in range(DAYS_AHEAD):
        day = today + dt.timedelta(days=offset)
        if day.weekday() in WORKDAYS:
            for staff in range(STAFF):
                bookings += _day(rng, staff, day, 0.6)
    back = 1
    while len(bookings) < total:
        day = today - dt.timedelta(days=back)
        if day.weekday() in WORKDAYS:
            for staff in range(STAFF):
                bookings += _day(rng, staff, day, 0.9)
        back += 1
    return bookings[:total]


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def oracle(bookings: Iterable[Booking], staff: Iterable[int], days: Iterable[dt.date]) -> set[Slot]:
    """Every free start, by brute force: each quarter hour of each working day from opening
    until an hour before closing, free when no appointment of that staff member that day
    overlaps the hour from it."""
    taken: dict[tuple[int, str], list[int]] = {}
    for who, on, at in bookings:
        taken.setdefault((who, on), []).append(at)
    free: set[Slot] = set()
    for day in days:
        if day.weekday() not in WORKDAYS:
            continue
        for who in staff:
            starts = taken.get((who, day.isoformat()), [])
            for start in range(OPENS, CLOSES - DURATION + 1, GRID):
                clash = any(
                    start < other + DURATION and other < start + DURATION for other in starts
                )
                if not clash:
                    free.add((who, day.isoformat(), hhmm(start)))
    return free


def at_once(book: Callable[[], object], racers: int) -> tuple[list[str], float]:
    """``racers`` threads call ``book`` at the same moment (each thread opens its own database
    connection, as Django does per thread, and ``book`` closes it). Returns each answer
    ("booked", or the exception's name) and the seconds until the last."""
    gate = threading.Barrier(racers)
    answers = ["" for _ in range(racers)]

    def attempt(index: int) -> None:
        gate.wait()
        try:
            book()
            answers[index] = "booked"
        except Exception as error:  # every answer is counted, a refusal as much as a booking
            answers[index] = type(error).__name__

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(racers)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers, time.perf_counter() - began


def race_result(answers: list[str], seconds: float, booked: int) -> dict[str, object]:
    return {
        "attempts": len(answers),
        "booked": booked,
        "answered_booked": answers.count("booked"),
        "other_answers": sorted({a for a in answers if a != "booked"}),
        "seconds": round(seconds, 3),
    }
