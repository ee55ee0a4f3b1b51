"""The clinic's instruments: the shipped ones, then its own folder (``OUTCOMES_INSTRUMENTS_DIR``).

``instruments`` is pure and takes its folders as arguments; this is the one place that reads the
settings, so pages, actions and the demo all score with the same instruments.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from django.conf import settings

from backcare.outcomes.instruments import Instrument, load_instruments

# What a client answers at a reassessment and at discharge, in this order (SPEC §2, §5).
# PSFS is asked about the program's own goal activities; RMDQ only where the clinic turns it on.
FOLLOW_UP = ("nrs", "peg", "psfs", "pgic", "rmdq")
OPTIONAL = {"rmdq": "OUTCOMES_RMDQ"}
"""Shipped instruments that are off unless the clinic's setting turns them on."""


def instruments() -> Mapping[str, Instrument]:
    """Every instrument the clinic has, enabled or not (old responses stay readable)."""
    folder = settings.OUTCOMES_INSTRUMENTS_DIR
    return _load(str(folder) if folder else "")


@cache
def _load(folder: str) -> Mapping[str, Instrument]:
    return MappingProxyType(load_instruments([folder] if folder else []))


def is_enabled(instrument: Instrument) -> bool:
    setting = OPTIONAL.get(instrument.id)
    if setting is not None:
        return bool(getattr(settings, setting))
    return instrument.default_enabled


def enabled() -> dict[str, Instrument]:
    return {key: inst for key, inst in instruments().items() if is_enabled(inst)}


def follow_up() -> list[Instrument]:
    """The instruments of a reassessment or discharge form: the shipped ones of SPEC §5 that are
    enabled, then any the clinic added itself."""
    on = enabled()
    shipped = [on[key] for key in FOLLOW_UP if key in on]
    added = [inst for key, inst in sorted(on.items()) if key not in FOLLOW_UP]
    return shipped + added
