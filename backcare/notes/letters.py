"""The referral letter an alert drafts (SPEC §2 step 5): the screening's letter
(``backcare/screening/letter.py``) with its reasons taken from the session note instead."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import cast

from backcare.accounts.models import User
from backcare.holds.queries import standing
from backcare.lib.pdf import format_letter_date
from backcare.lib.techniques import TECHNIQUES
from backcare.notes import monitor
from backcare.notes.models import Alert, SessionNote
from backcare.scheduling.clock import clock
from backcare.screening import letter as letters
from backcare.screening.actions import referral_letter

_RESPONSES = dict(monitor.TISSUE_RESPONSES)


def note_reasons(note: SessionNote, alert: Alert) -> tuple[letters.LetterReason, ...]:
    """The reasons for the letter, in clinical words, from what the note recorded."""
    reasons = [letters.LetterReason(code=alert.kind, message=alert.message, source=alert.source)]
    used = ", ".join(
        f"{TECHNIQUES.get(str(row['code']), row['code'])} {row['minutes']} min at pressure "
        f"{row['pressure']} of 5"
        for row in note.techniques
    )
    if used:
        reasons.append(letters.LetterReason(code="techniques", message=f"Techniques: {used}."))
    response = _RESPONSES.get(note.tissue_response, note.tissue_response)
    reasons.append(
        letters.LetterReason(
            code="response",
            message=(
                f"Tissue response: {response.lower()}. Pain {note.pre_nrs} of 10 before the "
                f"session and {note.post_nrs} of 10 after."
            ),
        )
    )
    if note.adverse_events:
        reasons.append(
            letters.LetterReason(code="adverse_events", message=f"Noted: {note.adverse_events}")
        )
    return tuple(reasons)


def alert_letter(alert: Alert, *, therapist: User | None, today: dt.date) -> letters.ReferralLetter:
    """The letter drafted with ``alert``, signed by ``therapist`` when given."""
    screening = (
        alert.program.screening
        if alert.program is not None
        else standing(alert.client, today).screening
    )
    if screening is None or not alert.letter_purpose:
        raise ValueError("this alert drafts no letter")
    # The letterhead is where the session the alert is about took place.
    session = alert.note or alert.check_in
    letter = referral_letter(
        alert.client,
        screening,
        therapist=therapist,
        today=today,
        purpose=cast(letters.Purpose, alert.letter_purpose),
        location=session.appointment.location if session is not None else None,
    )
    if alert.note is None:
        return letter
    held_at = alert.note.appointment.local_starts()
    return dataclasses.replace(
        letter,
        reasons=note_reasons(alert.note, alert),
        reasons_from=(
            f"From the session of {format_letter_date(held_at.date())} at {clock(held_at.time())}."
        ),
    )
