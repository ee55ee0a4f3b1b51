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

# Dates a schedule may name: a few years either side of today. Anything else (year 1, year
# 9999) is a typo or a probe, and would overflow the arithmetic of days and time zones.
YEARS_BACK = 5
YEARS_AHEAD = 5


def in_schedule_range(day: dt.date, today: dt.date) -> bool:
    """Whether ``day`` is a date a clinic's schedule could mean (see :data:`YEARS_AHEAD`)."""
    return today.year - YEARS_BACK <= day.year <= today.year + YEARS_AHEAD


def schedule_range_message(today: dt.date) -> str:
    return f"Please choose a date between {today.year - YEARS_BACK} and {today.year + YEARS_AHEAD}."


def spoken(moment: dt.datetime, time_zone: str) -> str:
    """``Tuesday, December 1 at 2:30 PM (EST)`` for an aware ``moment`` shown in ``time_zone``.

    Spelled out here rather than with ``strftime`` so the words do not depend on the locale.
    """
    local = moment.astimezone(zoneinfo.ZoneInfo(time_zone))
    hour = local.hour % 12 or 12
    half = "AM" if local.hour < 12 else "PM"
    day = f"{WEEKDAYS[local.weekday()]}, {MONTHS[local.month - 1]} {local.day}"
    return f"{day} at {hour}:{local.minute:02d} {half} ({local.tzname()})"
