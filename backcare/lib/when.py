"""Times the way a person says them, in the zone of the place they happen."""

from __future__ import annotations

import datetime as dt
import zoneinfo

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def long_date(day: dt.date) -> str:
    """A date in words, US style and whatever the server's locale: ``November 24, 2026``."""
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


# Dates a schedule may name: a few years either side of today. Anything else (year 1, year
# 9999) is a typo or a probe, and would overflow the arithmetic of days and time zones.
YEARS_BACK = 5
YEARS_AHEAD = 5


def in_schedule_range(day: dt.date, today: dt.date) -> bool:
    """Whether ``day`` is a date a clinic's schedule could mean (see :data:`YEARS_AHEAD`)."""
    return today.year - YEARS_BACK <= day.year <= today.year + YEARS_AHEAD


def schedule_range_message(today: dt.date) -> str:
    return f"Please choose a date between {today.year - YEARS_BACK} and {today.year + YEARS_AHEAD}."


TWELVE_HOUR = 12
"""3:00 PM: the clock the clinic writes times in unless the owner chooses otherwise."""
TWENTY_FOUR_HOUR = 24
"""15:00."""


def clock(wall: dt.time | dt.datetime, hours: int = TWELVE_HOUR) -> str:
    """``3:00 PM`` (``hours=12``) or ``15:00`` (``hours=24``): the one way a time of day is
    written anywhere the clinic shows one. ``hours`` is the clinic's setting (its booking
    policy's clock); ``wall`` is already in the zone it is shown in."""
    if hours == TWENTY_FOUR_HOUR:
        return f"{wall.hour:02d}:{wall.minute:02d}"
    hour = wall.hour % 12 or 12
    return f"{hour}:{wall.minute:02d} {'AM' if wall.hour < 12 else 'PM'}"


def day_and_time(local: dt.datetime, hours: int = TWELVE_HOUR) -> str:
    """``Tuesday, December 1 at 2:30 PM`` for a time already in the zone it is shown in."""
    day = f"{WEEKDAYS[local.weekday()]}, {MONTHS[local.month - 1]} {local.day}"
    return f"{day} at {clock(local, hours)}"


def spoken(moment: dt.datetime, time_zone: str, hours: int = TWELVE_HOUR) -> str:
    """``Tuesday, December 1 at 2:30 PM (EST)`` for an aware ``moment`` shown in ``time_zone``.

    Spelled out here rather than with ``strftime`` so the words do not depend on the locale.
    """
    local = moment.astimezone(zoneinfo.ZoneInfo(time_zone))
    return f"{day_and_time(local, hours)} ({local.tzname()})"
