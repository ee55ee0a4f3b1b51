"""``{% load body_chart %}{% body_chart codes %}``: the body chart, read-only, with the marked
areas filled and listed in words (for screen readers and print).

It lives in the clinic app because template tag libraries are found in installed apps only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from backcare.bodychart import figures
from backcare.lib import body_chart as chart

register = template.Library()


@register.inclusion_tag("includes/body_chart.html")
def body_chart(codes: Iterable[str] | None) -> dict[str, Any]:
    recorded = list(dict.fromkeys(codes or ()))
    known = [code for code in recorded if code in chart.CODES]
    # A code no longer on the chart is still what was recorded: show it rather than hide it.
    unknown = [f"Unknown area “{code}”" for code in recorded if code not in chart.CODES]
    return {"figures": figures(known), "chosen": [*chart.labels(known), *unknown]}
