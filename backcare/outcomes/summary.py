"""The discharge summary: what a program achieved, for the client and their physician
(SPEC §2 step 6). A page and a PDF.

Pure: no Django, no clock. The caller gathers everything the summary says into a
:class:`DischargeSummary`; :func:`render_discharge_summary` makes the PDF with the clinic's
letterhead and fonts (``backcare/lib/pdf.py``, shared with the referral letter) and draws each
measure's chart from the same geometry as the web page (``chart.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fpdf.enums import Align, XPos, YPos

from backcare.lib.pdf import (
    GREY,
    ClinicPDF,
    Letterhead,
    document_filename,
    draw_letterhead,
    drawn_once,
    format_letter_date,
)
from backcare.outcomes.chart import Chart

RESPONDER_SOURCE = (
    "Dworkin RH et al. J Pain 2008;9(2):105-121 (IMMPACT); Ostelo RW et al. Spine 2008;33(1):90-94"
)


@dataclass(frozen=True)
class MeasureRow:
    """Baseline against latest for one measure, with its chart."""

    title: str
    baseline: str
    latest: str
    change: str
    """The change in the third person, e.g. ``Alex's pain is 50% lower than when they
    started.``: the summary is written for the client's physician."""
    class_words: str
    chart: Chart | None
    scale: str
    """What the numbers mean, e.g. ``0 = no pain, 10 = worst pain``."""


@dataclass(frozen=True)
class DischargeSummary:
    letterhead: Letterhead
    written_on: date
    client_name: str
    client_date_of_birth: date
    physician_name: str
    program_title: str
    started_on: date | None
    ended_on: date | None
    status: str
    measures: tuple[MeasureRow, ...]
    responder: str
    """The responder class (SPEC §5) in words, on NRS, in the third person; empty when there is
    no later reading."""
    global_impression: str
    attended: int
    """Sessions that took place: checked in, completed, or with a signed note."""
    missed: int
    cancelled: int
    planned: int
    techniques: tuple[str, ...]
    techniques_planned_only: bool
    advice: str
    therapist_name: str


def summary_filename(summary: DischargeSummary) -> str:
    return document_filename("discharge-summary", summary.client_name, summary.written_on)


def period(summary: DischargeSummary) -> str:
    start = format_letter_date(summary.started_on) if summary.started_on else "not started"
    end = format_letter_date(summary.ended_on) if summary.ended_on else "ongoing"
    return f"{start} to {end}"


def attendance_sentence(summary: DischargeSummary) -> str:
    parts = [f"{summary.attended} of {summary.planned} planned sessions attended"]
    if summary.missed:
        parts.append(f"{summary.missed} missed")
    if summary.cancelled:
        parts.append(f"{summary.cancelled} cancelled")
    return ", ".join(parts) + "."


# --------------------------------------------------------------------------- PDF

_CHART_WIDTH = 120.0  # millimetres; the chart's own canvas is scaled to it
_CHART_GREEN = (15, 118, 110)
_BAND_FILL = (214, 238, 235)


