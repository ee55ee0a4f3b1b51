"""Forms for the SOAP note, addenda and acknowledging an alert."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator

from backcare.bodychart import BodyChartField
from backcare.lib.techniques import TECHNIQUES
from backcare.notes.actions import NOTE_FIELDS
from backcare.notes.monitor import TISSUE_RESPONSES
from backcare.notes.queries import Plan
from backcare.site.check_in.forms import NRS_CHOICES

NOTE_TEXT_LIMIT = 10_000
"""Characters in one part of a note: pages of text, far below a pasted file."""


def _pain_field(label: str) -> forms.TypedChoiceField:
    """A pain score (0 to 10) that may be left empty."""
    return forms.TypedChoiceField(
        label=label,
        choices=[("", "—"), *NRS_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )


class NoteForm(forms.Form):
    """The SOAP note. Every field may be left empty in a draft; signing checks what a signed
    note needs. One row per planned technique: minutes (empty = not used) and pressure."""

    subjective = forms.CharField(
        label="Client report",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How the week went, what the client says today.",
    )
    pre_nrs = _pain_field("Pain before the session (0–10)")
    findings = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you saw and felt: posture, tone, tender points.",
    )
    areas = BodyChartField(label="Areas treated", required=False)
    fingertip_floor_cm = forms.IntegerField(
        label="Fingertip-to-floor distance (cm)",
        min_value=0,
        max_value=100,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text="Standing, bending forward with straight knees; 0 if the fingers reach "
        "the floor.",
    )
    tissue_response = forms.ChoiceField(
        label="Tissue response to pressure",
        choices=[("", "—"), *TISSUE_RESPONSES],
        required=False,
        help_text="No relaxation or increased guarding pauses the program and asks the client "
        "to see a doctor.",
    )
    post_nrs = _pain_field("Pain after the session (0–10)")
    adverse_events = forms.CharField(
        label="Adverse events",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Anything that went wrong: bruising, dizziness, more pain. Leave empty if none.",
    )
    plan = forms.CharField(
        label="Next steps", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    home_care = forms.CharField(
        label="Home care", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    not_checked_in_because = forms.CharField(
        label="The client was not checked in: why the session went ahead without a check-in",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only needed to sign the note of a session that took place without a check-in.",
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session_plan = plan
        for name in ("subjective", "findings", "adverse_events", "plan", "home_care"):
            limit_text(self.fields[name], NOTE_TEXT_LIMIT)
        cap = plan.pressure_cap or 5
        for code in plan.techniques:
            label = TECHNIQUES.get(code, code)
            self.fields[f"minutes_{code}"] = forms.IntegerField(
                label=f"{label}: minutes",
                min_value=1,
                max_value=180,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "short"}),
            )
            self.fields[f"pressure_{code}"] = forms.IntegerField(
                label=f"{label}: pressure (1–{cap})",
                min_value=1,
                max_value=5,
                required=False,
                widget=forms.NumberInput(
                    attrs={"inputmode": "numeric", "class": "short", "max": cap}
                ),
            )

    @staticmethod
    def initial_from(values: dict[str, Any]) -> dict[str, Any]:
        initial = {key: value for key, value in values.items() if key != "techniques"}
        for row in values.get("techniques") or ():
            initial[f"minutes_{row['code']}"] = row["minutes"]
            initial[f"pressure_{row['code']}"] = row["pressure"]
        return initial

    @property
    def technique_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (TECHNIQUES.get(code, code), self[f"minutes_{code}"], self[f"pressure_{code}"])
            for code in self.session_plan.techniques
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        rows = []
        for code in self.session_plan.techniques:
            minutes = cleaned.get(f"minutes_{code}")
            pressure = cleaned.get(f"pressure_{code}")
            if minutes is None and pressure is None:
                continue
            if minutes is None:
                self.add_error(f"minutes_{code}", "Please give the minutes, or clear the pressure.")
                continue
            if pressure is None:
                self.add_error(f"pressure_{code}", "Please give the pressure, from 1 to 5.")
                continue
            rows.append({"code": code, "minutes": minutes, "pressure": pressure})
        cleaned["techniques"] = rows
        return cleaned

    def data_for_action(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in NOTE_FIELDS}


def limit_text(field: forms.Field, limit: int) -> None:
    """Refuse text longer than ``limit`` characters next to the field (and say so in the
    browser), rather than storing a pasted megabyte."""
    if isinstance(field, forms.CharField):
        field.max_length = limit
        field.validators.append(MaxLengthValidator(limit))
        field.widget.attrs["maxlength"] = str(limit)


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Addendum",
        max_length=NOTE_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A correction or addition. The signed note stays as it was; this shows under it.",
    )


class AcknowledgeForm(forms.Form):
    action_taken = forms.CharField(
        label="What was done",
        max_length=NOTE_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: called the client, advised a doctor's visit, letter sent.",
        error_messages={"required": "Please write what was done about this alert."},
    )
