"""The forms a client uses to look after their own record in the portal."""

from __future__ import annotations

from typing import Any

from django import forms

from backcare.accounts.validators import SingleLine
from backcare.clinic.models import Client
from backcare.site.texts import offer_texts_only_when_sent

# Each field as a sentence names it: "The doctor's name cannot contain line breaks …".
_SAID = {
    "email": "email address",
    "phone": "phone number",
    "address": "address",
    "emergency_contact_name": "emergency contact's name",
    "emergency_contact_relationship": "relationship",
    "emergency_contact_phone": "emergency contact's phone",
    "physician_name": "doctor's name",
    "physician_practice": "doctor's practice",
    "physician_phone": "doctor's phone",
    "physician_email": "doctor's email",
}


class ContactForm(forms.ModelForm[Client]):
    """Contact details, emergency contact and physician. Every text must stay on one line:
    these reach email headers and letters (a line break is refused, naming the field)."""

    class Meta:
        model = Client
        fields = (
            "email",
            "phone",
            "address",
            "emergency_contact_name",
            "emergency_contact_relationship",
            "emergency_contact_phone",
            "physician_name",
            "physician_practice",
            "physician_phone",
            "physician_email",
        )
        labels = {
            "email": "Email",
            "phone": "Phone",
            "address": "Address",
            "emergency_contact_name": "Emergency contact",
            "emergency_contact_relationship": "Their relationship to you",
            "emergency_contact_phone": "Emergency contact phone",
            "physician_name": "Your doctor",
            "physician_practice": "Doctor's practice",
            "physician_phone": "Doctor's phone",
            "physician_email": "Doctor's email",
        }
        help_texts = {"email": "You sign in with this address."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        for name, field in self.fields.items():
            field.validators.append(SingleLine(_SAID[name]))


class RemindersForm(forms.ModelForm[Client]):
    """Emails about appointments, reminders, and reminders by text message only when the
    clinic can send them. Without the first, no email about an appointment goes out, reminders
    included (as the desk's form says)."""

    class Meta:
        model = Client
        fields = ("contact_by_email", "appointment_reminders", "contact_by_sms")
        labels = {
            "contact_by_email": "Email me when an appointment is booked, changed or cancelled",
            "appointment_reminders": "Email me a reminder before each appointment",
            "contact_by_sms": "Also send reminders by text message",
        }
        help_texts = {
            "contact_by_email": "Also offers of an earlier time from the waiting list. "
            "Without these emails, reminders are not sent either.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_texts_only_when_sent(self)


class DoctorNoteForm(forms.Form):
    document = forms.FileField(
        label="Your doctor's note",
        help_text="A PDF, or a photo (JPEG, PNG or HEIC) of the signed note, up to 10 MB.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png,image/heic"}
        ),
        error_messages={"required": "Choose the file of your doctor's note."},
    )
    message = forms.CharField(
        label="A message for your therapist (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
