"""The referral letter to a client's physician, as a PDF (SPEC §2 steps 2 and 5, §3).

A screening that asks for medical clearance, a session where the muscles did not relax under
pressure, and a reassessment that shows little improvement all end the same way: a letter from
the therapist asking the client's physician whether massage is appropriate and with which
restrictions. Staff download it and it can be emailed to the physician.

This module is pure: no Django, no clock, no database. The caller gathers everything the letter
says, including the date it is written on, into a ``ReferralLetter``; ``render_referral_letter``
turns it into PDF bytes with fpdf2. The letterhead, fonts and text blocks are shared with the
discharge summary in ``backcare/lib/pdf.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, TypeAlias

from backcare.lib.letters import (
    UNNAMED_RECIPIENT as UNNAMED_RECIPIENT,  # re-exported with Recipient
)
from backcare.lib.letters import (
    LetterFor,
    LetterPDF,
    draw_opening,
    draw_signature,
    draw_writing_lines,
    end_reply_form,
    start_reply_form,
)
from backcare.lib.letters import (
    Recipient as Recipient,  # re-exported: letters are built with it
)
from backcare.lib.pdf import (
    GREY,
    document_filename,
    drawn_once,
    format_letter_date,
)
from backcare.lib.pdf import (
    Letterhead as Letterhead,  # re-exported: letters are built with it
)
from backcare.lib.techniques import TECHNIQUES
from backcare.screening.rules import Screening
from backcare.screening.ruleset import MAX_PRESSURE

Purpose: TypeAlias = Literal["clearance", "possible_injury", "not_responding"]

CLEARANCE_LINE = "Cleared for massage: yes / no / with restrictions"

_DECISION_WORDS = {
    "urgent_referral": "urgent referral",
    "medical_clearance_required": "medical clearance required",
    "cleared_with_precautions": "cleared with precautions",
    "cleared": "cleared",
}


@dataclass(frozen=True)
class LetterReason:
    """One reason for the letter, in clinical words, with the source that supports it."""

    code: str
    message: str
    source: str = ""


@dataclass(frozen=True)
class ReferralLetter:
    """Everything the letter says. ``decision`` is a screening decision code (SPEC §3)."""

    letterhead: Letterhead
    written_on: date
    client_name: str
    client_date_of_birth: date
    recipient: Recipient
    decision: str
    reasons: tuple[LetterReason, ...]
    restrictions: tuple[str, ...]
    therapist_name: str
    therapist_licence: str
    purpose: Purpose = "clearance"
    notes: str = ""
    reasons_from: str = ""
    """What the reasons come from, printed above them; empty means the screening decision.
    A letter about a session says which session (``backcare/notes/letters.py``)."""


def letter_reasons(screening: Screening) -> tuple[LetterReason, ...]:
    """The screening's reasons (staff wording, with sources) as the letter lists them."""
    return tuple(
        LetterReason(code=reason.code, message=reason.message, source=reason.source)
        for reason in screening.reasons
    )


def screening_restrictions(screening: Screening) -> tuple[str, ...]:
    """What the screening restricts, in words: ``Deep tissue massage: avoid``,
    ``Pressure 2 of 5 at most``, ``Side-lying position``."""
    restrictions = []
    for code, verdict in screening.techniques.items():
        if verdict == "ok":
            continue
        label = TECHNIQUES.get(code, code.replace("_", " ").capitalize())
        instruction = screening.instructions.get(code, "").strip()
        restrictions.append(f"{label}: {verdict}" + (f" ({instruction})" if instruction else ""))
    if screening.max_pressure is not None:
        restrictions.append(f"Pressure {screening.max_pressure} of {MAX_PRESSURE} at most")
    if screening.positioning == "side_lying":
        restrictions.append("Side-lying position")
    return tuple(restrictions)


# --------------------------------------------------------------------------- words


def decision_in_words(decision: str) -> str:
    return _DECISION_WORDS.get(decision, decision.replace("_", " "))


def opening_paragraph(letter: ReferralLetter) -> str:
    """Why we are writing, chosen by ``letter.purpose``."""
    client = letter.client_name
    if letter.purpose == "possible_injury":
        # SPEC §2 step 5: pressure must evoke relaxation; if not, the muscles may be hurt.
        return (
            f"{client} has been receiving massage therapy at our clinic for chronic low back "
            "pain. During a recent session the muscles did not relax under pressure as "
            "expected, or muscle guarding increased. This may indicate an injury, so we have "
            f"paused the program and advised {client} to consult a doctor before any further "
            "massage."
        )
    if letter.purpose == "not_responding":
        return (
            f"{client} has been receiving massage therapy at our clinic for chronic low back "
            "pain. At the planned reassessment there was little improvement: pain had eased by "
            "less than 2 points and less than 30% from the start of the program. Before we "
            "change the technique or the dose, we would value your opinion on whether massage "
            "remains appropriate or whether another approach would serve better."
        )
    paragraph = (
        f"{client} wishes to start a program of massage therapy for chronic low back pain at "
        "our clinic. Our safety screening before the first session found the reasons below "
        "to ask for your medical clearance first."
    )
    if letter.decision == "medical_clearance_required":
        paragraph += " We will not begin the program until we have your reply."
    return paragraph


