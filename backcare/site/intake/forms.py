"""One Django form per questionnaire step, built from the questionnaire data."""

from __future__ import annotations

from typing import Any

from django import forms

from backcare.bodychart import BodyChartField
from backcare.intake.questionnaire import Question, Step, follow_up_problems

YES_NO = (("yes", "Yes"), ("no", "No"))


def _scale_choices(question: Question) -> list[tuple[int, str]]:
    return [(value, str(value)) for value in range(question.minimum, question.maximum + 1)]


def _field(question: Question) -> forms.Field:
    common: dict[str, Any] = {"label": question.label, "help_text": question.help}
    if question.kind == "yes_no":
        # A follow-up question is checked against its lead answer in ``clean``.
        return forms.ChoiceField(
            choices=YES_NO,
            widget=forms.RadioSelect(attrs={"class": "yes-no"}),
            required=question.required and question.only_if_yes is None,
            **common,
        )
    if question.kind == "scale":
        return forms.TypedChoiceField(
            choices=_scale_choices(question),
            coerce=int,
            widget=forms.RadioSelect(attrs={"class": "scale"}),
            required=question.required,
            **common,
        )
    if question.kind == "number":
        return forms.IntegerField(
            min_value=question.minimum,
            max_value=question.maximum,
            required=question.required,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            **common,
        )
    if question.kind == "choice":
        return forms.ChoiceField(
            choices=question.choices,
            widget=forms.RadioSelect(attrs={"class": "choices"}),
            required=question.required,
            **common,
        )
    if question.kind == "text":
        return forms.CharField(
            max_length=1000,
            required=question.required,
            widget=forms.Textarea(attrs={"rows": 2}),
            **common,
        )
    if question.kind == "body_chart":
        return BodyChartField(required=question.required, **common)
    if question.kind == "consent":
        return forms.BooleanField(required=question.required, **common)
    raise ValueError(f"no form field for {question.kind}")


class StepForm(forms.Form):
    """The questions of one step. ``answers()`` gives the cleaned values to store."""

    def __init__(self, step: Step, *args: Any, partial: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # the questions carry their own punctuation
        super().__init__(*args, **kwargs)
        self.step = step
        self.partial = partial
        self.activity_questions: list[Question] = []
        for question in step.questions:
            if question.kind == "activities":
                self._add_activity_fields(question)
            else:
                self.fields[question.id] = _field(question)
        if partial:
            # "Save and finish later" keeps what is answered so far; only wrong values are
            # refused. Sending the questionnaire checks every step is complete.
            for field in self.fields.values():
                field.required = False

    def _add_activity_fields(self, question: Question) -> None:
        self.activity_questions.append(question)
        for number in range(1, question.max_items + 1):
            self.fields[f"{question.id}_{number}_name"] = forms.CharField(
                label=f"Activity {number}",
                max_length=120,
                required=False,
            )
            self.fields[f"{question.id}_{number}_score"] = forms.TypedChoiceField(
                label=f"How well can you do activity {number} today?",
                choices=[("", "—"), *_scale_choices(question)],
                coerce=int,
                empty_value=None,
                required=False,
                help_text=question.help,
            )

    @classmethod
    def initial_from(cls, step: Step, answers: dict[str, Any]) -> dict[str, Any]:
        """Form initial values from stored answers (the reverse of ``answers()``)."""
        initial: dict[str, Any] = {}
        for question in step.questions:
            value = answers.get(question.id)
            if question.kind == "activities":
                for number, goal in enumerate(value or (), start=1):
                    initial[f"{question.id}_{number}_name"] = goal["activity"]
                    initial[f"{question.id}_{number}_score"] = goal["score"]
            elif value is not None:
                initial[question.id] = value
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for question in self.activity_questions:
            cleaned[question.id] = self._clean_activities(question, cleaned)
        for field, problem in follow_up_problems(self.step, cleaned).items():
            if self.partial and cleaned.get(field) in (None, ""):
                continue  # a follow-up still to answer, not a wrong answer
            self.add_error(field, problem)
        return cleaned

    def _clean_activities(
        self, question: Question, cleaned: dict[str, Any]
    ) -> list[dict[str, Any]]:
        goals = []
        for number in range(1, question.max_items + 1):
            name = (cleaned.get(f"{question.id}_{number}_name") or "").strip()
            score = cleaned.get(f"{question.id}_{number}_score")
            if name and score is None:
                self.add_error(
                    f"{question.id}_{number}_score", "Please rate this activity from 0 to 10."
                )
            elif score is not None and not name:
                self.add_error(
                    f"{question.id}_{number}_name", "Please name the activity you rated."
                )
            elif name:
                goals.append({"activity": name, "score": score})
        if len(goals) < question.min_items and not self.errors and not self.partial:
            self.add_error(
                f"{question.id}_{len(goals) + 1}_name",
                f"Please name at least {question.min_items} activities.",
            )
        return goals

    def answers(self) -> dict[str, Any]:
        """The cleaned answers of this step, keyed by question id, as stored."""
        stored: dict[str, Any] = {}
        for question in self.step.questions:
            value = self.cleaned_data.get(question.id)
            if question.kind != "text" and value == "":
                value = None  # unanswered (a text answer may be empty)
            stored[question.id] = value
        return stored
