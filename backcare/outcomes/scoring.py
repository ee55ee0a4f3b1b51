"""Scores of outcome instruments and change against baseline (SPEC §5): the maths.

Pure: no Django, no clock, no database. What an instrument is, and reading and checking its
files, is ``backcare.outcomes.instruments``; this module scores answers with an instrument
(:func:`score`) and classes the change of a measure against its baseline (:func:`responder`).

Numbers are handled as exact fractions so that boundaries ("exactly 30% better") are decided
exactly; results are returned as ``int`` when whole and ``float`` otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal, TypeAlias

from backcare.lib.errors import FieldError
from backcare.outcomes.instruments import (
    SCORE_KEY,
    Direction,
    Instrument,
    Item,
    Rule,
    Threshold,
    exact_fraction,
    json_number,
    shipped_instruments,
    show_value,
)

ResponderClass: TypeAlias = Literal["substantial", "moderate", "minimal", "none", "worse"]

RESPONDER_CLASSES: tuple[ResponderClass, ...] = (
    "worse",
    "none",
    "minimal",
    "moderate",
    "substantial",
)
"""From worst to best, so that the index is a rank."""


class ScoringError(FieldError):
    """Bad input to a score or change: ``field`` names the item or argument at fault."""


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    instrument: str
    score: float
    rule: Rule
    direction: Direction
    range: tuple[float, float]
    answered: int
    missing: int
    prorated: bool
    subscales: tuple[tuple[str, float], ...] = ()
    category: str | None = None
    responder: bool | None = None
    """Only for instruments with responder categories (PGIC); ``None`` otherwise."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "score": self.score,
            "range": list(self.range),
            "direction": self.direction,
            "rule": self.rule,
            "answered": self.answered,
            "missing": self.missing,
            "prorated": self.prorated,
            "subscales": dict(self.subscales),
            "category": self.category,
            "responder": self.responder,
        }


@dataclass(frozen=True)
class Change:
    """The current value of a measure against its baseline.

    ``change`` is ``current - baseline`` as measured; ``improvement`` is the same change signed
    so that positive is better for this measure. ``percent_change`` is relative to baseline and is
    ``None`` when the baseline is 0 (or below): the class is then decided on points only.
    """

    measure: str
    baseline: float
    current: float
    change: float
    percent_change: float | None
    improvement: float
    responder_class: ResponderClass
    meaningful: bool
    direction: Direction
    threshold: Threshold
    sentence: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "baseline": self.baseline,
            "current": self.current,
            "change": self.change,
            "percent_change": self.percent_change,
            "improvement": self.improvement,
            "class": self.responder_class,
            "meaningful": self.meaningful,
            "threshold": self.threshold.to_dict(),
            "direction": self.direction,
            "sentence": self.sentence,
        }


# --- scoring ------------------------------------------------------------------------------


def get_instrument(
    name: str | Instrument,
    instruments: Mapping[str, Instrument] | None = None,
    *,
    field: str = "instrument",
) -> Instrument:
    if isinstance(name, Instrument):
        return name
    known = shipped_instruments() if instruments is None else instruments
    if not isinstance(name, str) or name not in known:
        raise ScoringError(
            field, f"unknown instrument {show_value(name)} (known: {', '.join(sorted(known))})"
        )
    return known[name]


