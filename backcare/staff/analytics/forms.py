from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from backcare.analytics.queries import Filters
from backcare.clinic.models import Location

DEFAULT_DAYS = 365
"""The page opens on the last twelve months."""

LONGEST_RANGE_YEARS = 25


class AnalyticsFilterForm(forms.Form):
    is_filter = True  # nothing is saved: the error banner says only what to correct

    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    location = forms.ModelChoiceField(
        label="Location",
        queryset=Location.objects.order_by("name"),
        required=False,
        empty_label="All locations",
    )

    @classmethod
    def for_request(cls, query: Any, today: dt.date) -> AnalyticsFilterForm:
        """Bound to the query string, with the last twelve months where a date is left out."""
        data = {
            "start": (today - dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat(),
            "end": today.isoformat(),
            "location": "",
        }
        data.update({key: query[key] for key in data if query.get(key)})
        return cls(data)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        earliest, latest = dt.date(1970, 1, 1), dt.date(timezone.localdate().year + 1, 12, 31)
        for name, day in (("start", start), ("end", end)):
            if day is not None and not earliest <= day <= latest:
                self.add_error(name, f"Choose a date from 1970 to {latest.year}.")
                return data
        if start and end:
            if end < start:
                self.add_error("end", "“To” must be on or after “From”.")
            elif (end - start).days > LONGEST_RANGE_YEARS * 366:
                self.add_error("start", f"Choose a range of at most {LONGEST_RANGE_YEARS} years.")
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            start=data["start"],
            end=data["end"],
            zone=timezone.get_current_timezone(),
            location=data["location"],
        )
