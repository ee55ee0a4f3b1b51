"""The safety rule table (SPEC §3): reading ``rules.json`` and refusing anything it does not say.

The clinical rules are data, in ``rules.json`` next to this module, each entry citing its source.
This module says what a rule set is (its rules, their conditions and effects, the booking policy)
and reads and checks the rule file: a typo such as ``"max_presure"`` stops the program at start-up
instead of silently dropping a precaution. Evaluating the rules against an intake is
``backcare.screening.rules``. Pure: no Django, no clock, no I/O beyond reading the packaged rule
file once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from types import MappingProxyType
from typing import Literal, TypeAlias, cast

Decision: TypeAlias = Literal[
    "urgent_referral", "medical_clearance_required", "cleared_with_precautions", "cleared"
]
Verdict: TypeAlias = Literal["ok", "modify", "avoid"]
Restriction: TypeAlias = Literal["modify", "avoid"]
Positioning: TypeAlias = Literal["any", "side_lying"]
ThresholdField: TypeAlias = Literal["age", "pain.nrs_now", "pain.duration_weeks"]
Comparison: TypeAlias = Literal["<", "<=", ">=", ">"]

DECISIONS: tuple[Decision, ...] = (
    "urgent_referral",
    "medical_clearance_required",
    "cleared_with_precautions",
    "cleared",
)
"""Every decision, most severe first."""

VERDICTS: tuple[Verdict, ...] = ("avoid", "modify", "ok")
"""Every technique verdict, strictest first."""

MIN_AGE, MAX_AGE = 0, 120
MIN_PRESSURE, MAX_PRESSURE = 1, 5

_THRESHOLD_FIELDS: tuple[ThresholdField, ...] = ("age", "pain.nrs_now", "pain.duration_weeks")
_COMPARISONS: tuple[Comparison, ...] = ("<", "<=", ">=", ">")


def is_whole_number(value: object) -> bool:
    # bool is a subclass of int; true/false is never an answer to "how old are you?".
    return isinstance(value, int) and not isinstance(value, bool)


class RuleSetError(ValueError):
    """``rules.json`` (or a rule set given in a test) does not describe a valid rule set."""


@dataclass(frozen=True)
class TechniqueEffect:
    verdict: Restriction
    instruction: str


@dataclass(frozen=True)
class Threshold:
    """A derived-rule condition on a number of the intake, e.g. ``age >= 50``."""

    field: ThresholdField
    op: Comparison
    value: float


@dataclass(frozen=True)
class HasCode:
    """A derived-rule condition: the intake answers ``code`` with "yes"."""

    code: str


Condition: TypeAlias = Threshold | HasCode


@dataclass(frozen=True)
class Rule:
    """One entry of ``rules.json``.

    A rule without conditions fires when its ``code`` is among the intake codes. A derived rule
    (``when`` not empty) fires when all its conditions hold; its code is not an intake code.
    """

    code: str
    decision: Decision
    techniques: Mapping[str, TechniqueEffect]
    message: str
    client_message: str | None
    source: str
    max_pressure: int | None = None
    positioning: Positioning | None = None
    when: tuple[Condition, ...] = ()

    @property
    def derived(self) -> bool:
        return bool(self.when)


@dataclass(frozen=True)
class BookingPolicy:
    min_age: int
    minor_client_message: str
    urgent_client_message: str
    source: str


@dataclass(frozen=True)
class RuleSet:
    version: str
    techniques: tuple[str, ...]
    rules: tuple[Rule, ...]
    informational_codes: frozenset[str]
    """Valid intake codes that fire nothing on their own (read by derived rules)."""
    booking: BookingPolicy

    @cached_property
    def intake_codes(self) -> frozenset[str]:
        """Every code an intake may carry."""
        return _intake_codes(self.rules, self.informational_codes)

    def rule(self, code: str) -> Rule:
        for rule in self.rules:
            if rule.code == code:
                return rule
        raise KeyError(code)

    @classmethod
    def from_json(cls, data: object) -> RuleSet:
        """Build and check a rule set from decoded ``rules.json`` content."""
        return _RuleSetReader().read(data)


def _intake_codes(rules: Iterable[Rule], informational: frozenset[str]) -> frozenset[str]:
    return frozenset(rule.code for rule in rules if not rule.derived) | informational


@cache
def load_rules() -> RuleSet:
    """The packaged rule set (``backcare/screening/rules.json``), read once."""
    text = resources.files("backcare.screening").joinpath("rules.json").read_text(encoding="utf-8")
    return RuleSet.from_json(json.loads(text))


class _RuleSetReader:
    """Turns decoded JSON into a RuleSet, refusing anything it does not understand.

    The rule file is clinical data edited by people; a typo such as ``"max_presure"`` must stop
    the program at start-up, not silently drop a precaution.
    """

    def read(self, data: object) -> RuleSet:
        top = self._object(data, "rules.json")
        self._keys(
            top, "rules.json", {"version", "techniques", "informational_codes", "booking", "rules"}
        )
        version = self._text(top.get("version"), "version")
        techniques = self._techniques(top.get("techniques"))
        informational = self._informational(top.get("informational_codes"))
        booking = self._booking(top.get("booking"))
        raw_rules = top.get("rules")
        if not isinstance(raw_rules, list) or not raw_rules:
            raise RuleSetError("rules: must be a non-empty list")
        rules = tuple(
            self._rule(raw, f"rules[{index}]", techniques) for index, raw in enumerate(raw_rules)
        )
        self._check_codes(rules, informational)
        return RuleSet(
            version=version,
            techniques=techniques,
            rules=rules,
            informational_codes=informational,
            booking=booking,
        )

    def _object(self, value: object, where: str) -> dict[str, object]:
        if not isinstance(value, dict):
            raise RuleSetError(f"{where}: must be an object")
        return cast(dict[str, object], value)

    def _keys(
        self,
        value: dict[str, object],
        where: str,
        allowed: set[str],
        required: set[str] | None = None,
    ) -> None:
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise RuleSetError(f"{where}: unknown key {unknown[0]!r}")
        missing = sorted((allowed if required is None else required) - set(value))
        if missing:
            raise RuleSetError(f"{where}: missing key {missing[0]!r}")

    def _text(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise RuleSetError(f"{where}: must be a non-empty string")
        return value

    def _techniques(self, value: object) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise RuleSetError("techniques: must be a non-empty list")
        codes = tuple(self._text(code, f"techniques[{i}]") for i, code in enumerate(value))
        if len(set(codes)) != len(codes):
            raise RuleSetError("techniques: duplicate technique code")
        return codes

    def _informational(self, value: object) -> frozenset[str]:
        if not isinstance(value, list):
            raise RuleSetError("informational_codes: must be a list")
        codes = set()
        for index, raw in enumerate(value):
            where = f"informational_codes[{index}]"
            entry = self._object(raw, where)
            self._keys(entry, where, {"code", "description"})
            codes.add(self._text(entry["code"], f"{where}.code"))
            self._text(entry["description"], f"{where}.description")
        return frozenset(codes)

    def _booking(self, value: object) -> BookingPolicy:
        entry = self._object(value, "booking")
        self._keys(
            entry,
            "booking",
            {"min_age", "minor_client_message", "urgent_client_message", "source"},
        )
        min_age = entry["min_age"]
        if not is_whole_number(min_age) or not MIN_AGE <= cast(int, min_age) <= MAX_AGE:
            raise RuleSetError("booking.min_age: must be a whole number of years")
        return BookingPolicy(
            min_age=cast(int, min_age),
            minor_client_message=self._text(
                entry["minor_client_message"], "booking.minor_client_message"
            ),
            urgent_client_message=self._text(
                entry["urgent_client_message"], "booking.urgent_client_message"
            ),
            source=self._text(entry["source"], "booking.source"),
        )

    def _rule(self, value: object, where: str, catalogue: tuple[str, ...]) -> Rule:
        entry = self._object(value, where)
        self._keys(
            entry,
            where,
            allowed={
                "code",
                "decision",
                "techniques",
                "max_pressure",
                "positioning",
                "when",
                "message",
                "client_message",
                "source",
            },
            required={"code", "decision", "techniques", "message", "client_message", "source"},
        )
        decision = entry["decision"]
        if decision not in DECISIONS:
            raise RuleSetError(f"{where}.decision: must be one of {', '.join(DECISIONS)}")
        client_message = entry["client_message"]
        if client_message is not None:
            client_message = self._text(client_message, f"{where}.client_message")
        return Rule(
            code=self._text(entry["code"], f"{where}.code"),
            decision=decision,
            techniques=self._effects(entry["techniques"], f"{where}.techniques", catalogue),
            message=self._text(entry["message"], f"{where}.message"),
            client_message=client_message,
            source=self._text(entry["source"], f"{where}.source"),
            max_pressure=self._max_pressure(entry.get("max_pressure"), f"{where}.max_pressure"),
            positioning=self._positioning(entry.get("positioning"), f"{where}.positioning"),
            when=self._conditions(entry.get("when"), f"{where}.when"),
        )

    def _effects(
        self, value: object, where: str, catalogue: tuple[str, ...]
    ) -> Mapping[str, TechniqueEffect]:
        effects: dict[str, TechniqueEffect] = {}
        for technique, raw in self._object(value, where).items():
            if technique not in catalogue:
                raise RuleSetError(f"{where}: unknown technique {technique!r}")
            effect = self._object(raw, f"{where}.{technique}")
            self._keys(effect, f"{where}.{technique}", {"verdict", "instruction"})
            verdict = effect["verdict"]
            if verdict not in ("modify", "avoid"):
                raise RuleSetError(f"{where}.{technique}.verdict: must be 'modify' or 'avoid'")
            effects[technique] = TechniqueEffect(
                verdict=verdict,
                instruction=self._text(effect["instruction"], f"{where}.{technique}.instruction"),
            )
        return MappingProxyType(effects)

    def _max_pressure(self, value: object, where: str) -> int | None:
        if value is None:
            return None
        if not is_whole_number(value) or not MIN_PRESSURE <= cast(int, value) <= MAX_PRESSURE:
            raise RuleSetError(f"{where}: must be a whole number from 1 to 5")
        return cast(int, value)

    def _positioning(self, value: object, where: str) -> Positioning | None:
        if value is None:
            return None
        if value != "side_lying":
            raise RuleSetError(f"{where}: must be 'side_lying' when given")
        return "side_lying"

    def _conditions(self, value: object, where: str) -> tuple[Condition, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not value:
            raise RuleSetError(f"{where}: must be a non-empty list of conditions")
        conditions: list[Condition] = []
        for index, raw in enumerate(value):
            at = f"{where}[{index}]"
            entry = self._object(raw, at)
            if set(entry) == {"code"}:
                conditions.append(HasCode(self._text(entry["code"], f"{at}.code")))
                continue
            self._keys(entry, at, {"field", "op", "value"})
            if entry["field"] not in _THRESHOLD_FIELDS:
                raise RuleSetError(f"{at}.field: must be one of {', '.join(_THRESHOLD_FIELDS)}")
            if entry["op"] not in _COMPARISONS:
                raise RuleSetError(f"{at}.op: must be one of {' '.join(_COMPARISONS)}")
            number = entry["value"]
            if isinstance(number, bool) or not isinstance(number, int | float):
                raise RuleSetError(f"{at}.value: must be a number")
            conditions.append(
                Threshold(
                    field=entry["field"],
                    op=entry["op"],
                    value=number,
                )
            )
        return tuple(conditions)

    def _check_codes(self, rules: tuple[Rule, ...], informational: frozenset[str]) -> None:
        seen: set[str] = set()
        for rule in rules:
            if rule.code in seen:
                raise RuleSetError(f"rules: duplicate code {rule.code!r}")
            seen.add(rule.code)
        if seen & informational:
            clash = sorted(seen & informational)[0]
            raise RuleSetError(f"informational_codes: {clash!r} is also a rule code")
        intake_codes = _intake_codes(rules, informational)
        for rule in rules:
            for condition in rule.when:
                if isinstance(condition, HasCode) and condition.code not in intake_codes:
                    raise RuleSetError(
                        f"rules: {rule.code!r} reads unknown intake code {condition.code!r}"
                    )