class _SummaryPDF(ClinicPDF):
    def __init__(self, summary: DischargeSummary) -> None:
        super().__init__(
            title=f"Discharge summary: {summary.client_name}",
            author=summary.therapist_name,
            subject=f"Discharge summary from {summary.letterhead.name}",
            creator=summary.letterhead.name,
            written_on=summary.written_on,
        )
        self.summary = summary

    def header(self) -> None:
        dob = format_letter_date(self.summary.client_date_of_birth)
        self.continued_header(
            f"Discharge summary: {self.summary.client_name} (date of birth {dob}), continued"
        )

    def footer(self) -> None:
        self.grey_footer(self.summary.letterhead.name)

    def facts(self, rows: list[tuple[str, str]]) -> None:
        for label, value in rows:
            self.body(style="B")
            self.cell(42, 5.6, label)
            self.body()
            self.multi_cell(0, 5.6, value, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def chart(self, chart: Chart, title: str) -> None:
        """Draw ``chart`` at the current position, scaled to the chart width."""
        k = _CHART_WIDTH / chart.width
        height = chart.height * k
        self.keep_together(height + 4)
        x0, y0 = self.l_margin, self.get_y()

        def at(x: float, y: float) -> tuple[float, float]:
            return x0 + x * k, y0 + y * k

        plot = chart.plot
        if chart.band is not None and chart.band.height > 0:
            bx, by = at(plot.left, chart.band.top)
            self.set_fill_color(*_BAND_FILL)
            self.rect(bx, by, plot.width * k, chart.band.height * k, style="F")
        self.set_draw_color(170, 170, 170)
        self.set_line_width(0.15)
        self.set_font("DejaVu", "", 6.5)
        self.set_text_color(*GREY)
        for tick in chart.y_ticks:
            lx, ly = at(plot.left, tick.at)
            rx, _ = at(plot.right, tick.at)
            self.line(lx, ly, rx, ly)
            self.text(lx - 5, ly + 1, tick.label)
        for tick in chart.x_ticks:
            tx, ty = at(tick.at, plot.bottom)
            self.text(tx - 3, ty + 4, tick.label)
        if chart.baseline_y is not None:
            lx, ly = at(plot.left, chart.baseline_y)
            rx, _ = at(plot.right, chart.baseline_y)
            self.set_draw_color(*GREY)
            self.set_dash_pattern(dash=1, gap=0.8)
            self.line(lx, ly, rx, ly)
            self.set_dash_pattern()
        self.set_draw_color(*_CHART_GREEN)
        self.set_fill_color(*_CHART_GREEN)
        self.set_line_width(0.5)
        for before, after in zip(chart.points, chart.points[1:], strict=False):
            self.line(*at(before.x, before.y), *at(after.x, after.y))
        for point in chart.points:
            px, py = at(point.x, point.y)
            radius = 1.3 if point.reading.baseline else 0.9
            self.circle(px, py, radius, style="F" if not point.reading.baseline else "D")
        self.set_line_width(0.2)
        self.set_text_color(0, 0, 0)
        self.set_y(y0 + height + 1)
        self.set_font("DejaVu", "I", 7.5)
        self.set_text_color(*GREY)
        self.multi_cell(
            0,
            3.8,
            f"{title}: dashed line = baseline; shaded = change smaller than meaningful.",
            align=Align.L,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_text_color(0, 0, 0)
        self.ln(3)


@drawn_once
def render_discharge_summary(summary: DischargeSummary) -> bytes:
    """The summary as PDF bytes (US Letter, "Page N of M" in the footer)."""
    pdf = _SummaryPDF(summary)
    pdf.add_page()
    draw_letterhead(pdf, summary.letterhead)
    pdf.body(15, "B")
    pdf.cell(0, 8, "Discharge summary", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    pdf.facts(
        [
            ("Client", summary.client_name),
            ("Date of birth", format_letter_date(summary.client_date_of_birth)),
            ("Physician", summary.physician_name or "Not recorded"),
            ("Program", summary.program_title),
            ("Dates", period(summary)),
            ("Written on", format_letter_date(summary.written_on)),
        ]
    )

    pdf.heading("Outcome")
    if summary.responder:
        pdf.paragraph(summary.responder)
    else:
        pdf.paragraph("There is no later pain rating to compare with the baseline yet.")
    if summary.global_impression:
        pdf.paragraph(summary.global_impression)
    pdf.set_text_color(*GREY)
    pdf.line_of_text(f"Responder classes: {RESPONDER_SOURCE}.", size=8.5)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)

    pdf.heading("Baseline and latest")
    for row in summary.measures:
        pdf.body(style="B")
        pdf.cell(0, 5.6, row.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.line_of_text(f"Baseline {row.baseline}, latest {row.latest} ({row.scale}).")
        if row.change:
            pdf.line_of_text(f"{row.change} {row.class_words.capitalize()}.")
        pdf.ln(1.5)
        if row.chart is not None and row.chart.points:
            pdf.chart(row.chart, row.title)

    pdf.heading("Sessions")
    pdf.paragraph(attendance_sentence(summary))

    pdf.heading("Techniques planned" if summary.techniques_planned_only else "Techniques used")
    if summary.techniques_planned_only:
        pdf.set_text_color(*GREY)
        pdf.line_of_text("No signed session notes: these are the program's planned techniques.")
        pdf.set_text_color(0, 0, 0)
    for technique in summary.techniques or ("None recorded",):
        pdf.bullet(technique)
    pdf.ln(2)

    pdf.heading("Self-care and home exercise advice")
    pdf.paragraph(summary.advice.strip() or "No self-care advice was recorded.")

    pdf.ln(4)
    pdf.line_of_text(summary.therapist_name, style="B")
    pdf.line_of_text("Licensed Massage Therapist")
    pdf.line_of_text(summary.letterhead.name)
    return bytes(pdf.output())
