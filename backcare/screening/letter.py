"""The referral letter to a client's physician, as a PDF (SPEC §2 steps 2 and 5, §3).

A screening that asks for medical clearance, a session where the muscles did not relax under
pressure, and a reassessment that shows little improvement all end the same way: a letter from
the therapist asking the client's physician whether massage is appropriate and with which
restrictions. Staff download it and it can be emailed to the physician.

This module is pure: no Django, no clock, no database. The caller gathers everything the letter
says, including the date it is written on, into a ``ReferralLetter``; ``render_referral_letter``
turns it into PDF bytes with fpdf2. Text is set in DejaVu Sans, bundled in ``fonts/`` next to
this module (its licence is beside it), so names like "Elena García" print on any server.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Literal, TypeAlias

from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, XPos, YPos

from backcare.lib.techniques import TECHNIQUES
from backcare.screening.rules import MAX_PRESSURE, Screening

Purpose: TypeAlias = Literal["clearance", "possible_injury", "not_responding"]

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "DejaVu"
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}

UNNAMED_RECIPIENT = "To the client's physician"
CLEARANCE_LINE = "Cleared for massage: yes / no / with restrictions"

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_DECISION_WORDS = {
    "urgent_referral": "urgent referral",
    "medical_clearance_required": "medical clearance required",
    "cleared_with_precautions": "cleared with precautions",
    "cleared": "cleared",
}


@dataclass(frozen=True)
class Letterhead:
    """The clinic (or location) the letter is written from."""

    name: str
    address_lines: tuple[str, ...]
    phone: str
    email: str


@dataclass(frozen=True)
class Recipient:
    """The client's physician. Every field may be empty: the letter then addresses no one."""

    name: str = ""
    practice: str = ""
    phone: str = ""
    email: str = ""

    @property
    def is_named(self) -> bool:
        return bool(self.name.strip())


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


