"""The staff calendar's grid (SPEC §4): wall-clock rows down the side, columns across.

A pure module: no Django and no clock. A local day is cut into rows of `STEP` of real time,
from its first midnight to the next, so the spring-forward day has 23 hours of rows and the
fall-back day 25. A row is named by its wall-clock time and fold: on 2026-11-01 in New York
01:00 EDT is ``WallTime(01:00, 0)`` and 01:00 EST ``WallTime(01:00, 1)``. A view of several
days shows the union of their rows in order; a row that a day lacks (02:00 on 2026-03-08) is a
gap in that day's columns.

A column is one day of one therapist (or of one person's whole schedule). Each of its rows is
shaded by what the time is (working, a break, time off, closed, outside hours) and blocks (the
appointments) are laid over the rows they touch, as one cell spanning them. Blocks that
overlap share one cell rather than hide each other.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Generic, TypeVar, cast
from zoneinfo import ZoneInfo

from backcare.scheduling.slots import Interval, local_day_to_utc

STEP = timedelta(minutes=15)

T = TypeVar("T")


@dataclass(frozen=True)
class WallTime:
    """A time on the location's wall clock; ``fold=1`` is the second of a repeated time."""

    time: time
    fold: int = 0


def day_rows(day: date, zone: ZoneInfo, step: timedelta = STEP) -> dict[WallTime, datetime]:
    """The rows of local `day` in real-time order, each with the UTC instant it starts."""
    span = local_day_to_utc(day, zone)
    rows: dict[WallTime, datetime] = {}
    instant = span.start
    while instant < span.end:
        local = instant.astimezone(zone)
        rows[WallTime(local.time().replace(tzinfo=None, fold=0), local.fold)] = instant
        instant += step
    return rows


def merge_rows(days: Iterable[Sequence[WallTime]]) -> list[WallTime]:
    """The union of several days' rows, each day's order kept.

    An extra row of one day (the repeated hour) goes right after the row it follows that day;
    a row a day lacks (the skipped hour) simply is not in that day's list.
    """
    merged: list[WallTime] = []
    position: dict[WallTime, int] = {}
    for rows in days:
        previous: WallTime | None = None
        for row in rows:
            if row not in position:
                at = position[previous] + 1 if previous is not None else 0
                merged.insert(at, row)
                position = {wall: index for index, wall in enumerate(merged)}
            previous = row
    return merged


class Shade(StrEnum):
    """What a row of a column is, for the eye (a CSS class) and for a screen reader."""

    GAP = "gap"  # this wall-clock time does not exist on this day (clocks went forward)
    OFF = "off"  # outside working hours
    OPEN = "open"  # working hours, free to book
    BREAK = "break"
    AWAY = "away"  # time off
    BUFFER = "buffer"  # held by an appointment: its buffer after (cleaning, notes)
    CLOSED = "closed"  # the location is closed


@dataclass(frozen=True)
class Column(Generic[T]):
    """One day of one therapist: the real time of their hours, breaks, time off and closures,
    the time their appointments hold (`busy`, buffers included), and the blocks (appointments,
    with what the calendar shows of each) to lay over the rows."""

    day: date
    working: Sequence[Interval] = ()
    breaks: Sequence[Interval] = ()
    away: Sequence[Interval] = ()
    closed: Sequence[Interval] = ()
    busy: Sequence[Interval] = ()
    blocks: Sequence[tuple[Interval, T]] = ()


@dataclass
class Cell(Generic[T]):
    """One row of a column, or, with `items`, a block spanning `span` rows from this one."""

    wall: WallTime
    starts: datetime | None  # None in a gap
    shade: Shade
    span: int = 1
    items: list[T] = field(default_factory=list)


def shade_of(column: Column[T], starts: datetime | None, step: timedelta = STEP) -> Shade:
    if starts is None:
        return Shade.GAP
    row = Interval(starts, starts + step)
    if any(span.overlaps(row) for span in column.closed):
        return Shade.CLOSED
    if any(span.overlaps(row) for span in column.away):
        return Shade.AWAY
    if any(span.overlaps(row) for span in column.busy):
        return Shade.BUFFER
    if any(span.contains(row) for span in column.working):
        if any(span.overlaps(row) for span in column.breaks):
            return Shade.BREAK
        return Shade.OPEN
    return Shade.OFF


def lay_out(
    rows: Sequence[WallTime],
    instants: Mapping[WallTime, datetime],
    column: Column[T],
    step: timedelta = STEP,
) -> list[Cell[T] | None]:
    """One entry per row: a cell, or None where a block above covers the row.

    `instants` are the rows of the column's day (:func:`day_rows`); rows it lacks are gaps. A
    block covers every row its real time touches; a block starting before the day or ending
    after it is cut at the day's edge.
    """
    cells: list[Cell[T] | None] = [
        Cell(row, instants.get(row), shade_of(column, instants.get(row), step)) for row in rows
    ]
    real = [index for index, row in enumerate(rows) if row in instants]
    starts = [instants[rows[index]] for index in real]  # ascending: a day's rows keep its order
    head_of: dict[int, int] = {}  # row index -> the row index of the block cell covering it
    for interval, item in sorted(column.blocks, key=lambda block: block[0].start):
        # The rows [t, t + step) that overlap the block: t < end and t + step > start.
        first_real = bisect_right(starts, interval.start - step)
        last_real = bisect_left(starts, interval.end) - 1
        if first_real > last_real:
            continue  # not on this day
        first, last = real[first_real], real[last_real]
        head = head_of.get(first, first)
        cell = cast(Cell[T], cells[head])  # a block's head row always holds its cell
        if head not in head_of:
            head_of[head] = head
            cell.span = 1
        cell.items.append(item)
        end = max(head + cell.span - 1, last)
        for index in range(head + 1, end + 1):
            head_of[index] = head
            cells[index] = None
        cell.span = end - head + 1
    return cells
