"""Outcome instruments as data: what an instrument is, and reading and checking its files (SPEC §5).

Pure: no Django, no clock, no database. An instrument is two JSON files in a folder:

* ``<id>.json`` -- a FHIR R4 Questionnaire (items, answer options, LOINC codes);
* ``<id>.scoring.json`` -- the Backcare scoring rule for it: one of the shipped rules
  (``sum``, ``mean``, ``count_yes``, ``subscale_sums``), direction, score range, missing-item
  policy, meaningful-change thresholds, optional cut-off categories, and the source.

The Questionnaire stays plain FHIR (it can be exported as-is); the scoring file is ours. The full
format is in ``README.md`` next to this file. The shipped instruments are the JSON files of this
package; a clinic adds or replaces one by putting files in its own folder and passing that folder
to :func:`load_instruments`. A file that does not describe a valid instrument is refused with an
:class:`InstrumentError` naming the file and the key at fault. The maths that scores answers with
an instrument is in ``backcare.outcomes.scoring``.

Numbers are kept as exact fractions (:func:`exact_fraction`) so that boundaries ("exactly 30%
better") are decided exactly.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, TypeAlias, cast

from backcare.lib.errors import FieldError

Rule: TypeAlias = Literal["sum", "mean", "count_yes", "subscale_sums"]
Direction: TypeAlias = Literal["lower_is_better", "higher_is_better"]
ItemType: TypeAlias = Literal["integer", "decimal", "choice", "boolean"]
MissingPolicy: TypeAlias = Literal["refuse", "prorate"]
SentenceUnit: TypeAlias = Literal["percent", "points"]

RULES: tuple[Rule, ...] = ("sum", "mean", "count_yes", "subscale_sums")
DIRECTIONS: tuple[Direction, ...] = ("lower_is_better", "higher_is_better")

MIN_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/maxValue"
ORDINAL_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
QUESTIONNAIRE_STATUSES = ("draft", "active", "retired", "unknown")
SCORING_SUFFIX = ".scoring.json"
SCORE_KEY = "score"
"""The name categories use for the instrument's score (subscales use their own names)."""


class InstrumentError(FieldError):
    """A malformed instrument file: ``source`` names the file (and the place in it)."""

    @property
    def source(self) -> str:
        return self.field


# --- the instrument model -----------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    code: str
    display: str
    value: Fraction


@dataclass(frozen=True)
class Item:
    """One answerable Questionnaire item (display and group items are not answers)."""

    link_id: str
    text: str
    type: ItemType
    required: bool
    minimum: Fraction
    maximum: Fraction
    options: tuple[Option, ...] = ()


@dataclass(frozen=True)
class Threshold:
    """Met when the improvement reaches ``points`` or ``percent`` (whichever is given)."""

    points: Fraction | None
    percent: Fraction | None

    def met(self, improvement: Fraction, improvement_percent: Fraction | None) -> bool:
        if self.points is not None and improvement >= self.points:
            return True
        return (
            self.percent is not None
            and improvement_percent is not None
            and improvement_percent >= self.percent
        )

    def to_dict(self) -> dict[str, float | None]:
        return {"points": _optional_number(self.points), "percent": _optional_number(self.percent)}


@dataclass(frozen=True)
class Category:
    """A cut-off band: every ``at_least`` and ``at_most`` bound must hold (inclusive)."""

    label: str
    at_least: tuple[tuple[str, Fraction], ...]
    at_most: tuple[tuple[str, Fraction], ...]

    def matches(self, values: Mapping[str, Fraction]) -> bool:
        return all(values[key] >= bound for key, bound in self.at_least) and all(
            values[key] <= bound for key, bound in self.at_most
        )