def format_letter_date(day: date) -> str:
    """US letter style, independent of the server's locale: ``November 24, 2026``."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


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
    words = letter.client_name.split()
    ordered = words[-1:] + words[:-1]
    slug = _ascii_slug(" ".join(ordered)) or "client"
    return f"referral-letter-{slug}-{letter.written_on.isoformat()}.pdf"


def _ascii_slug(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


# --------------------------------------------------------------------------- layout

# US Letter in millimetres; generous margins so the letter reads like one.
_MARGIN = 22.0
_BOTTOM_MARGIN = 22.0
_BODY_SIZE = 10.5
_LINE = 5.2
_SOURCE_SIZE = 8.5
_SOURCE_LINE = 4.2
_BULLET_INDENT = 6.0
_GREY = (90, 90, 90)
_RULE_GREY = (160, 160, 160)
# Blocks that must not be split across pages; heights measured from the drawing code below.
_CLOSING_HEIGHT = 50.0
_REPLY_SECTION_HEIGHT = 92.0


class _LetterPDF(FPDF):
    def __init__(self, letter: ReferralLetter) -> None:
        super().__init__(orientation="portrait", unit="mm", format="Letter")
        self.letter = letter
        for style, filename in _FONT_FILES.items():
            self.add_font(FONT_FAMILY, style, FONT_DIR / filename)
        self.set_margins(_MARGIN, _MARGIN, _MARGIN)
        self.set_auto_page_break(auto=True, margin=_BOTTOM_MARGIN)
        self.set_title(f"Referral letter: {letter.client_name}")
        self.set_author(letter.therapist_name)
        self.set_subject(f"Referral letter from {letter.letterhead.name}")
        self.set_creator(letter.letterhead.name)
        self.set_lang("en-US")
        # The letter's date, not the clock: the same letter always renders the same bytes.
        self.set_creation_date(datetime.combine(letter.written_on, time(), tzinfo=UTC))

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FONT_FAMILY, "", 8.5)
        self.set_text_color(*_GREY)
        dob = format_letter_date(self.letter.client_date_of_birth)
        self.cell(
            0,
            4,
            f"Re: {self.letter.client_name} (date of birth {dob}), continued",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_text_color(0, 0, 0)
        self.ln(6)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_draw_color(*_RULE_GREY)
        self.line(self.l_margin, self.get_y() - 1.5, self.w - self.r_margin, self.get_y() - 1.5)
        self.set_font(FONT_FAMILY, "", 8.5)
        self.set_text_color(*_GREY)
        self.cell(0, 4, self.letter.letterhead.name, align=Align.L)
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align=Align.R)
        self.set_text_color(0, 0, 0)

    # ----------------------------------------------------------------- building blocks

    def body(self, size: float = _BODY_SIZE, style: str = "") -> None:
        self.set_font(FONT_FAMILY, style, size)

    def paragraph(self, text: str, *, space_after: float = 3.5) -> None:
        self.body()
        self.multi_cell(0, _LINE, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(space_after)

    def line_of_text(self, text: str, *, style: str = "", size: float = _BODY_SIZE) -> None:
        self.body(size, style)
        self.multi_cell(0, _LINE, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, text: str) -> None:
        # Keep a heading with at least its first two lines of content.
        if self.will_page_break(_LINE * 4):
            self.add_page()
        self.body(11.5, "B")
        self.cell(0, 6.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(0.5)

    def text_height(self, text: str, width: float, line_height: float) -> float:
        """How tall ``text`` would be in the current font, without drawing it."""
        height = self.multi_cell(
            width, line_height, text, align=Align.L, dry_run=True, output=MethodReturnValue.HEIGHT
        )
        assert isinstance(height, float | int)  # noqa: S101 - output=HEIGHT returns a number
        return float(height)

    def keep_together(self, height: float) -> None:
        """Start a new page unless ``height`` more millimetres fit on this one."""
        if self.will_page_break(height):
            self.add_page()

    def bullet(self, text: str, source: str = "") -> None:
        """A list item with a hanging bullet; ``source`` follows in small italics."""
        width = self.epw - _BULLET_INDENT
        source_text = f"Source: {source}" if source else ""
        self.body()
        height = self.text_height(text, width, _LINE)
        if source_text:
            self.body(_SOURCE_SIZE, "I")
            height += self.text_height(source_text, width, _SOURCE_LINE)
        self.keep_together(height)

        self.body()
        self.set_x(self.l_margin + 1.5)
        self.cell(_BULLET_INDENT - 1.5, _LINE, "•")
        self.multi_cell(width, _LINE, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if source_text:
            self.body(_SOURCE_SIZE, "I")
            self.set_text_color(*_GREY)
            self.set_x(self.l_margin + _BULLET_INDENT)
            self.multi_cell(
                width,
                _SOURCE_LINE,
                source_text,
                align=Align.L,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
            self.set_text_color(0, 0, 0)
        self.ln(1.6)

    def rule(self, colour: Sequence[int] = _RULE_GREY, width: float = 0.2) -> None:
        self.set_draw_color(*colour)
        self.set_line_width(width)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_line_width(0.2)

    def writing_line(self, label: str, *, label_width: float, until: float | None = None) -> None:
        """A label followed by a line to write on, ending at ``until`` (or the margin)."""
        self.body()
        start = self.get_x()
        self.cell(label_width, 8, label)
        end = until if until is not None else self.w - self.r_margin
        baseline = self.get_y() + 6.2
        self.set_draw_color(0, 0, 0)
        self.line(start + label_width, baseline, end, baseline)
        self.set_x(end)


def _draw_letterhead(pdf: _LetterPDF, letterhead: Letterhead) -> None:
    pdf.body(17, "B")
    pdf.cell(0, 8, letterhead.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*_GREY)
    for address_line in letterhead.address_lines:
        pdf.line_of_text(address_line, size=9.5)
    contacts = "   ·   ".join(
        part
        for part in (
            f"Phone {letterhead.phone}" if letterhead.phone else "",
            letterhead.email,
        )
        if part
    )
    if contacts:
        pdf.line_of_text(contacts, size=9.5)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2.5)
    pdf.rule(colour=(40, 40, 40), width=0.5)
    pdf.ln(6)


def _draw_recipient(pdf: _LetterPDF, recipient: Recipient) -> None:
    pdf.line_of_text(recipient.name.strip() if recipient.is_named else UNNAMED_RECIPIENT)
    for detail in (recipient.practice, recipient.phone, recipient.email):
        if detail.strip():
            pdf.line_of_text(detail.strip())
    pdf.ln(5)


def _draw_reply_section(pdf: _LetterPDF, letter: ReferralLetter) -> None:
    pdf.keep_together(_REPLY_SECTION_HEIGHT)
    pdf.ln(7)
    pdf.set_dash_pattern(dash=1.5, gap=1.2)
    pdf.rule(colour=(110, 110, 110), width=0.3)
    pdf.set_dash_pattern()
    pdf.ln(4)
    pdf.body(11.5, "B")
    pdf.cell(0, 6.5, "Physician's reply", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    dob = format_letter_date(letter.client_date_of_birth)
    return_to = letter.letterhead.name + (
        f" ({letter.letterhead.email})" if letter.letterhead.email else ""
    )
    pdf.set_text_color(*_GREY)
    pdf.line_of_text(
        f"Client: {letter.client_name}, date of birth {dob}. Please return to {return_to}.",
        size=9,
    )
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    pdf.line_of_text(f"{CLEARANCE_LINE}   (please circle one)")
    pdf.ln(2)
    pdf.writing_line("Restrictions:", label_width=27)
    pdf.ln(9)
    for _ in range(2):
        pdf.writing_line("", label_width=0)
        pdf.ln(9)
    pdf.ln(1)
    middle = pdf.l_margin + (pdf.epw * 0.64)
    pdf.writing_line("Physician signature:", label_width=40, until=middle - 6)
    pdf.set_x(middle)
    pdf.writing_line("Date:", label_width=12)
    pdf.ln(11)
    pdf.writing_line("Printed name:", label_width=40, until=middle - 6)
    pdf.set_x(middle)
    pdf.writing_line("Phone:", label_width=16)
    pdf.ln(9)


def render_referral_letter(letter: ReferralLetter) -> bytes:
    """The letter as PDF bytes (US Letter, one page or more, "Page N of M" in the footer)."""
    pdf = _LetterPDF(letter)
    pdf.add_page()

    _draw_letterhead(pdf, letter.letterhead)
    pdf.line_of_text(format_letter_date(letter.written_on))
    pdf.ln(5)
    _draw_recipient(pdf, letter.recipient)

    dob = format_letter_date(letter.client_date_of_birth)
    pdf.line_of_text(f"Re: {letter.client_name} (date of birth {dob})", style="B")
    pdf.ln(4)
    pdf.paragraph(f"Dear {letter.recipient.name.strip() or 'Doctor'},")
    pdf.paragraph(opening_paragraph(letter))

    if letter.reasons:
        pdf.heading("Reasons for this letter")
        pdf.set_text_color(*_GREY)
        pdf.line_of_text(f"Screening result: {decision_in_words(letter.decision)}.", size=9)
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
    pdf.paragraph("Sincerely,", space_after=11)
    pdf.set_draw_color(0, 0, 0)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + 70, pdf.get_y())
    pdf.ln(1.5)
    pdf.line_of_text(letter.therapist_name, style="B")
    pdf.line_of_text("Licensed Massage Therapist")
    pdf.line_of_text(letter.therapist_licence)
    pdf.line_of_text(letter.letterhead.name)

    _draw_reply_section(pdf, letter)
    return bytes(pdf.output())
