"""The clinic's clock: 12-hour ("3:00 PM", the default) or 24-hour ("15:00"), as the owner set
it in the booking policy. Every time of day the clinic shows (pages, emails, PDFs) is written by
:func:`backcare.lib.when.clock` with this setting; templates use the ``clock`` filter.

The setting is read at most once per request (one query, only on a page that shows a time):
each request starts by forgetting it (:class:`ClockMiddleware`), and saving the booking policy
forgets it too. Outside requests (the email worker, commands) it is read again after a minute.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from contextvars import ContextVar
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from backcare.lib import when

FRESH_SECONDS = 60.0

_loaded: ContextVar[tuple[int, float] | None] = ContextVar("backcare_clock", default=None)


def remember(hours: int) -> None:
    _loaded.set((hours, time.monotonic()))


def forget() -> None:
    _loaded.set(None)


def hours() -> int:
    """12 or 24: the clinic's clock."""
    loaded = _loaded.get()
    if loaded is not None and time.monotonic() - loaded[1] < FRESH_SECONDS:
        return loaded[0]
    from backcare.scheduling.models import BookingPolicy

    found = BookingPolicy.objects.filter(pk=1).values_list("clock", flat=True).first()
    setting = found if found is not None else when.TWELVE_HOUR
    remember(setting)
    return setting


def clock(value: dt.time | dt.datetime, zone: dt.tzinfo | str | None = None) -> str:
    """A time of day in the clinic's clock. An aware datetime is shown in ``zone`` (a
    location's), else in the clinic's time zone."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        shown_in = ZoneInfo(zone) if isinstance(zone, str) else zone
        value = timezone.localtime(value, shown_in)
    return when.clock(value, hours())


def spoken(moment: dt.datetime, time_zone: str) -> str:
    """``Tuesday, December 1 at 2:30 PM (EST)``, in the clinic's clock."""
    return when.spoken(moment, time_zone, hours())


def day_and_time(moment: dt.datetime, zone: dt.tzinfo | None = None) -> str:
    """``Tuesday, December 1 at 2:30 PM`` in ``zone`` (the clinic's by default)."""
    return when.day_and_time(timezone.localtime(moment, zone), hours())


class ClockMiddleware:
    """Each request reads the clinic's clock afresh (at most once)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        forget()
        return self.get_response(request)
