from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """``0.625`` as ``62.5%`` (whole percent from 10 up), or an en dash for no value."""
    if value is None:
        return "–"
    shown = value * 100
    return f"{shown:.0f}%" if shown >= 10 or shown == 0 else f"{shown:.1f}%"


@register.filter
def hours(minutes: int) -> str:
    """Minutes as hours, e.g. ``1 530`` as ``25.5 h``."""
    return f"{minutes / 60:,.1f} h"
