"""What a client's answers say about their progress (SPEC §2 steps 5 and 6, §5).

Pure: no Django, no clock. The caller passes the responses as :class:`Entry` rows and the times
it needs; this module picks the baseline, measures the change with ``scoring.responder``, puts
it in plain words, lays out each chart, and says when a reassessment is due.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from backcare.outcomes import chart
from backcare.outcomes.instruments import Instrument
from backcare.outcomes.scoring import Change, responder

CHARTED = ("nrs", "peg", "psfs")
"""The measures drawn over time (SPEC §2 step 6: NRS, PEG and PSFS)."""

BASELINE_OCCASION = "intake"

CLASS_WORDS = {
    "substantial": "a substantial improvement",
    "moderate": "a meaningful improvement",
    "minimal": "a small improvement, not yet as much as counts as meaningful",
    "none": "no change yet",
    "worse": "worse than at the start",
}
"""The responder classes of SPEC §5 in words for clients and physicians."""


@dataclass(frozen=True)
class Entry:
    """One recorded response, as this module needs it."""

    instrument: str
    score: float
    at: dt.datetime
    occasion: str


@dataclass(frozen=True)
class Measure:
    """One measure's course: baseline, latest, change and the chart."""

    instrument: Instrument
    entries: tuple[Entry, ...]
    baseline: Entry | None
    latest: Entry | None
    change: Change | None
    band: tuple[float, float] | None
    chart: chart.Chart
    weeks: tuple[float, ...]
    """Weeks since the start, one per entry."""

    @property
    def key(self) -> str:
        return self.instrument.id

    @property
    def class_words(self) -> str:
        return CLASS_WORDS[self.change.responder_class] if self.change else ""

    @property
    def rows(self) -> list[tuple[Entry, str]]:
        """Each answer with when it was given, in words: ``Baseline``, ``Week 3``."""
        return [
            (e, "Baseline" if e is self.baseline else week_words(week))
            for e, week in zip(self.entries, self.weeks, strict=True)
        ]


def weeks_between(start: dt.datetime, at: dt.datetime) -> float:
    """Weeks from ``start`` to ``at``, to one decimal (negative before the start)."""
    return round((at - start).total_seconds() / (7 * 24 * 3600), 1)


def pick_baseline(entries: Sequence[Entry], start: dt.datetime | None = None) -> Entry | None:
    """The reading others are compared with: the latest intake answer up to the start of care
    (a program's first day), else the first intake answer, else the first reading of all."""
    intake = [e for e in entries if e.occasion == BASELINE_OCCASION]
    if start is not None:
        before = [e for e in intake if e.at <= start]
        if before:
            return before[-1]
    if intake:
        return intake[0]
    return entries[0] if entries else None


def meaningful_band(inst: Instrument, baseline: float) -> tuple[float, float] | None:
    """From the baseline to the smallest improvement that counts as meaningful (SPEC §5):
    whichever of the instrument's points and percent thresholds is reached first."""
    if inst.meaningful is None:
        return None
    needed: list[Fraction] = []
    if inst.meaningful.points is not None:
        needed.append(inst.meaningful.points)
    if inst.meaningful.percent is not None and baseline > 0:
        needed.append(Fraction(str(baseline)) * inst.meaningful.percent / 100)
    if not needed:
        return None
    step = float(min(needed))
    low, high = float(inst.score_min), float(inst.score_max)
    if inst.direction == "lower_is_better":
        return (max(low, baseline - step), baseline)
    return (baseline, min(high, baseline + step))


def measure(
    inst: Instrument,
    entries: Sequence[Entry],
    *,
    start: dt.datetime | None,
    weeks_planned: float = 0,
) -> Measure:
    """The course of one measure; ``entries`` in time order. Weeks count from ``start`` (the
    program's first day), or from the baseline when there is no program."""
    entries = tuple(entries)
    baseline = pick_baseline(entries, start)
    latest = entries[-1] if entries else None
    origin = start or (baseline.at if baseline is not None else None)
    weeks = tuple(weeks_between(origin, e.at) if origin else 0.0 for e in entries)
    change = None
    if (
        baseline is not None
        and latest is not None
        and latest is not baseline
        and inst.meaningful is not None
    ):
        change = responder(inst, baseline.score, latest.score, instruments={inst.id: inst})
    band = meaningful_band(inst, baseline.score) if baseline is not None else None
    readings = [
        chart.Reading(
            week=week,
            value=e.score,
            label=f"{'Baseline' if e is baseline else week_words(week)}: {_number(e.score)}",
            baseline=e is baseline,
        )
        for e, week in zip(entries, weeks, strict=True)
    ]
    return Measure(
        instrument=inst,
        entries=entries,
        baseline=baseline,
        latest=latest,
        change=change,
        band=band,
        chart=chart.layout(
            readings,
            scale=(float(inst.score_min), float(inst.score_max)),
            weeks=weeks_planned,
            band=band,
            baseline=baseline.score if baseline is not None else None,
        ),
        weeks=weeks,
    )


def progress_sentence(m: Measure, *, about: str | None = None) -> str:
    """``Your pain is 50% lower than when you started: a substantial improvement.``

    With ``about`` (the client's name), in the third person for someone else, their physician:
    ``Alex's pain is 50% lower than when they started: a substantial improvement.``"""
    if m.change is None:
        return ""
    sentence = f"{m.change.sentence.removesuffix('.')}: {m.class_words}."
    return sentence if about is None else third_person(sentence, about)


_SECOND_PERSON = re.compile(r"\b(?:your|you)\b", re.IGNORECASE)
_THIRD_PERSON = {"your": "their", "you": "they"}


def third_person(text: str, name: str) -> str:
    """Words written to the client, about them instead: the first "your" becomes ``name``'s,
    every other "your" and "you" become "their" and "they" (capitals kept).

    ``Your ability to do the activities you chose is 2 points higher than when you started.``
    becomes ``Alex's ability to do the activities they chose is 2 points higher than when they
    started.`` The instruments' sentences (``wording.subject`` and ``scoring._sentence``) are
    written this way, to the client."""
    named = False

    def swap(match: re.Match[str]) -> str:
        nonlocal named
        word = match.group(0)
        if word.lower() == "your" and not named:
            named = True
            return f"{name}'s"
        replacement = _THIRD_PERSON[word.lower()]
        return replacement.capitalize() if word[0].isupper() else replacement

    return _SECOND_PERSON.sub(swap, text)


def due_reassessment(
    points: Sequence[int],
    completed_starts: Sequence[dt.datetime],
    reassessed_at: Sequence[dt.datetime],
) -> int | None:
    """The reassessment session reached but not yet answered, if any.

    ``points`` are session numbers (``[4, 10]``); ``completed_starts`` the start times of the
    program's completed sessions in order; ``reassessed_at`` when reassessment (or discharge)
    answers were given. Point N is reached once N sessions are completed; it is answered by any
    reassessment given after session N - 1 began (so at the check-in of session N or later).
    Only the latest point reached counts: a missed earlier one is overtaken by it.
    """
    reached = [p for p in sorted(set(points)) if 0 < p <= len(completed_starts)]
    if not reached:
        return None
    point = reached[-1]
    since = completed_starts[point - 2] if point >= 2 else None
    if any(since is None or at > since for at in reassessed_at):
        return None
    return point


def week_words(week: float) -> str:
    """Weeks since the start as people count them: the first week of the program is week 1."""
    if week < 0:
        return "Before the start"
    return f"Week {math.floor(week) + 1}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
