"""Sliding-window limits kept in the cache, which settings keep in the database so that every
server process shares them: how often one address may ask for a password link, or hold a time
and sign up on the clinic's booking page."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from django.core.cache import cache

HOUR = 60 * 60


def _recent(key: str, now: float, window: int) -> list[float]:
    stored: Any = cache.get(key)
    if not isinstance(stored, list):
        return []
    return [float(at) for at in stored if now - float(at) < window]


def within_limits(
    limits: Sequence[tuple[str, int] | tuple[str, int, int]], *, window: int = HOUR
) -> bool:
    """True, and the request counted, when every ``(key, limit)`` has had fewer than ``limit``
    requests in the last ``window`` seconds (or the limit's own third element, so one key can
    have an hourly and a 15-minute limit); False, and nothing counted, otherwise. Only requests
    that were let through count."""
    now = time.time()
    spans = [(limit[0], limit[1], limit[2] if len(limit) == 3 else window) for limit in limits]
    longest: dict[str, int] = {}
    for key, _, span in spans:
        longest[key] = max(longest.get(key, 0), span)
    recent = {key: _recent(key, now, span) for key, span in longest.items()}
    if any(sum(1 for at in recent[key] if now - at < span) >= most for key, most, span in spans):
        return False
    for key, span in longest.items():
        cache.set(key, [*recent[key], now], timeout=span)
    return True
