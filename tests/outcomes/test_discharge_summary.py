"""The discharge summary (SPEC §2 step 6): baseline against latest, sessions, techniques,
responder class and advice; as a page, a PDF, and an email to the physician."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from django.test.client import Client as HttpClient
from django.urls import reverse
from pypdf import PdfReader

from backcare.audit.models import AuditEvent
from backcare.booking.models import Appointment
from backcare.care.models import Program
from backcare.notes.models import SessionNote
from backcare.outcomes.actions import record_response
from backcare.outcomes.progress import third_person
from backcare.outcomes.records import discharge_summary
from backcare.outcomes.scoring import responder
from backcare.outcomes.summary import render_discharge_summary
from tests.conftest import Clinic, audit_row_queries, login_as
from tests.notices.conftest import DATABASE_QUEUE, made_only_by_the_worker, run_worker
from tests.outcomes.conftest import START, add_sessions

TODAY = dt.date(2026, 5, 11)


def _finish(clinic: Clinic, program: Program) -> list[Appointment]:
    """Ten weekly sessions: eight attended, one missed, one cancelled; answers at discharge."""
    visits = add_sessions(
        clinic,
        program,
        ["completed"] * 4 + ["no_show"] + ["completed"] * 3 + ["cancelled"] + ["completed"],
    )
    at = START + dt.timedelta(weeks=9, hours=2)
    for key, answers in (("nrs", [2]), ("peg", [2, 2, 3]), ("psfs", [8, 7, 9]), ("pgic", ["2"])):
        record_response(
            clinic.tess.user,
            clinic.alice,
            key,
            answers,
            occasion="discharge",
            program=program,
            now=at,
        )
    return visits


def _sign(
    clinic: Clinic, program: Program, visit: Appointment, techniques: list[dict[str, Any]]
) -> None:
    SessionNote.objects.create(
        appointment=visit,
        client=clinic.alice,
        program=program,
        therapist=clinic.tess,
        pre_nrs=5,
        post_nrs=4,
        tissue_response="relaxed",
        techniques=techniques,
        created_at=visit.starts,
        saved_at=visit.ends,
        signed_at=visit.ends,
        signed_by=clinic.tess.user,
    )


def test_the_summary_compares_baseline_and_latest_and_counts_sessions(
    clinic: Clinic, program: Program
) -> None:
    _finish(clinic, program)
    summary = discharge_summary(program, today=TODAY)
    rows = {row.title.split(" ")[0]: row for row in summary.measures}
    assert rows["Pain"].baseline == "5"  # the intake (answers_for: NRS 5)
    assert rows["Pain"].latest == "2"
    assert rows["Pain"].change == "Alice's pain is 60% lower than when they started."
    assert rows["Pain"].class_words == "a substantial improvement"
    assert summary.responder.endswith("Responder class on pain (NRS): substantial.")
    assert "“much improved”" in summary.global_impression
    assert (summary.attended, summary.missed, summary.cancelled) == (8, 1, 1)
    assert summary.techniques_planned_only
    assert summary.techniques == ("Swedish massage", "Myofascial release")
    assert summary.advice.startswith("Walk for 20 minutes")


@pytest.mark.parametrize(
    ("instrument", "baseline", "latest", "sentence"),
    [
        ("nrs", 6, 6, "Alice's pain is the same as when they started."),
        (
            "psfs",
            4,
            6,
            "Alice's ability to do the activities they chose is 2 points higher than when they "
            "started.",
        ),
        (
            "rmdq",
            12,
            6,
            "Alice's score for how much their back limits their daily life is 6 points lower "
            "than when they started.",
        ),
    ],
)
def test_the_summary_speaks_of_the_client_in_the_third_person(
    instrument: str, baseline: float, latest: float, sentence: str
) -> None:
    """The instruments' sentences are written to the client; the summary is for the physician."""
    assert third_person(responder(instrument, baseline, latest).sentence, "Alice") == sentence


def test_techniques_come_from_signed_notes_when_there_are_some(
    clinic: Clinic, program: Program
) -> None:
    visits = _finish(clinic, program)
    _sign(clinic, program, visits[0], [{"code": "swedish", "minutes": 40, "pressure": 2}])
    _sign(
        clinic,
        program,
        visits[1],
        [
            {"code": "swedish", "minutes": 30, "pressure": 3},
            {"code": "myofascial_release", "minutes": 20, "pressure": 3},
        ],
    )
    summary = discharge_summary(program, today=TODAY)
    assert not summary.techniques_planned_only
    assert summary.techniques == (
        "Swedish massage: 2 sessions, 70 minutes in all",
        "Myofascial release: 1 session, 20 minutes in all",
    )


