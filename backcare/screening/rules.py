"""Safety screening (SPEC §3): one intake in, one decision, per-technique verdicts and reasons out.

The clinical rules are data, in ``rules.json`` next to this module, each entry citing its source.
This module only loads and evaluates them. It is pure: no Django, no clock, no I/O beyond
reading the packaged rule file once, so the same call serves the portal, the check-in tablet,
the REST API and ``backcare screen``.

Combining fired rules (SPEC §3):

* decision: the most severe fired rule decides (``urgent_referral`` >
  ``medical_clearance_required`` > ``cleared_with_precautions`` > ``cleared``);
* technique verdicts: the strictest fired rule wins (``avoid`` > ``modify`` > ``ok``);
* pressure cap: the lowest fired cap;
* positioning: ``side_lying`` if any fired rule demands it.

Every one of these only ever gets stricter as rules are added, so reporting one more "yes" on an
intake can never make a screening more permissive. The tests hold us to that with a property.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from types import MappingProxyType
from typing import Any, Literal, TypeAlias, cast

from backcare.lib.errors import FieldError

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
MIN_NRS, MAX_NRS = 0, 10
MIN_PRESSURE, MAX_PRESSURE = 1, 5

_INTAKE_KEYS = ("age", "pain", "codes")
_PAIN_KEYS = ("nrs_now", "duration_weeks")
_THRESHOLD_FIELDS: tuple[ThresholdField, ...] = ("age", "pain.nrs_now", "pain.duration_weeks")
_COMPARISONS: tuple[Comparison, ...] = ("<", "<=", ">=", ">")


def decision_severity(decision: Decision) -> int:
    """Higher is more severe: ``cleared`` is 0, ``urgent_referral`` is 3."""
    return len(DECISIONS) - 1 - DECISIONS.index(decision)


def verdict_strictness(verdict: Verdict) -> int:
    """Higher is stricter: ``ok`` is 0, ``avoid`` is 2."""
    return len(VERDICTS) - 1 - VERDICTS.index(verdict)


# --------------------------------------------------------------------------- intake


class IntakeError(FieldError):
    """An intake the screening refuses. ``str()`` is one line: ``"<field>: <message>"``."""


@dataclass(frozen=True)
class Intake:
    """The part of an intake the screening reads. ``codes`` are the questions answered "yes"."""

    age: int
    nrs_now: int
    duration_weeks: float
    codes: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # Callers that build an Intake from stored data get the same refusals as parse_intake.
        _check_whole_number(self.age, "age", MIN_AGE, MAX_AGE)
        _check_whole_number(self.nrs_now, "pain.nrs_now", MIN_NRS, MAX_NRS)
        _check_weeks(self.duration_weeks, "pain.duration_weeks")
        if not isinstance(self.codes, frozenset) or not all(
            isinstance(code, str) for code in self.codes
        ):
            raise IntakeError("codes", "must be a set of intake codes")


def _is_whole_number(value: object) -> bool:
    # bool is a subclass of int; true/false is never an answer to "how old are you?".
    return isinstance(value, int) and not isinstance(value, bool)


def _check_whole_number(value: object, field: str, low: int, high: int) -> int:
    if not _is_whole_number(value) or not low <= cast(int, value) <= high:
        raise IntakeError(field, f"must be a whole number from {low} to {high}")
    return cast(int, value)


def _check_weeks(value: object, field: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        raise IntakeError(field, "must be a number of weeks, 0 or more")
    return value


def _field_name(key: object) -> str:
    """A key as a field name that is safe to print on one line."""
    if isinstance(key, str) and key.isidentifier():
        return key
    return json.dumps(key) if isinstance(key, str) else repr(key)


def _refuse_unknown_keys(data: Mapping[Any, object], known: tuple[str, ...], prefix: str) -> None:
    unknown = [key for key in data if key not in known]
    if unknown:
        first = sorted(unknown, key=str)[0]
        raise IntakeError(
            f"{prefix}{_field_name(first)}", f"unknown field; expected {', '.join(known)}"
        )


def parse_intake(data: object, rules: RuleSet | None = None) -> Intake:
    """Validate decoded JSON (``{"age", "pain": {"nrs_now", "duration_weeks"}, "codes"}``).

    Raises ``IntakeError`` naming the first field at fault. ``codes`` may be left out (no "yes"
    answers); every code must be known to ``rules`` (the packaged rule set by default).
    """
    if rules is None:
        rules = load_rules()
    if not isinstance(data, Mapping):
        raise IntakeError("intake", "must be a JSON object with age, pain and codes")
    _refuse_unknown_keys(data, _INTAKE_KEYS, "")

    if "age" not in data:
        raise IntakeError("age", f"is required (a whole number from {MIN_AGE} to {MAX_AGE})")
    age = _check_whole_number(data["age"], "age", MIN_AGE, MAX_AGE)

    if "pain" not in data:
        raise IntakeError("pain", "is required (an object with nrs_now and duration_weeks)")
    pain = data["pain"]
    if not isinstance(pain, Mapping):
        raise IntakeError("pain", "must be an object with nrs_now and duration_weeks")
    _refuse_unknown_keys(pain, _PAIN_KEYS, "pain.")
    if "nrs_now" not in pain:
        raise IntakeError(
            "pain.nrs_now", f"is required (a whole number from {MIN_NRS} to {MAX_NRS})"
        )
    nrs_now = _check_whole_number(pain["nrs_now"], "pain.nrs_now", MIN_NRS, MAX_NRS)
    if "duration_weeks" not in pain:
        raise IntakeError("pain.duration_weeks", "is required (a number of weeks, 0 or more)")
    duration_weeks = _check_weeks(pain["duration_weeks"], "pain.duration_weeks")

    raw_codes = data.get("codes", [])
    if not isinstance(raw_codes, list):
        raise IntakeError("codes", "must be a list of intake codes")
    known_codes = rules.intake_codes
    for index, code in enumerate(raw_codes):
        if not isinstance(code, str):
            raise IntakeError(f"codes[{index}]", "must be a string")
        if code not in known_codes:
            raise IntakeError(f"codes[{index}]", f"unknown code {json.dumps(code)}")
    return Intake(
        age=age, nrs_now=nrs_now, duration_weeks=duration_weeks, codes=frozenset(raw_codes)
    )


# --------------------------------------------------------------------------- rule set


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

    def holds(self, intake: Intake) -> bool:
        actual: float = {
            "age": intake.age,
            "pain.nrs_now": intake.nrs_now,
            "pain.duration_weeks": intake.duration_weeks,
        }[self.field]
        if self.op == "<":
            return actual < self.value
        if self.op == "<=":
            return actual <= self.value
        if self.op == ">=":
            return actual >= self.value
        return actual > self.value


@dataclass(frozen=True)
class HasCode:
    """A derived-rule condition: the intake answers ``code`` with "yes"."""

    code: str

    def holds(self, intake: Intake) -> bool:
        return self.code in intake.codes


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

    def fires(self, intake: Intake) -> bool:
        if not self.when:
            return self.code in intake.codes
        return all(condition.holds(intake) for condition in self.when)


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
        if not _is_whole_number(min_age) or not MIN_AGE <= cast(int, min_age) <= MAX_AGE:
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
            decision=cast(Decision, decision),
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
                verdict=cast(Restriction, verdict),
                instruction=self._text(effect["instruction"], f"{where}.{technique}.instruction"),
            )
        return MappingProxyType(effects)

    def _max_pressure(self, value: object, where: str) -> int | None:
        if value is None:
            return None
        if not _is_whole_number(value) or not MIN_PRESSURE <= cast(int, value) <= MAX_PRESSURE:
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
                    field=cast(ThresholdField, entry["field"]),
                    op=cast(Comparison, entry["op"]),
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


# --------------------------------------------------------------------------- screening


@dataclass(frozen=True)
class Reason:
    """Why a screening came out as it did: one per fired rule."""

    code: str
    decision: Decision
    message: str
    client_message: str | None
    source: str

    def to_json(self) -> dict[str, str | None]:
        return {
            "code": self.code,
            "decision": self.decision,
            "message": self.message,
            "client_message": self.client_message,
            "source": self.source,
        }


@dataclass(frozen=True)
class Screening:
    decision: Decision
    techniques: Mapping[str, Verdict]
    """Every technique of the catalogue, in catalogue order."""
    max_pressure: int | None
    """The pressure cap (1-5), or None when no rule caps it."""
    positioning: Positioning
    reasons: tuple[Reason, ...]
    """One per fired rule, most severe first, then by code."""
    ruleset_version: str
    adult: bool
    """Whether the client is old enough to be treated at all (adults only)."""
    instructions: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Technique -> what to do, for every technique whose verdict is modify or avoid."""
    booking_message: str | None = None
    """For the client, when online booking is closed to them; otherwise None."""

    @property
    def can_book_online(self) -> bool:
        """Adults only, and nothing can be booked on an urgent referral (SPEC §3)."""
        return self.adult and self.decision != "urgent_referral"

    @property
    def allowed_techniques(self) -> tuple[str, ...]:
        """Techniques a program may plan (verdict ok or modify), in catalogue order."""
        return tuple(code for code, verdict in self.techniques.items() if verdict != "avoid")

    def to_json(self) -> dict[str, Any]:
        """Exactly the machine shape of SPEC §3 (CLI and REST API)."""
        return {
            "decision": self.decision,
            "techniques": dict(self.techniques),
            "max_pressure": self.max_pressure,
            "positioning": self.positioning,
            "reasons": [reason.to_json() for reason in self.reasons],
        }

    def to_record(self) -> dict[str, Any]:
        """Everything about this screening, to store and to read back with :meth:`from_record`."""
        return {
            **self.to_json(),
            "ruleset_version": self.ruleset_version,
            "adult": self.adult,
            "instructions": dict(self.instructions),
            "booking_message": self.booking_message,
        }

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> Screening:
        """A stored screening as it was, whatever the rules say today."""
        return cls(
            decision=data["decision"],
            techniques=MappingProxyType(dict(data["techniques"])),
            max_pressure=data["max_pressure"],
            positioning=data["positioning"],
            reasons=tuple(
                Reason(
                    code=reason["code"],
                    decision=reason["decision"],
                    message=reason["message"],
                    client_message=reason["client_message"],
                    source=reason["source"],
                )
                for reason in data["reasons"]
            ),
            ruleset_version=data["ruleset_version"],
            adult=data["adult"],
            instructions=MappingProxyType(dict(data["instructions"])),
            booking_message=data["booking_message"],
        )


