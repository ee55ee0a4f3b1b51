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

The work is sort-and-sweep: merge and subtract sorted intervals to find each therapist's free
time, then take the grid instants inside each free span by bisection (each day's grid is worked
out once, DST and all). Room and client checks are a bisect per start, made once for all
therapists free then; nothing is ever a scan.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from backcare.lib import spans as span_maths

GRID = timedelta(minutes=15)

_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)
_MICROSECOND = timedelta(microseconds=1)


def _require_aware(value: datetime, name: str) -> None:
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {value!r}")


@dataclass(frozen=True, order=True, slots=True)
class Interval:
    """The half-open span of real time [start, end), held in UTC and never empty."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        # Most intervals arrive in UTC already (from the database, or made here): check cheaply.
        if self.start.tzinfo is not UTC or self.end.tzinfo is not UTC:
            _require_aware(self.start, "start")
            _require_aware(self.end, "end")
            object.__setattr__(self, "start", self.start.astimezone(UTC))
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


# Inside the sweep an interval is a plain (start, end) pair of UTC datetimes: sorting, merging
# and subtracting pairs costs a fraction of what building an `Interval` for each step would.
_Span = tuple[datetime, datetime]
_union = span_maths.union
_minus = span_maths.minus
_both = span_maths.both


def _spans(intervals: Iterable[Interval]) -> list[_Span]:
    return [(interval.start, interval.end) for interval in intervals]


def _intervals(spans: Iterable[_Span]) -> list[Interval]:
    return [Interval(start, end) for start, end in spans]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of `intervals`: sorted, disjoint, and with touching spans joined."""
    return _intervals(_union(_spans(intervals)))


def subtract(free: Iterable[Interval], busy: Iterable[Interval]) -> list[Interval]:
    """The parts of `free` that no `busy` interval touches, merged and sorted."""
    return _intervals(_minus(_union(_spans(free)), _union(_spans(busy))))


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """The instants covered by both `a` and `b`, merged and sorted."""
    return _intervals(_both(_union(_spans(a)), _union(_spans(b))))


# Later than any real instant: closes every timeline, so a lookup never runs off its end.
_NEVER = datetime.max.replace(tzinfo=UTC)


class _Timeline:
    """Busy spans indexed for the question "is [start, end) clear of all of them?"."""

    def __init__(self, busy: Iterable[_Span]) -> None:
        merged = [*_union(busy), (_NEVER, _NEVER)]
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def is_free(self, start: datetime, end: datetime) -> bool:
        # The first busy span ending after `start` is the only one that can overlap.
        return self.starts[bisect_right(self.ends, start)] >= end


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


# A day's grid is the same for every therapist and every search that asks about that day.
@lru_cache(maxsize=1024)
def _day_grid(day: date, zone: ZoneInfo, grid: timedelta) -> tuple[datetime, ...]:
    """Every instant of local `day` whose wall clock is on the grid, in order.

    Found by walking the grid with :func:`_next_on_grid`, so a DST change on the day is
    honoured: the gap's wall times never happen, and the repeated hour's happen twice.
    """
    whole_day = local_day_to_utc(day, zone)
    instants = []
    instant = _next_on_grid(whole_day.start, zone, grid)
    while instant < whole_day.end:
        instants.append(instant)
        instant = _next_on_grid(instant + grid, zone, grid)
    return tuple(instants)


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


class Slot(NamedTuple):
    """A bookable start for one therapist; `room_ids` lists every room free for it.

    A named tuple rather than a dataclass: a search makes thousands, and a tuple is the
    cheapest record Python builds. Slots sort by start, then therapist (the end follows from
    the start, since every slot of one search lasts the same).
    """

    start: datetime
    end: datetime
    therapist_id: int
    room_ids: tuple[int, ...] = ()


# --- The search -------------------------------------------------------------------------------


def _working_spans(
    weekly_hours: Iterable[WeeklyHours], zone: ZoneInfo, first_day: date, last_day: date
) -> list[_Span]:
    by_weekday: dict[int, list[WeeklyHours]] = {}
    for hours in weekly_hours:
        by_weekday.setdefault(hours.weekday, []).append(hours)
    spans: list[_Span] = []
    day = first_day
    while day <= last_day:
        for hours in by_weekday.get(day.weekday(), ()):
            span = local_interval_to_utc(day, hours.starts, hours.ends, zone)
            if span is None:
                continue
            breaks = [
                local_interval_to_utc(day, starts, ends, zone) for starts, ends in hours.breaks
            ]
            spans.extend(
                _minus([(span.start, span.end)], _union(_spans(b for b in breaks if b is not None)))
            )
        day += _ONE_DAY
    return _union(spans)


