"""What the clinic's letters to a physician share: the page (a "continued" header naming the
client, the clinic in the footer), the recipient block, the opening, the therapist's signature,
and the reply form the physician fills in and returns. The referral letter
(``screening/letter.py``) and the letter of medical necessity (``billing/documents.py``) are
both built from these pieces, so they read as one clinic's letters.

Pure: fpdf2 only, no Django, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from fpdf.enums import XPos, YPos

from backcare.lib.pdf import ClinicPDF, Letterhead, draw_letterhead, format_letter_date

UNNAMED_RECIPIENT = "To the client's physician"


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
class LetterFor:
    """Who a letter is about and from: what its page, opening and signature print."""

    letterhead: Letterhead
    written_on: date
    client_name: str
    client_date_of_birth: date
    recipient: Recipient
    therapist_name: str
    therapist_licence: str

    @property
    def date_of_birth(self) -> str:
        return format_letter_date(self.client_date_of_birth)


class LetterPDF(ClinicPDF):
    """A letter's page: "Re: <client>, continued" atop every page after the first."""

    def __init__(self, about: LetterFor, *, title: str, subject: str) -> None:
        # The letter's date, not the clock: the same letter always renders the same bytes.
        super().__init__(
            title=title,
            author=about.therapist_name,
            subject=subject,
            creator=about.letterhead.name,
            written_on=about.written_on,
        )
        self.about = about

    def header(self) -> None:
        about = self.about
        self.continued_header(
            f"Re: {about.client_name} (date of birth {about.date_of_birth}), continued"
        )

    def footer(self) -> None:
        self.grey_footer(self.about.letterhead.name)

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


def draw_recipient(pdf: LetterPDF, recipient: Recipient) -> None:
    pdf.line_of_text(recipient.name.strip() if recipient.is_named else UNNAMED_RECIPIENT)
    for detail in (recipient.practice, recipient.phone, recipient.email):
        if detail.strip():
            pdf.line_of_text(detail.strip())
    pdf.ln(5)


def draw_opening(pdf: LetterPDF, *, regarding: str = "") -> None:
    """The letterhead, the date, the recipient, the bold "Re:" line and "Dear Doctor,"."""
    about = pdf.about
    draw_letterhead(pdf, about.letterhead)
    pdf.line_of_text(format_letter_date(about.written_on))
    pdf.ln(5)
    draw_recipient(pdf, about.recipient)
    re_line = f"Re: {about.client_name} (date of birth {about.date_of_birth})"
    pdf.line_of_text(f"{re_line}: {regarding}" if regarding else re_line, style="B")
    pdf.ln(4)
    pdf.paragraph(f"Dear {about.recipient.name.strip() or 'Doctor'},")


def draw_signature(pdf: LetterPDF, *, clinic_line: bool = True) -> None:
    """ "Sincerely," and the therapist's signature line, name, title and licence."""
    about = pdf.about
    pdf.paragraph("Sincerely,", space_after=11)
    pdf.set_draw_color(0, 0, 0)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + 70, pdf.get_y())
    pdf.ln(1.5)
    pdf.line_of_text(about.therapist_name or about.letterhead.name, style="B")
    if about.therapist_licence:
        pdf.line_of_text("Licensed Massage Therapist")
        pdf.line_of_text(about.therapist_licence)
    if clinic_line:
        pdf.line_of_text(about.letterhead.name)


def start_reply_form(pdf: LetterPDF, title: str, *, height: float) -> None:
    """The dashed rule and title of the part the physician fills in, kept on one page."""
    pdf.keep_together(height)
    pdf.ln(7)
    pdf.set_dash_pattern(dash=1.5, gap=1.2)
    pdf.rule(colour=(110, 110, 110), width=0.3)
    pdf.set_dash_pattern()
    pdf.ln(4)
    pdf.body(11.5, "B")
    pdf.cell(0, 6.5, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def draw_writing_lines(pdf: LetterPDF, labels: Sequence[tuple[str, float]]) -> None:
    """One labelled line to write on per ``(label, label width)``."""
    for label, width in labels:
        pdf.writing_line(label, label_width=width)
        pdf.ln(9)


def end_reply_form(
    pdf: LetterPDF, *, name_label: str = "Printed name:", name_width: float = 40
) -> None:
    """The physician's signature, date, printed name and phone."""
    middle = pdf.l_margin + (pdf.epw * 0.64)
    pdf.writing_line("Physician signature:", label_width=40, until=middle - 6)
    pdf.set_x(middle)
    pdf.writing_line("Date:", label_width=12)
    pdf.ln(11)
    pdf.writing_line(name_label, label_width=name_width, until=middle - 6)
    pdf.set_x(middle)
    pdf.writing_line("Phone:", label_width=16)
    pdf.ln(9)