def screen(intake: Intake, rules: RuleSet | None = None) -> Screening:
    """Screen one intake against ``rules`` (the packaged rule set by default)."""
    if rules is None:
        rules = load_rules()
    unknown = sorted(intake.codes - rules.intake_codes)
    if unknown:
        raise IntakeError("codes", f"unknown code {json.dumps(unknown[0])}")

    fired = sorted(
        (rule for rule in rules.rules if rule.fires(intake)),
        key=lambda rule: (-decision_severity(rule.decision), rule.code),
    )

    decision: Decision = "cleared"
    for rule in fired:
        if decision_severity(rule.decision) > decision_severity(decision):
            decision = rule.decision

    verdicts: dict[str, Verdict] = {}
    instructions: dict[str, str] = {}
    for technique in rules.techniques:
        effects = [rule.techniques[technique] for rule in fired if technique in rule.techniques]
        verdict: Verdict = "ok"
        for effect in effects:
            if verdict_strictness(effect.verdict) > verdict_strictness(verdict):
                verdict = effect.verdict
        verdicts[technique] = verdict
        if verdict != "ok":
            # The weaker restrictions are moot once a stricter one applies; keep the ones that do.
            winning = [effect.instruction for effect in effects if effect.verdict == verdict]
            instructions[technique] = " ".join(dict.fromkeys(winning))

    caps = [rule.max_pressure for rule in fired if rule.max_pressure is not None]
    positioning: Positioning = (
        "side_lying" if any(rule.positioning == "side_lying" for rule in fired) else "any"
    )
    adult = intake.age >= rules.booking.min_age
    booking_message = None
    if not adult:
        booking_message = rules.booking.minor_client_message
    elif decision == "urgent_referral":
        booking_message = rules.booking.urgent_client_message

    return Screening(
        decision=decision,
        techniques=MappingProxyType(verdicts),
        max_pressure=min(caps) if caps else None,
        positioning=positioning,
        reasons=tuple(
            Reason(
                code=rule.code,
                decision=rule.decision,
                message=rule.message,
                client_message=rule.client_message,
                source=rule.source,
            )
            for rule in fired
        ),
        ruleset_version=rules.version,
        adult=adult,
        instructions=MappingProxyType(instructions),
        booking_message=booking_message,
    )
