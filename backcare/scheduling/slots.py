"""Availability maths for SPEC §4: the start times at which a service can be booked.

A pure module: no Django and no clock. Every datetime crossing its boundary is aware, and
every `Interval` is held in UTC. Working hours, breaks and closed days are wall-clock times of
the location; they are turned into UTC here, one local day at a time, by these DST rules:

* A wall time that does not exist (spring forward: 02:00-03:00 on 2026-03-08 in New York)
  maps forward to the instant the clocks jump, 03:00 EDT. Hours 01:00-04:00 that day are two
  real hours; hours lying wholly inside the gap are no hours at all.
* A wall time that happens twice (fall back: 01:00-02:00 on 2026-11-01 in New York) is read
  as its first occurrence when it starts a span and as its second occurrence when it ends one,
  so the span covers the repeated hour: hours 00:30-03:00 that day are three and a half real
  hours. Breaks follow the same rule, so a break in the repeated hour covers both occurrences
  (the cautious side: it can only remove slots, never invent them).
* A local day runs from the first occurrence of its midnight to the first occurrence of the
  next one, so closed days are 23 or 25 hours long on change days.

A slot lasts `duration` of real time and starts on the location's wall-clock grid (:00, :15,
:30, :45 by default); on the fall-back day that gives both 01:00 EDT and 01:00 EST. A slot
needs `duration + buffer_after` free for the therapist and for a room. The buffer is working
time, so it must fit inside the hours and outside breaks and closures. The client only needs
`duration` free: they leave when the treatment ends.

The work is sort-and-sweep: merge and subtract sorted intervals, then walk the grid through
each free span; room and client checks are a bisect per candidate, never a scan.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from operator import attrgetter
from zoneinfo import ZoneInfo

GRID = timedelta(minutes=15)

_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)
_MICROSECOND = timedelta(microseconds=1)


def _require_aware(value: datetime, name: str) -> None:
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {value!r}")


@dataclass(frozen=True, order=True)
class Interval:
    """The half-open span of real time [start, end), held in UTC and never empty."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_aware(self.start, "start")
        _require_aware(self.end, "end")
        if self.start.tzinfo is not UTC:
            object.__setattr__(self, "start", self.start.astimezone(UTC))
        if self.end.tzinfo is not UTC:
            object.__setattr__(self, "end", self.end.astimezone(UTC))
        if self.end <= self.start:
            raise ValueError(f"Interval must end after it starts: {self.start} .. {self.end}")

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end


