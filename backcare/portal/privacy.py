"""The clinic's privacy notice, for anyone to read (the health questionnaire links to it)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from backcare import policy
from backcare.clinic.models import PrivacyNotice


@policy.public
def privacy_notice(request: HttpRequest) -> HttpResponse:
    notice = PrivacyNotice.current()
    return render(
        request,
        "portal/privacy.html",
        {"paragraphs": [part for part in notice.text.split("\n\n") if part.strip()]},
    )
