from __future__ import annotations

from django import forms

from backcare.pages import too_long
from backcare.screening.models import Clearance


class ClearanceForm(forms.ModelForm[Clearance]):
    class Meta:
        model = Clearance
        fields = ("physician_name", "physician_practice", "cleared_on", "restrictions", "document")
        widgets = {
            "cleared_on": forms.DateInput(attrs={"type": "date"}),
            "restrictions": forms.Textarea(attrs={"rows": 3}),
            "document": forms.ClearableFileInput(
                attrs={"accept": "application/pdf,image/jpeg,image/png,image/heic"}
            ),
        }
        error_messages = {"restrictions": {"max_length": too_long("restrictions")}}


class LetterForm(forms.Form):
    purpose = forms.ChoiceField(
        choices=(
            ("clearance", "Ask for clearance before the program"),
            ("possible_injury", "Possible injury: ask for an assessment"),
            ("not_responding", "Not responding: ask for advice"),
        ),
        initial="clearance",
    )
