"""Safety screening (SPEC §3): one intake in, one decision, per-technique verdicts and reasons out.

The clinical rules are data, in ``rules.json``, read and checked by ``ruleset.py`` next to this
module; this module evaluates them. It is pure: no Django, no clock, no I/O of its own (the
packaged rule set is read once by ``ruleset.load_rules``), so the same call serves the portal,
the check-in tablet, the REST API and ``backcare screen``.

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
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, cast

from backcare.lib.errors import FieldError
from backcare.screening.ruleset import (
    DECISIONS,
    MAX_AGE,
    MIN_AGE,
    VERDICTS,
    Condition,
    Decision,
    HasCode,
    Positioning,
    Rule,
    RuleSet,
    Verdict,
    is_whole_number,
    load_rules,
)

MIN_NRS, MAX_NRS = 0, 10

_INTAKE_KEYS = ("age", "pain", "codes")
_PAIN_KEYS = ("nrs_now", "duration_weeks")


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


def _check_whole_number(value: object, field: str, low: int, high: int) -> int:
    if not is_whole_number(value) or not low <= cast(int, value) <= high:
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


def _holds(condition: Condition, intake: Intake) -> bool:
    if isinstance(condition, HasCode):
        return condition.code in intake.codes
    actual: float = {
        "age": intake.age,
        "pain.nrs_now": intake.nrs_now,
        "pain.duration_weeks": intake.duration_weeks,
    }[condition.field]
    if condition.op == "<":
        return actual < condition.value
    if condition.op == "<=":
        return actual <= condition.value
    if condition.op == ">=":
        return actual >= condition.value
    return actual > condition.value


def _fires(rule: Rule, intake: Intake) -> bool:
    """A plain rule fires on its own code; a derived rule when all its conditions hold."""
    if not rule.when:
        return rule.code in intake.codes
    return all(_holds(condition, intake) for condition in rule.when)


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
        (rule for rule in rules.rules if _fires(rule, intake)),
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
