"""What the analytics keep of one program's pain scores: baseline, latest, responder class and
the weeks to the first meaningful improvement (SPEC §5). Pure: no Django, no clock.

The same rules as the progress page decide it — the baseline is picked by
``outcomes.progress.pick_baseline`` and each change is judged by ``outcomes.scoring.responder``
with the instrument's own thresholds — so the owner's rates and a client's chart never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from backcare.analytics.stats import weeks_since
from backcare.outcomes.instruments import Instrument
from backcare.outcomes.progress import Entry, pick_baseline
from backcare.outcomes.scoring import responder


@dataclass(frozen=True)
class Course:
    baseline: float | None
    latest: float | None
    """The last score answered in the program (check-in, reassessment or discharge)."""
    responder_class: str
    """``substantial``, ``moderate``, ``minimal``, ``none`` or ``worse``; empty without both."""
    latest_week: int | None
    """Weeks from the first day to the latest score: how long the program was watched."""
    improved_week: int | None
    """Weeks from the first day to the first meaningfully better score, if there was one."""


def course(
    instrument: Instrument,
    started_on: dt.date | None,
    zone: dt.tzinfo,
    intake: Sequence[Entry],
    follow_ups: Sequence[Entry],
) -> Course:
    """``intake``: the client's intake answers; ``follow_ups``: the answers given in the
    program; both in time order. The baseline is the last intake answer up to the end of the
    first day, else the first one."""
    first_day_ends = (
        dt.datetime.combine(started_on + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        - dt.timedelta(microseconds=1)
        if started_on is not None
        else None
    )
    baseline = pick_baseline(list(intake), first_day_ends) if intake else None
    latest = follow_ups[-1] if follow_ups else None

    def week(entry: Entry) -> int | None:
        if started_on is None:
            return None
        return weeks_since(started_on, entry.at.astimezone(zone).date())

    if baseline is None or latest is None:
        return Course(
            baseline.score if baseline is not None else None,
            latest.score if latest is not None else None,
            "",
            week(latest) if latest is not None else None,
            None,
        )
    improved = next(
        (e for e in follow_ups if responder(instrument, baseline.score, e.score).meaningful),
        None,
    )
    return Course(
        baseline.score,
        latest.score,
        responder(instrument, baseline.score, latest.score).responder_class,
        week(latest),
        week(improved) if improved is not None else None,
    )
