"""`record_response`: answers are scored with the clinic's instruments, kept verbatim, audited;
bad answers are refused naming the item, and nothing is saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from backcare.audit.models import AuditEvent
from backcare.care.models import Program
from backcare.outcomes.actions import ResponseError, record_response
from backcare.outcomes.models import Response
from tests import factories
from tests.conftest import Clinic

AT = dt.datetime(2026, 3, 9, 15, 0, tzinfo=dt.UTC)


def test_a_peg_is_scored_and_kept_as_answered(clinic: Clinic, program: Program) -> None:
    response = record_response(
        clinic.tess.user,
        clinic.alice,
        "peg",
        [6, 5, 7],
        occasion="reassessment",
        program=program,
        now=AT,
    )
    response.refresh_from_db()
    assert response.score == 6
    assert response.answers == [6, 5, 7]
    assert response.details["answered"] == 3
    assert response.details["direction"] == "lower_is_better"
    assert response.occasion == "reassessment"
    assert response.program == program
    assert response.collected_at == AT
    assert response.collected_by == clinic.tess.user
    event = AuditEvent.objects.get(action="outcome.recorded", object_id=str(response.pk))
    assert event.client == clinic.alice
    assert event.actor == clinic.tess.user
    assert event.changes["instrument"] == {"before": None, "after": "peg"}
    assert event.changes["score"] == {"before": None, "after": 6}


def test_a_mean_that_is_not_whole_keeps_its_decimals(clinic: Clinic) -> None:
    response = record_response(None, clinic.alice, "peg", [6, 6, 7], occasion="other", now=AT)
    assert response.score == pytest.approx(6.33)
    assert response.collected_by is None


def test_a_client_answering_in_the_portal_is_the_collector(clinic: Clinic) -> None:
    assert clinic.alice.user is not None
    response = record_response(
        clinic.alice.user, clinic.alice, "nrs", [3], occasion="check_in", now=AT
    )
    assert response.collected_by == clinic.alice.user


@pytest.mark.parametrize(
    ("instrument", "answers", "field", "words"),
    [
        ("peg", [6, 11, 7], "peg-enjoyment", "0 to 10"),
        ("peg", [6, None, 7], "peg-enjoyment", "no answer"),
        ("nrs", ["three"], "nrs-now", "whole number"),
        ("pgic", [9], "pgic", "one of"),
        ("peg", [6, 5], "answers", "expects 3 answers"),
        ("odi", [1], "instrument", "unknown instrument"),
    ],
)
def test_bad_answers_are_refused_naming_the_item_and_nothing_is_saved(
    clinic: Clinic, instrument: str, answers: list[object], field: str, words: str
) -> None:
    with pytest.raises(ResponseError) as refused:
        record_response(clinic.tess.user, clinic.alice, instrument, answers, occasion="other")
    assert refused.value.field == field
    assert words in refused.value.message
    assert not Response.objects.exists()
    assert not AuditEvent.objects.filter(action="outcome.recorded").exists()


def test_rmdq_is_refused_unless_the_clinic_turns_it_on(clinic: Clinic) -> None:
    answers = [True] * 10 + [False] * 14
    with pytest.raises(ResponseError) as refused:
        record_response(None, clinic.alice, "rmdq", answers, occasion="other")
    assert refused.value.field == "instrument"
    with override_settings(OUTCOMES_RMDQ=True):
        response = record_response(None, clinic.alice, "rmdq", answers, occasion="other")
    assert response.score == 10


def test_a_program_or_appointment_of_someone_else_is_refused(
    clinic: Clinic, program: Program
) -> None:
    with pytest.raises(ResponseError) as refused:
        record_response(None, clinic.bob, "nrs", [4], occasion="reassessment", program=program)
    assert refused.value.field == "program"
    visit = factories.AppointmentFactory.create(client=clinic.alice)
    with pytest.raises(ResponseError) as refused:
        record_response(None, clinic.bob, "nrs", [4], occasion="check_in", appointment=visit)
    assert refused.value.field == "appointment"
    with pytest.raises(ResponseError) as refused:
        record_response(None, clinic.alice, "nrs", [4], occasion="weekly")
    assert refused.value.field == "occasion"
    assert not Response.objects.exclude(occasion="intake").exists()


def test_psfs_keeps_the_names_of_the_activities(clinic: Clinic) -> None:
    response = record_response(
        None,
        clinic.alice,
        "psfs",
        [4, 3, 5],
        occasion="intake",
        activities=["Sitting through a film", "Gardening", "Lifting the laundry basket"],
    )
    assert response.score == 4
    assert response.details["activities"][1] == "Gardening"