_start_then_end = attrgetter("start", "end")


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of `intervals`: sorted, disjoint, and with touching spans joined."""
    merged: list[Interval] = []
    for current in sorted(intervals, key=_start_then_end):
        if merged and current.start <= merged[-1].end:
            if current.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, current.end)
        else:
            merged.append(current)
    return merged


def subtract(free: Iterable[Interval], busy: Iterable[Interval]) -> list[Interval]:
    """The parts of `free` that no `busy` interval touches, merged and sorted."""
    blocked = merge(busy)
    result: list[Interval] = []
    next_block = 0
    for span in merge(free):
        cursor = span.start
        while next_block < len(blocked) and blocked[next_block].end <= cursor:
            next_block += 1
        # Blocks before `next_block` end before this span, hence before every later span.
        index = next_block
        while index < len(blocked) and blocked[index].start < span.end:
            block = blocked[index]
            if block.start > cursor:
                result.append(Interval(cursor, block.start))
            cursor = max(cursor, block.end)
            if cursor >= span.end:
                break
            index += 1
        if cursor < span.end:
            result.append(Interval(cursor, span.end))
        next_block = index
    return result


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """The instants covered by both `a` and `b`, merged and sorted."""
    left, right = merge(a), merge(b)
    result: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i].start, right[j].start)
        end = min(left[i].end, right[j].end)
        if start < end:
            result.append(Interval(start, end))
        if left[i].end <= right[j].end:
            i += 1
        else:
            j += 1
    return result


class _Timeline:
    """Busy intervals indexed for the question "is [start, end) clear of all of them?"."""

    def __init__(self, busy: Iterable[Interval]) -> None:
        self._busy = merge(busy)
        self._ends = [interval.end for interval in self._busy]

    def is_free(self, start: datetime, end: datetime) -> bool:
        # The first busy interval ending after `start` is the only one that can overlap.
        index = bisect_right(self._ends, start)
        return index == len(self._busy) or self._busy[index].start >= end


# --- Wall-clock time to UTC -------------------------------------------------------------------


def _wall_of(instant: datetime, zone: ZoneInfo) -> tuple[date, time]:
    local = instant.astimezone(zone)
    return local.date(), local.time().replace(fold=0)


def _clocks_jump(
    before: datetime, after: datetime, wall: tuple[date, time], zone: ZoneInfo
) -> datetime:
    """The first instant in (before, after] whose wall clock reads later than `wall`.

    `wall` lies in a spring-forward gap: at `before` the clock reads earlier than the gap,
    at `after` later, so bisecting finds the instant the clocks jump, to the microsecond.
    """
    low, high = 0, (after - before) // _MICROSECOND
    while high - low > 1:
        middle = (low + high) // 2
        if _wall_of(before + middle * _MICROSECOND, zone) > wall:
            high = middle
        else:
            low = middle
    return before + high * _MICROSECOND


def wall_to_utc(day: date, wall: time, zone: ZoneInfo, *, fold: int = 0) -> datetime:
    """The UTC instant at which clocks in `zone` read `wall` on `day`.

    A wall time that happens twice (fall back) gives its first occurrence for `fold=0` and
    its second for `fold=1`. A wall time that never happens (spring forward) gives, for either
    fold, the instant the clocks jump: 02:30 on 2026-03-08 in New York is 03:00 EDT.
    """
    if fold not in (0, 1):
        raise ValueError(f"fold must be 0 or 1, got {fold}")
    return _wall_to_utc(day, wall.replace(tzinfo=None, fold=0), zone, fold)


# Every therapist with the same hours asks the same question for each day of the range.
@lru_cache(maxsize=4096)
def _wall_to_utc(day: date, wall: time, zone: ZoneInfo, fold: int) -> datetime:
    target = (day, wall)
    # PEP 495: the two folds try the UTC offsets in force on either side of a transition.
    earlier_offset = datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)
    later_offset = datetime.combine(day, wall.replace(fold=1), tzinfo=zone).astimezone(UTC)
    candidates = sorted({earlier_offset, later_offset})
    occurrences = [instant for instant in candidates if _wall_of(instant, zone) == target]
    if occurrences:
        return occurrences[0] if fold == 0 else occurrences[-1]
    return _clocks_jump(candidates[0], candidates[-1], target, zone)


def local_interval_to_utc(day: date, starts: time, ends: time, zone: ZoneInfo) -> Interval | None:
    """The real time covered by wall-clock `starts`-`ends` on `day`, or None if none is.

    The start takes the first occurrence of a repeated wall time and the end the second, so
    hours across the fall-back hour include it; a wall time in the spring-forward gap moves to
    the jump, so hours wholly inside the gap are None. `ends` must be after `starts`.
    """
    if ends <= starts:
        raise ValueError(f"{starts} .. {ends} must end after it starts")
    start = wall_to_utc(day, starts, zone, fold=0)
    end = wall_to_utc(day, ends, zone, fold=1)
    return Interval(start, end) if end > start else None


def local_day_to_utc(day: date, zone: ZoneInfo) -> Interval:
    """The real time of local `day`: 23 hours on spring-forward days, 25 on fall-back days."""
    return Interval(
        wall_to_utc(day, time(0), zone, fold=0),
        wall_to_utc(day + _ONE_DAY, time(0), zone, fold=0),
    )


def weekly_series(
    start_local: datetime,
    count: int,
    every: timedelta,
    zone: ZoneInfo,
    duration: timedelta,
) -> list[Interval]:
    """`count` appointments `every` whole days apart that keep the wall-clock start time.

    A 10:00 series stays at 10:00 local across DST changes (so its UTC time moves). If the
    first appointment is in a repeated hour, later ones take the same occurrence; one that
    would fall in a spring-forward gap starts when the clocks jump.
    """
    _require_aware(start_local, "start_local")
    if count < 0:
        raise ValueError(f"count must not be negative, got {count}")
    if every <= _ZERO or every % _ONE_DAY:
        raise ValueError(f"every must be a positive whole number of days, got {every}")
    if duration <= _ZERO:
        raise ValueError(f"duration must be positive, got {duration}")
    local = start_local.astimezone(zone)
    first_day, wall = local.date(), local.time()
    series = []
    for index in range(count):
        start = wall_to_utc(first_day + index * every, wall, zone, fold=local.fold)
        series.append(Interval(start, start + duration))
    return series


def _next_on_grid(instant: datetime, zone: ZoneInfo, grid: timedelta) -> datetime:
    """The first instant at or after `instant` whose local wall clock is on the grid."""
    step = grid // _MICROSECOND
    while True:
        local = instant.astimezone(zone)
        since_midnight = (
            (local.hour * 60 + local.minute) * 60 + local.second
        ) * 1_000_000 + local.microsecond
        remainder = since_midnight % step
        if remainder == 0:
            return instant
        # Moving forward may cross a DST change, so check the new instant again.
        instant += (step - remainder) * _MICROSECOND


# --- Inputs and outputs -----------------------------------------------------------------------


@dataclass(frozen=True)
class WeeklyHours:
    """Working hours on one weekday (0 = Monday) in the location's wall-clock time."""

    weekday: int
    starts: time
    ends: time
    breaks: tuple[tuple[time, time], ...] = ()

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {self.weekday}")
        for starts, ends in ((self.starts, self.ends), *self.breaks):
            if ends <= starts:
                raise ValueError(f"{starts} .. {ends} must end after it starts")