def score(
    instrument: str | Instrument,
    answers: Sequence[object],
    *,
    instruments: Mapping[str, Instrument] | None = None,
) -> Score:
    """Score one completed questionnaire; ``answers`` are in item order.

    ``None`` is an unanswered item. On a required item it is missing: refused, or prorated up to
    the instrument's ``max_missing``. On an optional item (PSFS activities 4 and 5) it means the
    item was not used, as does leaving it off the end of the list.
    """
    inst = get_instrument(instrument, instruments)
    if isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
        raise ScoringError("answers", f"expected a list of answers, got {show_value(answers)}")
    if not inst.min_answers <= len(answers) <= inst.max_answers:
        expected = (
            str(inst.max_answers)
            if inst.min_answers == inst.max_answers
            else f"{inst.min_answers} to {inst.max_answers}"
        )
        raise ScoringError(
            "answers",
            f"{inst.id} expects {expected} answers in item order, got {len(answers)}",
        )

    values: dict[str, Fraction] = {}
    missing: list[int] = []
    for index, item in enumerate(inst.items):
        raw = answers[index] if index < len(answers) else None
        if raw is None:
            if item.required:
                missing.append(index)
            continue
        values[item.link_id] = _answer_value(item, raw, f"answers[{index}]")

    if missing and inst.missing_policy == "refuse":
        first = inst.items[missing[0]]
        raise ScoringError(
            f"answers[{missing[0]}]",
            f"no answer to '{first.link_id}'; {inst.id} is not scored with missing items",
        )
    if len(missing) > inst.max_missing:
        named = ", ".join(f"answers[{i}]" for i in missing)
        raise ScoringError(
            "answers",
            f"{len(missing)} answers missing ({named}); "
            f"{inst.id} is scored with at most {inst.max_missing} missing",
        )
    if not values:
        raise ScoringError("answers", f"{inst.id} cannot be scored with no item answered")
    missing_links = {inst.items[i].link_id for i in missing}

    subscale_values: dict[str, Fraction] = {}
    if inst.rule == "subscale_sums":
        for name, link_ids in inst.subscales:
            subscale_values[name] = _round(
                _prorated_sum(name, link_ids, values, missing_links), inst.decimals
            )
        exact = subscale_values[inst.score_subscale or ""]
    elif inst.rule == "mean":
        exact = sum(values.values(), Fraction(0)) / len(values)
    else:
        exact = _prorated_sum(inst.id, [i.link_id for i in inst.items], values, missing_links)
    rounded = _round(exact, inst.decimals)

    category = None
    if inst.categories:
        compare = {SCORE_KEY: rounded, **subscale_values}
        category = next((c.label for c in inst.categories if c.matches(compare)), None)
    return Score(
        instrument=inst.id,
        score=json_number(rounded),
        rule=inst.rule,
        direction=inst.direction,
        range=(json_number(inst.score_min), json_number(inst.score_max)),
        answered=len(values),
        missing=len(missing),
        prorated=bool(missing),
        subscales=tuple((name, json_number(v)) for name, v in subscale_values.items()),
        category=category,
        responder=(category in inst.responder_categories) if inst.responder_categories else None,
    )


def _prorated_sum(
    name: str, link_ids: Sequence[str], values: Mapping[str, Fraction], missing: set[str]
) -> Fraction:
    answered = [values[link] for link in link_ids if link in values]
    n_missing = sum(1 for link in link_ids if link in missing)
    total = sum(answered, Fraction(0))
    if not n_missing:
        return total
    if not answered:
        raise ScoringError("answers", f"'{name}' has no answered items to prorate from")
    return total * (len(answered) + n_missing) / len(answered)


def _answer_value(item: Item, raw: object, where: str) -> Fraction:
    name = f"'{item.link_id}'"
    if item.type == "boolean":
        if not isinstance(raw, bool):
            raise ScoringError(where, f"{name} expects true or false, got {show_value(raw)}")
        return Fraction(int(raw))
    if item.type == "choice":
        for option in item.options:
            if (isinstance(raw, str) and raw == option.code) or (
                isinstance(raw, int) and not isinstance(raw, bool) and raw == option.value
            ):
                return option.value
        allowed = ", ".join(str(json_number(o.value)) for o in item.options)
        raise ScoringError(where, f"{name} expects one of {allowed}, got {show_value(raw)}")
    if item.type == "integer":
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ScoringError(where, f"{name} expects a whole number, got {show_value(raw)}")
        value = Fraction(raw)
    else:
        value = _finite(raw, where, f"{name} expects a number")
    return _within(value, item.minimum, item.maximum, raw, where, f"{name} must be")


