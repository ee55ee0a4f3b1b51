"""Scores of the shipped instruments and of the shipped rules on clinic instruments (SPEC §5)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backcare.outcomes.instruments import load_instruments
from backcare.outcomes.scoring import ScoringError, score
from tests.outcomes.clinic_files import boolean_item, integer_item

YES, NO = True, False


def refused(instrument: str, answers: list[Any], **kwargs) -> ScoringError:
    with pytest.raises(ScoringError) as caught:
        score(instrument, answers, **kwargs)
    return caught.value


# --- NRS ------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [0, 1, 5, 9, 10])
def test_nrs_score_is_the_rating(answer):
    result = score("nrs", [answer])
    assert result.score == answer
    assert result.range == (0, 10)
    assert result.direction == "lower_is_better"


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ([11], "answers[0]", "'nrs-now' must be 0 to 10, got 11"),
        ([-1], "answers[0]", "'nrs-now' must be 0 to 10, got -1"),
        ([True], "answers[0]", "'nrs-now' expects a whole number, got true"),
        ([7.0], "answers[0]", "'nrs-now' expects a whole number, got 7.0"),
        (["7"], "answers[0]", "'nrs-now' expects a whole number, got \"7\""),
        ([None], "answers[0]", "no answer to 'nrs-now'; nrs is not scored with missing items"),
        ([], "answers", "nrs expects 1 answers in item order, got 0"),
        ([3, 4], "answers", "nrs expects 1 answers in item order, got 2"),
    ],
)
def test_nrs_refuses_bad_answers_naming_the_item(answers, field, message):
    error = refused("nrs", answers)
    assert error.field == field
    assert error.message == message


def test_answers_must_be_a_list():
    assert refused("nrs", "7").field == "answers"  # type: ignore[arg-type]
    assert refused("nrs", {"a": 1}).field == "answers"  # type: ignore[arg-type]


def test_unknown_instrument_is_refused_listing_the_known_ones():
    error = refused("odi", [1])
    assert error.field == "instrument"
    assert "known: nrs, peg, pgic, psfs, rmdq" in error.message


# --- PEG ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([6, 7, 6], 6.33),
        ([0, 0, 0], 0),
        ([10, 10, 10], 10),
        ([6, 6, 6], 6),
        ([1, 2, 2], 1.67),
        ([0, 0, 1], 0.33),
        ([10, 9, 9], 9.33),
    ],
)
def test_peg_score_is_the_mean_to_two_decimals(answers, expected):
    assert score("peg", answers).score == expected


def test_peg_refuses_a_missing_item_naming_it():
    error = refused("peg", [6, None, 6])
    assert error.field == "answers[1]"
    assert "'peg-enjoyment'" in error.message


def test_peg_refuses_an_out_of_range_third_item():
    error = refused("peg", [6, 6, 11])
    assert (error.field, error.message) == ("answers[2]", "'peg-activity' must be 0 to 10, got 11")


# --- PSFS -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "expected", "answered"),
    [
        ([5, 6, 7], 6, 3),
        ([5, 6, 7, 8], 6.5, 4),
        ([5, 6, 7, 8, 9], 7, 5),
        ([5, 6, 7, None, 8], 6.5, 4),
        ([5, 6, 7, None, None], 6, 3),
        ([0, 0, 1], 0.33, 3),
        ([0, 0, 0], 0, 3),
        ([10, 10, 10, 10, 10], 10, 5),
    ],
)
def test_psfs_score_is_the_mean_of_the_three_to_five_chosen_activities(answers, expected, answered):
    result = score("psfs", answers)
    assert result.score == expected
    assert result.answered == answered
    assert not result.prorated
    assert result.direction == "higher_is_better"


@pytest.mark.parametrize("count", [0, 1, 2, 6])
def test_psfs_refuses_fewer_than_three_or_more_than_five_activities(count):
    error = refused("psfs", [5] * count)
    assert error.field == "answers"
    assert error.message == f"psfs expects 3 to 5 answers in item order, got {count}"


def test_psfs_refuses_a_missing_required_activity():
    error = refused("psfs", [None, 5, 5])
    assert error.field == "answers[0]"


# --- PGIC -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "category", "is_responder"),
    [
        (1, "very much improved", True),
        (2, "much improved", True),
        (3, "minimally improved", False),
        (4, "no change", False),
        (5, "minimally worse", False),
        (6, "much worse", False),
        (7, "very much worse", False),
    ],
)
def test_pgic_score_is_the_category_and_responders_are_much_or_very_much_improved(
    answer, category, is_responder
):
    result = score("pgic", [answer])
    assert result.score == answer
    assert result.category == category
    assert result.responder is is_responder


def test_pgic_accepts_the_option_code_as_a_string():
    assert score("pgic", ["2"]).category == "much improved"


@pytest.mark.parametrize("answer", [0, 8, True, "much improved", 1.0])
def test_pgic_refuses_an_answer_that_is_not_one_of_the_seven(answer):
    error = refused("pgic", [answer])
    assert error.field == "answers[0]"
    assert "expects one of 1, 2, 3, 4, 5, 6, 7" in error.message


def test_instruments_without_responder_categories_report_no_responder():
    assert score("peg", [6, 7, 6]).responder is None
    assert score("peg", [6, 7, 6]).category is None


# --- RMDQ -----------------------------------------------------------------------------


@pytest.mark.parametrize(("yes_count", "expected"), [(0, 0), (1, 1), (5, 5), (23, 23), (24, 24)])
def test_rmdq_score_is_the_count_of_yes(yes_count, expected):
    answers = [YES] * yes_count + [NO] * (24 - yes_count)
    assert score("rmdq", answers).score == expected


def test_rmdq_refuses_a_number_where_yes_or_no_is_expected():
    error = refused("rmdq", [1] + [NO] * 23)
    assert (error.field, error.message) == ("answers[0]", "'rmdq-1' expects true or false, got 1")


def test_rmdq_refuses_a_missing_statement():
    error = refused("rmdq", [NO] * 10 + [None] + [NO] * 13)
    assert error.field == "answers[10]"
    assert "'rmdq-11'" in error.message


def test_rmdq_refuses_23_answers():
    assert refused("rmdq", [NO] * 23).message == "rmdq expects 24 answers in item order, got 23"


# --- rules on clinic instruments ----------------------------------------------------------


@pytest.fixture
def prorated_sum(write_instrument):
    """Four items 0-5 summed; the (made-up) instrument's own rule allows one missing item."""
    folder = write_instrument(
        "stiffness",
        [integer_item(f"s{i}") for i in range(1, 5)],
        {
            "rule": "sum",
            "direction": "lower_is_better",
            "range": {"min": 0, "max": 20},
            "decimals": 1,
            "missing": {"policy": "prorate", "max_missing": 1},
            "categories": [
                {"label": "mild", "at_most": {"score": 6}},
                {"label": "moderate", "at_most": {"score": 13}},
                {"label": "severe", "at_least": {"score": 13.1}},
            ],
            "source": "Made-up instrument for tests",
        },
    )
    return load_instruments([folder])