def request_paragraph(letter: ReferralLetter) -> str:
    paragraph = (
        "Please let us know whether massage therapy is appropriate for "
        f"{letter.client_name} and any restrictions you would like us to follow."
    )
    contacts = _joined_contacts(letter.letterhead.phone, letter.letterhead.email)
    if contacts:
        paragraph += (
            " You can complete the reply section at the end of this letter and return it to "
            f"us, or contact us at {contacts}."
        )
    return paragraph


def _joined_contacts(phone: str, email: str) -> str:
    return " or ".join(part for part in (phone.strip(), email.strip()) if part)


def referral_letter_filename(letter: ReferralLetter) -> str:
    """``referral-letter-garcia-elena-2026-11-24.pdf``: family name first, ASCII only."""
    return document_filename("referral-letter", letter.client_name, letter.written_on)


# --------------------------------------------------------------------------- layout

# Blocks that must not be split across pages; heights measured from the drawing code below.
_CLOSING_HEIGHT = 50.0
_REPLY_SECTION_HEIGHT = 92.0


def letter_for(letter: ReferralLetter) -> LetterFor:
    """Who the letter is about and from, as every letter to a physician prints it."""
    return LetterFor(
        letterhead=letter.letterhead,
        written_on=letter.written_on,
        client_name=letter.client_name,
        client_date_of_birth=letter.client_date_of_birth,
        recipient=letter.recipient,
        therapist_name=letter.therapist_name,
        therapist_licence=letter.therapist_licence,
    )


def _draw_reply_section(pdf: LetterPDF, letter: ReferralLetter) -> None:
    start_reply_form(pdf, "Physician's reply", height=_REPLY_SECTION_HEIGHT)
    dob = format_letter_date(letter.client_date_of_birth)
    return_to = letter.letterhead.name + (
        f" ({letter.letterhead.email})" if letter.letterhead.email else ""
    )
    pdf.set_text_color(*GREY)
    pdf.line_of_text(
        f"Client: {letter.client_name}, date of birth {dob}. Please return to {return_to}.",
        size=9,
    )
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    pdf.line_of_text(f"{CLEARANCE_LINE}   (please circle one)")
    pdf.ln(2)
    draw_writing_lines(pdf, [("Restrictions:", 27), ("", 0), ("", 0)])
    pdf.ln(1)
    end_reply_form(pdf)


@drawn_once
def render_referral_letter(letter: ReferralLetter) -> bytes:
    """The letter as PDF bytes (US Letter, one page or more, "Page N of M" in the footer)."""
    pdf = LetterPDF(
        letter_for(letter),
        title=f"Referral letter: {letter.client_name}",
        subject=f"Referral letter from {letter.letterhead.name}",
    )
    pdf.add_page()
    draw_opening(pdf)
    pdf.paragraph(opening_paragraph(letter))

    if letter.reasons:
        pdf.heading("Reasons for this letter")
        pdf.set_text_color(*GREY)
        pdf.line_of_text(
            letter.reasons_from or f"Screening result: {decision_in_words(letter.decision)}.",
            size=9,
        )
        pdf.set_text_color(0, 0, 0)
        pdf.ln(1.5)
        for reason in letter.reasons:
            pdf.bullet(reason.message, reason.source)
        pdf.ln(2)

    if letter.notes.strip():
        pdf.heading("Notes from the therapist")
        pdf.paragraph(letter.notes.strip())

    pdf.paragraph(request_paragraph(letter))

    pdf.heading("Precautions we plan to take")
    if letter.restrictions:
        for restriction in letter.restrictions:
            pdf.bullet(restriction)
    else:
        pdf.bullet("Our usual care only; we will follow any restrictions you set.")
    pdf.ln(3)

    pdf.keep_together(_CLOSING_HEIGHT)
    pdf.paragraph(f"Thank you for your help in caring for {letter.client_name}.", space_after=2)
    draw_signature(pdf)

    _draw_reply_section(pdf, letter)
    return bytes(pdf.output())
