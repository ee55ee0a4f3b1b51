"""The client's booking forms: which free times to show, which time to take, why to cancel.

The choices come from a :class:`Catalogue` loaded once per request, so a form asks the database
nothing while it validates or renders. The forms refuse what is plainly wrong (an unknown
service, a time in the past or off the quarter hour) with the field named; the booking actions
stay the authority on whether a time is free.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.forms.renderers import BaseRenderer
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from backcare.booking.models import Appointment
from backcare.clinic.models import Location, Service, Therapist
from backcare.lib.when import in_schedule_range
from backcare.scheduling.models import BookingPolicy

WEEK = dt.timedelta(days=7)


def practises(therapist: Therapist, service: Service) -> bool:
    """Can the therapist give the service? A service lists the techniques a session may use,
    and the therapist adapts them to the client's screening; so a therapist who practises at
    least one of them can give it. A service that lists none, anyone can."""
    return not service.techniques or bool(set(service.techniques) & set(therapist.techniques))


@dataclass(frozen=True)
class Catalogue:
    """What a client may choose from: active services, locations and therapists (4 queries)."""

    services: dict[int, Service]
    locations: dict[int, Location]
    therapists: dict[int, Therapist]
    practises_at: dict[int, frozenset[int]]  # therapist id -> location ids

    @classmethod
    def load(cls) -> Catalogue:
        therapists = {
            therapist.pk: therapist
            for therapist in Therapist.objects.filter(active=True)
            .select_related("user")
            .order_by("user__full_name", "pk")
        }
        # Only the ids of where each therapist works: prefetching the Location rows for every
        # therapist cost more than the rest of the catalogue together.
        practises_at: dict[int, set[int]] = {therapist_id: set() for therapist_id in therapists}
        for therapist_id, location_id in Therapist.locations.through.objects.values_list(
            "therapist_id", "location_id"
        ):
            if therapist_id in practises_at:
                practises_at[therapist_id].add(location_id)
        return cls(
            services={service.pk: service for service in Service.objects.filter(active=True)},
            locations={place.pk: place for place in Location.objects.filter(active=True)},
            therapists=therapists,
            practises_at={pk: frozenset(places) for pk, places in practises_at.items()},
        )

    @property
    def open(self) -> bool:
        return bool(self.services and self.locations)

    def gives(self, therapist: Therapist, service: Service, location: Location) -> bool:
        """Does the therapist work at the location and practise the service's techniques?"""
        return location.pk in self.practises_at.get(therapist.pk, frozenset()) and practises(
            therapist, service
        )

    def therapists_for(self, service: Service, location: Location) -> list[Therapist]:
        return [t for t in self.therapists.values() if self.gives(t, service, location)]


def service_label(service: Service) -> str:
    """The service's name, with its length unless the name already says it."""
    minutes = f"{service.duration_minutes} minutes"
    return service.name if minutes in service.name else f"{service.name} ({minutes})"


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class BookingWindow:
    """The local days on which a client may book at a location, from the policy (SPEC §4)."""

    today: dt.date
    first_day: dt.date  # the first day with a time past the minimum notice
    last_day: dt.date  # the last day inside the horizon

    @classmethod
    def at(cls, location: Location, policy: BookingPolicy, now: dt.datetime) -> BookingWindow:
        zone = location.zone
        return cls(
            today=now.astimezone(zone).date(),
            first_day=(now + policy.min_notice).astimezone(zone).date(),
            last_day=(now + policy.horizon).astimezone(zone).date(),
        )


