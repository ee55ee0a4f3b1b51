"""The referral letter PDF (SPEC §2 steps 2 and 5): what it says, in what shape. No database."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from backcare.lib import pdf
from backcare.screening.letter import (
    CLEARANCE_LINE,
    UNNAMED_RECIPIENT,
    Letterhead,
    LetterReason,
    Purpose,
    Recipient,
    ReferralLetter,
    letter_reasons,
    opening_paragraph,
    referral_letter_filename,
    render_referral_letter,
    request_paragraph,
    screening_restrictions,
)
from backcare.screening.rules import parse_intake, screen

LETTERHEAD = Letterhead(
    name="Peachtree Back Care Massage",
    address_lines=("1420 Peachtree St NE, Suite 210", "Atlanta, GA 30309"),
    phone="(404) 555-0142",
    email="frontdesk@peachtreebackcare.example",
)
DR_OKAFOR = Recipient(
    name="Dr. Miriam Okafor",
    practice="Midtown Family Medicine",
    phone="(404) 555-0199",
    email="m.okafor@midtownfm.example",
)
REASONS = (
    LetterReason(
        code="anticoagulants",
        message="Takes anticoagulant medication (warfarin): risk of bruising and bleeding.",
        source="NCCIH",
    ),
    LetterReason(
        code="history_of_cancer",
        message="History of cancer – new back pain needs a medical check before massage.",
        source="IFOMPT red flags framework (Finucane 2020)",
    ),
)
RESTRICTIONS = ("Deep tissue massage: avoid", "Pressure 2 of 5 at most", "Side-lying position")


def make_letter(**changes: object) -> ReferralLetter:
    letter = ReferralLetter(
        letterhead=LETTERHEAD,
        written_on=date(2026, 11, 24),
        client_name="Elena García",
        client_date_of_birth=date(1968, 3, 3),
        recipient=DR_OKAFOR,
        decision="medical_clearance_required",
        reasons=REASONS,
        restrictions=RESTRICTIONS,
        therapist_name="Jordan Ellis",
        therapist_licence="GA licence MT004211",
    )
    return dataclasses.replace(letter, **changes)  # type: ignore[arg-type]


def squash(text: str) -> str:
    """Whitespace-insensitive text: the PDF wraps lines wherever the page needs."""
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return squash(" ".join(page.extract_text() for page in reader.pages))


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def test_the_letter_is_a_pdf_that_parses() -> None:
    pdf = render_referral_letter(make_letter())

    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 1
    # US Letter: 8.5 x 11 inches.
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_the_letter_names_the_clinic_client_and_date_of_birth_with_accents_intact() -> None:
    text = pdf_text(render_referral_letter(make_letter()))

    assert "Peachtree Back Care Massage" in text
    assert "1420 Peachtree St NE, Suite 210" in text
    assert "frontdesk@peachtreebackcare.example" in text
    assert "November 24, 2026" in text
    assert "Re: Elena García (date of birth March 3, 1968)" in text


def test_the_letter_is_addressed_to_the_named_physician() -> None:
    text = pdf_text(render_referral_letter(make_letter()))

    assert "Dr. Miriam Okafor" in text
    assert "Midtown Family Medicine" in text
    assert "Dear Dr. Miriam Okafor," in text
    assert UNNAMED_RECIPIENT not in text


def test_an_empty_recipient_is_addressed_to_the_clients_physician() -> None:
    text = pdf_text(render_referral_letter(make_letter(recipient=Recipient("", "", "", ""))))

    assert "To the client's physician" in text
    assert "Dear Doctor," in text


def test_every_reason_is_listed_with_its_source() -> None:
    text = pdf_text(render_referral_letter(make_letter()))

    for reason in REASONS:
        assert squash(reason.message) in text
        assert f"Source: {reason.source}" in text


def test_every_planned_restriction_is_listed() -> None:
    text = pdf_text(render_referral_letter(make_letter()))

    for restriction in RESTRICTIONS:
        assert restriction in text


def test_the_letter_asks_whether_massage_is_appropriate_and_with_which_restrictions() -> None:
    letter = make_letter()
    text = pdf_text(render_referral_letter(letter))

    assert squash(request_paragraph(letter)) in text
    assert (
        "Please let us know whether massage therapy is appropriate for Elena García "
        "and any restrictions you would like us to follow."
    ) in text


def test_the_reply_section_has_lines_for_clearance_restrictions_signature_and_date() -> None:
    text = pdf_text(render_referral_letter(make_letter()))

    assert CLEARANCE_LINE in text
    assert "Cleared for massage: yes / no / with restrictions" in text
    assert "Restrictions:" in text
    assert "Physician signature:" in text
    assert "Date:" in text


def test_the_therapist_signs_with_name_title_and_licence() -> None:
    text = pdf_text(render_referral_letter(make_letter()))

    assert "Jordan Ellis Licensed Massage Therapist GA licence MT004211" in text


@pytest.mark.parametrize(
    ("purpose", "telling_words"),
    [
        ("clearance", "wishes to start a program of massage therapy for chronic low back pain"),
        ("possible_injury", "the muscles did not relax under pressure"),
        ("not_responding", "there was little improvement"),
    ],
)
def test_the_opening_paragraph_follows_the_purpose(purpose: Purpose, telling_words: str) -> None:
    letter = make_letter(purpose=purpose)
    text = pdf_text(render_referral_letter(letter))

    assert squash(opening_paragraph(letter)) in text
    assert telling_words in text


def test_a_possible_injury_letter_says_the_client_was_advised_to_consult_a_doctor() -> None:
    text = pdf_text(render_referral_letter(make_letter(purpose="possible_injury")))

    assert "may indicate an injury" in text
    assert "advised Elena García to consult a doctor" in text


def test_only_a_clearance_decision_promises_to_wait_for_the_reply() -> None:
    waiting = "We will not begin the program until we have your reply."

    assert waiting in opening_paragraph(make_letter(decision="medical_clearance_required"))
    assert waiting not in opening_paragraph(make_letter(decision="cleared_with_precautions"))


def test_therapist_notes_are_printed_when_given() -> None:
    text = pdf_text(render_referral_letter(make_letter(notes="Client prefers morning visits.")))

    assert "Notes from the therapist" in text
    assert "Client prefers morning visits." in text


def test_a_short_letter_numbers_its_pages_in_the_footer() -> None:
    pdf = render_referral_letter(make_letter())
    pages = page_count(pdf)

    assert f"Page 1 of {pages}" in pdf_text(pdf)


def test_thirty_reasons_flow_onto_more_pages_with_numbered_footers() -> None:
    many = tuple(
        LetterReason(f"code_{n}", f"Reason number {n} in clinical words.", f"Source book {n}")
        for n in range(1, 31)
    )
    pdf = render_referral_letter(make_letter(reasons=many))
    pages = page_count(pdf)
    text = pdf_text(pdf)

    assert pages >= 2
    assert f"Page 1 of {pages}" in text
    assert f"Page {pages} of {pages}" in text
    # The clinic name is in every page's footer.
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        assert "Peachtree Back Care Massage" in squash(page.extract_text())
    for n in range(1, 31):
        assert f"Reason number {n} in clinical words." in text
        assert f"Source: Source book {n}" in text


def test_the_same_letter_renders_the_same_bytes() -> None:
    assert render_referral_letter(make_letter()) == render_referral_letter(make_letter())


def test_the_letter_is_the_same_as_with_the_fonts_layout_tables_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each document opens the font without the layout tables that fpdf2 drops from what it
    embeds (backcare/lib/pdf.py): the PDF is the same, byte for byte, as when they are read."""
    letter = make_letter(client_name="Zoë García-Ødegård", notes="ﬁne ﬂow — “quoted”")
    lean = render_referral_letter(letter)
    pdf.forget_drawn()
    monkeypatch.setattr(pdf, "_UNUSED_TABLES", ())
    assert render_referral_letter(letter) == lean
    pdf.forget_drawn()


