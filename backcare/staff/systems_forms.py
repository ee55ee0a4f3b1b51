"""The owner's form to connect a system."""

from __future__ import annotations

from typing import Any

from django import forms

from backcare.accounts.validators import SingleLine
from backcare.pages import too_long
from backcare.systems import assertion, scopes


class SystemClientForm(forms.Form):
    name = forms.CharField(
        max_length=120,
        validators=[SingleLine("name")],
        help_text="Whose system this is, e.g. “Peachtree Family Medicine EHR”.",
    )
    jwks = forms.CharField(
        label="Public key set (JWKS)",
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        error_messages={"max_length": too_long("public key set")},
        help_text="The JSON Web Key Set the other system gives you, with its public key "
        "(RS384 or ES384). Never its private key.",
    )
    scopes = forms.CharField(
        label="Allowed scopes",
        initial="system/*.read",
        max_length=1000,
        help_text="What it may read, separated by spaces: system/*.read for everything, or "
        "e.g. system/Patient.read system/Observation.read.",
    )

    def clean_jwks(self) -> dict[str, Any]:
        try:
            return assertion.check_jwks(self.cleaned_data["jwks"])
        except assertion.JwksInvalid as error:
            raise forms.ValidationError(str(error)) from None

    def clean_scopes(self) -> list[str]:
        try:
            parsed = scopes.parse(self.cleaned_data["scopes"])
        except scopes.ScopeError as error:
            raise forms.ValidationError(str(error)) from None
        if not parsed:
            raise forms.ValidationError("Give at least one scope, e.g. system/*.read.")
        return parsed
