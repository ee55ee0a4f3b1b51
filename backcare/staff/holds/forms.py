from __future__ import annotations

from typing import Any

from django import forms

from backcare.holds.models import HoldRelease


class LiftForm(forms.Form):
    """Lift a hold: on a doctor's answer (therapist or owner), or by the owner's decision."""

    basis = forms.ChoiceField(
        label="What lifts the hold",
        choices=HoldRelease.Basis.choices,
        widget=forms.RadioSelect,
    )
    physician_name = forms.CharField(label="Doctor who answered", max_length=120, required=False)
    answered_on = forms.DateField(
        label="Date of the doctor's answer",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label="What was decided and why",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Kept in the client's record and the audit log.",
    )

    def __init__(self, *args: Any, override: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not override:
            field = self.fields["basis"]
            if isinstance(field, forms.ChoiceField):
                field.choices = [
                    choice
                    for choice in HoldRelease.Basis.choices
                    if choice[0] != HoldRelease.Basis.OWNER_OVERRIDE
                ]
