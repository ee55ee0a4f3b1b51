"""Who a freed slot is offered to (SPEC §4, the waitlist): plain logic, no Django, no clock.

A client on the waitlist names a location, a therapist or "anyone", a window of local dates and
one or more times of day. A freed slot matches when all of them agree, judged on the slot's
start in the location's own time zone. Among the clients it matches, the one who asked first is
offered it first, and one who has already been offered this very slot (and declined it or let
the offer lapse) is passed over, so the slot moves down the list.

Whether the client can really be booked then (a screening hold, their own appointments, the
service's length and buffer, the booking policy) is the booking engine's question, asked by
``backcare.waitlist.actions`` for each candidate in this order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo


class TimeOfDay(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


NOON = dt.time(12)
EVENING_STARTS = dt.time(17)


def time_of_day(local_start: dt.time) -> TimeOfDay:
    """Morning before noon, afternoon until 5 PM, evening from 5 PM: by the start's wall clock."""
    if local_start < NOON:
        return TimeOfDay.MORNING
    if local_start < EVENING_STARTS:
        return TimeOfDay.AFTERNOON
    return TimeOfDay.EVENING


@dataclass(frozen=True)
class Wish:
    """One waitlist entry, as matching sees it."""

    entry_id: int
    asked_at: dt.datetime
    location_id: int
    therapist_id: int | None  # None: any therapist
    earliest: dt.date  # local dates, both included
    latest: dt.date
    times_of_day: frozenset[TimeOfDay]


@dataclass(frozen=True)
class Opening:
    """A freed slot: who and where, and when it starts (aware)."""

    location_id: int
    therapist_id: int
    starts: dt.datetime
    zone: ZoneInfo

    @property
    def local_start(self) -> dt.datetime:
        return self.starts.astimezone(self.zone)


def matches(wish: Wish, opening: Opening) -> bool:
    local = opening.local_start
    return (
        wish.location_id == opening.location_id
        and wish.therapist_id in (None, opening.therapist_id)
        and wish.earliest <= local.date() <= wish.latest
        and time_of_day(local.time()) in wish.times_of_day
    )


def first_come_first_served(
    wishes: Iterable[Wish], opening: Opening, *, passed_over: Collection[int] = ()
) -> list[Wish]:
    """The wishes this opening matches, earliest asked first (ties: the lower entry id).

    ``passed_over`` holds the entries already offered this slot; they are left out.
    """
    found = [w for w in wishes if w.entry_id not in passed_over and matches(w, opening)]
    return sorted(found, key=lambda wish: (wish.asked_at, wish.entry_id))


def offer_expires_at(
    *, now: dt.datetime, starts: dt.datetime, valid_for: dt.timedelta, notice: dt.timedelta
) -> dt.datetime | None:
    """Until when an offer made at ``now`` may be accepted, or None when it is too late to offer.

    An offer lasts ``valid_for``, but ends sooner when the slot is close: a client who accepts at
    the last moment still books with the clinic's minimum ``notice``, as any online booking must.
    """
    deadline = min(now + valid_for, starts - notice)
    return deadline if deadline > now else None
