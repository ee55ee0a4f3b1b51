from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class EmailLoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": (
            "That email and password do not match an account. Check both and try again."
        ),
        "inactive": "This account is switched off. Please ask the clinic for help.",
    }

    def clean_username(self) -> str:
        # Accounts are stored lower-case; people type their address however they like.
        return str(self.cleaned_data["username"]).strip().lower()
