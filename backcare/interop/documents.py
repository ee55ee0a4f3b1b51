"""The PDFs behind DocumentReferences, made as the staff pages make them: a screening's
referral letter, an alert's referral letter, a program's discharge summary."""

from __future__ import annotations

import datetime as dt

from django.http import Http404

from backcare.care.models import Program
from backcare.notes.letters import alert_letter
from backcare.notes.models import Alert
from backcare.outcomes.records import discharge_summary
from backcare.outcomes.summary import render_discharge_summary, summary_filename
from backcare.screening import actions as screening_actions
from backcare.screening import letter as letters
from backcare.screening.models import Screening


def render(document_id: str, *, today: dt.date) -> tuple[bytes, str]:
    """The PDF and its file name; the caller has checked the DocumentReference is readable."""
    if document_id.startswith("referral-s"):
        screening = Screening.objects.select_related("client").get(
            pk=int(document_id.removeprefix("referral-s"))
        )
        letter = screening_actions.referral_letter(
            screening.client, screening, therapist=None, today=today
        )
        return letters.render_referral_letter(letter), letters.referral_letter_filename(letter)
    if document_id.startswith("referral-a"):
        alert = Alert.objects.select_related("client").get(
            pk=int(document_id.removeprefix("referral-a"))
        )
        letter = alert_letter(alert, therapist=None, today=today)
        return letters.render_referral_letter(letter), letters.referral_letter_filename(letter)
    if document_id.startswith("summary-"):
        program = Program.objects.get(pk=int(document_id.removeprefix("summary-")))
        summary = discharge_summary(program, today=today)
        return render_discharge_summary(summary), summary_filename(summary)
    raise Http404("No such document.")
