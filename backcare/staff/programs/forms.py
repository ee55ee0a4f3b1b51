"""Forms of the care pages: start a program, change its status, book its sessions."""

from __future__ import annotations

from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms

from backcare.care.actions import GoalInput
from backcare.care.models import STATUS_FLOW, ProgramStatus
from backcare.care.templates import MAX_GOALS, load_templates
from backcare.clinic.models import Location, Service
from backcare.lib.techniques import TECHNIQUE_CHOICES
from backcare.screening.models import Clearance
from backcare.staff.schedule.forms import StartsFields, TherapistChoiceField, therapists

SCORES = [("", "—"), *((str(n), str(n)) for n in range(11))]


class ProgramForm(forms.Form):
    """A program from a template: goals with targets, techniques, self-care advice."""

    template = forms.ChoiceField(label="Template", widget=forms.RadioSelect)
    service = forms.ModelChoiceField(
        queryset=Service.objects.filter(active=True),
        help_text="The service each session is booked as.",
    )
    therapist = TherapistChoiceField(
        queryset=therapists(), help_text="Who runs the program and joins the care team."
    )
    techniques = forms.MultipleChoiceField(
        label="Planned techniques",
        choices=TECHNIQUE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    self_care = forms.CharField(
        label="Self-care and home exercise",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=4000,
    )

    def __init__(self, *args: Any, needs_therapist: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["template"]).choices = load_templates().choices
        if not needs_therapist:
            del self.fields["therapist"]
        for index in range(1, MAX_GOALS + 1):
            self.fields[f"goal_{index}"] = forms.CharField(
                label=f"Activity {index}", max_length=200, required=False
            )
            self.fields[f"baseline_{index}"] = forms.TypedChoiceField(
                label=f"Activity {index}: today",
                choices=SCORES,
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.fields[f"target_{index}"] = forms.TypedChoiceField(
                label=f"Activity {index}: target",
                choices=SCORES,
                coerce=int,
                empty_value=None,
                required=False,
            )

    def goal_rows(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (self[f"goal_{i}"], self[f"baseline_{i}"], self[f"target_{i}"])
            for i in range(1, MAX_GOALS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for index in range(1, MAX_GOALS + 1):
            if cleaned.get(f"goal_{index}", "").strip() and cleaned.get(f"target_{index}") is None:
                self.add_error(f"target_{index}", "Please give a target from 0 to 10.")
        return cleaned

    def goals(self) -> list[GoalInput]:
        data = self.cleaned_data
        return [
            GoalInput(
                activity=data[f"goal_{i}"],
                baseline=data.get(f"baseline_{i}"),
                target=data[f"target_{i}"],
            )
            for i in range(1, MAX_GOALS + 1)
            if data.get(f"goal_{i}", "").strip() and data.get(f"target_{i}") is not None
        ]

    @staticmethod
    def initial_goals(goals: list[GoalInput]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for index, goal in enumerate(goals[:MAX_GOALS], start=1):
            initial[f"goal_{index}"] = goal.activity
            initial[f"baseline_{index}"] = goal.baseline
            initial[f"target_{index}"] = goal.target
        return initial


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="New status", widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Kept in the program's history. To resume, this is your documented decision.",
    )
    clearance = forms.ModelChoiceField(
        label="Medical clearance",
        queryset=Clearance.objects.none(),
        required=False,
        empty_label="No clearance: resume on my decision",
    )

    def __init__(self, *args: Any, current: str, client_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (status, ProgramStatus(status).label) for status in STATUS_FLOW[current]
        ]
        if current == ProgramStatus.PAUSED:
            cast(
                forms.ModelChoiceField[Clearance], self.fields["clearance"]
            ).queryset = Clearance.objects.filter(client_id=client_id)
        else:
            del self.fields["clearance"]


class ProgramSeriesForm(StartsFields):
    location = forms.ModelChoiceField(queryset=Location.objects.filter(active=True))
    days_between = forms.IntegerField(
        label="Days between the two weekly sessions",
        required=False,
        min_value=1,
        max_value=6,
        initial=3,
        help_text="3 means Monday and Thursday.",
    )

    field_order = ("location", "date", "time", "days_between")

    def __init__(self, *args: Any, twice_weekly: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].label = "First session"
        if not twice_weekly:
            del self.fields["days_between"]

    def zone(self) -> ZoneInfo | None:
        location = self.cleaned_data.get("location")
        return location.zone if isinstance(location, Location) else None
