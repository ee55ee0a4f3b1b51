"""The progress pages (staff and portal), the reassessment banner and the collection forms."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import override_settings
from django.test.client import Client as HttpClient
from django.urls import reverse

from backcare.audit.models import AuditEvent
from backcare.care.models import Program
from backcare.outcomes.actions import record_response
from backcare.outcomes.models import Response
from tests.conftest import Clinic, audit_row_queries, login_as
from tests.outcomes.conftest import START, add_sessions, make_program

LATER = START + dt.timedelta(weeks=6)

PORTAL_ANSWERS = {
    "occasion": "reassessment",
    "nrs__nrs-now": "3",
    "peg__peg-pain": "4",
    "peg__peg-enjoyment": "3",
    "peg__peg-activity": "4",
    "psfs__psfs-activity-1": "7",
    "psfs__psfs-activity-2": "6",
    "psfs__psfs-activity-3": "8",
    "pgic__pgic": "2",
}


def _weekly_nrs(clinic: Clinic, program: Program, scores: list[int]) -> None:
    for week, value in enumerate(scores, start=1):
        record_response(
            clinic.alice.user,
            clinic.alice,
            "nrs",
            [value],
            occasion="check_in",
            program=program,
            now=START + dt.timedelta(weeks=week),
        )


def _points(html: str, key: str) -> list[str]:
    figure = html.split(f'id="chart-{key}"', 1)[1].split("</figure>", 1)[0]
    return re.findall(r"<circle class=\"point[^>]*>", figure)


@time_machine.travel(LATER, tick=False)
def test_the_client_sees_their_pain_falling_in_words_and_a_chart(
    clinic: Clinic, program: Program, as_alice: HttpClient
) -> None:
    _weekly_nrs(clinic, program, [5, 4, 3])  # the intake baseline was 5 (answers_for)
    html = as_alice.get(reverse("outcomes:portal_progress")).content.decode()
    assert "Your pain is 40% lower than when you started: a meaningful improvement." in html
    assert len(_points(html, "nrs")) == 4
    assert "baseline-point" in _points(html, "nrs")[0]
    assert '<rect class="band"' in html
    assert '<title id="chart-nrs-title">' in html
    assert '<th scope="col">Score</th>' in html
    assert AuditEvent.objects.filter(action="progress.viewed", client=clinic.alice).exists()


@time_machine.travel(LATER, tick=False)
def test_staff_see_the_same_progress_and_the_links_to_record_and_summarise(
    clinic: Clinic, program: Program, as_tess: HttpClient
) -> None:
    _weekly_nrs(clinic, program, [2])
    html = as_tess.get(reverse("outcomes:staff_progress", args=[clinic.alice.pk])).content.decode()
    assert "Your pain is 60% lower than when you started: a substantial improvement." in html
    assert reverse("outcomes:staff_collect", args=[program.pk]) in html
    assert reverse("outcomes:summary", args=[program.pk]) in html


@pytest.mark.parametrize(("extra_weeks"), [0, 12])
def test_the_progress_page_runs_a_fixed_number_of_queries(
    clinic: Clinic,
    program: Program,
    as_tess: HttpClient,
    django_assert_num_queries: Any,
    extra_weeks: int,
) -> None:
    _weekly_nrs(clinic, program, [(7 + week) % 11 for week in range(extra_weeks)])
    add_sessions(clinic, program, ["completed"] * (extra_weeks // 2))
    url = reverse("outcomes:staff_progress", args=[clinic.alice.pk])
    with django_assert_num_queries(12 + audit_row_queries()):
        assert as_tess.get(url).status_code == 200


def test_reassessment_is_due_after_session_four_until_it_is_answered(
    clinic: Clinic, program: Program, as_alice: HttpClient
) -> None:
    add_sessions(clinic, program, ["completed"] * 3 + ["booked"])
    url = reverse("outcomes:portal_progress")
    assert "Reassessment due" not in as_alice.get(url).content.decode()
    visits = list(program.appointments.order_by("starts"))
    visits[3].status = "completed"
    visits[3].save(update_fields=["status"])
    html = as_alice.get(url).content.decode()
    assert "Reassessment due" in html
    assert reverse("outcomes:portal_collect") in html
    response = as_alice.post(reverse("outcomes:portal_collect"), PORTAL_ANSWERS)
    assert response.status_code == 302
    assert "Reassessment due" not in as_alice.get(url).content.decode()


def test_the_portal_form_asks_psfs_about_the_programs_own_goals(
    clinic: Clinic, program: Program, as_alice: HttpClient
) -> None:
    html = as_alice.get(reverse("outcomes:portal_collect")).content.decode()
    assert "Gardening: how able are you to do this today?" in html
    assert 'for="id_peg__peg-pain_0"' in html
    assert "Patient Global Impression of Change" in html
    assert "Roland" not in html
    response = as_alice.post(reverse("outcomes:portal_collect"), PORTAL_ANSWERS)
    assert response.status_code == 302
    saved = {r.instrument: r for r in Response.objects.filter(occasion="reassessment")}
    assert set(saved) == {"nrs", "peg", "psfs", "pgic"}
    assert saved["psfs"].score == 7
    assert saved["psfs"].details["activities"][1] == "Gardening"
    assert saved["pgic"].details["category"] == "much improved"
    assert saved["pgic"].collected_by == clinic.alice.user
    assert all(r.program == program for r in saved.values())


def test_a_missing_answer_is_named_and_nothing_is_saved(
    clinic: Clinic, program: Program, as_alice: HttpClient
) -> None:
    answers = {**PORTAL_ANSWERS}
    del answers["peg__peg-enjoyment"]
    response = as_alice.post(reverse("outcomes:portal_collect"), answers)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please answer “What number best describes how, during the past week, pain has" in html
    kept = re.search(r'<input type="radio" name="nrs__nrs-now" value="3"[^>]*>', html)
    assert kept is not None
    assert "checked" in kept.group(0)  # what was answered is still there to send again
    assert not Response.objects.filter(occasion="reassessment").exists()


def test_staff_record_a_discharge_with_rmdq_when_the_clinic_uses_it(
    clinic: Clinic, program: Program, as_tess: HttpClient
) -> None:
    url = reverse("outcomes:staff_collect", args=[program.pk])
    with override_settings(OUTCOMES_RMDQ=True):
        html = as_tess.get(url).content.decode()
        assert "Roland" in html
        answers = {**PORTAL_ANSWERS, "occasion": "discharge"}
        answers.update({f"rmdq__rmdq-{n}": "yes" if n <= 6 else "no" for n in range(1, 25)})
        response = as_tess.post(url, answers)
    assert response.status_code == 302, response.content.decode()[:2000]
    rmdq = Response.objects.get(instrument="rmdq")
    assert rmdq.score == 6
    assert rmdq.occasion == "discharge"
    assert rmdq.collected_by == clinic.tess.user


def test_a_client_without_a_program_sees_progress_since_intake(clinic: Clinic) -> None:
    from tests import factories

    as_bob = login_as(clinic.bob.user)
    factories.screened(clinic.bob, nrs_now=6)
    record_response(None, clinic.bob, "nrs", [3], occasion="other")
    html = as_bob.get(reverse("outcomes:portal_progress")).content.decode()
    assert "Since your first questionnaire" in html
    assert "Your pain is 50% lower than when you started: a substantial improvement." in html
    assert as_bob.get(reverse("outcomes:portal_collect")).status_code == 404


def test_the_care_program_of_someone_else_is_not_found(clinic: Clinic) -> None:
    program = make_program(clinic)
    url = reverse("outcomes:portal_summary_pdf", args=[program.pk])
    assert login_as(clinic.bob.user).get(url).status_code == 404
    assert (
        login_as(clinic.front_desk)
        .get(reverse("outcomes:staff_progress", args=[clinic.alice.pk]))
        .status_code
        == 403
    )
