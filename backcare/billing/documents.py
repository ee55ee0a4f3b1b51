"""The billing documents as PDF: a receipt, a superbill for out-of-network reimbursement, and a
letter of medical necessity for an HSA/FSA for the client's physician to sign and return.

No Django, no clock, no database: the caller gathers what each says (``paperwork.py``). The
letterhead, fonts and text blocks are the clinic's (``backcare/lib/pdf.py``); the letter of
medical necessity is laid out as the referral letter is, from the same pieces
(``backcare/lib/letters.py``), with a certification in place of its reply form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fpdf.enums import Align, XPos, YPos

from backcare.billing.ledger import format_cents
from backcare.lib import letters as layout
from backcare.lib.pdf import (
    GREY,
    ClinicPDF,
    Letterhead,
    document_filename,
    draw_letterhead,
    drawn_once,
    format_letter_date,
)
from backcare.screening import letter as letters

LOW_BACK_PAIN = "M54.50"  # ICD-10-CM: low back pain, unspecified (2022 onwards)


@dataclass(frozen=True)
class Row:
    """One row of a table of money: words, a code, and an amount in cents."""

    text: str
    cents: int
    code: str = ""
    day: date | None = None


@dataclass(frozen=True)
class Receipt:
    letterhead: Letterhead
    written_on: date
    client_name: str
    title: str  # "Invoice 1-00012"
    issued_on: date
    lines: tuple[Row, ...]
    subtotal_cents: int
    tax_cents: int
    total_cents: int
    payments: tuple[Row, ...]
    paid_cents: int
    balance_cents: int
    void_note: str = ""


@dataclass(frozen=True)
class Provider:
    name: str
    licence: str
    npi: str


@dataclass(frozen=True)
class Superbill:
    letterhead: Letterhead
    written_on: date
    client_name: str
    client_date_of_birth: date
    client_address: str
    diagnosis_codes: tuple[str, ...]
    clinic_npi: str
    clinic_tax_id: str
    providers: tuple[Provider, ...]
    services: tuple[Row, ...]  # day, description, code; cents charged
    paid: tuple[int, ...]  # cents paid, row by row with ``services``

    @property
    def charged_cents(self) -> int:
        return sum(row.cents for row in self.services)

    @property
    def paid_cents(self) -> int:
        return sum(self.paid)


@dataclass(frozen=True)
class NecessityLetter:
    """A letter of medical necessity: the referral letter's people and screening, with the
    program the clinic proposes."""

    referral: letters.ReferralLetter
    program_title: str
    sessions: int
    weeks: int
    diagnosis_codes: tuple[str, ...]
    goals: tuple[str, ...]


def _day(day: date) -> str:
    return f"{day:%m/%d/%Y}"


class _Document(ClinicPDF):
    def __init__(self, *, title: str, letterhead: Letterhead, written_on: date) -> None:
        super().__init__(
            title=title,
            author=letterhead.name,
            subject=title,
            creator=letterhead.name,
            written_on=written_on,
        )
        self.letterhead = letterhead
        self.document_title = title

    def header(self) -> None:
        self.continued_header(f"{self.document_title}, continued")

    def footer(self) -> None:
        self.grey_footer(self.letterhead.name)

    def money_table(self, rows: tuple[Row, ...], *, code_heading: str = "Code") -> None:
        widths = (26.0, self.epw - 26.0 - 24.0 - 30.0, 24.0, 30.0)
        self.body(9, "B")
        for width, heading, align in zip(
            widths, ("Date", "Description", code_heading, "Amount"), "LLLR", strict=True
        ):
            self.cell(width, 6, heading, align=Align.coerce(align))
        self.ln(6)
        self.rule()
        self.ln(1)
        self.body(9.5)
        for row in rows:
            self.cell(widths[0], 6, _day(row.day) if row.day else "")
            self.cell(widths[1], 6, row.text[:70])
            self.cell(widths[2], 6, row.code)
            self.cell(widths[3], 6, format_cents(row.cents), align=Align.R)
            self.ln(6)
        self.rule()
        self.ln(2)

    def total_line(self, label: str, cents: int, *, bold: bool = False) -> None:
        self.body(10, "B" if bold else "")
        self.cell(self.epw - 30, 6, label, align=Align.R)
        self.cell(30, 6, format_cents(cents), align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


@drawn_once
def render_receipt(receipt: Receipt) -> bytes:
    pdf = _Document(
        title=receipt.title, letterhead=receipt.letterhead, written_on=receipt.written_on
    )
    pdf.add_page()
    draw_letterhead(pdf, receipt.letterhead)
    pdf.line_of_text(receipt.title, style="B", size=13)
    pdf.line_of_text(f"Issued {format_letter_date(receipt.issued_on)} to {receipt.client_name}")
    if receipt.void_note:
        pdf.set_text_color(*GREY)
        pdf.line_of_text(receipt.void_note, size=9)
        pdf.set_text_color(0, 0, 0)
    pdf.ln(4)
    pdf.money_table(receipt.lines)
    pdf.total_line("Subtotal", receipt.subtotal_cents)
    pdf.total_line("Tax", receipt.tax_cents)
    pdf.total_line("Total", receipt.total_cents, bold=True)
    pdf.ln(4)
    pdf.heading("Payments")
    if receipt.payments:
        pdf.money_table(receipt.payments, code_heading="Method")
    else:
        pdf.paragraph("No payments yet.")
    pdf.total_line("Paid", receipt.paid_cents)
    pdf.total_line("Balance due", receipt.balance_cents, bold=True)
    return bytes(pdf.output())


def receipt_filename(receipt: Receipt) -> str:
    return document_filename("receipt", receipt.client_name, receipt.issued_on)


@drawn_once
def render_superbill(bill: Superbill) -> bytes:
    pdf = _Document(
        title=f"Superbill: {bill.client_name}",
        letterhead=bill.letterhead,
        written_on=bill.written_on,
    )
    pdf.add_page()
    draw_letterhead(pdf, bill.letterhead)
    pdf.line_of_text("Superbill", style="B", size=13)
    pdf.set_text_color(*GREY)
    pdf.line_of_text(
        "A statement of services paid for, to claim out-of-network reimbursement from your "
        "insurer.",
        size=9,
    )
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    pdf.heading("Provider")
    pdf.line_of_text(bill.letterhead.name)
    if bill.clinic_npi:
        pdf.line_of_text(f"Clinic NPI: {bill.clinic_npi}")
    if bill.clinic_tax_id:
        pdf.line_of_text(f"Tax ID: {bill.clinic_tax_id}")
    for provider in bill.providers:
        npi = f", NPI {provider.npi}" if provider.npi else ""
        pdf.line_of_text(f"{provider.name}, Licensed Massage Therapist ({provider.licence}{npi})")
    pdf.ln(3)
    pdf.heading("Patient")
    pdf.line_of_text(
        f"{bill.client_name}, date of birth {format_letter_date(bill.client_date_of_birth)}"
    )
    if bill.client_address:
        pdf.line_of_text(bill.client_address)
    pdf.ln(3)
    pdf.heading("Diagnosis (ICD-10-CM)")
    pdf.line_of_text(", ".join(bill.diagnosis_codes) or LOW_BACK_PAIN)
    pdf.ln(3)
    pdf.heading("Services")
    pdf.money_table(bill.services, code_heading="Service code")
    pdf.total_line("Total charged", bill.charged_cents)
    pdf.total_line("Total paid", bill.paid_cents, bold=True)
    pdf.ln(6)
    pdf.set_text_color(*GREY)
    pdf.line_of_text(
        "Diagnosis and service codes are as the clinic entered them. Amounts are in US dollars.",
        size=8.5,
    )
    pdf.set_text_color(0, 0, 0)
    return bytes(pdf.output())


def superbill_filename(bill: Superbill) -> str:
    return document_filename("superbill", bill.client_name, bill.written_on)


# --- The letter of medical necessity ------------------------------------------------------

NECESSITY_LINE = "Massage therapy is medically necessary: yes / no   (please circle one)"


def necessity_paragraph(letter: NecessityLetter) -> str:
    codes = ", ".join(letter.diagnosis_codes) or LOW_BACK_PAIN
    return (
        f"{letter.referral.client_name} is being treated at our clinic for chronic low back "
        f"pain (ICD-10-CM {codes}). We propose {letter.program_title.lower()}: "
        f"{letter.sessions} sessions of massage therapy over about {letter.weeks} weeks, with "
        "home exercise and self-care advice. To pay for this treatment from a health savings "
        "account (HSA) or flexible spending account (FSA), the plan asks for a letter of "
        "medical necessity from the treating physician."
    )


@drawn_once
def render_necessity_letter(letter: NecessityLetter) -> bytes:
    """Laid out as the referral letter, with a certification for the physician in place of
    its reply form."""
    referral = letter.referral
    pdf = layout.LetterPDF(
        letters.letter_for(referral),
        title=f"Letter of medical necessity: {referral.client_name}",
        subject=f"Referral letter from {referral.letterhead.name}",
    )
    pdf.add_page()
    layout.draw_opening(pdf, regarding="letter of medical necessity")
    pdf.paragraph(necessity_paragraph(letter))
    if letter.goals:
        pdf.heading("The goals of the program")
        for goal in letter.goals:
            pdf.bullet(goal)
        pdf.ln(2)
    if referral.reasons:
        pdf.heading("What our safety screening found")
        for reason in referral.reasons:
            pdf.bullet(reason.message, reason.source)
        pdf.ln(2)
    if referral.restrictions:
        pdf.heading("Precautions we take")
        for restriction in referral.restrictions:
            pdf.bullet(restriction)
        pdf.ln(2)
    pdf.paragraph(
        "If you agree that this treatment is medically necessary, please complete and sign the "
        "section below and return it to us; the client keeps a copy for their plan."
    )
    layout.draw_signature(pdf, clinic_line=False)

    layout.start_reply_form(pdf, "Physician's certification", height=80)
    pdf.ln(2)
    pdf.line_of_text(NECESSITY_LINE)
    pdf.ln(2)
    layout.draw_writing_lines(pdf, [("Diagnosis:", 22), ("Sessions and duration:", 44)])
    pdf.ln(2)
    layout.end_reply_form(pdf, name_label="Printed name and NPI:", name_width=42)
    return bytes(pdf.output())


def necessity_letter_filename(letter: NecessityLetter) -> str:
    return document_filename(
        "medical-necessity", letter.referral.client_name, letter.referral.written_on
    )