def test_the_pdf_says_what_the_page_says_and_draws_the_charts(
    clinic: Clinic, program: Program
) -> None:
    _finish(clinic, program)
    pdf = render_discharge_summary(discharge_summary(program, today=TODAY))
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Discharge summary" in text
    assert "Alice Anders" in text
    assert "Alice's pain is 60% lower than when they started." in text
    assert "8 of 10 planned sessions attended, 1 missed, 1 cancelled." in text
    assert "Techniques planned" in text
    assert "Walk for 20 minutes every day." in text
    assert "shaded = change smaller than meaningful" in text
    assert len(reader.pages) >= 2
    assert f"Page 1 of {len(reader.pages)}" in reader.pages[0].extract_text()


def test_the_same_summary_renders_the_same_bytes(clinic: Clinic, program: Program) -> None:
    _finish(clinic, program)
    summary = discharge_summary(program, today=TODAY)
    assert render_discharge_summary(summary) == render_discharge_summary(summary)


def test_staff_page_and_download_are_audited(
    clinic: Clinic, program: Program, as_tess: HttpClient
) -> None:
    _finish(clinic, program)
    html = as_tess.get(reverse("outcomes:summary", args=[program.pk])).content.decode()
    assert "8 of 10 planned sessions attended" in html
    assert "Techniques planned" in html
    assert '<svg role="img"' in html
    response = as_tess.get(reverse("outcomes:summary_pdf", args=[program.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="discharge-summary-anders-alice-' in response["Content-Disposition"]
    actions = set(AuditEvent.objects.filter(client=clinic.alice).values_list("action", flat=True))
    assert {"discharge_summary.viewed", "discharge_summary.downloaded"} <= actions


def test_the_client_downloads_their_own_summary(clinic: Clinic, program: Program) -> None:
    _finish(clinic, program)
    own = login_as(clinic.alice.user).get(reverse("outcomes:portal_summary_pdf", args=[program.pk]))
    assert own.status_code == 200
    assert own.content.startswith(b"%PDF")
    other = login_as(clinic.bob.user).get(reverse("outcomes:portal_summary_pdf", args=[program.pk]))
    assert other.status_code == 404


@pytest.mark.parametrize("sessions", [2, 10])
def test_the_summary_page_runs_a_fixed_number_of_queries(
    clinic: Clinic,
    program: Program,
    as_tess: HttpClient,
    django_assert_num_queries: Any,
    sessions: int,
) -> None:
    add_sessions(clinic, program, ["completed"] * sessions)
    for week in range(sessions):
        record_response(
            None,
            clinic.alice,
            "nrs",
            [4],
            occasion="check_in",
            program=program,
            now=START + dt.timedelta(weeks=week, hours=1),
        )
    with django_assert_num_queries(12 + audit_row_queries()):
        assert as_tess.get(reverse("outcomes:summary", args=[program.pk])).status_code == 200


def test_the_summary_is_emailed_to_the_physician_with_the_pdf(
    clinic: Clinic, program: Program, as_tess: HttpClient, django_capture_on_commit_callbacks: Any
) -> None:
    _finish(clinic, program)
    url = reverse("outcomes:summary_email", args=[program.pk])
    response = as_tess.post(url)
    assert response.status_code == 302
    assert not mail.outbox  # no address yet: told so, nothing sent
    clinic.alice.physician_name = "Dr. Grace Lee"
    clinic.alice.physician_email = "grace.lee@clinic.example"
    clinic.alice.save(update_fields=["physician_name", "physician_email"])
    with django_capture_on_commit_callbacks(execute=True):
        as_tess.post(url)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["grace.lee@clinic.example"]
    assert "Dear Dr. Grace Lee" in str(email.body)
    name, content, mime = email.attachments[0]
    assert name.startswith("discharge-summary-anders-alice-")
    assert mime == "application/pdf"
    assert content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="discharge_summary.emailed").count() == 1


def test_the_emailed_summary_is_made_by_the_worker_not_in_the_request(
    clinic: Clinic, program: Program, as_tess: HttpClient, django_capture_on_commit_callbacks: Any
) -> None:
    _finish(clinic, program)
    clinic.alice.physician_name = "Dr. Grace Lee"
    clinic.alice.physician_email = "grace.lee@clinic.example"
    clinic.alice.save(update_fields=["physician_name", "physician_email"])
    with (
        override_settings(TASKS=DATABASE_QUEUE),
        made_only_by_the_worker("backcare.outcomes.summary.render_discharge_summary"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = as_tess.post(reverse("outcomes:summary_email", args=[program.pk]))
    assert response.status_code == 302
    assert mail.outbox == []  # queued, waiting for the worker

    with override_settings(TASKS=DATABASE_QUEUE):
        run_worker()

    (email,) = mail.outbox
    assert email.to == ["grace.lee@clinic.example"]
    name, content, mime = email.attachments[0]
    assert name.startswith("discharge-summary-anders-alice-")
    assert mime == "application/pdf"
    assert "Alice Anders" in " ".join(
        page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages
    )
