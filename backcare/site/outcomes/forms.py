"""The reassessment and discharge form, built from the instruments' Questionnaire JSON: one
labelled input per item, grouped by instrument, the PSFS asked about the program's own goals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms

from backcare.outcomes.actions import ResponseError
from backcare.outcomes.instruments import Instrument, Item
from backcare.outcomes.models import Occasion

YES_NO = (("yes", "Yes"), ("no", "No"))
# Intervals an integer item is offered as buttons (0 to 10); a wider range is a number box.
MAX_BUTTONS = 11


def field_name(inst: Instrument, item: Item) -> str:
    return f"{inst.id}__{item.link_id}"


def psfs_label(activity: str) -> str:
    return (
        f"{activity}: how able are you to do this today? "
        "0 = unable to do it, 10 = as well as before your back problem."
    )


def short_label(label: str) -> str:
    """The question without its anchors: ``What number best describes your pain right now?``"""
    question = label.split("?")[0].strip()
    return f"{question}?" if "?" in label else question.split(". ")[0]


def _field(item: Item, label: str, required: bool) -> forms.Field:
    named = short_label(label)
    common: dict[str, Any] = {
        "label": label,
        "required": required,
        "error_messages": {
            "required": f"Please answer “{named}”",
            "invalid_choice": f"Please choose one of the answers to “{named}”",
            "invalid": f"Please give a number for “{named}”",
        },
    }
    if item.type == "boolean":
        return forms.ChoiceField(
            choices=YES_NO, widget=forms.RadioSelect(attrs={"class": "yes-no"}), **common
        )
    if item.type == "choice":
        return forms.ChoiceField(
            choices=[(o.code, o.display) for o in item.options],
            widget=forms.RadioSelect(attrs={"class": "choices"}),
            **common,
        )
    low, high = int(item.minimum), int(item.maximum)
    if item.type == "integer" and high - low < MAX_BUTTONS:
        return forms.TypedChoiceField(
            choices=[(value, str(value)) for value in range(low, high + 1)],
            coerce=int,
            widget=forms.RadioSelect(attrs={"class": "scale"}),
            **common,
        )
    if item.type == "integer":
        return forms.IntegerField(min_value=low, max_value=high, **common)
    return forms.FloatField(min_value=float(item.minimum), max_value=float(item.maximum), **common)


@dataclass(frozen=True)
class Section:
    """One instrument's fieldset on the page."""

    instrument: Instrument
    fields: list[forms.BoundField]


class OutcomesForm(forms.Form):
    """Every follow-up instrument on one page. ``activities`` are the program's PSFS goals:
    the PSFS items are asked about them (3 to 5), by name."""

    occasion = forms.ChoiceField(
        choices=[
            (Occasion.REASSESSMENT, "Reassessment"),
            (Occasion.DISCHARGE, "Discharge"),
        ],
        initial=Occasion.REASSESSMENT,
        label="When is this",
    )

    def __init__(
        self,
        *args: Any,
        instruments: Sequence[Instrument],
        activities: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instruments = list(instruments)
        self.activities = list(activities)[:5]
        self.items: dict[str, list[tuple[Item, str]]] = {}
        for inst in self.instruments:
            asked = self._asked(inst)
            self.items[inst.id] = [(item, field_name(inst, item)) for item, _ in asked]
            for item, label in asked:
                self.fields[field_name(inst, item)] = _field(item, label, item.required)

    def _asked(self, inst: Instrument) -> list[tuple[Item, str]]:
        if inst.id == "psfs" and len(self.activities) >= inst.min_answers:
            return [
                (item, psfs_label(activity))
                for item, activity in zip(inst.items, self.activities, strict=False)
            ]
        return [(item, item.text) for item in inst.items]

    @property
    def sections(self) -> list[Section]:
        return [
            Section(inst, [self[name] for _, name in self.items[inst.id]])
            for inst in self.instruments
        ]

    def answers(self) -> dict[str, list[object]]:
        """The cleaned answers in item order, per instrument, as ``record_responses`` takes."""
        found: dict[str, list[object]] = {}
        for inst in self.instruments:
            values: list[object] = []
            for item, name in self.items[inst.id]:
                value = self.cleaned_data.get(name)
                if value in ("", None):
                    value = None
                elif item.type == "boolean":
                    value = value == "yes"
                values.append(value)
            while values and values[-1] is None and not self._required(inst, len(values) - 1):
                values.pop()
            found[inst.id] = values
        return found

    def _required(self, inst: Instrument, index: int) -> bool:
        return inst.items[index].required

    def activity_names(self, inst: Instrument) -> list[str]:
        if inst.id == "psfs" and len(self.activities) >= inst.min_answers:
            return self.activities
        return []

    def add_response_error(self, problem: ResponseError) -> None:
        """Put a refusal from ``record_response`` beside the item it names."""
        name = f"{problem.instrument}__{problem.field}"
        if name in self.fields:
            self.add_error(name, problem.message)
        else:
            self.add_error(None, f"{problem.instrument.upper()}: {problem.message}")
