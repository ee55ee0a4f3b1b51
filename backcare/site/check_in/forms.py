"""The check-in questions, asked on the client's phone and on the clinic's tablet alike."""

from __future__ import annotations

from typing import Any

from django import forms

from backcare.notes.queries import red_flag_step
from backcare.site.intake.forms import StepForm

NRS_CHOICES = [(value, str(value)) for value in range(11)]
YES_NO = (("yes", "Yes"), ("no", "No"))


class CheckInForm(StepForm):
    """Pain now, the intake's red-flag questions (from the questionnaire data), and changes in
    health or medication."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(red_flag_step(), *args, **kwargs)
        self.red_flag_ids = list(self.fields)
        self.fields["nrs"] = forms.TypedChoiceField(
            label="How bad is your pain right now?",
            help_text="0 is no pain, 10 is the worst pain you can imagine.",
            choices=NRS_CHOICES,
            coerce=int,
            widget=forms.RadioSelect(attrs={"class": "scale"}),
        )
        self.fields["health_changed"] = forms.TypedChoiceField(
            label="Has anything changed in your health or your medicines since your last visit?",
            choices=YES_NO,
            coerce=lambda value: value == "yes",
            widget=forms.RadioSelect(attrs={"class": "yes-no"}),
        )
        self.fields["health_changes"] = forms.CharField(
            label="If so, what changed?",
            required=False,
            max_length=1000,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        # Pain first, the safety questions next, changes last.
        order = ["nrs", *self.red_flag_ids, "health_changed", "health_changes"]
        self.order_fields(order)

    def data_for_action(self) -> dict[str, Any]:
        return {
            **{key: self.cleaned_data.get(key) for key in self.red_flag_ids},
            "nrs": self.cleaned_data["nrs"],
            "health_changed": self.cleaned_data["health_changed"],
            "health_changes": self.cleaned_data.get("health_changes", ""),
        }

    @property
    def red_flag_fields(self) -> list[forms.BoundField]:
        return [self[key] for key in self.red_flag_ids]