@dataclass(frozen=True)
class Instrument:
    id: str
    title: str
    items: tuple[Item, ...]
    rule: Rule
    direction: Direction
    score_min: Fraction
    score_max: Fraction
    decimals: int
    missing_policy: MissingPolicy
    max_missing: int
    meaningful: Threshold | None
    substantial: Threshold | None
    subscales: tuple[tuple[str, tuple[str, ...]], ...]
    score_subscale: str | None
    categories: tuple[Category, ...]
    responder_categories: tuple[str, ...]
    subject: str
    sentence_unit: SentenceUnit
    default_enabled: bool
    source: str
    score_code: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    questionnaire: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The FHIR Questionnaire resource as loaded, for export."""

    @property
    def min_answers(self) -> int:
        """Answers may stop after the last required item; later (optional) items may be left off."""
        required = [i for i, item in enumerate(self.items) if item.required]
        return required[-1] + 1 if required else 1

    @property
    def max_answers(self) -> int:
        return len(self.items)


# --- loading ------------------------------------------------------------------------------


def shipped_dir() -> Traversable:
    return files("backcare.outcomes.instruments")


def load_instruments(
    extra_dirs: Iterable[str | os.PathLike[str] | Traversable] = (),
) -> dict[str, Instrument]:
    """The shipped instruments, then each extra folder in order.

    In an extra folder, ``<id>.json`` with ``<id>.scoring.json`` adds an instrument, or replaces
    a shipped one with the same id; ``<id>.scoring.json`` alone replaces only the scoring rule of
    an instrument loaded before (for example a clinic's own PEG threshold).
    """
    instruments: dict[str, Instrument] = {}
    _load_dir(shipped_dir(), instruments)
    for directory in extra_dirs:
        folder = Path(directory) if isinstance(directory, str | os.PathLike) else directory
        _load_dir(folder, instruments)
    return instruments


@cache
def shipped_instruments() -> Mapping[str, Instrument]:
    return MappingProxyType(load_instruments())


def _load_dir(directory: Traversable, into: dict[str, Instrument]) -> None:
    if not directory.is_dir():
        raise InstrumentError(str(directory), "not a folder")
    questionnaires: dict[str, Traversable] = {}
    scorings: dict[str, Traversable] = {}
    for entry in sorted(directory.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(SCORING_SUFFIX):
            scorings[entry.name.removesuffix(SCORING_SUFFIX)] = entry
        elif entry.name.endswith(".json"):
            questionnaires[entry.name.removesuffix(".json")] = entry
    for stem, entry in questionnaires.items():
        if stem not in scorings:
            raise InstrumentError(entry.name, f"has no {stem}{SCORING_SUFFIX} next to it")
        into[stem] = _build(stem, _read_json(entry), entry.name, _read_json(scorings[stem]))
    for stem, entry in scorings.items():
        if stem in questionnaires:
            continue
        if stem not in into:
            raise InstrumentError(
                entry.name, f"no {stem}.json next to it and no instrument '{stem}' loaded before"
            )
        into[stem] = _build(stem, dict(into[stem].questionnaire), f"{stem}.json", _read_json(entry))


def _read_json(entry: Traversable) -> dict[str, Any]:
    try:
        data = json.loads(entry.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InstrumentError(entry.name, f"not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InstrumentError(entry.name, "expected a JSON object")
    return data


class _Reader:
    """Typed access to one JSON file, with errors that name the file and the key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> InstrumentError:
        return InstrumentError(f"{self.source} {where}".rstrip(), message)

    def get(self, obj: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
        if key not in obj:
            raise self.fail(where, f"'{key}' is required")
        return self.check(obj[key], kind, f"{where}.{key}".lstrip("."))

    def check(self, value: Any, kind: type, where: str) -> Any:
        if kind is Fraction:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self.fail(where, f"expected a number, got {show_value(value)}")
            if not math.isfinite(value):
                raise self.fail(where, f"expected a finite number, got {show_value(value)}")
            return exact_fraction(value)
        if kind is int and isinstance(value, bool):
            raise self.fail(where, f"expected a whole number, got {show_value(value)}")
        if not isinstance(value, kind):
            raise self.fail(where, f"expected {kind.__name__}, got {show_value(value)}")
        return value

    def only(self, obj: Mapping[str, Any], allowed: Iterable[str], where: str) -> None:
        unknown = sorted(set(obj) - set(allowed))
        if unknown:
            raise self.fail(where, f"unknown key '{unknown[0]}'")


def _build(
    stem: str, questionnaire: dict[str, Any], qsource: str, scoring: dict[str, Any]
) -> Instrument:
    items, title = _parse_questionnaire(stem, questionnaire, _Reader(qsource))
    r = _Reader(f"{stem}{SCORING_SUFFIX}")
    r.only(
        scoring,
        (
            "instrument",
            "rule",
            "direction",
            "range",
            "decimals",
            "missing",
            "change",
            "subscales",
            "score_subscale",
            "categories",
            "responder_categories",
            "wording",
            "score_code",
            "default_enabled",
            "source",
        ),
        "",
    )
    if r.get(scoring, "instrument", str, "") != stem:
        raise r.fail("instrument", f"must be '{stem}', the file name")
    rule = r.get(scoring, "rule", str, "")
    if rule not in RULES:
        raise r.fail("rule", f"must be one of {', '.join(RULES)}, got '{rule}'")
    direction = r.get(scoring, "direction", str, "")
    if direction not in DIRECTIONS:
        raise r.fail("direction", f"must be one of {', '.join(DIRECTIONS)}, got '{direction}'")
    source = r.get(scoring, "source", str, "")
    if not source.strip():
        raise r.fail("source", "must cite where the rule comes from")

    rng = r.get(scoring, "range", dict, "")
    r.only(rng, ("min", "max"), "range")
    score_min = r.get(rng, "min", Fraction, "range")
    score_max = r.get(rng, "max", Fraction, "range")
    decimals = r.check(scoring.get("decimals", 2), int, "decimals")
    if not 0 <= decimals <= 6:
        raise r.fail("decimals", "must be 0 to 6")

    missing = r.get(scoring, "missing", dict, "")
    r.only(missing, ("policy", "max_missing"), "missing")
    policy = r.get(missing, "policy", str, "missing")
    if policy == "refuse":
        max_missing = 0
        if "max_missing" in missing:
            raise r.fail("missing.max_missing", "only goes with policy 'prorate'")
    elif policy == "prorate":
        max_missing = r.get(missing, "max_missing", int, "missing")
        if not 1 <= max_missing < len(items):
            raise r.fail("missing.max_missing", f"must be 1 to {len(items) - 1}")
    else:
        raise r.fail("missing.policy", f"must be 'refuse' or 'prorate', got '{policy}'")

    by_link = {item.link_id: item for item in items}
    subscales: tuple[tuple[str, tuple[str, ...]], ...] = ()
    score_subscale: str | None = None
    if rule == "subscale_sums":
        raw_subscales = r.get(scoring, "subscales", dict, "")
        if not raw_subscales:
            raise r.fail("subscales", "needs at least one subscale")
        parsed = []
        for name, link_ids in raw_subscales.items():
            r.check(link_ids, list, f"subscales.{name}")
            if not link_ids:
                raise r.fail(f"subscales.{name}", "needs at least one item")
            for link_id in link_ids:
                if link_id not in by_link:
                    raise r.fail(f"subscales.{name}", f"no item with linkId {show_value(link_id)}")
            parsed.append((name, tuple(link_ids)))
        subscales = tuple(parsed)
        score_subscale = r.get(scoring, "score_subscale", str, "")
        if score_subscale not in raw_subscales:
            raise r.fail("score_subscale", f"no subscale named '{score_subscale}'")
    elif "subscales" in scoring or "score_subscale" in scoring:
        raise r.fail("subscales", "only go with rule 'subscale_sums'")

    for item in items:
        if rule == "count_yes" and item.type != "boolean":
            raise r.fail("rule", f"count_yes needs boolean items; '{item.link_id}' is {item.type}")
        if rule in ("sum", "mean") and item.type == "boolean":
            raise r.fail("rule", f"{rule} needs numeric items; use count_yes for yes/no items")

    expected = _item_range(rule, items, by_link, dict(subscales).get(score_subscale or "", ()))
    if (score_min, score_max) != expected:
        raise r.fail(
            "range",
            f"the items give {json_number(expected[0])} to {json_number(expected[1])}, "
            f"not {json_number(score_min)} to {json_number(score_max)}",
        )

    meaningful: Threshold | None = None
    substantial: Threshold | None = None
    if "change" in scoring:
        change = r.get(scoring, "change", dict, "")
        r.only(change, ("meaningful", "substantial"), "change")
        meaningful = _parse_threshold(r, r.get(change, "meaningful", dict, "change"), "meaningful")
        if "substantial" in change:
            substantial = _parse_threshold(
                r, r.get(change, "substantial", dict, "change"), "substantial"
            )

    category_keys = {SCORE_KEY, *(name for name, _ in subscales)}
    categories = tuple(
        _parse_category(r, raw, f"categories[{i}]", category_keys)
        for i, raw in enumerate(r.check(scoring.get("categories", []), list, "categories"))
    )
    labels = {c.label for c in categories}
    responder_categories = tuple(
        r.check(label, str, "responder_categories")
        for label in r.check(scoring.get("responder_categories", []), list, "responder_categories")
    )
    for label in responder_categories:
        if label not in labels:
            raise r.fail("responder_categories", f"no category labelled '{label}'")

    wording = r.check(scoring.get("wording", {}), dict, "wording")
    r.only(wording, ("subject", "unit"), "wording")
    subject = r.check(wording.get("subject", f"Your {title} score"), str, "wording.subject")
    default_unit = "percent" if meaningful is not None and meaningful.percent else "points"
    unit = r.check(wording.get("unit", default_unit), str, "wording.unit")
    if unit not in ("percent", "points"):
        raise r.fail("wording.unit", f"must be 'percent' or 'points', got '{unit}'")

    score_code = scoring.get("score_code")
    if score_code is not None:
        r.check(score_code, dict, "score_code")
        r.get(score_code, "system", str, "score_code")
        r.get(score_code, "code", str, "score_code")

    return Instrument(
        id=stem,
        title=title,
        items=items,
        rule=cast(Rule, rule),
        direction=cast(Direction, direction),
        score_min=score_min,
        score_max=score_max,
        decimals=decimals,
        missing_policy=cast(MissingPolicy, policy),
        max_missing=max_missing,
        meaningful=meaningful,
        substantial=substantial,
        subscales=subscales,
        score_subscale=score_subscale,
        categories=categories,
        responder_categories=responder_categories,
        subject=subject,
        sentence_unit=cast(SentenceUnit, unit),
        default_enabled=r.check(scoring.get("default_enabled", True), bool, "default_enabled"),
        source=source,
        score_code=MappingProxyType(score_code) if score_code is not None else None,
        questionnaire=MappingProxyType(questionnaire),
    )


def _parse_questionnaire(
    stem: str, doc: dict[str, Any], r: _Reader
) -> tuple[tuple[Item, ...], str]:
    if doc.get("resourceType") != "Questionnaire":
        raise r.fail("resourceType", "must be 'Questionnaire'")
    if r.get(doc, "id", str, "") != stem:
        raise r.fail("id", f"must be '{stem}', the file name")
    for key in ("url", "name", "title"):
        r.get(doc, key, str, "")
    if r.get(doc, "status", str, "") not in QUESTIONNAIRE_STATUSES:
        raise r.fail("status", f"must be one of {', '.join(QUESTIONNAIRE_STATUSES)}")
    items: list[Item] = []
    seen: set[str] = set()
    _collect_items(r, r.get(doc, "item", list, ""), "item", items, seen)
    if not items:
        raise r.fail("item", "has no answerable items")
    return tuple(items), str(doc["title"])


def _collect_items(
    r: _Reader, raw_items: list[Any], where: str, out: list[Item], seen: set[str]
) -> None:
    for i, raw in enumerate(raw_items):
        here = f"{where}[{i}]"
        r.check(raw, dict, here)
        link_id = r.get(raw, "linkId", str, here)
        if link_id in seen:
            raise r.fail(here, f"linkId '{link_id}' is used twice")
        seen.add(link_id)
        kind = r.get(raw, "type", str, here)
        if kind == "group":
            _collect_items(r, r.get(raw, "item", list, here), f"{here}.item", out, seen)
            continue
        if kind == "display":
            continue
        text = r.get(raw, "text", str, here)
        required = r.check(raw.get("required", False), bool, f"{here}.required")
        options: tuple[Option, ...] = ()
        if kind in ("integer", "decimal"):
            extensions = {
                ext.get("url"): ext
                for ext in r.check(raw.get("extension", []), list, f"{here}.extension")
                if isinstance(ext, dict)
            }
            bounds = []
            for url, name in ((MIN_VALUE_URL, "minValue"), (MAX_VALUE_URL, "maxValue")):
                if url not in extensions:
                    raise r.fail(here, f"a {kind} item needs the {name} extension")
                ext = extensions[url]
                value = ext.get("valueInteger", ext.get("valueDecimal"))
                bounds.append(r.check(value, Fraction, f"{here} {name}"))
            minimum, maximum = bounds
        elif kind == "choice":
            options = tuple(
                _parse_option(r, raw_option, f"{here}.answerOption[{j}]")
                for j, raw_option in enumerate(r.get(raw, "answerOption", list, here))
            )
            if not options:
                raise r.fail(here, "a choice item needs answerOption")
            minimum = min(o.value for o in options)
            maximum = max(o.value for o in options)
        elif kind == "boolean":
            minimum, maximum = Fraction(0), Fraction(1)
        else:
            raise r.fail(f"{here}.type", f"'{kind}' cannot be scored")
        if minimum >= maximum:
            raise r.fail(here, "minValue must be below maxValue")
        out.append(
            Item(
                link_id=link_id,
                text=text,
                type=cast(ItemType, kind),
                required=required,
                minimum=minimum,
                maximum=maximum,
                options=options,
            )
        )


def _parse_option(r: _Reader, raw: Any, where: str) -> Option:
    r.check(raw, dict, where)
    if "valueInteger" in raw:
        value = r.check(raw["valueInteger"], int, f"{where}.valueInteger")
        return Option(code=str(value), display=str(value), value=Fraction(value))
    coding = r.get(raw, "valueCoding", dict, where)
    code = r.get(coding, "code", str, f"{where}.valueCoding")
    ordinal = [
        ext
        for ext in r.check(raw.get("extension", []), list, f"{where}.extension")
        if isinstance(ext, dict) and ext.get("url") == ORDINAL_VALUE_URL
    ]
    if not ordinal:
        raise r.fail(where, "a coded option needs the ordinalValue extension (its score)")
    value = ordinal[0].get("valueDecimal", ordinal[0].get("valueInteger"))
    return Option(
        code=code,
        display=str(coding.get("display", code)),
        value=r.check(value, Fraction, f"{where} ordinalValue"),
    )


def _parse_threshold(r: _Reader, raw: dict[str, Any], where: str) -> Threshold:
    r.only(raw, ("points", "percent"), f"change.{where}")
    points = percent = None
    if "points" in raw:
        points = r.get(raw, "points", Fraction, f"change.{where}")
    if "percent" in raw:
        percent = r.get(raw, "percent", Fraction, f"change.{where}")
    if points is None and percent is None:
        raise r.fail(f"change.{where}", "needs 'points' or 'percent'")
    if (points is not None and points <= 0) or (percent is not None and percent <= 0):
        raise r.fail(f"change.{where}", "thresholds must be above 0")
    return Threshold(points=points, percent=percent)


def _parse_category(r: _Reader, raw: Any, where: str, keys: set[str]) -> Category:
    r.check(raw, dict, where)
    r.only(raw, ("label", "at_least", "at_most"), where)
    bounds: list[tuple[tuple[str, Fraction], ...]] = []
    for side in ("at_least", "at_most"):
        side_bounds = r.check(raw.get(side, {}), dict, f"{where}.{side}")
        for key in side_bounds:
            if key not in keys:
                raise r.fail(f"{where}.{side}", f"'{key}' is not the score or a subscale")
        bounds.append(
            tuple(
                (key, r.get(side_bounds, key, Fraction, f"{where}.{side}")) for key in side_bounds
            )
        )
    return Category(label=r.get(raw, "label", str, where), at_least=bounds[0], at_most=bounds[1])


def _item_range(
    rule: str, items: Sequence[Item], by_link: Mapping[str, Item], score_items: Sequence[str]
) -> tuple[Fraction, Fraction]:
    """The score range the items allow when every item is answered."""
    if rule == "mean":
        return min(i.minimum for i in items), max(i.maximum for i in items)
    chosen = [by_link[link] for link in score_items] if rule == "subscale_sums" else items
    return sum((i.minimum for i in chosen), Fraction(0)), sum(
        (i.maximum for i in chosen), Fraction(0)
    )


# --- numbers ------------------------------------------------------------------------------


def exact_fraction(value: int | float) -> Fraction:
    """Exact value of a number as written: 6.33 is 633/100, not the nearest binary float."""
    return Fraction(value) if isinstance(value, int) else Fraction(repr(value))


def json_number(value: Fraction) -> float:
    """``int`` when whole (JSON ``6``), else the nearest ``float`` (JSON ``6.33``)."""
    return int(value) if value.denominator == 1 else float(value)


def _optional_number(value: Fraction | None) -> float | None:
    return None if value is None else json_number(value)


def show_value(value: object) -> str:
    """A value as the user wrote it (JSON), kept short enough for a one-line error."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
