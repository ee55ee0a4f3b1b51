"""The owner edits the privacy notice clients read."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse

from backcare import policy
from backcare.clinic import actions
from backcare.clinic.models import PRIVACY_NOTICE_MAX, PrivacyNotice
from backcare.pages import form_page
from backcare.policy import Action, AuthenticatedRequest


class PrivacyNoticeForm(forms.Form):
    text = forms.CharField(
        label="Privacy notice",
        max_length=PRIVACY_NOTICE_MAX,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text="Clients read this before they agree to it on the health questionnaire. "
        "Leave a blank line between paragraphs.",
    )


@policy.requires(Action.PRIVACY_EDIT)
def privacy_edit(request: AuthenticatedRequest) -> HttpResponse:
    notice = PrivacyNotice.current()
    form = PrivacyNoticeForm(request.POST or None, initial={"text": notice.text})
    return form_page(
        request,
        form,
        "clinic/place_form.html",
        lambda: actions.update_privacy_notice(request.user, form.cleaned_data["text"]),
        success="Privacy notice saved.",
        context={"title": "Privacy notice", "back": "staff:home"},
        record=notice,  # a save over a colleague's edit since the form was opened is refused
    )
