"""The program templates a therapist starts from (SPEC §2 step 3), read from ``templates.json``
next to this module. Pure: no Django, no clock.

To add a template, add an entry to ``templates.json``; :func:`read_templates` checks it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from backcare.lib.techniques import TECHNIQUES

MIN_GOALS, MAX_GOALS = 3, 5
"""PSFS asks for three to five activities (Stratford 1995)."""


class TemplateError(ValueError):
    """``templates.json`` does not describe valid templates."""


@dataclass(frozen=True)
class ProgramTemplate:
    key: str
    title: str
    description: str
    source: str
    duration_minutes: int
    sessions: int
    sessions_per_week: int
    reassessment_sessions: tuple[int, ...]
    techniques: tuple[str, ...]
    goal_suggestions: tuple[str, ...]
    self_care: str
    self_care_source: str

    @property
    def weeks(self) -> int:
        return -(-self.sessions // self.sessions_per_week)


@dataclass(frozen=True)
class Templates:
    version: str
    templates: tuple[ProgramTemplate, ...]

    def get(self, key: str) -> ProgramTemplate:
        for template in self.templates:
            if template.key == key:
                return template
        raise KeyError(key)

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(template.key, template.title) for template in self.templates]


_FIELDS = (
    "key",
    "title",
    "description",
    "source",
    "duration_minutes",
    "sessions",
    "sessions_per_week",
    "reassessment_sessions",
    "techniques",
    "goal_suggestions",
    "self_care",
    "self_care_source",
)


def _text(entry: Mapping[str, Any], name: str, where: str) -> str:
    value = entry[name]
    if not isinstance(value, str) or not value.strip():
        raise TemplateError(f"{where}.{name}: must be non-empty text")
    return value


def _whole(entry: Mapping[str, Any], name: str, where: str, low: int, high: int) -> int:
    value: object = entry[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise TemplateError(f"{where}.{name}: must be a whole number from {low} to {high}")
    return value


def _template(entry: object, where: str) -> ProgramTemplate:
    if not isinstance(entry, dict):
        raise TemplateError(f"{where}: must be an object")
    missing = [name for name in _FIELDS if name not in entry]
    if missing:
        raise TemplateError(f"{where}.{missing[0]}: missing")
    unknown = sorted(set(entry) - set(_FIELDS))
    if unknown:
        raise TemplateError(f"{where}.{unknown[0]}: unknown field")
    sessions = _whole(entry, "sessions", where, 1, 52)
    per_week = _whole(entry, "sessions_per_week", where, 1, 2)
    points = entry["reassessment_sessions"]
    if (
        not isinstance(points, list)
        or not points
        or any(
            isinstance(p, bool) or not isinstance(p, int) or not 1 <= p <= sessions for p in points
        )
        or points != sorted(set(points))
        or points[-1] != sessions
    ):
        raise TemplateError(
            f"{where}.reassessment_sessions: increasing session numbers ending with the last"
        )
    techniques = entry["techniques"]
    if not isinstance(techniques, list) or not techniques or set(techniques) - set(TECHNIQUES):
        raise TemplateError(f"{where}.techniques: must be known technique codes")
    goals = entry["goal_suggestions"]
    if (
        not isinstance(goals, list)
        or not MIN_GOALS <= len(goals) <= MAX_GOALS
        or not all(isinstance(goal, str) and goal.strip() for goal in goals)
    ):
        raise TemplateError(
            f"{where}.goal_suggestions: must be {MIN_GOALS} to {MAX_GOALS} activities"
        )
    return ProgramTemplate(
        key=_text(entry, "key", where),
        title=_text(entry, "title", where),
        description=_text(entry, "description", where),
        source=_text(entry, "source", where),
        duration_minutes=_whole(entry, "duration_minutes", where, 15, 480),
        sessions=sessions,
        sessions_per_week=per_week,
        reassessment_sessions=tuple(points),
        techniques=tuple(code for code in TECHNIQUES if code in techniques),
        goal_suggestions=tuple(goals),
        self_care=_text(entry, "self_care", where),
        self_care_source=_text(entry, "self_care_source", where),
    )


def read_templates(data: object) -> Templates:
    """Build and check templates from decoded ``templates.json`` content."""
    if not isinstance(data, dict) or not isinstance(data.get("templates"), list):
        raise TemplateError("templates: must be a list")
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise TemplateError("version: must be non-empty text")
    templates = tuple(
        _template(entry, f"templates[{index}]") for index, entry in enumerate(data["templates"])
    )
    if not templates:
        raise TemplateError("templates: at least one template")
    keys = [template.key for template in templates]
    if len(set(keys)) != len(keys):
        raise TemplateError("templates: keys must be unique")
    return Templates(version=version, templates=templates)


@cache
def load_templates() -> Templates:
    """The packaged templates (``backcare/care/templates.json``), read once."""
    text = resources.files("backcare.care").joinpath("templates.json").read_text("utf-8")
    return read_templates(json.loads(text))
