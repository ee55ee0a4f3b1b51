"""Days on the calendar that matter to bookings: public holidays, and whether a session falls on
given local days. Plain Python, no Django: the callers pass the state, the days and the zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import holidays

_MICROSECOND = dt.timedelta(microseconds=1)


def public_holidays(state: str, first: dt.date, last: dt.date) -> dict[dt.date, str]:
    """The US public holidays from `first` to `last` (included) in `state`, by day, named.

    Federal holidays and the state's own (``holidays.country_holidays("US", subdiv=state)``),
    with the days they are observed on (``Christmas Day (observed)`` on Friday when the 25th is
    a Saturday): offices close then, and clients keep them. A state the library does not know
    gets the federal holidays only. Two holidays on one day share it, their names joined by
    ``; ``.
    """
    if last < first:
        return {}
    years = range(first.year, last.year + 1)
    try:
        calendar = holidays.country_holidays("US", subdiv=state.upper() or None, years=years)
    except NotImplementedError:  # not a subdivision the library knows
        calendar = holidays.country_holidays("US", years=years)
    return {day: str(name) for day, name in sorted(calendar.items()) if first <= day <= last}


def falls_on_days(
    starts: dt.datetime, ends: dt.datetime, zone: ZoneInfo, first: dt.date, last: dt.date
) -> bool:
    """Whether the session [`starts`, `ends`) touches local days `first` to `last` in `zone`.

    A session that ends at midnight does not touch the next day.
    """
    if starts.utcoffset() is None or ends.utcoffset() is None:
        raise ValueError("starts and ends must be aware datetimes")
    first_day = starts.astimezone(zone).date()
    last_day = (ends - _MICROSECOND).astimezone(zone).date() if ends > starts else first_day
    return first_day <= last and first <= last_day
