"""``{{ value|clock }}``: a time of day in the clinic's clock (12- or 24-hour), built into every
template (settings.TEMPLATES builtins). ``{{ appointment.starts|clock:appointment.location.zone }}``
shows it in a location's zone; without one, in the clinic's."""

from __future__ import annotations

import datetime as dt

from django import template

from backcare.scheduling import clock as clinic_clock

register = template.Library()


@register.filter(name="clock")
def clock(value: dt.time | dt.datetime | None, zone: dt.tzinfo | str | None = None) -> str:
    if value is None or value == "":
        return ""
    return clinic_clock.clock(value, zone or None)
