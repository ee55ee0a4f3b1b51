"""Sort-and-sweep arithmetic on spans: plain ``(start, end)`` pairs, end excluded.

One piece of code serves the slot maths (UTC datetimes, ``scheduling/slots.py``) and the
analytics' working time (minutes of a wall-clock day, ``analytics/stats.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TypeVar

T = TypeVar("T", int, dt.datetime)


def union(spans: Iterable[tuple[T, T]]) -> list[tuple[T, T]]:
    """``spans`` sorted, with overlapping and touching ones joined and empty ones dropped."""
    ordered = sorted(span for span in spans if span[1] > span[0])
    if not ordered:
        return []
    merged: list[tuple[T, T]] = []
    current_start, current_end = ordered[0]
    for start, end in ordered[1:]:
        if start > current_end:
            merged.append((current_start, current_end))
            current_start, current_end = start, end
        elif end > current_end:
            current_end = end
    merged.append((current_start, current_end))
    return merged


def minus(free: Sequence[tuple[T, T]], blocked: Sequence[tuple[T, T]]) -> list[tuple[T, T]]:
    """The parts of ``free`` outside ``blocked``; both are unions (sorted and apart)."""
    result: list[tuple[T, T]] = []
    next_block = 0
    for span_start, span_end in free:
        cursor = span_start
        while next_block < len(blocked) and blocked[next_block][1] <= cursor:
            next_block += 1
        # Blocks before `next_block` end before this span, hence before every later span.
        index = next_block
        while index < len(blocked) and blocked[index][0] < span_end:
            block_start, block_end = blocked[index]
            if block_start > cursor:
                result.append((cursor, block_start))
            if block_end > cursor:
                cursor = block_end
            if cursor >= span_end:
                break
            index += 1
        if cursor < span_end:
            result.append((cursor, span_end))
        next_block = index
    return result


def both(left: Sequence[tuple[T, T]], right: Sequence[tuple[T, T]]) -> list[tuple[T, T]]:
    """The time in both ``left`` and ``right``; both are unions (sorted and apart)."""
    result: list[tuple[T, T]] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i][0], right[j][0])
        end = min(left[i][1], right[j][1])
        if start < end:
            result.append((start, end))
        if left[i][1] <= right[j][1]:
            i += 1
        else:
            j += 1
    return result


def length(spans: Iterable[tuple[int, int]]) -> int:
    return sum(end - start for start, end in spans)