def _finite(raw: object, where: str, expected: str) -> Fraction:
    """``raw`` as an exact fraction: refused (``expected``, and what came) unless it is a
    finite number (never true or false)."""
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise ScoringError(where, f"{expected}, got {show_value(raw)}")
    return exact_fraction(raw)


def _within(
    value: Fraction, low: Fraction, high: Fraction, raw: object, where: str, what: str
) -> Fraction:
    """``value`` if it is from ``low`` to ``high``; otherwise refused: "``what`` low to high,
    got ``raw``"."""
    if not low <= value <= high:
        raise ScoringError(
            where, f"{what} {json_number(low)} to {json_number(high)}, got {show_value(raw)}"
        )
    return value


# --- change against baseline --------------------------------------------------------------


def responder(
    measure: str | Instrument,
    baseline: float,
    current: float,
    *,
    instruments: Mapping[str, Instrument] | None = None,
) -> Change:
    """Class and size of the change from ``baseline`` to ``current`` (SPEC §5).

    ``worse`` when the score moved the wrong way, ``none`` when it did not move; otherwise
    ``substantial`` if the instrument's substantial threshold is met, ``moderate`` if its
    meaningful threshold is met, else ``minimal``. ``meaningful`` is true for moderate and
    substantial. For NRS: substantial >= 50% better; moderate >= 30% or >= 2 points better.
    """
    inst = get_instrument(measure, instruments, field="measure")
    if inst.meaningful is None:
        raise ScoringError(
            "measure", f"{inst.id} has no baseline comparison (no meaningful-change threshold)"
        )
    start = _measure_value(inst, baseline, "baseline")
    now = _measure_value(inst, current, "current")
    change = now - start
    improvement = change if inst.direction == "higher_is_better" else -change
    percent = change * 100 / start if start > 0 else None
    improvement_percent = None
    if percent is not None:
        improvement_percent = percent if inst.direction == "higher_is_better" else -percent

    responder_class: ResponderClass
    if improvement < 0:
        responder_class = "worse"
    elif improvement == 0:
        responder_class = "none"
    elif inst.substantial is not None and inst.substantial.met(improvement, improvement_percent):
        responder_class = "substantial"
    elif inst.meaningful.met(improvement, improvement_percent):
        responder_class = "moderate"
    else:
        responder_class = "minimal"

    return Change(
        measure=inst.id,
        baseline=json_number(start),
        current=json_number(now),
        change=json_number(change),
        percent_change=None if percent is None else float(_round(percent, 1)),
        improvement=json_number(improvement),
        responder_class=responder_class,
        meaningful=responder_class in ("moderate", "substantial"),
        direction=inst.direction,
        threshold=inst.meaningful,
        sentence=_sentence(inst, change, percent),
    )


def _measure_value(inst: Instrument, raw: object, where: str) -> Fraction:
    value = _finite(raw, where, "expected a number")
    return _within(value, inst.score_min, inst.score_max, raw, where, f"{inst.id} scores are")


def _sentence(inst: Instrument, change: Fraction, percent: Fraction | None) -> str:
    """A plain-English sentence for the client, e.g. 'Your pain is 50% lower than ...'."""
    if change == 0:
        return f"{inst.subject} is the same as when you started."
    word = "higher" if change > 0 else "lower"
    if inst.sentence_unit == "percent" and percent is not None:
        whole = _round(abs(percent), 0)
        amount = "less than 1%" if whole == 0 else f"{json_number(whole)}%"
    else:
        points = _round(abs(change), 2)
        amount = f"{json_number(points)} point{'' if points == 1 else 's'}"
    return f"{inst.subject} is {amount} {word} than when you started."


# --- numbers ------------------------------------------------------------------------------


def _round(value: Fraction, decimals: int) -> Fraction:
    """Round half away from zero, as people do by hand (6.335 -> 6.34)."""
    scale = 10**decimals
    magnitude = math.floor(abs(value) * scale + Fraction(1, 2))
    return Fraction(magnitude if value >= 0 else -magnitude, scale)