class Select(forms.Select):
    """Django's select with the markup of its templates written out in Python.

    The booking form lists every service, location and therapist of the clinic, and Django's
    template include per option (and another per option's attributes) made these selects cost
    more than all the rest of the booking page. The HTML is the same, character for character.
    """

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{_escape(widget["name"])}"{_html_attrs(widget["attrs"])}>']
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_escape(group_name)}">')
            for option in options:
                value_text = html.escape(str(option["value"]))
                parts.append(
                    f'\n  <option value="{value_text}"{_html_attrs(option["attrs"])}>'
                    f"{_escape(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value in it is escaped


def _escape(value: Any) -> str:
    """What ``{{ value }}`` writes: the value escaped, unless it is already safe HTML."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def _html_attrs(attrs: Mapping[str, Any]) -> str:
    """Attributes as Django's ``attrs.html`` writes them: in order, True as a bare name, False
    left out, every other value as text."""
    return "".join(
        f" {_escape(name)}" if value is True else f' {_escape(name)}="{html.escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class TherapistSelect(Select):
    """A select whose options carry data attributes (where each therapist works, what they give)
    so that ``booking.js`` can hide those who do not fit the chosen service and location."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.option_attrs: dict[str, dict[str, Any]] = {}

    def create_option(
        self,
        name: str,
        value: Any,
        label: Any,
        selected: Any,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"].update(self.option_attrs.get(str(value), {}))
        return option


def _choice_field(label: str, what: str, **kwargs: Any) -> forms.TypedChoiceField:
    kwargs.setdefault("widget", Select)
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        error_messages={
            "required": f"Choose a {what}.",
            "invalid_choice": f"That is not one of our {what}s. Choose one from the list.",
        },
        **kwargs,
    )


class _ChoiceForm(forms.Form):
    """Service, location and therapist chosen from a :class:`Catalogue`.

    With ``appointment`` (moving it), the service and location are the appointment's and are
    not asked.
    """

    service = _choice_field("Service", "service")
    location = _choice_field("Location", "location")
    therapist = _choice_field("Therapist", "therapist")

    def __init__(
        self,
        data: Mapping[str, Any] | None,
        *,
        catalogue: Catalogue,
        appointment: Appointment | None = None,
    ) -> None:
        super().__init__(data)
        self.catalogue = catalogue
        self.appointment = appointment
        if appointment is not None:
            del self.fields["service"]
            del self.fields["location"]
        else:
            service_field = cast(forms.ChoiceField, self.fields["service"])
            location_field = cast(forms.ChoiceField, self.fields["location"])
            service_field.choices = [
                (service.pk, service_label(service)) for service in catalogue.services.values()
            ]
            location_field.choices = [
                (place.pk, place.name) for place in catalogue.locations.values()
            ]
        therapist_field = cast(forms.ChoiceField, self.fields["therapist"])
        therapist_field.choices = self._therapist_choices()

    def _therapist_choices(self) -> list[tuple[Any, str]]:
        return [(therapist.pk, therapist.name) for therapist in self.catalogue.therapists.values()]

    def chosen(self) -> tuple[Service, Location]:
        """The service and location, once the form is valid."""
        if self.appointment is not None:
            return self.appointment.service, self.appointment.location
        return (
            self.catalogue.services[self.cleaned_data["service"]],
            self.catalogue.locations[self.cleaned_data["location"]],
        )

    def _check_therapist(self) -> None:
        """A chosen therapist must give the service at the location."""
        if self.errors.get("service") or self.errors.get("location"):
            return
        therapist_id = self.cleaned_data.get("therapist")
        if therapist_id is None:
            return
        service, location = self.chosen()
        therapist = self.catalogue.therapists[therapist_id]
        if not self.catalogue.gives(therapist, service, location):
            self.add_error(
                "therapist",
                f"{therapist.name} does not give {service.name} at {location.name}. "
                "Choose another therapist or Any therapist.",
            )


class TimesForm(_ChoiceForm):
    """Which free times to show: service, location, therapist or anyone, and a week."""

    therapist = _choice_field(
        "Therapist", "therapist", required=False, empty_value=None, widget=TherapistSelect
    )
    week = forms.DateField(
        label="Week of",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Any day of the week you would like to come.",
        error_messages={"invalid": "Enter a date, for example 2026-06-01."},
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None,
        *,
        catalogue: Catalogue,
        policy: BookingPolicy,
        now: dt.datetime,
        appointment: Appointment | None = None,
    ) -> None:
        self.policy = policy
        self.now = now
        super().__init__(data, catalogue=catalogue, appointment=appointment)

    def _therapist_choices(self) -> list[tuple[Any, str]]:
        # Everyone is listed, so that booking.js can show whoever fits a new choice at once;
        # those who do not fit the current one start hidden.
        widget = cast(TherapistSelect, self.fields["therapist"].widget)
        services = list(self.catalogue.services.values())
        if self.appointment is not None:
            services = [self.appointment.service]
        current = self._current_choice()
        for therapist in self.catalogue.therapists.values():
            attrs: dict[str, Any] = {
                "data-locations": " ".join(
                    str(pk) for pk in sorted(self.catalogue.practises_at[therapist.pk])
                ),
                "data-services": " ".join(
                    str(service.pk) for service in services if practises(therapist, service)
                ),
            }
            if current is not None and not self.catalogue.gives(therapist, *current):
                attrs.update(hidden=True, disabled=True)
            widget.option_attrs[str(therapist.pk)] = attrs
        return [("", "Any therapist"), *super()._therapist_choices()]

    def _current_choice(self) -> tuple[Service, Location] | None:
        """The service and location as submitted, if both are known."""
        if self.appointment is not None:
            return self.appointment.service, self.appointment.location
        try:
            service = self.catalogue.services[int(self.data.get("service", ""))]
            location = self.catalogue.locations[int(self.data.get("location", ""))]
        except (KeyError, TypeError, ValueError):
            return None
        return service, location

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._check_therapist()
        if any(self.errors.get(name) for name in ("service", "location", "week")):
            return cleaned
        _, location = self.chosen()
        window = BookingWindow.at(location, self.policy, self.now)
        week = cleaned.get("week")
        # Compared before any arithmetic: a week in year 9999 must not overflow.
        if week is not None and week > window.last_day:
            self.add_error(
                "week",
                f"You can book up to {self.policy.horizon_days} days ahead online. "
                "Choose an earlier week.",
            )
        elif week is not None and week < window.today - dt.timedelta(days=6):
            self.add_error("week", "That week has passed. Choose this week or a later one.")
        else:
            monday = monday_of(week if week is not None else window.first_day)
            if monday + dt.timedelta(days=6) < window.today:
                self.add_error("week", "That week has passed. Choose this week or a later one.")
            else:
                cleaned["week"] = monday
        return cleaned


class StartsField(forms.CharField):
    """A start time as the pages write it: ISO 8601 in UTC, for example 2026-06-01T14:00Z."""

    widget = forms.HiddenInput
    default_error_messages = {
        "invalid": "That is not a time we recognise. Go back and choose one of the free times.",
        "required": "Choose a time.",
    }

    def to_python(self, value: Any) -> dt.datetime | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if moment.tzinfo is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            utc = moment.astimezone(dt.UTC)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        today = timezone.localdate()
        if not in_schedule_range(utc.date(), today):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return utc


def starts_param(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


class SlotForm(_ChoiceForm):
    """One time with one therapist: what the confirm page shows and books (hidden inputs)."""

    starts = StartsField(label="Time")

    def __init__(
        self,
        data: Mapping[str, Any] | None,
        *,
        catalogue: Catalogue,
        now: dt.datetime,
        appointment: Appointment | None = None,
    ) -> None:
        self.now = now
        super().__init__(data, catalogue=catalogue, appointment=appointment)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._check_therapist()
        starts = cleaned.get("starts")
        if starts is None or self.errors.get("service") or self.errors.get("location"):
            return cleaned
        _, location = self.chosen()
        local = starts.astimezone(location.zone)
        policy = BookingPolicy.current()
        if starts < self.now:
            self.add_error("starts", "That time has already passed. Choose a later time.")
        elif starts > self.now + policy.horizon:
            self.add_error(
                "starts",
                f"You can book up to {policy.horizon_days} days ahead online. "
                "Choose an earlier time.",
            )
        elif (local.minute % BookingPolicy.GRID_MINUTES, local.second, local.microsecond) != (
            0,
            0,
            0,
        ):
            self.add_error(
                "starts", "Appointments start on the quarter hour (:00, :15, :30 or :45)."
            )
        return cleaned

    @property
    def chosen_therapist(self) -> Therapist:
        return self.catalogue.therapists[self.cleaned_data["therapist"]]

    def hidden_values(self) -> dict[str, str]:
        """The values to post back, as the form was given them."""
        return {name: str(self.data.get(name, "")) for name in self.fields}


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Anything you would like us to know? (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
