"""The intake questionnaire as data and what its answers mean for screening (SPEC §2 step 1,
§3), and the booking hold screening gives scheduling. Pure logic: no database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from backcare.holds.rules import Facts, ScreeningFact, clinical_hold, kind_of
from backcare.intake.questionnaire import (
    answers_for,
    derived_codes,
    load_questionnaire,
    screening_input,
    unanswered_steps,
)
from backcare.screening.rules import parse_intake, screen
from backcare.screening.ruleset import load_rules

QUESTIONNAIRE = load_questionnaire()
ALL_CODES = sorted(QUESTIONNAIRE.codes)


def step_ids(answers: dict[str, Any]) -> list[str]:
    return [step.id for step in unanswered_steps(answers)]


# --- Every screening code is asked ----------------------------------------------------------


@pytest.mark.parametrize("code", sorted(load_rules().intake_codes))
def test_every_screening_intake_code_is_asked_by_exactly_one_question(code: str) -> None:
    asking = [
        question.id
        for question in QUESTIONNAIRE.questions
        if code in (question.code, question.code_if_no)
    ]
    assert len(asking) == 1, f"{code} is asked by {asking}"


def test_the_questionnaire_adds_no_code_the_screening_rules_do_not_know() -> None:
    assert load_rules().intake_codes == QUESTIONNAIRE.codes


def test_every_code_question_is_a_yes_no_question() -> None:
    for question in QUESTIONNAIRE.questions:
        if question.code or question.code_if_no:
            assert question.kind == "yes_no", question.id


# --- Derived codes --------------------------------------------------------------------------


def test_a_yes_adds_the_questions_code_and_a_no_adds_nothing() -> None:
    answers = {"asthma": "yes", "osteoporosis": "no", "night_pain": "yes", "seen_doctor": "yes"}
    assert derived_codes(answers) == ["asthma", "night_pain"]


def test_an_unanswered_question_adds_no_code() -> None:
    assert derived_codes({"asthma": None, "seen_doctor": None}) == []


def test_a_no_to_seen_doctor_adds_never_seen_doctor() -> None:
    assert derived_codes({"seen_doctor": "no"}) == ["never_seen_doctor"]
    assert derived_codes({"seen_doctor": "yes"}) == []


def test_a_high_risk_pregnancy_counts_only_when_the_client_is_pregnant() -> None:
    assert derived_codes({"pregnancy": "no", "high_risk_pregnancy": "yes"}) == []
    assert derived_codes({"high_risk_pregnancy": "yes"}) == []
    assert derived_codes({"pregnancy": "yes", "high_risk_pregnancy": "yes"}) == [
        "high_risk_pregnancy",
        "pregnancy",
    ]
    assert derived_codes({"pregnancy": "yes", "high_risk_pregnancy": "no"}) == ["pregnancy"]


def test_derived_codes_are_sorted_and_unique() -> None:
    answers = answers_for(["osteoporosis", "asthma", "fever"])
    assert derived_codes(answers) == ["asthma", "fever", "osteoporosis"]


# --- The screening input --------------------------------------------------------------------


def test_the_screening_input_has_the_shape_of_spec_section_3() -> None:
    answers = answers_for(["anticoagulants", "asthma"], nrs_now=6, duration_weeks=30)

    assert screening_input(answers, 58) == {
        "age": 58,
        "pain": {"nrs_now": 6, "duration_weeks": 30},
        "codes": ["anticoagulants", "asthma"],
    }


def test_the_screening_input_screens_like_the_spec_example() -> None:
    answers = answers_for(["anticoagulants", "asthma"], nrs_now=6, duration_weeks=30)

    result = screen(parse_intake(screening_input(answers, 58))).to_json()

    assert result["decision"] == "cleared_with_precautions"
    assert result["techniques"]["deep_tissue"] == "avoid"
    assert result["max_pressure"] == 2


@pytest.mark.parametrize("code", ALL_CODES)
def test_the_screening_input_of_every_code_is_accepted_by_the_rules(code: str) -> None:
    parse_intake(screening_input(answers_for([code]), 40))


# --- Where to carry on ----------------------------------------------------------------------


def test_nothing_answered_leaves_every_step_to_do() -> None:
    assert step_ids({}) == [step.id for step in QUESTIONNAIRE.steps]


def test_a_complete_set_of_answers_leaves_no_step_to_do() -> None:
    assert step_ids(answers_for()) == []


def test_optional_text_answers_may_be_left_empty() -> None:
    answers = answers_for(aggravates="", eases="", conditions="", medications="")
    assert step_ids(answers) == []


@pytest.mark.parametrize(
    ("changes", "unfinished"),
    [
        ({"nrs_now": None}, ["pain"]),
        ({"areas": []}, ["pain"]),
        ({"fever": None}, ["safety"]),
        ({"asthma": None, "peg_activity": None}, ["health", "measures"]),
        ({"activities": []}, ["goals"]),
        ({"consent_treatment": False}, ["consents"]),
        ({"consent_privacy": None}, ["consents"]),
        ({"pregnancy": "yes", "high_risk_pregnancy": None}, ["health"]),
    ],
)
def test_a_step_with_a_required_answer_missing_is_still_to_do(
    changes: dict[str, Any], unfinished: list[str]
) -> None:
    assert step_ids({**answers_for(), **changes}) == unfinished


def test_messages_consent_is_optional() -> None:
    assert step_ids(answers_for(consent_messages=False)) == []


def test_the_high_risk_follow_up_need_not_be_answered_when_not_pregnant() -> None:
    assert step_ids(answers_for(pregnancy="no", high_risk_pregnancy=None)) == []


# --- answers_for: the answers tests and the demo use ----------------------------------------


@pytest.mark.parametrize("code", sorted(set(ALL_CODES) - {"high_risk_pregnancy"}))
def test_answers_for_one_code_yield_exactly_that_code(code: str) -> None:
    assert derived_codes(answers_for([code])) == [code]


def test_answers_for_a_high_risk_pregnancy_are_pregnant_too() -> None:
    # There is no high-risk pregnancy without a pregnancy: the follow-up needs its lead.
    assert derived_codes(answers_for(["high_risk_pregnancy"])) == [
        "high_risk_pregnancy",
        "pregnancy",
    ]


def test_answers_for_no_code_yield_no_code() -> None:
    assert derived_codes(answers_for()) == []


def test_answers_for_every_code_at_once_yield_every_code() -> None:
    assert derived_codes(answers_for(ALL_CODES)) == ALL_CODES


def test_answers_for_an_unknown_code_is_refused() -> None:
    with pytest.raises(ValueError, match="sciatica"):
        answers_for(["sciatica"])


def test_answers_for_answer_every_question() -> None:
    answers = answers_for()
    assert set(answers) == {question.id for question in QUESTIONNAIRE.questions}


# --- The booking hold -----------------------------------------------------------------------

URGENT = "urgent_referral"
CLEARANCE = "medical_clearance_required"
PRECAUTIONS = "cleared_with_precautions"


@pytest.mark.parametrize(
    ("adult", "decision", "needs_clearance", "cleared", "hold"),
    [
        pytest.param(False, None, (), (), "minor", id="minor without a screening"),
        pytest.param(False, "cleared", (), (), "minor", id="minor cleared by screening"),
        pytest.param(False, URGENT, (), (), "minor", id="minor with an urgent screening"),
        pytest.param(True, URGENT, (), (), URGENT, id="urgent"),
        pytest.param(True, URGENT, (), ("night_pain",), URGENT, id="urgent despite clearance"),
        pytest.param(True, CLEARANCE, ("night_pain",), (), CLEARANCE, id="clearance needed"),
        pytest.param(
            True, CLEARANCE, ("night_pain",), ("night_pain",), None, id="clearance covered"
        ),
        pytest.param(
            True,
            CLEARANCE,
            ("fever", "night_pain"),
            ("night_pain",),
            CLEARANCE,
            id="a new clearance-level code blocks again",
        ),
        pytest.param(
            True,
            CLEARANCE,
            ("night_pain",),
            ("fever", "night_pain"),
            None,
            id="clearances covering more than needed",
        ),
        pytest.param(True, PRECAUTIONS, (), (), None, id="precautions"),
        pytest.param(True, "cleared", (), (), None, id="cleared"),
        pytest.param(True, None, (), (), None, id="no screening yet"),
    ],
)
def test_hold_kind(
    adult: bool,
    decision: str | None,
    needs_clearance: tuple[str, ...],
    cleared: tuple[str, ...],
    hold: str | None,
) -> None:
    screened_at = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    facts = Facts(
        adult=adult,
        screening=ScreeningFact(1, decision, screened_at, needs_clearance) if decision else None,
        cleared_codes=frozenset(cleared),
    )
    assert kind_of(clinical_hold(facts).at("book")) == hold
