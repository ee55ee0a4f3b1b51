"""The intake questionnaire as data, and what its answers mean for screening (SPEC §2 step 1).

No Django here: the questions live in ``questionnaire.json``; this module reads them, and turns
a set of answers into the screening input of SPEC §3 (``{"age", "pain", "codes"}``). Answers are
a flat mapping from question id to the cleaned value: ``"yes"``/``"no"``, an int, a list of
body-chart region codes, a list of ``{"activity", "score"}`` goals, or a bool for a consent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Literal

Kind = Literal["yes_no", "scale", "number", "choice", "text", "body_chart", "activities", "consent"]
KINDS: frozenset[str] = frozenset(
    ("yes_no", "scale", "number", "choice", "text", "body_chart", "activities", "consent")
)


@dataclass(frozen=True)
class Question:
    id: str
    kind: Kind
    label: str
    help: str = ""
    required: bool = True
    code: str | None = None
    """The screening code a "yes" answer adds."""
    code_if_no: str | None = None
    """The screening code a "no" answer adds (``never_seen_doctor``)."""
    only_if_yes: str | None = None
    """This question only applies when that yes/no question was answered yes."""
    minimum: int = 0
    maximum: int = 10
    choices: tuple[tuple[str, str], ...] = ()
    min_items: int = 0
    max_items: int = 0
    consent: str | None = None
    item: str | None = None
    """``instrument/linkId`` when the question is an outcome instrument's item."""


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    intro: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Questionnaire:
    version: str
    source: str
    steps: tuple[Step, ...]

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def next_step(self, step_id: str) -> Step | None:
        ids = [step.id for step in self.steps]
        index = ids.index(step_id) + 1
        return self.steps[index] if index < len(ids) else None

    def previous_step(self, step_id: str) -> Step | None:
        ids = [step.id for step in self.steps]
        index = ids.index(step_id) - 1
        return self.steps[index] if index >= 0 else None

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(question for step in self.steps for question in step.questions)

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    @property
    def codes(self) -> frozenset[str]:
        """Every screening code some answer can add."""
        return frozenset(
            code
            for question in self.questions
            for code in (question.code, question.code_if_no)
            if code
        )


def _question(raw: Mapping[str, Any]) -> Question:
    kind = raw["kind"]
    if kind not in KINDS:
        raise ValueError(f"question {raw['id']}: unknown kind {kind!r}")
    return Question(
        id=raw["id"],
        kind=kind,
        label=raw["label"],
        help=raw.get("help", ""),
        required=raw.get("required", True),
        code=raw.get("code"),
        code_if_no=raw.get("code_if_no"),
        only_if_yes=raw.get("only_if_yes"),
        minimum=raw.get("min", 0),
        maximum=raw.get("max", 10),
        choices=tuple((value, label) for value, label in raw.get("choices", ())),
        min_items=raw.get("min_items", 0),
        max_items=raw.get("max_items", 0),
        consent=raw.get("consent"),
        item=raw.get("item"),
    )


def read_questionnaire(data: Mapping[str, Any]) -> Questionnaire:
    steps = tuple(
        Step(
            id=raw["id"],
            title=raw["title"],
            intro=raw.get("intro", ""),
            questions=tuple(_question(question) for question in raw["questions"]),
        )
        for raw in data["steps"]
    )
    ids = [question.id for step in steps for question in step.questions]
    if len(ids) != len(set(ids)):
        raise ValueError("question ids must be unique")
    return Questionnaire(version=data["version"], source=data["source"], steps=steps)


@cache
def load_questionnaire() -> Questionnaire:
    text = files("backcare.intake").joinpath("questionnaire.json").read_text(encoding="utf-8")
    return read_questionnaire(json.loads(text))


def applies(question: Question, answers: Mapping[str, Any]) -> bool:
    """Whether the question applies given the other answers (a follow-up to a "yes")."""
    return question.only_if_yes is None or answers.get(question.only_if_yes) == "yes"


