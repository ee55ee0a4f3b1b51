"""Staff scheduling forms. Times are typed on the location's wall clock and become aware
datetimes here; every error names its field."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils import timezone

from backcare.booking.actions import MAX_SERIES
from backcare.booking.models import Appointment
from backcare.clinic.models import Client, Location, Service, Therapist
from backcare.lib.when import in_schedule_range, schedule_range_message
from backcare.scheduling.actions import POLICY_FIELDS
from backcare.scheduling.clock import clock
from backcare.scheduling.models import BookingPolicy, Weekday

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")


def local_instant(day: dt.date, wall: dt.time, zone: ZoneInfo) -> dt.datetime | None:
    """`day` at `wall` in `zone`, or None when the clocks skip that time (spring forward).

    A time that happens twice (fall back) is its first occurrence.
    """
    moment = dt.datetime.combine(day, wall, tzinfo=zone)
    back = moment.astimezone(dt.UTC).astimezone(zone)
    if (back.date(), back.time()) != (day, wall.replace(tzinfo=None)):
        return None
    return moment.astimezone(dt.UTC)


def with_picked_slot(data: QueryDict) -> QueryDict:
    """Copy the form data with a chosen alternative ("<date>T<HH:MM>|<therapist id>", the value
    of the button the person pressed) written into the date, time and therapist fields."""
    picked = data.get("slot", "")
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})\|(\d+)", picked)
    if match is None:
        return data
    data = data.copy()
    data["date"], data["time"], data["therapist"] = match.groups()
    return data


class TherapistChoiceField(forms.ModelChoiceField[Therapist]):
    def label_from_instance(self, obj: Therapist) -> str:
        return obj.name


class ClientChoiceField(forms.ModelChoiceField[Client]):
    def label_from_instance(self, obj: Client) -> str:
        born = f"{obj.date_of_birth:%b} {obj.date_of_birth.day}, {obj.date_of_birth.year}"
        return f"{obj.last_name}, {obj.first_name} (born {born})"


def therapists() -> Any:
    return Therapist.objects.filter(active=True).select_related("user").order_by("user__full_name")


class StartsFields(forms.Form):
    """A date and a time on the location's wall clock, cleaned into ``starts`` (UTC)."""

    date = forms.DateField(widget=DATE_INPUT)
    time = forms.TimeField(
        widget=time_input(), help_text="On the quarter hour, in the location's time zone."
    )

    def zone(self) -> ZoneInfo | None:
        raise NotImplementedError

    def clean_date(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("date")
        today = timezone.localdate()
        if day is not None and not in_schedule_range(day, today):
            raise forms.ValidationError(schedule_range_message(today))
        return day

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, wall, zone = cleaned.get("date"), cleaned.get("time"), self.zone()
        if day is not None and wall is not None and zone is not None:
            starts = local_instant(day, wall, zone)
            if starts is None:
                self.add_error(
                    "time",
                    f"The clocks go forward that night: {clock(wall)} does not exist on "
                    f"{day:%B} {day.day}.",
                )
            else:
                cleaned["starts"] = starts
        return cleaned


class BookingForm(StartsFields):
    client = ClientChoiceField(queryset=Client.objects.all())
    service = forms.ModelChoiceField(queryset=Service.objects.filter(active=True))
    location = forms.ModelChoiceField(queryset=Location.objects.filter(active=True))
    therapist = TherapistChoiceField(queryset=therapists())
    notes = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For the front desk and the therapist; not clinical notes.",
    )

    field_order = ("client", "service", "location", "therapist", "date", "time", "notes")

    def __init__(self, *args: Any, client_choices: Sequence[Client] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every client may be chosen; the list offers the ones found by the search.
        field = cast(ClientChoiceField, self.fields["client"])
        field.widget.choices = [("", "Choose a client")] + [
            (client.pk, field.label_from_instance(client)) for client in client_choices
        ]

    def zone(self) -> ZoneInfo | None:
        location = self.cleaned_data.get("location")
        return location.zone if isinstance(location, Location) else None


class MoveForm(StartsFields):
    therapist = TherapistChoiceField(queryset=therapists())

    field_order = ("date", "time", "therapist")

    def __init__(self, *args: Any, appointment: Appointment, **kwargs: Any) -> None:
        self.appointment = appointment
        local = appointment.starts.astimezone(appointment.location.zone)
        kwargs.setdefault(
            "initial",
            {"date": local.date(), "time": local.time(), "therapist": appointment.therapist_id},
        )
        super().__init__(*args, **kwargs)
        field = cast(TherapistChoiceField, self.fields["therapist"])
        field.queryset = therapists().filter(locations=appointment.location_id)

    def zone(self) -> ZoneInfo | None:
        return self.appointment.location.zone


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: the client called, unwell. The client is not shown this.",
    )