@dataclass(frozen=True)
class TherapistAvailability:
    """One therapist at one location.

    `busy` holds their existing appointments, each already extended by its buffer after.
    """

    therapist_id: int
    zone: ZoneInfo
    weekly_hours: Sequence[WeeklyHours]
    time_off: Sequence[Interval] = ()
    busy: Sequence[Interval] = ()


@dataclass(frozen=True)
class RoomAvailability:
    """A room and its existing appointments, each already extended by its buffer after."""

    room_id: int
    busy: Sequence[Interval] = ()


@dataclass(frozen=True)
class SlotRequest:
    """What is being booked, where, and within which limits.

    `first_day` and `last_day` are local dates of the location in `zone`, both included: a
    slot belongs to the day on which it starts. `closures` are whole local days or UTC
    intervals. `rooms` is None when the service needs no room; otherwise a slot needs one of
    them free. `client_busy` are the client's own appointments (without buffers). A slot
    starts no earlier than `minimum_notice` after now and no later than `horizon` after now.
    """

    first_day: date
    last_day: date
    zone: ZoneInfo
    duration: timedelta
    buffer_after: timedelta = _ZERO
    grid: timedelta = GRID
    minimum_notice: timedelta = _ZERO
    horizon: timedelta | None = None
    closures: Sequence[date | Interval] = ()
    rooms: Sequence[RoomAvailability] | None = None
    client_busy: Sequence[Interval] = ()

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise ValueError(f"last_day {self.last_day} is before first_day {self.first_day}")
        if self.duration <= _ZERO:
            raise ValueError(f"duration must be positive, got {self.duration}")
        if self.buffer_after < _ZERO:
            raise ValueError(f"buffer_after must not be negative, got {self.buffer_after}")
        if self.grid <= _ZERO or _ONE_DAY % self.grid:
            raise ValueError(f"grid must divide a day evenly, got {self.grid}")
        if self.minimum_notice < _ZERO:
            raise ValueError(f"minimum_notice must not be negative, got {self.minimum_notice}")
        if self.horizon is not None and self.horizon < _ZERO:
            raise ValueError(f"horizon must not be negative, got {self.horizon}")

    def closure_intervals(self) -> list[Interval]:
        closed: list[Interval] = []
        for closure in self.closures:
            if isinstance(closure, Interval):
                closed.append(closure)
            elif isinstance(closure, datetime):
                raise TypeError(f"a closure is a local date or an Interval, got {closure!r}")
            else:
                closed.append(local_day_to_utc(closure, self.zone))
        return merge(closed)


