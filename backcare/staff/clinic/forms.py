from __future__ import annotations

from typing import Any

from django import forms

from backcare.accounts.models import User
from backcare.accounts.validators import SingleLine
from backcare.clinic.models import Client, Location, Room, Service, Therapist
from backcare.lib.techniques import TECHNIQUE_CHOICES
from backcare.pages import RecordsField
from backcare.site.texts import offer_texts_only_when_sent


class TechniquesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(choices=TECHNIQUE_CHOICES, **kwargs)


class ClientForm(forms.ModelForm[Client]):
    class Meta:
        model = Client
        fields = (
            "first_name",
            "last_name",
            "date_of_birth",
            "email",
            "phone",
            "address",
            "home_location",
            "emergency_contact_name",
            "emergency_contact_relationship",
            "emergency_contact_phone",
            "physician_name",
            "physician_practice",
            "physician_phone",
            "physician_email",
            "contact_by_email",
            "contact_by_sms",
            "appointment_reminders",
        )
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"})}
        # The staff's own words for what each box does (the model's are the client's).
        labels = {
            "contact_by_email": "Email them about their appointments",
            "appointment_reminders": "Send a reminder before each appointment",
            "contact_by_sms": "Also send reminders by text message",
        }
        help_texts = {
            "date_of_birth": "Backcare treats adults (18 and over).",
            "contact_by_email": "Confirmations, changes and cancellations, and offers of an "
            "earlier time from the waitlist.",
            "appointment_reminders": "By email, when they get emails about their appointments.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_texts_only_when_sent(self)


class ClientSearchForm(forms.Form):
    q = forms.CharField(label="Search clients", required=False, max_length=100)


class LocationForm(forms.ModelForm[Location]):
    class Meta:
        model = Location
        fields = (
            "name",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
            "phone",
            "time_zone",
            "active",
        )


class RoomForm(forms.ModelForm[Room]):
    class Meta:
        model = Room
        fields = ("name", "active")  # a room stays at the location it was added to


class ServiceForm(forms.ModelForm[Service]):
    techniques = TechniquesField()
    description = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    class Meta:
        model = Service
        fields = (
            "name",
            "description",
            "duration_minutes",
            "buffer_after_minutes",
            "price",
            "techniques",
            "needs_room",
            "active",
        )


class TherapistForm(forms.ModelForm[Therapist]):
    full_name = forms.CharField(
        label="Full name", max_length=150, validators=[SingleLine("full name")]
    )
    email = forms.EmailField(label="Email (their login)")
    techniques = TechniquesField(label="Techniques they practise")
    locations = RecordsField(
        queryset=Location.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    bio = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = Therapist
        fields = ("licence_number", "licence_state", "techniques", "bio", "active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["full_name", "email", "licence_number", "licence_state"])
        if self.instance.pk:
            self.fields["full_name"].initial = self.instance.user.full_name
            self.fields["email"].initial = self.instance.user.email
            self.fields["email"].disabled = True
            self.fields["locations"].initial = list(self.instance.locations.all())

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).lower()
        taken = User.objects.filter(email=email)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.user_id)
        if taken.exists():
            raise forms.ValidationError("Someone already logs in with this email address.")
        return email

    def therapist_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CareTeamForm(forms.Form):
    therapist = forms.ModelChoiceField(
        queryset=Therapist.objects.filter(active=True).select_related("user"),
        label="Therapist",
    )
