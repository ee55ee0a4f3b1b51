"""The forms of the public booking page: holding a time, signing up. Each carries a honeypot,
a field people never see (hidden by the stylesheet and from screen readers) that simple bots
fill in; a form that comes back with it filled is refused."""

from __future__ import annotations

from typing import Any

from django import forms

from backcare.accounts.validators import SingleLine
from backcare.clinic.models import validate_date_of_birth
from backcare.portal.booking_forms import SlotForm

HONEYPOT = "website"


def _honeypot() -> forms.CharField:
    return forms.CharField(
        label="Leave this empty",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "tabindex": "-1", "class": "honeypot-input"}
        ),
    )


class Honeypot(forms.Form):
    website = _honeypot()

    def caught(self) -> bool:
        return bool(str(self.data.get(HONEYPOT, "")).strip())


class HoldForm(SlotForm):
    """The time a visitor chose, as the hold page posts it back, with the honeypot."""

    website = _honeypot()

    def caught(self) -> bool:
        return bool(str(self.data.get(HONEYPOT, "")).strip())

    def hidden_values(self) -> dict[str, str]:
        return {name: value for name, value in super().hidden_values().items() if name != HONEYPOT}


class SignUpForm(Honeypot):
    first_name = forms.CharField(
        label="First name", max_length=80, validators=[SingleLine("first name")]
    )
    last_name = forms.CharField(
        label="Last name", max_length=80, validators=[SingleLine("last name")]
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="We treat adults (18 and over).",
        validators=[validate_date_of_birth],
        error_messages={"invalid": "Enter your date of birth, for example 1980-04-21."},
    )
    email = forms.EmailField(
        label="Email",
        max_length=254,
        help_text="We will email you a link to confirm it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label="Phone",
        max_length=30,
        validators=[SingleLine("phone")],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    field_order = ["first_name", "last_name", "date_of_birth", "email", "phone", HONEYPOT]

    def person_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields if name != HONEYPOT}