@dataclass(frozen=True)
class Slot:
    """A bookable start for one therapist; `room_ids` lists every room free for it."""

    start: datetime
    end: datetime
    therapist_id: int
    room_ids: tuple[int, ...] = ()


# --- The search -------------------------------------------------------------------------------


def working_time(
    therapist: TherapistAvailability, first_day: date, last_day: date
) -> list[Interval]:
    """The therapist's hours minus breaks on each local day from `first_day` to `last_day`."""
    by_weekday: dict[int, list[WeeklyHours]] = {}
    for hours in therapist.weekly_hours:
        by_weekday.setdefault(hours.weekday, []).append(hours)
    spans: list[Interval] = []
    day = first_day
    while day <= last_day:
        for hours in by_weekday.get(day.weekday(), ()):
            span = local_interval_to_utc(day, hours.starts, hours.ends, therapist.zone)
            if span is None:
                continue
            breaks = [
                local_interval_to_utc(day, starts, ends, therapist.zone)
                for starts, ends in hours.breaks
            ]
            spans.extend(subtract([span], [b for b in breaks if b is not None]))
        day += _ONE_DAY
    return merge(spans)


def find_slots(
    request: SlotRequest, therapists: Sequence[TherapistAvailability], *, now: datetime
) -> list[Slot]:
    """Every bookable slot for `request`, sorted by start then therapist id.

    Pass one therapist for "this therapist" and several for "any therapist".
    """
    _require_aware(now, "now")
    now = now.astimezone(UTC)
    zone = request.zone
    window = Interval(
        local_day_to_utc(request.first_day, zone).start,
        local_day_to_utc(request.last_day, zone).end,
    )
    earliest = max(window.start, now + request.minimum_notice)
    latest = None if request.horizon is None else now + request.horizon
    needed = request.duration + request.buffer_after
    closures = request.closure_intervals()
    client = _Timeline(request.client_busy)
    rooms = (
        None
        if request.rooms is None
        else [(room.room_id, _Timeline(room.busy)) for room in request.rooms]
    )

    def starts_in_time(start: datetime) -> bool:
        return start < window.end and (latest is None or start <= latest)

    slots: list[Slot] = []
    for therapist in therapists:
        # Hours in another zone than the request's can spill into its days from either side.
        pad = _ZERO if therapist.zone == zone else _ONE_DAY
        working = working_time(therapist, request.first_day - pad, request.last_day + pad)
        free = subtract(working, [*therapist.time_off, *therapist.busy, *closures])
        for span in free:
            last_start = span.end - needed
            start = max(span.start, earliest)
            if start > last_start:
                continue
            if not starts_in_time(start):
                break
            start = _next_on_grid(start, zone, request.grid)
            while start <= last_start and starts_in_time(start):
                end = start + request.duration
                if client.is_free(start, end):
                    if rooms is None:
                        slots.append(Slot(start, end, therapist.therapist_id))
                    else:
                        room_ids = tuple(
                            room_id
                            for room_id, room in rooms
                            if room.is_free(start, start + needed)
                        )
                        if room_ids:
                            slots.append(Slot(start, end, therapist.therapist_id, room_ids))
                start = _next_on_grid(start + request.grid, zone, request.grid)
    slots.sort(key=lambda slot: (slot.start, slot.therapist_id))
    return slots