class SeriesForm(StartsFields):
    service = forms.ModelChoiceField(queryset=Service.objects.filter(active=True))
    location = forms.ModelChoiceField(queryset=Location.objects.filter(active=True))
    therapist = TherapistChoiceField(queryset=therapists())
    count = forms.IntegerField(
        label="Sessions", min_value=1, max_value=MAX_SERIES, initial=10, help_text="1 to 52."
    )
    per_week = forms.TypedChoiceField(
        label="How often",
        choices=[(1, "Once a week"), (2, "Twice a week")],
        coerce=int,
        initial=1,
        widget=forms.RadioSelect,
    )
    days_between = forms.IntegerField(
        label="Days between the two weekly sessions",
        required=False,
        min_value=1,
        max_value=6,
        initial=3,
        help_text="Twice a week only: 3 means Monday and Thursday.",
    )

    field_order = (
        "service",
        "location",
        "therapist",
        "date",
        "time",
        "count",
        "per_week",
        "days_between",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].label = "First session"

    def zone(self) -> ZoneInfo | None:
        location = self.cleaned_data.get("location")
        return location.zone if isinstance(location, Location) else None


# --- Owner settings ---------------------------------------------------------------------------

_BREAK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


class WorkingHoursForm(forms.Form):
    location = forms.ModelChoiceField(queryset=Location.objects.none())
    weekday = forms.TypedChoiceField(choices=Weekday.choices, coerce=int, label="Day")
    starts = forms.TimeField(label="From", widget=time_input())
    ends = forms.TimeField(label="Until", widget=time_input())
    breaks = forms.CharField(
        required=False,
        max_length=200,
        help_text="Optional, for example 12:30-13:15, 15:00-15:15.",
    )

    def __init__(self, *args: Any, therapist: Therapist, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField[Location], self.fields["location"])
        field.queryset = therapist.locations.filter(active=True)
        field.help_text = "Locations the therapist works at (edit the therapist to add one)."

    def clean_breaks(self) -> tuple[tuple[dt.time, dt.time], ...]:
        text = self.cleaned_data["breaks"].strip()
        if not text:
            return ()
        breaks = []
        for part in text.split(","):
            match = _BREAK.match(part)
            if match is None:
                raise forms.ValidationError(
                    f"“{part.strip()}” is not a break: write it as 12:30-13:15."
                )
            h1, m1, h2, m2 = (int(group) for group in match.groups())
            try:
                starts, ends = dt.time(h1, m1), dt.time(h2, m2)
            except ValueError:
                raise forms.ValidationError(f"“{part.strip()}” is not a time of day.") from None
            if ends <= starts:
                raise forms.ValidationError(f"The break {part.strip()} must end after it starts.")
            breaks.append((starts, ends))
        return tuple(sorted(breaks))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts is not None and ends is not None and ends <= starts:
            self.add_error("ends", "The hours must end after they start.")
        return cleaned


def zone_of(therapist: Therapist) -> ZoneInfo:
    location = therapist.locations.order_by("name").first()
    return location.zone if location is not None else ZoneInfo(settings.TIME_ZONE)


class TimeOffForm(forms.Form):
    therapist = TherapistChoiceField(queryset=therapists())
    first_day = forms.DateField(widget=DATE_INPUT)
    from_time = forms.TimeField(
        required=False, widget=time_input(), help_text="Leave empty for the whole day."
    )
    last_day = forms.DateField(widget=DATE_INPUT)
    until_time = forms.TimeField(
        required=False, widget=time_input(), help_text="Leave empty for the whole day."
    )
    reason = forms.CharField(
        required=False, max_length=200, help_text="For example: holiday, training."
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        therapist, first, last = (
            cleaned.get("therapist"),
            cleaned.get("first_day"),
            cleaned.get("last_day"),
        )
        if not isinstance(therapist, Therapist) or first is None or last is None:
            return cleaned
        zone = zone_of(therapist)
        starts = local_instant(first, cleaned.get("from_time") or dt.time(0), zone)
        until = cleaned.get("until_time")
        if until is None:
            ends = local_instant(last + dt.timedelta(days=1), dt.time(0), zone)
        else:
            ends = local_instant(last, until, zone)
        if starts is None:
            self.add_error("from_time", "That time does not exist on that day.")
        elif ends is None:
            self.add_error("until_time", "That time does not exist on that day.")
        elif ends <= starts:
            self.add_error("last_day", "The time off must end after it starts.")
        else:
            cleaned["starts"], cleaned["ends"] = starts, ends
        return cleaned


class ClosureForm(forms.Form):
    location = forms.ModelChoiceField(
        queryset=Location.objects.filter(active=True),
        required=False,
        empty_label="Every location",
    )
    starts_on = forms.DateField(label="First day", widget=DATE_INPUT)
    ends_on = forms.DateField(label="Last day", widget=DATE_INPUT)
    name = forms.CharField(required=False, max_length=120, help_text="For example Thanksgiving.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("starts_on"), cleaned.get("ends_on")
        if first is not None and last is not None and last < first:
            self.add_error("ends_on", "The last day cannot be before the first day.")
        return cleaned


class BookingPolicyForm(forms.ModelForm[BookingPolicy]):
    class Meta:
        model = BookingPolicy
        fields = POLICY_FIELDS
