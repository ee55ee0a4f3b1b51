"""What Backcare's PDF documents share: the clinic's letterhead, the fonts, the US date style and
the text blocks (paragraphs, headings, bullets with sources) that letters and summaries are made of.

Pure: fpdf2 only, no Django. Text is set in DejaVu Sans, bundled in ``fonts/`` next to this
module (its licence is beside it), so names like "Elena García" print on any server.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache, lru_cache
from pathlib import Path
from typing import TypeVar

from fontTools import ttLib  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, TextEmphasis, XPos, YPos
from fpdf.fonts import SubsetMap, TTFFont

from backcare.lib.when import long_date

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "DejaVu"
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
# The font's layout tables (ligatures, kerning pairs and their glyph classes, and the older
# kerning table, which fontTools drops from a font that has the newer). fpdf2 sets text without
# them (no text shaping here) and drops them from every font it embeds, but fontTools reads them
# whole before it drops them: about 5 ms of every document. Each document's copy of the font is
# opened without them, and the PDF comes out the same, byte for byte.
_UNUSED_TABLES = ("GDEF", "GSUB", "GPOS", "kern")

D = TypeVar("D", bound=Hashable)


# US Letter in millimetres; generous margins so a letter reads like one.
MARGIN = 22.0
BOTTOM_MARGIN = 22.0
BODY_SIZE = 10.5
LINE = 5.2
SOURCE_SIZE = 8.5
SOURCE_LINE = 4.2
BULLET_INDENT = 6.0
GREY = (90, 90, 90)
RULE_GREY = (160, 160, 160)


@dataclass(frozen=True)
class Letterhead:
    """The clinic (or location) a document is written from."""

    name: str
    address_lines: tuple[str, ...]
    phone: str
    email: str


def format_letter_date(day: date) -> str:
    """US letter style, independent of the server's locale: ``November 24, 2026``."""
    return long_date(day)


