from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from backcare.audit.models import AuditEvent


class AuditFilterForm(forms.Form):
    is_filter = True  # nothing is saved: the error banner says only what to correct

    who = forms.CharField(label="Who (email)", required=False, max_length=254)
    action = forms.CharField(label="Action", required=False, max_length=60)
    client = forms.IntegerField(
        label="Client number", required=False, min_value=1, max_value=2**63 - 1
    )
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "“To” must be on or after “From”.")
        if until and until >= dt.date.max:
            self.add_error("until", "“To” must be a date before the last day of the year 9999.")
        return data

    def filter(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        if not self.is_valid():
            return events.none()
        data = self.cleaned_data
        if data["who"]:
            events = events.filter(actor_email__icontains=data["who"])
        if data["action"]:
            events = events.filter(action__startswith=data["action"])
        if data["client"]:
            events = events.filter(client_id=data["client"])
        zone = timezone.get_current_timezone()
        if data["since"]:
            events = events.filter(at__gte=dt.datetime.combine(data["since"], dt.time(), zone))
        if data["until"]:
            end = dt.datetime.combine(data["until"] + dt.timedelta(days=1), dt.time(), zone)
            events = events.filter(at__lt=end)
        return events
