"""The technique catalogue for clients and staff (SPEC §3), read from ``techniques.json`` next
to this module. What restricts each technique is derived from the screening rules
(``backcare/screening/rules.json``), never written down twice. Pure: no Django, no clock."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from backcare.lib.techniques import TECHNIQUES
from backcare.screening.ruleset import RuleSet, load_rules

MIN_PRESSURE, MAX_PRESSURE = 1, 5


class CatalogueError(ValueError):
    """``techniques.json`` does not describe the technique catalogue."""


@dataclass(frozen=True)
class Restriction:
    """A screening code that restricts a technique: ``avoid`` or ``modify`` with what to do."""

    code: str
    verdict: str
    instruction: str
    source: str


@dataclass(frozen=True)
class Technique:
    code: str
    name: str
    summary: str
    purpose: str
    pressure: tuple[int, int]
    source: str
    restrictions: tuple[Restriction, ...]

    @property
    def avoided_with(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.restrictions if r.verdict == "avoid")

    @property
    def modified_with(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.restrictions if r.verdict == "modify")


def restrictions(rules: RuleSet, technique: str) -> tuple[Restriction, ...]:
    """The rules that avoid or modify ``technique``, avoid first, then by code."""
    found = [
        Restriction(
            code=rule.code,
            verdict=rule.techniques[technique].verdict,
            instruction=rule.techniques[technique].instruction,
            source=rule.source,
        )
        for rule in rules.rules
        if technique in rule.techniques
    ]
    return tuple(sorted(found, key=lambda r: (r.verdict != "avoid", r.code)))


def read_catalogue(data: object, rules: RuleSet) -> tuple[Technique, ...]:
    """Build and check the catalogue: every technique of the rules exactly once."""
    if not isinstance(data, dict) or not isinstance(data.get("techniques"), list):
        raise CatalogueError("techniques: must be a list")
    entries: dict[str, Technique] = {}
    for index, entry in enumerate(data["techniques"]):
        where = f"techniques[{index}]"
        if not isinstance(entry, dict):
            raise CatalogueError(f"{where}: must be an object")
        code = entry.get("code")
        if code not in rules.techniques or code not in TECHNIQUES:
            raise CatalogueError(f"{where}.code: unknown technique {code!r}")
        if code in entries:
            raise CatalogueError(f"{where}.code: {code!r} twice")
        for name in ("summary", "purpose", "source"):
            if not isinstance(entry.get(name), str) or not entry[name].strip():
                raise CatalogueError(f"{where}.{name}: must be non-empty text")
        pressure = entry.get("pressure")
        if (
            not isinstance(pressure, list)
            or len(pressure) != 2
            or not all(isinstance(p, int) and not isinstance(p, bool) for p in pressure)
            or not MIN_PRESSURE <= pressure[0] <= pressure[1] <= MAX_PRESSURE
        ):
            raise CatalogueError(f"{where}.pressure: a range [low, high] within 1 to 5")
        entries[code] = Technique(
            code=code,
            name=TECHNIQUES[code],
            summary=entry["summary"],
            purpose=entry["purpose"],
            pressure=(pressure[0], pressure[1]),
            source=entry["source"],
            restrictions=restrictions(rules, code),
        )
    missing = [code for code in rules.techniques if code not in entries]
    if missing:
        raise CatalogueError(f"techniques: {missing[0]!r} is missing")
    return tuple(entries[code] for code in rules.techniques)


@cache
def load_catalogue() -> tuple[Technique, ...]:
    """The packaged catalogue, with restrictions from the packaged rules, read once."""
    text = resources.files("backcare.care").joinpath("techniques.json").read_text("utf-8")
    return read_catalogue(json.loads(text), load_rules())


def technique(code: str) -> Technique:
    for entry in load_catalogue():
        if entry.code == code:
            return entry
    raise KeyError(code)