def test_the_filename_is_family_name_first_in_ascii() -> None:
    filename = referral_letter_filename(make_letter())

    assert filename == "referral-letter-garcia-elena-2026-11-24.pdf"
    assert filename.isascii()


@pytest.mark.parametrize(
    ("client_name", "expected"),
    [
        ("Zoë Ångström-Łukasz", "referral-letter-angstrom-ukasz-zoe-2026-11-24.pdf"),
        ("Nguyễn Thị Minh Khai", "referral-letter-khai-nguyen-thi-minh-2026-11-24.pdf"),
        ("李小龍", "referral-letter-client-2026-11-24.pdf"),
    ],
)
def test_the_filename_stays_ascii_for_any_name(client_name: str, expected: str) -> None:
    filename = referral_letter_filename(make_letter(client_name=client_name))

    assert filename == expected
    assert filename.isascii()


def test_a_screening_becomes_the_letters_reasons_and_restrictions() -> None:
    screening = screen(
        parse_intake(
            {
                "age": 45,
                "pain": {"nrs_now": 5, "duration_weeks": 20},
                "codes": ["history_of_cancer", "osteoporosis", "pregnancy"],
            }
        )
    )

    reasons = letter_reasons(screening)
    restrictions = screening_restrictions(screening)

    assert [reason.code for reason in reasons] == [reason.code for reason in screening.reasons]
    assert all(reason.message and reason.source for reason in reasons)
    assert any(r.startswith("Deep tissue massage: avoid") for r in restrictions)
    assert "Pressure 2 of 5 at most" in restrictions
    assert "Side-lying position" in restrictions

    text = pdf_text(
        render_referral_letter(
            make_letter(decision=screening.decision, reasons=reasons, restrictions=restrictions)
        )
    )
    for reason in reasons:
        assert squash(reason.message) in text
    for restriction in restrictions:
        assert squash(restriction) in text


def test_letters_drawn_one_after_another_each_carry_their_own_letters_of_the_alphabet() -> None:
    """The font's measurements are read once per process; each document still embeds the
    characters it uses, however many documents were drawn before it."""
    for name in ("Zoë Ødegård", "Łukasz Żółkiewski", "Ἀλέξανδρος Παπαδόπουλος", "Zoë Ødegård"):
        pdf = render_referral_letter(make_letter(client_name=name))
        assert f"Re: {name}" in pdf_text(pdf)
