"""The geometry of the weeks-to-improvement chart: the Kaplan–Meier estimate of the share of
programs meaningfully improved by each week, drawn as a rising staircase. Pure: no Django.

It shares the canvas, margins and ticks of the progress charts (``outcomes.chart``), so the
clinic's charts look alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from backcare.analytics.stats import KaplanMeier
from backcare.outcomes.chart import (
    HEIGHT,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    WIDTH,
    Plot,
    Tick,
)


@dataclass(frozen=True)
class Corner:
    x: float
    y: float
    week: int
    share: float
    label: str
    """What a reader hears, e.g. ``"By week 4: 38% improved"``."""


@dataclass(frozen=True)
class Curve:
    width: float
    height: float
    plot: Plot
    path: str
    corners: tuple[Corner, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    half_y: float
    """The height of 50%: where the curve crosses it is the median."""


def layout(curve: KaplanMeier, *, width: float = WIDTH, height: float = HEIGHT) -> Curve:
    plot = Plot(MARGIN_LEFT, MARGIN_TOP, width - MARGIN_RIGHT, height - MARGIN_BOTTOM)
    last_week = max((step.week for step in curve.steps), default=0)
    x_high = max(1, last_week)

    def x_of(week: float) -> float:
        return plot.left + week / x_high * plot.width

    def y_of(share: float) -> float:
        return plot.bottom - min(max(share, 0.0), 1.0) * plot.height

    path = [f"M{x_of(0):.1f} {y_of(0):.1f}"]
    corners = []
    level = 0.0
    for step in curve.steps:
        x = x_of(step.week)
        path.append(f"H{x:.1f}")
        if step.improved_share != level:
            level = step.improved_share
            path.append(f"V{y_of(level):.1f}")
        if step.improved:
            corners.append(
                Corner(
                    x,
                    y_of(level),
                    step.week,
                    level,
                    f"By week {step.week}: {level * 100:.0f}% improved",
                )
            )
    path.append(f"H{x_of(x_high):.1f}")
    step_size = max(1, math.ceil(x_high / 10))
    return Curve(
        width=width,
        height=height,
        plot=plot,
        path=" ".join(path),
        corners=tuple(corners),
        x_ticks=tuple(Tick(x_of(w), str(w)) for w in range(0, x_high + 1, step_size)),
        y_ticks=tuple(Tick(y_of(s / 100), f"{s}%") for s in range(0, 101, 25)),
        half_y=y_of(0.5),
    )