@pytest.mark.parametrize(
    ("answers", "expected", "prorated", "category"),
    [
        ([1, 2, 3, 4], 10, False, "moderate"),
        ([0, 0, 0, 0], 0, False, "mild"),
        ([5, 5, 5, 5], 20, False, "severe"),
        ([1, 2, None, 3], 8, True, "moderate"),
        ([1, 1, 1, None], 4, True, "mild"),
        ([2, 2, 3, None], 9.3, True, "moderate"),
        ([None, 5, 5, 4], 18.7, True, "severe"),
    ],
)
def test_prorated_sum_scales_up_to_the_full_item_count(
    prorated_sum, answers, expected, prorated, category
):
    result = score("stiffness", answers, instruments=prorated_sum)
    assert result.score == expected
    assert result.prorated is prorated
    assert result.missing == (1 if prorated else 0)
    assert result.category == category


def test_prorating_beyond_the_instruments_own_limit_is_refused_naming_the_items(prorated_sum):
    error = refused("stiffness", [1, None, None, 3], instruments=prorated_sum)
    assert error.field == "answers"
    assert error.message == (
        "2 answers missing (answers[1], answers[2]); stiffness is scored with at most 1 missing"
    )


def test_an_instrument_of_optional_items_refuses_to_score_nothing(write_instrument):
    folder = write_instrument(
        "extras",
        [integer_item("e1", required=False), integer_item("e2", required=False)],
        {
            "rule": "mean",
            "direction": "lower_is_better",
            "range": {"min": 0, "max": 5},
            "missing": {"policy": "refuse"},
            "source": "Made-up instrument for tests",
        },
    )
    instruments = load_instruments([folder])
    assert score("extras", [None, 4], instruments=instruments).score == 4
    error = refused("extras", [None, None], instruments=instruments)
    assert error.message == "extras cannot be scored with no item answered"


@pytest.fixture
def subscales(write_instrument):
    """Six made-up yes/no items: a total and a worry subscale, with a two-step cut-off."""
    folder = write_instrument(
        "triage",
        [boolean_item(f"t{i}") for i in range(1, 7)],
        {
            "rule": "subscale_sums",
            "subscales": {"total": [f"t{i}" for i in range(1, 7)], "worry": ["t4", "t5", "t6"]},
            "score_subscale": "total",
            "direction": "lower_is_better",
            "range": {"min": 0, "max": 6},
            "missing": {"policy": "refuse"},
            "categories": [
                {"label": "high", "at_least": {"total": 4, "worry": 3}},
                {"label": "medium", "at_least": {"total": 4}},
                {"label": "low"},
            ],
            "source": "Made-up instrument for tests",
        },
    )
    return load_instruments([folder])


@pytest.mark.parametrize(
    ("answers", "total", "worry", "category"),
    [
        ([NO] * 6, 0, 0, "low"),
        ([YES, YES, YES, NO, NO, NO], 3, 0, "low"),
        ([NO, NO, NO, YES, YES, YES], 3, 3, "low"),
        ([YES, YES, YES, YES, NO, NO], 4, 1, "medium"),
        ([YES, NO, NO, YES, YES, YES], 4, 3, "high"),
        ([YES] * 6, 6, 3, "high"),
    ],
)
def test_subscale_sums_with_cut_offs_classify_without_code(
    subscales, answers, total, worry, category
):
    result = score("triage", answers, instruments=subscales)
    assert result.score == total
    assert dict(result.subscales) == {"total": total, "worry": worry}
    assert result.category == category


# --- properties -------------------------------------------------------------------------


@given(st.lists(st.integers(min_value=0, max_value=10), min_size=3, max_size=5))
def test_psfs_mean_is_always_within_0_to_10(answers):
    result = score("psfs", answers)
    assert 0 <= result.score <= 10
    assert min(answers) - 0.005 <= result.score <= max(answers) + 0.005


@given(st.lists(st.integers(min_value=0, max_value=10), min_size=3, max_size=3))
def test_peg_mean_is_always_within_0_to_10(answers):
    assert 0 <= score("peg", answers).score <= 10


@given(st.lists(st.booleans(), min_size=24, max_size=24))
def test_rmdq_score_always_equals_the_number_of_yes(answers):
    assert score("rmdq", answers).score == sum(answers)