def ascii_slug(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def document_filename(kind: str, client_name: str, day: date) -> str:
    """``<kind>-garcia-elena-2026-11-24.pdf``: family name first, ASCII only."""
    words = client_name.split()
    ordered = words[-1:] + words[:-1]
    slug = ascii_slug(" ".join(ordered)) or "client"
    return f"{kind}-{slug}-{day.isoformat()}.pdf"


class ClinicPDF(FPDF):
    """A US Letter page in the clinic's fonts, with the text blocks documents are made of.
    ``written_on`` is also the PDF's creation date, so a document renders the same bytes."""

    def __init__(self, *, title: str, author: str, subject: str, creator: str, written_on: date):
        super().__init__(orientation="portrait", unit="mm", format="Letter")
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=BOTTOM_MARGIN)
        self.set_title(title)
        self.set_author(author)
        self.set_subject(subject)
        self.set_creator(creator)
        self.set_lang("en-US")
        self.set_creation_date(datetime.combine(written_on, time(), tzinfo=UTC))

    def set_font(
        self, family: str | None = None, style: str | TextEmphasis = "", size: float = 0
    ) -> None:
        """Each style of the clinic's font is read from its file the first time the document
        uses it: reading one costs more than drawing a page, and many documents never use
        the italic."""
        if family is not None and family.lower() == FONT_FAMILY.lower():
            letters = style.style if isinstance(style, TextEmphasis) else style
            key = "".join(sorted(letter for letter in letters.upper() if letter in "BI"))
            if family.lower() + key not in self.fonts:
                self.fonts[family.lower() + key] = _font_for(self, key)
        super().set_font(family, style, size)

    def body(self, size: float = BODY_SIZE, style: str = "") -> None:
        self.set_font(FONT_FAMILY, style, size)

    def paragraph(self, text: str, *, space_after: float = 3.5) -> None:
        self.body()
        self.multi_cell(0, LINE, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(space_after)

    def line_of_text(self, text: str, *, style: str = "", size: float = BODY_SIZE) -> None:
        self.body(size, style)
        self.multi_cell(0, LINE, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, text: str) -> None:
        # Keep a heading with at least its first two lines of content.
        if self.will_page_break(LINE * 4):
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
        width = self.epw - BULLET_INDENT
        source_text = f"Source: {source}" if source else ""
        self.body()
        height = self.text_height(text, width, LINE)
        if source_text:
            self.body(SOURCE_SIZE, "I")
            height += self.text_height(source_text, width, SOURCE_LINE)
        self.keep_together(height)

        self.body()
        self.set_x(self.l_margin + 1.5)
        self.cell(BULLET_INDENT - 1.5, LINE, "•")
        self.multi_cell(width, LINE, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if source_text:
            self.body(SOURCE_SIZE, "I")
            self.set_text_color(*GREY)
            self.set_x(self.l_margin + BULLET_INDENT)
            self.multi_cell(
                width,
                SOURCE_LINE,
                source_text,
                align=Align.L,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
            self.set_text_color(0, 0, 0)
        self.ln(1.6)

    def rule(self, colour: Sequence[int] = RULE_GREY, width: float = 0.2) -> None:
        self.set_draw_color(*colour)
        self.set_line_width(width)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_line_width(0.2)

    def grey_footer(self, left: str) -> None:
        """A thin rule, ``left`` and "Page N of M" at the foot of the page."""
        self.set_y(-14)
        self.set_draw_color(*RULE_GREY)
        self.line(self.l_margin, self.get_y() - 1.5, self.w - self.r_margin, self.get_y() - 1.5)
        self.set_font(FONT_FAMILY, "", 8.5)
        self.set_text_color(*GREY)
        self.cell(0, 4, left, align=Align.L)
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align=Align.R)
        self.set_text_color(0, 0, 0)

    def continued_header(self, text: str) -> None:
        """On pages after the first: whose document this is, in small grey type."""
        if self.page_no() == 1:
            return
        self.set_font(FONT_FAMILY, "", 8.5)
        self.set_text_color(*GREY)
        self.cell(0, 4, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.ln(6)


@cache
def _measured_font(style: str) -> TTFFont:
    """A style of the clinic's font as fpdf2 reads it: the widths of its 6,000 characters
    and its descriptor, read once per process (it is the same for every document)."""
    reader = FPDF()
    reader.add_font(FONT_FAMILY, style, FONT_DIR / _FONT_FILES[style])
    font = reader.fonts[FONT_FAMILY.lower() + style]
    assert isinstance(font, TTFFont)  # noqa: S101 - add_font of a .ttf makes a TTFFont
    return font


def _font_for(pdf: FPDF, style: str) -> TTFFont:
    """The font for one document: the measurements read once (read-only while drawing) with
    what is the document's own: its number, the glyphs it uses, and the font file it
    embeds a subset of (fpdf2 cuts the subset out of that file in place when it writes)."""
    measured = _measured_font(style)
    font = TTFFont.__new__(TTFFont)
    for name in TTFFont.__slots__:
        if hasattr(measured, name):
            setattr(font, name, getattr(measured, name))
    font.i = len(pdf.fonts) + 1
    font.ttfont = ttLib.TTFont(measured.ttffile, recalcTimestamp=False, lazy=True)
    for tag in _UNUSED_TABLES:
        if tag in font.ttfont:
            del font.ttfont[tag]
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    font.subset = SubsetMap(font)
    return font


def drawn_once(render: Callable[[D], bytes]) -> Callable[[D], bytes]:
    """Keep the last documents drawn by ``render``, keyed by the data they were drawn from.

    A document is the same bytes whenever its data is the same (the data includes the date it
    is written on), and its data is a frozen dataclass: so a letter or receipt opened again, or
    by the physician after the therapist, is not drawn twice. A change to anything the
    document shows is a different key. Each process keeps at most 64 (about 50 KB each)."""
    kept = lru_cache(maxsize=64)(render)
    _KEPT.append(kept.cache_clear)
    return kept


_KEPT: list[Callable[[], None]] = []


def forget_drawn() -> None:
    """Forget every document kept by :func:`drawn_once` (the benchmark times a first drawing)."""
    for clear in _KEPT:
        clear()


def draw_letterhead(pdf: ClinicPDF, letterhead: Letterhead) -> None:
    pdf.body(17, "B")
    pdf.cell(0, 8, letterhead.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*GREY)
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
