"""The geometry of a progress chart: one measure over the weeks of care (SPEC §2 step 6, §5).

Pure: no Django, no clock. :func:`layout` turns readings (week, value) into positions on a
canvas; the web page draws them as SVG and the discharge summary draws them in its PDF, so both
show the same chart. Units are abstract canvas units (SVG user units; the PDF scales them).

The shaded band is the change too small to count as meaningful: from the baseline to the
meaningful-change threshold of the instrument (SPEC §5; NRS: 2 points or 30%, PSFS: 2 points).
A reading beyond the band, on the better side, is a meaningful improvement.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640.0
HEIGHT = 240.0
MARGIN_LEFT = 44.0
MARGIN_RIGHT = 16.0
MARGIN_TOP = 14.0
MARGIN_BOTTOM = 40.0


@dataclass(frozen=True)
class Reading:
    week: float
    """Weeks since the start of care (the program's first day, or the intake)."""
    value: float
    label: str
    """What a reader hears for this point, e.g. ``"Week 3: 5"``."""
    baseline: bool = False


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    reading: Reading


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Band:
    """A horizontal band between two canvas heights (``top`` < ``bottom``)."""

    top: float
    bottom: float
    low: float
    high: float
    """The band in the measure's own units."""

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class Plot:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def contains(self, x: float, y: float) -> bool:
        return self.left <= x <= self.right and self.top <= y <= self.bottom


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    plot: Plot
    points: tuple[Point, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    band: Band | None
    baseline_y: float | None

    @property
    def path(self) -> str:
        """The line through the points, as SVG path data (empty with fewer than two)."""
        if len(self.points) < 2:
            return ""
        return " ".join(
            f"{'M' if i == 0 else 'L'}{p.x:.1f} {p.y:.1f}" for i, p in enumerate(self.points)
        )


def layout(
    readings: Sequence[Reading],
    *,
    scale: tuple[float, float],
    weeks: float = 0,
    band: tuple[float, float] | None = None,
    baseline: float | None = None,
    width: float = WIDTH,
    height: float = HEIGHT,
) -> Chart:
    """Place ``readings`` (in time order) on a canvas.

    ``scale`` is the measure's range (0 to 10 for NRS, PEG and PSFS): the y axis always shows
    all of it, so charts of different clients compare. The x axis runs from week 0 (or the
    earliest reading, if before) to ``weeks`` (the program's planned length) or the latest
    reading, whichever is later, and at least one week. ``band`` is in the measure's units.
    """
    low, high = scale
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"scale must be two finite numbers, low < high: {scale!r}")
    plot = Plot(
        left=MARGIN_LEFT,
        top=MARGIN_TOP,
        right=width - MARGIN_RIGHT,
        bottom=height - MARGIN_BOTTOM,
    )
    first = min((r.week for r in readings), default=0.0)
    last = max((r.week for r in readings), default=0.0)
    x_low = min(0.0, math.floor(first))
    x_high = max(float(weeks), math.ceil(last), x_low + 1)

    def x_of(week: float) -> float:
        return plot.left + (week - x_low) / (x_high - x_low) * plot.width

    def y_of(value: float) -> float:
        clamped = min(max(value, low), high)
        return plot.bottom - (clamped - low) / (high - low) * plot.height

    points = tuple(Point(x=x_of(r.week), y=y_of(r.value), reading=r) for r in readings)
    band_box = None
    if band is not None:
        band_low, band_high = sorted(min(max(b, low), high) for b in band)
        band_box = Band(top=y_of(band_high), bottom=y_of(band_low), low=band_low, high=band_high)
    return Chart(
        width=width,
        height=height,
        plot=plot,
        points=points,
        x_ticks=tuple(Tick(x_of(w), _week_label(w)) for w in _week_ticks(x_low, x_high)),
        y_ticks=tuple(Tick(y_of(v), _number(v)) for v in _value_ticks(low, high)),
        band=band_box,
        baseline_y=y_of(baseline) if baseline is not None else None,
    )


def _week_ticks(start: float, end: float) -> list[float]:
    """Whole weeks from the start, thinned so at most about ten labels fit, and one tick at the
    left edge when the chart begins before the start (an intake answered earlier)."""
    step = max(1, math.ceil((end - start) / 10))
    before = [start] if start < 0 else []
    return before + [float(w) for w in range(0, math.floor(end) + 1, step)]


def _value_ticks(low: float, high: float) -> list[float]:
    span = high - low
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 1e9) if span / s <= 6)
    first = math.ceil(low / step) * step
    ticks = []
    value = first
    while value <= high + 1e-9:
        ticks.append(value)
        value += step
    return ticks


def _week_label(week: float) -> str:
    """Ticks sit at whole weeks since the start; the first week of the program is week 1."""
    return "Before" if week < 0 else f"Wk {_number(week + 1)}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
