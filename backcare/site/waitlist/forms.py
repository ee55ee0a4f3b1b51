"""The form a client (or the front desk for them) fills in to ask for an earlier time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from backcare.clinic.models import Location, Service, Therapist
from backcare.waitlist.matching import TimeOfDay

TIME_OF_DAY_CHOICES = [
    (TimeOfDay.MORNING.value, "Mornings (before noon)"),
    (TimeOfDay.AFTERNOON.value, "Afternoons (noon to 5 PM)"),
    (TimeOfDay.EVENING.value, "Evenings (from 5 PM)"),
]
DEFAULT_WINDOW_DAYS = 14


class TherapistChoice(forms.ModelChoiceField[Therapist]):
    def label_from_instance(self, obj: Therapist) -> str:
        return obj.name


class WaitlistForm(forms.Form):
    service = forms.ModelChoiceField(queryset=Service.objects.none())
    location = forms.ModelChoiceField(queryset=Location.objects.none())
    therapist = TherapistChoice(
        queryset=Therapist.objects.none(),
        required=False,
        empty_label="Anyone",
        help_text="The first free therapist, or only the one you choose.",
    )
    earliest = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    latest = forms.DateField(label="Until", widget=forms.DateInput(attrs={"type": "date"}))
    times_of_day = forms.MultipleChoiceField(
        label="Times of day that suit",
        choices=TIME_OF_DAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one time of day."},
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "earliest": today,
                "latest": today + dt.timedelta(days=DEFAULT_WINDOW_DAYS),
                "times_of_day": [part.value for part in TimeOfDay],
            },
        )
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["service"].queryset = Service.objects.filter(active=True)
        fields["location"].queryset = Location.objects.filter(active=True)
        fields["therapist"].queryset = Therapist.objects.filter(active=True).select_related("user")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        earliest, latest = data.get("earliest"), data.get("latest")
        if earliest and latest and latest < earliest:
            self.add_error("latest", "The last day must be on or after the first day.")
        return data

    def choices(self) -> dict[str, Any]:
        """The cleaned values as :func:`backcare.waitlist.actions.join_waitlist` takes them."""
        data = self.cleaned_data
        return {
            "service": data["service"],
            "location": data["location"],
            "therapist": data["therapist"],
            "earliest": data["earliest"],
            "latest": data["latest"],
            "times_of_day": frozenset(TimeOfDay(value) for value in data["times_of_day"]),
        }