def working_time(
    therapist: TherapistAvailability, first_day: date, last_day: date
) -> list[Interval]:
    """The therapist's hours minus breaks on each local day from `first_day` to `last_day`."""
    return _intervals(_working_spans(therapist.weekly_hours, therapist.zone, first_day, last_day))


def find_slots(
    request: SlotRequest, therapists: Sequence[TherapistAvailability], *, now: datetime
) -> list[Slot]:
    """Every bookable slot for `request`, sorted by start then therapist id.

    Pass one therapist for "this therapist" and several for "any therapist".

    Each therapist's free time (working time less time off, busy time and closures) is found
    by one sort-and-sweep; the grid instants inside each free span are then a slice of the
    window's grid, found by bisection, never tested one by one against busy time. Rooms and
    the client depend only on the start, so each start is checked once for everybody.
    """
    _require_aware(now, "now")
    now = now.astimezone(UTC)
    zone = request.zone
    earliest = now + request.minimum_notice
    latest = None if request.horizon is None else now + request.horizon
    duration = request.duration
    needed = duration + request.buffer_after
    # The window's grid, day after day: every start the request could possibly offer.
    grid: list[datetime] = []
    day = request.first_day
    while day <= request.last_day:
        grid.extend(_day_grid(day, zone, request.grid))
        day += _ONE_DAY
    # Nothing before the notice or after the horizon: cut the grid once rather than per slot.
    first = bisect_left(grid, earliest)
    stop = len(grid) if latest is None else bisect_right(grid, latest)
    closures = _spans(request.closure_intervals())
    client = _Timeline(_spans(request.client_busy)) if request.client_busy else None
    rooms = None
    if request.rooms is not None:
        rooms = []
        for room in request.rooms:
            timeline = _Timeline(_spans(room.busy))
            rooms.append((room.room_id, timeline.starts, timeline.ends))

    def rooms_and_client_allow(start: datetime) -> tuple[int, ...] | None:
        """None if the client is busy or no room is free; else the free rooms (if needed)."""
        if client is not None and not client.is_free(start, start + duration):
            return None
        if rooms is None:
            return ()
        end = start + needed
        # _Timeline.is_free for each room, spelled out: this is the innermost loop.
        free = tuple(
            room_id for room_id, starts, ends in rooms if starts[bisect_right(ends, start)] >= end
        )
        return free or None

    # Rooms and the client depend on the start alone: ask once per grid position, when some
    # therapist is first free there.
    asked = bytearray(len(grid))
    allowed: list[tuple[int, ...] | None] = [None] * len(grid)

    # Therapists with the same hours in the same zone share their working time.
    working_by_hours: dict[tuple[ZoneInfo, tuple[WeeklyHours, ...]], list[_Span]] = {}
    slots: list[Slot] = []
    for therapist in therapists:
        key = (therapist.zone, tuple(therapist.weekly_hours))
        working = working_by_hours.get(key)
        if working is None:
            # Hours in another zone than the request's can spill into its days from either side.
            pad = _ZERO if therapist.zone == zone else _ONE_DAY
            working = _working_spans(
                therapist.weekly_hours,
                therapist.zone,
                request.first_day - pad,
                request.last_day + pad,
            )
            working_by_hours[key] = working
        blocked = _union([*_spans(therapist.time_off), *_spans(therapist.busy), *closures])
        therapist_id = therapist.therapist_id
        for span_start, span_end in _minus(working, blocked):
            # Starts from the span's start to the last one that leaves `needed` before its end.
            low = bisect_left(grid, span_start, first, stop)
            high = bisect_right(grid, span_end - needed, low, stop)
            for index in range(low, high):
                if not asked[index]:
                    asked[index] = 1
                    allowed[index] = rooms_and_client_allow(grid[index])
                room_ids = allowed[index]
                if room_ids is not None:
                    start = grid[index]
                    slots.append(Slot(start, start + duration, therapist_id, room_ids))
    slots.sort()
    return slots
