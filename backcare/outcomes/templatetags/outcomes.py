"""Template helpers for outcome pages: SVG numbers, chart descriptions, the reassessment banner."""

from __future__ import annotations

from typing import Any

from django import template

from backcare.outcomes.models import Occasion
from backcare.outcomes.progress import Measure

register = template.Library()


@register.filter
def svgnum(value: Any) -> str:
    """A number for an SVG attribute or a table: no locale, at most one decimal."""
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:.1f}".rstrip("0").rstrip(".")


@register.filter
def occasion_words(value: str) -> str:
    try:
        return str(Occasion(value).label)
    except ValueError:
        return value


@register.simple_tag
def chart_description(m: Measure) -> str:
    """What the chart shows, for people who cannot see it."""
    if m.baseline is None or m.latest is None:
        return "No answers yet."
    parts = [f"Baseline {svgnum(m.baseline.score)}."]
    if m.latest is not m.baseline:
        parts.append(f"Latest {svgnum(m.latest.score)}, {len(m.entries)} answers in all.")
    if m.band is not None:
        parts.append(
            f"Shaded band from {svgnum(m.band[0])} to {svgnum(m.band[1])}: "
            "a change too small to count as meaningful."
        )
    direction = "Lower" if m.instrument.direction == "lower_is_better" else "Higher"
    parts.append(f"{direction} is better.")
    return " ".join(parts)


@register.inclusion_tag("outcomes/_reassessment_due.html")
def reassessment_banner(program: Any, portal: bool = False) -> dict[str, Any]:
    """ "Reassessment due" on the program page and in the portal (two queries)."""
    from backcare.outcomes.records import reassessment_due

    return {
        "program": program,
        "due": reassessment_due(program) if program is not None else None,
        "portal": portal,
    }