def follow_up_problems(step: Step, answers: Mapping[str, Any]) -> dict[str, str]:
    """Question id -> what is wrong, for follow-up questions answered against their lead."""
    problems: dict[str, str] = {}
    for question in step.questions:
        if question.only_if_yes is None:
            continue
        lead = answers.get(question.only_if_yes)
        answer = answers.get(question.id)
        if lead == "yes" and answer not in ("yes", "no"):
            problems[question.id] = "Please answer this question too."
        elif lead != "yes" and answer == "yes":
            lead_label = _lower_first(load_questionnaire().question(question.only_if_yes).label)
            problems[question.id] = f"This only applies if you answered yes to “{lead_label}”"
    return problems


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def derived_codes(
    answers: Mapping[str, Any], questionnaire: Questionnaire | None = None
) -> list[str]:
    """The screening codes these answers add, sorted."""
    questionnaire = questionnaire or load_questionnaire()
    codes: set[str] = set()
    for question in questionnaire.questions:
        if question.kind != "yes_no" or not applies(question, answers):
            continue
        answer = answers.get(question.id)
        if answer == "yes" and question.code:
            codes.add(question.code)
        if answer == "no" and question.code_if_no:
            codes.add(question.code_if_no)
    return sorted(codes)


def screening_input(answers: Mapping[str, Any], age: int) -> dict[str, Any]:
    """The SPEC §3 screening input for these answers and the client's age today."""
    return {
        "age": age,
        "pain": {
            "nrs_now": answers.get("nrs_now"),
            "duration_weeks": answers.get("duration_weeks"),
        },
        "codes": derived_codes(answers),
    }


def unanswered_steps(
    answers: Mapping[str, Any], questionnaire: Questionnaire | None = None
) -> list[Step]:
    """Steps with a required question still unanswered, in order: where to carry on."""
    questionnaire = questionnaire or load_questionnaire()
    return [
        step
        for step in questionnaire.steps
        if any(
            question.required
            and applies(question, answers)
            and answers.get(question.id) in (None, "", [])
            for question in step.questions
            if question.kind != "consent"
        )
        or any(
            question.required and answers.get(question.id) is not True
            for question in step.questions
            if question.kind == "consent"
        )
    ]


def instrument_answers(answers: Mapping[str, Any], instrument: str) -> list[int | None]:
    """The answers to one instrument's items, in the order the questionnaire asks them."""
    return [
        answers.get(question.id)
        for question in load_questionnaire().questions
        if question.item is not None and question.item.split("/")[0] == instrument
    ]


def goal_scores(answers: Mapping[str, Any]) -> list[int]:
    """The PSFS ratings of the client's chosen activities."""
    return [int(goal["score"]) for goal in answers.get("activities") or ()]


def answers_for(
    codes: Iterable[str] = (),
    *,
    nrs_now: int = 5,
    duration_weeks: int = 20,
    areas: Iterable[str] = ("lower_back_left", "lower_back_right"),
    activities: Iterable[tuple[str, int]] = (
        ("Sitting through a film", 4),
        ("Gardening", 3),
        ("Lifting the laundry basket", 5),
    ),
    **other: Any,
) -> dict[str, Any]:
    """A complete set of answers that yields exactly ``codes``: every yes/no question answered
    no unless its code is listed (and yes to ``seen_doctor`` unless ``never_seen_doctor`` is).
    For the demo clinic and for tests; ``other`` sets any further answer by question id."""
    wanted = set(codes)
    questionnaire = load_questionnaire()
    unknown = wanted - questionnaire.codes
    if unknown:
        raise ValueError(f"no question yields {sorted(unknown)[0]!r}")
    answers: dict[str, Any] = {
        "areas": list(areas),
        "nrs_now": nrs_now,
        "nrs_worst_week": min(10, nrs_now + 2),
        "duration_weeks": duration_weeks,
        "onset": "gradual",
        "aggravates": "Sitting for long, bending",
        "eases": "Walking, a warm shower",
        "conditions": "",
        "medications": "",
        "allergies": "",
        "recent_surgery_or_injury": "",
        "activities": [{"activity": name, "score": score} for name, score in activities],
        "peg_pain": nrs_now,
        "peg_enjoyment": max(0, nrs_now - 1),
        "peg_activity": nrs_now,
        "consent_treatment": True,
        "consent_privacy": True,
        "consent_messages": True,
    }
    for question in questionnaire.questions:
        if question.kind != "yes_no":
            continue
        if question.code_if_no:
            answers[question.id] = "no" if question.code_if_no in wanted else "yes"
        elif question.code:
            answers[question.id] = "yes" if question.code in wanted else "no"
        else:
            answers[question.id] = "no"
    if "high_risk_pregnancy" in wanted:
        answers["pregnancy"] = "yes"
    elif "pregnancy" not in wanted:
        answers["high_risk_pregnancy"] = None  # a follow-up that does not apply
    answers.update(other)
    return answers
